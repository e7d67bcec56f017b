/*
 * alloc.c -- the counting allocator hook.
 *
 * Every allocation ember makes goes through here. Counters are plain
 * per-thread integers (no atomics, no locks on the allocation path); each
 * thread's counter block is linked into a global list the first time the
 * thread allocates so mem_totals() can sum them. Blocks of exited threads
 * stay in the list (they are small and threads are pooled), which keeps
 * totals monotonic.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "util/util.h"

typedef struct CounterBlock {
    MemCounters c;
    struct CounterBlock *next;
} CounterBlock;

static ember_allocator g_alloc = {malloc, realloc, free};
static atomic_bool g_alloc_frozen;
static CounterBlock *g_blocks;
static pthread_mutex_t g_blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local CounterBlock *t_block;
static CounterBlock g_fallback;           /* if a block cannot be made */
static atomic_uint_fast64_t g_fail_countdown;

static CounterBlock *thread_block(void)
{
    if (LIKELY(t_block != NULL))
        return t_block;
    CounterBlock *b = g_alloc.malloc_fn(sizeof(*b));
    if (b == NULL) {
        t_block = &g_fallback;
        return t_block;
    }
    memset(b, 0, sizeof(*b));
    b->c.n_allocs = 1;                   /* this block itself */
    b->c.bytes = sizeof(*b);
    /* Registration happens once per thread, never on a query path. */
    pthread_mutex_lock(&g_blocks_lock);
    b->next = g_blocks;
    g_blocks = b;
    pthread_mutex_unlock(&g_blocks_lock);
    t_block = b;
    return b;
}

MemCounters *mem_counters(void)
{
    return &thread_block()->c;
}

void mem_totals(MemCounters *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&g_blocks_lock);
    for (CounterBlock *b = g_blocks; b; b = b->next) {
        out->n_allocs += b->c.n_allocs;
        out->n_frees += b->c.n_frees;
        out->bytes += b->c.bytes;
        out->n_commits += b->c.n_commits;
        out->used_bytes += b->c.used_bytes;
    }
    pthread_mutex_unlock(&g_blocks_lock);
}

void ember_memory_totals(ember_memory_stats *out)
{
    MemCounters t;
    mem_totals(&t);
    out->n_allocs = t.n_allocs;
    out->n_frees = t.n_frees;
    out->bytes = t.bytes;
}

int mem_set_allocator(const ember_allocator *a)
{
    if (a == NULL || a->malloc_fn == NULL || a->realloc_fn == NULL ||
        a->free_fn == NULL)
        return EMBER_MISUSE;
    if (atomic_load(&g_alloc_frozen))
        return EMBER_MISUSE;
    g_alloc = *a;
    return EMBER_OK;
}

int ember_config_allocator(const ember_allocator *alloc)
{
    return mem_set_allocator(alloc);
}

void mem_fail_after(uint64_t n)
{
    atomic_store(&g_fail_countdown, n);
}

/* True when fault injection says this call must fail. */
static bool inject_failure(void)
{
    uint64_t n = atomic_load_explicit(&g_fail_countdown, memory_order_relaxed);
    if (LIKELY(n == 0))
        return false;
    n = atomic_fetch_sub(&g_fail_countdown, 1);
    if (n == 1)
        return true;
    if (n == 0)                          /* raced past zero: undo */
        atomic_store(&g_fail_countdown, 0);
    return false;
}

static void count_alloc(size_t n)
{
    CounterBlock *b = thread_block();
    b->c.n_allocs++;
    b->c.bytes += n;
}

void *mem_alloc(size_t n)
{
    atomic_store_explicit(&g_alloc_frozen, true, memory_order_relaxed);
    if (inject_failure())
        return NULL;
    void *p = g_alloc.malloc_fn(n ? n : 1);
    if (p)
        count_alloc(n);
    return p;
}

void *mem_calloc(size_t n)
{
    void *p = mem_alloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *mem_realloc(void *p, size_t n)
{
    if (p == NULL)
        return mem_alloc(n);
    if (inject_failure())
        return NULL;
    void *q = g_alloc.realloc_fn(p, n ? n : 1);
    if (q)
        count_alloc(n);
    return q;
}

void mem_free(void *p)
{
    if (p == NULL)
        return;
    thread_block()->c.n_frees++;
    g_alloc.free_fn(p);
}

void mem_note_used(uint64_t n)
{
    thread_block()->c.used_bytes += n;
}

char *mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_alloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void *mem_reserve(size_t n)
{
    atomic_store_explicit(&g_alloc_frozen, true, memory_order_relaxed);
    if (inject_failure())
        return NULL;
    void *p = mmap(NULL, n, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* TUNING: big ranges ask for transparent huge pages: a query touching
     * hundreds of MiB takes 512x fewer page faults, which dominate on a
     * virtual machine (measured on TPC-H SF 1 joins). Small commits stay in
     * 4 KiB pages, since a huge page needs 2 MiB committed in one piece. */
    if (n >= (8u << 20) && getenv("EMBER_NO_THP") == NULL)
        madvise(p, n, MADV_HUGEPAGE);
#endif
    /* one allocation; its bytes count as they are committed */
    count_alloc(0);
    return p;
}

int mem_commit(void *p, size_t n)
{
    if (mprotect(p, n, PROT_READ | PROT_WRITE) != 0)
        return EMBER_NOMEM;
    thread_block()->c.n_commits++;
    thread_block()->c.bytes += n;
    return EMBER_OK;
}

void mem_decommit(void *p, size_t n)
{
    if (n == 0)
        return;
    madvise(p, n, MADV_DONTNEED);
    mprotect(p, n, PROT_NONE);
}

void mem_unreserve(void *p, size_t n)
{
    if (p == NULL)
        return;
    thread_block()->c.n_frees++;
    munmap(p, n);
}

void *mem_map(size_t n)
{
    void *p = mem_reserve(n);
    if (p == NULL)
        return NULL;
    if (mem_commit(p, n) != EMBER_OK) {
        mem_unreserve(p, n);
        return NULL;
    }
    return p;
}

void mem_unmap(void *p, size_t n)
{
    mem_unreserve(p, n);
}
