/*
 * pool.h -- a fixed pool of worker threads running fork-join jobs.
 *
 * pool_run(p, n_threads, n_tasks, fn, arg) calls fn(arg, task, worker) for
 * every task in 0..n_tasks-1 on up to n_threads threads, the caller being
 * worker 0, and returns when all have finished. Tasks are handed out by an
 * atomic counter, one fetch per task (a task is a morsel or a partition,
 * never a row). One job runs at a time per pool; the pool belongs to one
 * database handle, which is used by one thread at a time.
 */
#ifndef EMBER_POOL_H
#define EMBER_POOL_H

typedef struct ThreadPool ThreadPool;
typedef void (*PoolFn)(void *arg, int task, int worker);

/* A pool with n_workers background threads (0 is fine: everything then
 * runs on the caller). NULL when out of memory or threads. */
ThreadPool *pool_create(int n_workers);
void pool_destroy(ThreadPool *p);
int pool_workers(const ThreadPool *p);
void pool_run(ThreadPool *p, int n_threads, int n_tasks, PoolFn fn,
              void *arg);

#endif /* EMBER_POOL_H */
