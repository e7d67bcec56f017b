/*
 * pool.c -- fork-join worker pool (see pool.h).
 *
 * A job is published under the queue lock with a new generation number;
 * idle workers sleep on a condition variable until the generation changes.
 * Participating threads take task numbers from an atomic counter and the
 * last one to finish signals the caller. Workers beyond the job's thread
 * count go back to sleep at once.
 */
#include <stdatomic.h>

#include "exec/pool.h"
#include "obs/obs.h"

typedef struct Job {
    PoolFn fn;
    void *arg;
    int n_tasks;
    int n_threads;
    atomic_int next_task;
    atomic_int joined;        /* workers that took a seat */
    int active;               /* seated workers still running */
} Job;

struct ThreadPool {
    EmberMutex lock;
    pthread_cond_t wake;      /* workers: new job or shutdown */
    pthread_cond_t done;      /* caller: job finished */
    pthread_t *threads;
    int n_workers;
    uint64_t generation;
    bool shutdown;
    Job *job;
};

static void run_tasks(Job *j, int worker)
{
    for (;;) {
        int t = atomic_fetch_add(&j->next_task, 1);
        if (t >= j->n_tasks)
            break;
        j->fn(j->arg, t, worker);
    }
}

static void *worker_main(void *vp)
{
    ThreadPool *p = vp;
    uint64_t seen = 0;
    emutex_lock(&p->lock);
    int id = 0;
    for (int i = 0; i < p->n_workers; i++)
        if (pthread_equal(p->threads[i], pthread_self()))
            id = i + 1;
    for (;;) {
        while (!p->shutdown && p->generation == seen)
            pthread_cond_wait(&p->wake, &p->lock.m);
        if (p->shutdown)
            break;
        seen = p->generation;
        Job *j = p->job;
        /* seat 0 is the caller; seats 1..n_threads-1 for workers */
        if (j == NULL || atomic_fetch_add(&j->joined, 1) + 1 >= j->n_threads)
            continue;
        j->active++;
        emutex_unlock(&p->lock);
        run_tasks(j, id);
        emutex_lock(&p->lock);
        if (--j->active == 0)
            pthread_cond_broadcast(&p->done);
    }
    emutex_unlock(&p->lock);
    return NULL;
}

ThreadPool *pool_create(int n_workers)
{
    ThreadPool *p = mem_calloc(sizeof(*p));
    if (p == NULL)
        return NULL;
    emutex_init(&p->lock, LOCK_POOL_QUEUE);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    if (n_workers > 0) {
        p->threads = mem_calloc(sizeof(pthread_t) * (size_t)n_workers);
        if (p->threads == NULL) {
            pool_destroy(p);
            return NULL;
        }
    }
    emutex_lock(&p->lock);
    for (int i = 0; i < n_workers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->n_workers++;
    }
    emutex_unlock(&p->lock);
    return p;
}

void pool_destroy(ThreadPool *p)
{
    if (p == NULL)
        return;
    emutex_lock(&p->lock);
    p->shutdown = true;
    pthread_cond_broadcast(&p->wake);
    emutex_unlock(&p->lock);
    for (int i = 0; i < p->n_workers; i++)
        pthread_join(p->threads[i], NULL);
    mem_free(p->threads);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    emutex_destroy(&p->lock);
    mem_free(p);
}

int pool_workers(const ThreadPool *p)
{
    return p ? p->n_workers : 0;
}

void pool_run(ThreadPool *p, int n_threads, int n_tasks, PoolFn fn,
              void *arg)
{
    Job j;
    j.fn = fn;
    j.arg = arg;
    j.n_tasks = n_tasks;
    j.n_threads = n_threads;
    atomic_init(&j.next_task, 0);
    atomic_init(&j.joined, 0);
    j.active = 0;
    if (p == NULL || p->n_workers == 0 || n_threads <= 1 || n_tasks <= 1) {
        run_tasks(&j, 0);
        return;
    }
    emutex_lock(&p->lock);
    p->job = &j;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    emutex_unlock(&p->lock);
    run_tasks(&j, 0);
    emutex_lock(&p->lock);
    /* run_tasks returned, so every task is taken; wait for the seated
     * workers to finish theirs. Late wakers find job == NULL. */
    while (j.active > 0)
        pthread_cond_wait(&p->done, &p->lock.m);
    p->job = NULL;
    emutex_unlock(&p->lock);
}
