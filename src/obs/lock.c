/*
 * lock.c -- instrumented mutexes (see obs.h).
 */
#include "obs/obs.h"

static const char *const site_names[] = {
#define LOCK_SITE_NAME(id, name) name,
    LOCK_SITES(LOCK_SITE_NAME)
#undef LOCK_SITE_NAME
};

static _Thread_local ObsThread t_obs;

const char *lock_site_name(int site)
{
    if (site < 0 || site >= LOCK__COUNT)
        return "?";
    return site_names[site];
}

ObsThread *obs_thread(void)
{
    return &t_obs;
}

void emutex_init(EmberMutex *m, int site)
{
    pthread_mutex_init(&m->m, NULL);
    m->site = site;
}

void emutex_destroy(EmberMutex *m)
{
    pthread_mutex_destroy(&m->m);
}

void emutex_lock(EmberMutex *m)
{
    ObsThread *t = &t_obs;
    if (!EMBER_COUNTERS || !t->profiling) {
        pthread_mutex_lock(&m->m);
        return;
    }
    t->locks.acquires[m->site]++;
    if (pthread_mutex_trylock(&m->m) == 0)
        return;
    uint64_t t0 = clock_ns();
    pthread_mutex_lock(&m->m);
    uint64_t t1 = clock_ns();
    t->locks.contended[m->site]++;
    t->locks.wait_ns[m->site] += t1 - t0;
    if (t->on_wait)
        t->on_wait(t->on_wait_ctx, m->site, t0, t1);
}

void emutex_unlock(EmberMutex *m)
{
    pthread_mutex_unlock(&m->m);
}

void lockstats_add(LockStats *dst, const LockStats *src)
{
    for (int i = 0; i < LOCK__COUNT; i++) {
        dst->acquires[i] += src->acquires[i];
        dst->contended[i] += src->contended[i];
        dst->wait_ns[i] += src->wait_ns[i];
    }
}

void lockstats_sub(LockStats *dst, const LockStats *a, const LockStats *b)
{
    for (int i = 0; i < LOCK__COUNT; i++) {
        dst->acquires[i] = a->acquires[i] - b->acquires[i];
        dst->contended[i] = a->contended[i] - b->contended[i];
        dst->wait_ns[i] = a->wait_ns[i] - b->wait_ns[i];
    }
}

uint64_t lockstats_total_wait(const LockStats *s)
{
    uint64_t n = 0;
    for (int i = 0; i < LOCK__COUNT; i++)
        n += s->wait_ns[i];
    return n;
}
