/*
 * arena.c -- bump allocation over reserved address space.
 *
 * An arena reserves a large range of address space once (one counted
 * allocation) and commits it in growing steps as the bump pointer advances.
 * Memory is never returned piecewise: marks release LIFO, reset frees all,
 * destroy unmaps the range. The reservation is address space only: the
 * kernel backs pages when they are first touched.
 *
 * Invariants: base <= base+used <= base+committed <= base+reserved;
 * every returned pointer is ARENA_ALIGN-aligned.
 *
 * In ARENA_MALLOC mode each allocation is a separate mem_alloc linked into
 * a list, so releasing to a mark frees the list back to the mark's head.
 *
 * Under AddressSanitizer the committed bytes not handed out are poisoned,
 * so reads and writes past the end of the newest allocation, into the
 * alignment padding after any allocation, or into released memory are
 * reported as they would be for malloc.
 */
#include <stdio.h>
#include <sys/mman.h>

#include "util/util.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_RESERVE (64ull << 30)
#define ARENA_MIN_RESERVE (64ull << 20)
#define ARENA_FIRST_COMMIT (64u << 10)
/* TUNING: commit steps double up to 64 MiB so a big query makes few
 * mprotect calls while a small one touches little memory. */
#define ARENA_MAX_COMMIT_STEP (64ull << 20)

typedef struct MallocBlock {
    struct MallocBlock *prev;
    size_t size;
    /* payload follows, aligned */
} MallocBlock;
#define MALLOC_HDR \
    ((sizeof(MallocBlock) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

typedef struct Cleanup {
    struct Cleanup *next;     /* older */
    ArenaCleanupFn fn;
    void *arg;
} Cleanup;

struct Arena {
    Cleanup *cleanups;        /* newest first */
    char *base;
    size_t reserved;
    size_t committed;
    size_t used;
    size_t peak;
    size_t last_off;          /* offset of the most recent allocation */
    int mode;
    bool failed;
    MallocBlock *blocks;      /* ARENA_MALLOC: newest first */
    size_t malloc_bytes;
    char name[32];
};

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) & ~(a - 1);
}

Arena *arena_create(const char *name, size_t reserve, int mode)
{
    Arena *a = mem_calloc(sizeof(*a));
    if (a == NULL)
        return NULL;
    snprintf(a->name, sizeof(a->name), "%s", name ? name : "arena");
    a->mode = mode;
    if (mode == ARENA_MALLOC)
        return a;
    size_t want = reserve ? reserve : ARENA_DEFAULT_RESERVE;
    want = align_up(want, 1u << 21);
    /* A smaller reservation is better than none when address space is
     * limited (ulimit -v), down to ARENA_MIN_RESERVE; a request below that
     * is tried once as it is. */
    for (;;) {
        a->base = mem_reserve(want);
        if (a->base || want / 2 < ARENA_MIN_RESERVE)
            break;
        want /= 2;
    }
    if (a->base == NULL) {
        mem_free(a);
        return NULL;
    }
    a->reserved = want;
    return a;
}

void arena_destroy(Arena *a)
{
    if (a == NULL)
        return;
    arena_reset(a);
    if (a->base) {
        /* Leave no stale poison on addresses a later mmap may reuse. */
        UNPOISON(a->base, a->committed);
        mem_unreserve(a->base, a->reserved);
    }
    mem_free(a);
}

static bool grow_commit(Arena *a, size_t need)
{
    if (need > a->reserved)
        return false;
    size_t step = a->committed ? a->committed : ARENA_FIRST_COMMIT;
    if (step > ARENA_MAX_COMMIT_STEP)
        step = ARENA_MAX_COMMIT_STEP;
    size_t target = a->committed + step;
    if (target < need)
        target = align_up(need, 1u << 16);
    if (target >= (2u << 20))
        target = align_up(target, 2u << 20);   /* whole huge pages */
    if (target > a->reserved)
        target = a->reserved;
    if (target < need)
        return false;
    if (mem_commit(a->base + a->committed, target - a->committed) != EMBER_OK)
        return false;
    POISON(a->base + a->committed, target - a->committed);
    a->committed = target;
    return true;
}

static void *malloc_mode_alloc(Arena *a, size_t n)
{
    if (n > SIZE_MAX - MALLOC_HDR)
        return NULL;
    MallocBlock *b = mem_alloc(MALLOC_HDR + n);
    if (b == NULL)
        return NULL;
    b->prev = a->blocks;
    b->size = n;
    a->blocks = b;
    a->malloc_bytes += n;
    a->used += n;
    if (a->used > a->peak)
        a->peak = a->used;
    return (char *)b + MALLOC_HDR;
}

void *arena_alloc(Arena *a, size_t n)
{
    if (UNLIKELY(a->failed))
        return NULL;
    if (a->mode == ARENA_MALLOC) {
        void *p = malloc_mode_alloc(a, n);
        if (p == NULL)
            a->failed = true;
        return p;
    }
    size_t off = align_up(a->used, ARENA_ALIGN);
    size_t end = off + n;
    if (UNLIKELY(end > a->committed || end < off)) {
        if (end < off || !grow_commit(a, end)) {
            a->failed = true;
            return NULL;
        }
    }
    a->used = end;
    a->last_off = off;
    if (end > a->peak)
        a->peak = end;
    UNPOISON(a->base + off, n);
    return a->base + off;
}

void *arena_calloc(Arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *arena_realloc(Arena *a, void *p, size_t old_n, size_t new_n)
{
    if (p == NULL)
        return arena_alloc(a, new_n);
    if (new_n <= old_n)
        return p;
    if (UNLIKELY(a->failed))
        return NULL;
    if (a->mode == ARENA_RESERVE && (char *)p == a->base + a->last_off &&
        a->last_off + old_n == a->used) {
        size_t end = a->last_off + new_n;
        if (end < new_n || (end > a->committed && !grow_commit(a, end))) {
            a->failed = true;
            return NULL;
        }
        a->used = end;
        if (end > a->peak)
            a->peak = end;
        UNPOISON(p, new_n);
        return p;
    }
    void *q = arena_alloc(a, new_n);
    if (q)
        memcpy(q, p, old_n);
    return q;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

ArenaMark arena_mark(Arena *a)
{
    ArenaMark m = {a->used, a->blocks, a->cleanups};
    return m;
}

int arena_add_cleanup(Arena *a, ArenaCleanupFn fn, void *arg)
{
    Cleanup *c = arena_alloc(a, sizeof(*c));
    if (c == NULL)
        return EMBER_NOMEM;
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
    return EMBER_OK;
}

void arena_release(Arena *a, ArenaMark m)
{
    while (a->cleanups && a->cleanups != m.cleanup_head) {
        Cleanup *c = a->cleanups;
        assert(a->mode == ARENA_MALLOC ||
               ((char *)c >= a->base && (char *)c < a->base + a->used));
        a->cleanups = c->next;
        c->fn(c->arg);
    }
    if (a->mode == ARENA_MALLOC) {
        while (a->blocks && a->blocks != m.malloc_head) {
            MallocBlock *b = a->blocks;
            a->blocks = b->prev;
            a->used -= b->size;
            a->malloc_bytes -= b->size;
            mem_free(b);
        }
        return;
    }
    assert(m.used <= a->used);
    POISON(a->base + m.used, a->used - m.used);
    a->used = m.used;
    a->last_off = 0;
}

void arena_reset(Arena *a)
{
    ArenaMark zero = {0, NULL, NULL};
    arena_release(a, zero);
    a->failed = false;
    /* committed pages stay: whoever keeps the arena decides what to give
     * back (arena_trim; the query memory cache has a budget) */
}

size_t arena_used(const Arena *a)
{
    return a->used;
}

size_t arena_committed(const Arena *a)
{
    return a->mode == ARENA_RESERVE ? a->committed : 0;
}

size_t arena_peak(const Arena *a)
{
    return a->peak;
}

bool arena_failed(const Arena *a)
{
    return a->failed;
}

const char *arena_name(const Arena *a)
{
    return a->name;
}

void arena_rename(Arena *a, const char *name)
{
    snprintf(a->name, sizeof(a->name), "%s", name ? name : "arena");
}

bool arena_is_malloc(const Arena *a)
{
    return a->mode == ARENA_MALLOC;
}

void arena_trim(Arena *a, size_t keep)
{
    if (a->mode != ARENA_RESERVE || a->committed <= keep)
        return;
    keep = align_up(keep, 4096);
    if (keep >= a->committed)
        return;
    UNPOISON(a->base + keep, a->committed - keep);
    mem_decommit(a->base + keep, a->committed - keep);
    a->committed = keep;
}
