/*
 * tpch_gen.c -- the TPC-H generator's driver: scale, tasks, ordered
 * append.
 *
 * tpch_generate builds a read-only context (row counts for the scale
 * factor, the text pool, prebuilt strings), then generates the tables in
 * four parallel jobs: suppliers, customers, parts with their partsupp rows,
 * orders with their lineitems. REGION and NATION are made on the caller.
 *
 * A job splits its key range into tasks of a fixed number of entities. A
 * task generates its rows into chunks in its worker's arena, then waits
 * for its turn and appends them to the tables, so rows land in key order
 * whatever the number of threads: tasks are handed out in increasing
 * order (pool_run), hence every earlier task is already running and the
 * earliest unfinished one never waits, and while one task appends, the
 * others keep generating. Only the task whose turn it is touches a table.
 *
 * Memory: one arena per worker, reset after each task, so peak memory is
 * the tables plus a few MiB per worker; nothing is allocated per row.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "exec/pool.h"
#include "obs/obs.h"
#include "storage/tpch_int.h"

/* TUNING: 2 MiB of pool text. Comments are read at random offsets, so a
 * pool that misses cache and TLB costs: SF 0.3 generated in 1.6 s with 8
 * MiB, 1.1 s with 4 MiB, 0.7-0.9 s with 2 MiB and 0.5-0.7 s with 1 MiB
 * (memory already faulted in). 2 MiB still gives varied text (89% of
 * lineitem comments distinct at SF 0.1) and the phrase frequencies of
 * official data ('%special%requests%' in 1.05% of order comments at SF
 * 0.1, 1.11% in the official SF 0.01 data). */
#define POOL_BYTES (2u << 20)

/* TUNING: entities per task. 4,096 orders give ~16,000 lineitems (8
 * chunks, ~3 MiB of vectors): at SF 1, 367 tasks, enough for threads to
 * balance while the per-task turn handoff stays negligible. */
#define ORDERS_PER_TASK 4096
#define PARTS_PER_TASK 4096
#define CUSTOMERS_PER_TASK 8192
#define SUPPLIERS_PER_TASK 8192

/* Address space reserved per worker arena (committed as used). */
#define TASK_ARENA_RESERVE (1ull << 30)

/* Scratch bytes for built strings are carved from blocks of this size. */
#define TEXT_BLOCK (64u << 10)

/* ------------------------------------------------------------------------
 * Row counts
 * ------------------------------------------------------------------------ */

static int64_t scaled(double sf, double base)
{
    int64_t n = (int64_t)llround(sf * base);
    return n < 1 ? 1 : n;
}

uint64_t tpch_row_count(int t, double sf)
{
    switch (t) {
    case TPCH_REGION:
        return 5;
    case TPCH_NATION:
        return 25;
    case TPCH_SUPPLIER:
        return (uint64_t)scaled(sf, 10000);
    case TPCH_CUSTOMER:
        return (uint64_t)scaled(sf, 150000);
    case TPCH_PART:
        return (uint64_t)scaled(sf, 200000);
    case TPCH_PARTSUPP:
        return 4 * (uint64_t)scaled(sf, 200000);
    case TPCH_ORDERS:
        return (uint64_t)scaled(sf, 1500000);
    case TPCH_LINEITEM:
        return 4 * (uint64_t)scaled(sf, 1500000);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------------
 * Sinks (declared in tpch_int.h)
 * ------------------------------------------------------------------------ */

int tpch_sink_init(TpchSink *s, Arena *a, int table, uint64_t max_rows)
{
    memset(s, 0, sizeof(*s));
    s->arena = a;
    tpch_schema(table, &s->n_cols, NULL, &s->types);
    s->cap_chunks = (int)((max_rows + VEC_SIZE - 1) / VEC_SIZE);
    s->chunks = arena_calloc(a, sizeof(Chunk) * (size_t)MAX(s->cap_chunks, 1));
    s->rc = s->chunks ? EMBER_OK : EMBER_NOMEM;
    return s->rc;
}

Chunk *tpch_sink_next_slow(TpchSink *s, uint32_t *row)
{
    if (s->rc != EMBER_OK)
        return NULL;
    if (NEVER(s->n_chunks >= s->cap_chunks)) {
        s->rc = EMBER_INTERNAL;
        return NULL;
    }
    Chunk *c = &s->chunks[s->n_chunks];
    if (chunk_init(c, s->n_cols, s->types, s->arena) != EMBER_OK) {
        s->rc = EMBER_NOMEM;
        return NULL;
    }
    s->n_chunks++;
    c->count = 1;
    *row = 0;
    return c;
}

char *tpch_sink_bytes(TpchSink *s, size_t n)
{
    if (s->text_left < n) {
        size_t cap = MAX(n, TEXT_BLOCK);
        s->text = arena_alloc(s->arena, cap);
        if (s->text == NULL) {
            s->rc = EMBER_NOMEM;
            s->text_left = 0;
            return NULL;
        }
        s->text_left = cap;
    }
    char *p = s->text;
    s->text += n;
    s->text_left -= n;
    return p;
}

static int sink_append(const TpchSink *s, TableData *t)
{
    for (int k = 0; k < s->n_chunks; k++) {
        int rc = tdata_append(t, &s->chunks[k]);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Parallel jobs
 * ------------------------------------------------------------------------ */

enum { JOB_SUPPLIER, JOB_CUSTOMER, JOB_PART, JOB_ORDERS };

/* One table-generating job run by pool_run. Lives on tpch_generate's
 * stack for the duration of the job. */
typedef struct GenJob {
    const TpchCtx *g;
    int kind;         /* JOB_* */
    int64_t first;    /* first entity (key, or order number) */
    int64_t end;      /* one past the last */
    int64_t per_task; /* entities per task */
    int out[2];       /* tables written, -1 for none */
    int rows_per[2];  /* maximum rows per entity in each */
    TableData **tables;
    Arena **arenas;      /* per worker, made on first use */
    EmberMutex lock;     /* guards next_turn */
    pthread_cond_t turn; /* next_turn changed */
    int next_turn;       /* task allowed to append now */
    atomic_int rc;       /* first failure, EMBER_OK if none */
} GenJob;

static void generate_range(const GenJob *j, int64_t from, int64_t to,
                           TpchSink *s)
{
    switch (j->kind) {
    case JOB_SUPPLIER:
        tpch_gen_supplier(j->g, from, to, &s[0]);
        break;
    case JOB_CUSTOMER:
        tpch_gen_customer(j->g, from, to, &s[0]);
        break;
    case JOB_PART:
        tpch_gen_part(j->g, from, to, &s[0], &s[1]);
        break;
    case JOB_ORDERS:
        tpch_gen_orders(j->g, from, to, &s[0], &s[1]);
        break;
    default:
        assert(!"bad job kind");
        break;
    }
}

static void fail(GenJob *j, int rc)
{
    int ok = EMBER_OK;
    atomic_compare_exchange_strong(&j->rc, &ok, rc);
}

/* Make the rows of `task` into chunks of the worker's arena. */
static int generate_task(GenJob *j, int task, Arena *a, TpchSink s[2])
{
    int64_t from = j->first + (int64_t)task * j->per_task;
    int64_t to = MIN(from + j->per_task, j->end);
    for (int k = 0; k < 2; k++) {
        if (j->out[k] < 0)
            continue;
        uint64_t max_rows = (uint64_t)(to - from) * (uint64_t)j->rows_per[k];
        if (tpch_sink_init(&s[k], a, j->out[k], max_rows) != EMBER_OK)
            return EMBER_NOMEM;
    }
    generate_range(j, from, to, s);
    for (int k = 0; k < 2; k++)
        if (j->out[k] >= 0 && s[k].rc != EMBER_OK)
            return s[k].rc;
    return EMBER_OK;
}

static void gen_task(void *arg, int task, int worker)
{
    GenJob *j = arg;
    Arena *a = j->arenas[worker];
    if (a == NULL)
        a = j->arenas[worker] =
            arena_create("tpch.task", TASK_ARENA_RESERVE, ARENA_RESERVE);
    TpchSink s[2];
    int rc = EMBER_NOMEM;
    if (a && atomic_load(&j->rc) == EMBER_OK)
        rc = generate_task(j, task, a, s);
    emutex_lock(&j->lock);
    while (j->next_turn != task)
        pthread_cond_wait(&j->turn, &j->lock.m);
    emutex_unlock(&j->lock);
    /* Our turn: no other task touches the tables until we pass it on. */
    if (rc == EMBER_OK && atomic_load(&j->rc) == EMBER_OK)
        for (int k = 0; k < 2 && rc == EMBER_OK; k++)
            if (j->out[k] >= 0)
                rc = sink_append(&s[k], j->tables[j->out[k]]);
    if (rc != EMBER_OK)
        fail(j, rc);
    emutex_lock(&j->lock);
    j->next_turn++;
    pthread_cond_broadcast(&j->turn);
    emutex_unlock(&j->lock);
    if (a)
        arena_reset(a);
}

/* Run one job over entities [first, end) with up to n_threads threads. */
static int run_job(const TpchCtx *g, TableData **tables, ThreadPool *pool,
                   int n_threads, Arena **arenas, int kind, int64_t first,
                   int64_t end)
{
    static const struct {
        int per_task;
        int out[2];
        int rows_per[2];
    } kinds[] = {
        [JOB_SUPPLIER] = {SUPPLIERS_PER_TASK, {TPCH_SUPPLIER, -1}, {1, 0}},
        [JOB_CUSTOMER] = {CUSTOMERS_PER_TASK, {TPCH_CUSTOMER, -1}, {1, 0}},
        [JOB_PART] = {PARTS_PER_TASK, {TPCH_PART, TPCH_PARTSUPP}, {1, 4}},
        [JOB_ORDERS] = {ORDERS_PER_TASK, {TPCH_ORDERS, TPCH_LINEITEM}, {1, 7}},
    };
    GenJob j;
    memset(&j, 0, sizeof(j));
    j.g = g;
    j.kind = kind;
    j.first = first;
    j.end = end;
    j.per_task = kinds[kind].per_task;
    for (int k = 0; k < 2; k++) {
        j.out[k] = kinds[kind].out[k];
        j.rows_per[k] = kinds[kind].rows_per[k];
    }
    j.tables = tables;
    j.arenas = arenas;
    atomic_init(&j.rc, EMBER_OK);
    emutex_init(&j.lock, LOCK_TPCH_TURN);
    pthread_cond_init(&j.turn, NULL);
    int64_t n_tasks = (end - first + j.per_task - 1) / j.per_task;
    assert(n_tasks <= INT32_MAX);
    pool_run(pool, n_threads, (int)n_tasks, gen_task, &j);
    pthread_cond_destroy(&j.turn);
    emutex_destroy(&j.lock);
    return atomic_load(&j.rc);
}

/* REGION or NATION, on the caller. */
static int gen_small(const TpchCtx *g, Arena *a, TableData *t, int table)
{
    TpchSink s;
    int rc = tpch_sink_init(&s, a, table, 25);
    if (rc != EMBER_OK)
        return rc;
    if (table == TPCH_REGION)
        tpch_gen_region(g, &s);
    else
        tpch_gen_nation(g, &s);
    return s.rc != EMBER_OK ? s.rc : sink_append(&s, t);
}

/* ------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------ */

static int check_tables(TableData *tables[TPCH__N], Err *err)
{
    for (int t = 0; t < TPCH__N; t++) {
        int n_cols;
        const Type *types;
        tpch_schema(t, &n_cols, NULL, &types);
        TableData *d = tables[t];
        bool ok = d && d->n_cols == n_cols && d->n_rows == 0;
        for (int c = 0; ok && c < n_cols; c++)
            ok = type_equal(d->types[c], types[c]);
        if (!ok)
            return err_set(err, EMBER_MISUSE, -1,
                           "table \"%s\" is not an empty TPC-H table",
                           tpch_table_name(t));
    }
    return EMBER_OK;
}

static void init_ctx(TpchCtx *g, double sf)
{
    g->sf = sf;
    g->n_supp = (int64_t)tpch_row_count(TPCH_SUPPLIER, sf);
    g->n_cust = (int64_t)tpch_row_count(TPCH_CUSTOMER, sf);
    g->n_part = (int64_t)tpch_row_count(TPCH_PART, sf);
    g->n_orders = (int64_t)tpch_row_count(TPCH_ORDERS, sf);
    g->n_clerks = scaled(sf, 1000);
    g->dates.start = date_from_ymd(1992, 1, 1);
    g->dates.end = date_from_ymd(1998, 12, 31);
    g->dates.current = date_from_ymd(1995, 6, 17);
}

/* Generate every table into `tables` with the context in arena a. */
static int generate_all(double sf, TableData *tables[TPCH__N], Arena *a,
                        ThreadPool *pool, int n_threads, Arena **arenas)
{
    TpchCtx *g = arena_calloc(a, sizeof(*g));
    if (g == NULL)
        return EMBER_NOMEM;
    init_ctx(g, sf);
    int rc = tpch_words_init(g, a);
    if (rc == EMBER_OK)
        rc = tpch_pool_build(g, a, POOL_BYTES);
    if (rc == EMBER_OK)
        rc = gen_small(g, a, tables[TPCH_REGION], TPCH_REGION);
    if (rc == EMBER_OK)
        rc = gen_small(g, a, tables[TPCH_NATION], TPCH_NATION);
    if (rc == EMBER_OK)
        rc = run_job(g, tables, pool, n_threads, arenas, JOB_SUPPLIER, 1,
                     g->n_supp + 1);
    if (rc == EMBER_OK)
        rc = run_job(g, tables, pool, n_threads, arenas, JOB_CUSTOMER, 1,
                     g->n_cust + 1);
    if (rc == EMBER_OK)
        rc = run_job(g, tables, pool, n_threads, arenas, JOB_PART, 1,
                     g->n_part + 1);
    if (rc == EMBER_OK)
        rc = run_job(g, tables, pool, n_threads, arenas, JOB_ORDERS, 0,
                     g->n_orders);
    return rc;
}

int tpch_generate(double sf, TableData *tables[TPCH__N],
                  struct ThreadPool *pool, int n_threads, Err *err)
{
    if (!(sf > 0 && sf <= 100))
        return err_set(err, EMBER_ERROR, -1,
                       "scale factor must be in (0, 100], got %g", sf);
    int rc = check_tables(tables, err);
    if (rc != EMBER_OK)
        return rc;
    int n_workers = pool ? pool_workers(pool) : 0;
    n_threads = MAX(1, MIN(n_threads, n_workers + 1));
    Arena *a = arena_create("tpch", 0, ARENA_RESERVE);
    Arena **arenas = mem_calloc(sizeof(Arena *) * (size_t)(n_workers + 1));
    rc = a && arenas ? generate_all(sf, tables, a, pool, n_threads, arenas)
                     : EMBER_NOMEM;
    for (int w = 0; arenas && w <= n_workers; w++)
        arena_destroy(arenas[w]);
    mem_free(arenas);
    arena_destroy(a);
    if (rc != EMBER_OK) {
        TableMark empty;
        memset(&empty, 0, sizeof(empty));
        for (int t = 0; t < TPCH__N; t++)
            tdata_truncate(tables[t], empty);
        if (rc == EMBER_NOMEM)
            return err_nomem(err);
        return err_set(err, rc, -1, "tpch generator failed: %s",
                       ember_errstr(rc));
    }
    return EMBER_OK;
}
