/*
 * csv_read.c -- load a CSV or TPC-H .tbl file into a TableData (COPY ...
 * FROM), parsing byte ranges of the file in parallel.
 *
 * Data flow: the file is mapped (or read, when it cannot be mapped), blank
 * lines are cut off its end, and it is split into ranges of a few MiB that
 * each end just after a '\n'. Tasks on the thread pool parse ranges into
 * chunks of VEC_SIZE rows (csv_parse.c) and append them to the table in
 * file order: task k appends only once task k-1 has appended all of its
 * rows ("the turn"). A task that owns the turn appends each chunk as soon
 * as it is full and reuses it; one that does not yet keeps its chunks until
 * the turn arrives. Tasks are handed out in order, so the task holding the
 * turn is always running, and at most about one range per thread is held
 * in memory at a time.
 *
 * Splitting at arbitrary newlines is only safe when no record contains a
 * newline. With quoting enabled a quoted field may, so when the quote char
 * occurs anywhere in the file, the whole file is one range (sequential).
 *
 * Errors: each range keeps its first failure with a line number relative
 * to the range and the number of lines it holds. The failure of the
 * lowest-numbered failing range is the one reported, its line made
 * absolute by adding the lines of the ranges before it (all of which were
 * parsed to the end, since a range is abandoned only when a lower one has
 * failed). On failure the table is truncated to its mark, so a COPY that
 * fails leaves the table as it was.
 *
 * Memory: per worker, one arena of recycled chunks and one scratch arena
 * for unescaped quoted text (reset whenever every pending chunk has been
 * appended); nothing is allocated per row or per field.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/pool.h"
#include "obs/obs.h"
#include "storage/csv_int.h"

/* TUNING: ranges of 1..16 MiB, about 8 per thread. On the 760 MB SF 1
 * lineitem.tbl that gives 48 ranges of 16 MiB: enough for two threads to
 * balance, while the chunks of one range (about 18 MiB parsed) bound the
 * memory a waiting task holds. Small files still get several ranges. */
#define RANGE_MIN (1u << 20)
#define RANGE_MAX (16u << 20)
#define RANGES_PER_THREAD 8

/* Initial buffer and growth step when the file cannot be mapped. */
#define READ_STEP (1u << 20)

/* A chunk owned by a worker, full and waiting for the turn or free. */
typedef struct ChunkNode {
    Chunk c;
    struct ChunkNode *next;
} ChunkNode;

/* Per-worker state, reused by every task the worker runs. */
typedef struct CsvWorker {
    Arena *chunks;      /* ChunkNodes, never reset during a read */
    Arena *scratch;     /* unescaped text of pending chunks */
    ChunkNode *free;    /* appended chunks ready for reuse */
    ChunkNode *pending; /* full chunks, oldest first */
    ChunkNode **pending_tail;
} CsvWorker;

/* One byte range of the file and its outcome. */
typedef struct CsvRange {
    const char *begin;
    const char *end;
    uint64_t n_lines; /* '\n' in the range, once fully parsed */
    uint64_t n_rows;  /* rows parsed */
    CsvFail fail;
} CsvRange;

/* The state of one csv_read call. */
typedef struct CsvLoad {
    TableData *t;
    CsvParser ps;
    bool header;
    const char *data; /* the file bytes */
    size_t size;      /* bytes up to the last non-blank line */
    size_t map_size;  /* mapped length, 0 when not mapped */
    char *buf;        /* the bytes when read, not mapped (mem_*) */
    CsvRange *ranges;
    int n_ranges;
    CsvWorker *workers;
    int n_workers;
    EmberMutex lock; /* guards the turn hand-off */
    pthread_cond_t turn_cv;
    atomic_int turn;     /* the range allowed to append */
    atomic_int min_fail; /* lowest failed range, n_ranges if none */
} CsvLoad;

/* ------------------------------------------------------------------------
 * File access
 * ------------------------------------------------------------------------ */

static int io_error(Err *err, const char *what, const char *path, int e)
{
    return err_set(err, EMBER_IOERR, -1, "could not %s file \"%s\"%s: %s", what,
                   path, strcmp(what, "open") == 0 ? " for reading" : "",
                   strerror(e));
}

/* Read a file that cannot be mapped (a pipe, /dev/stdin) into mem_*. */
static int read_all(int fd, const char *path, CsvLoad *ld, Err *err)
{
    size_t cap = READ_STEP;
    size_t len = 0;
    char *buf = mem_alloc(cap);
    if (buf == NULL)
        return err_nomem(err);
    for (;;) {
        if (len == cap) {
            char *nb = mem_realloc(buf, cap * 2);
            if (nb == NULL) {
                mem_free(buf);
                return err_nomem(err);
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            mem_free(buf);
            return io_error(err, "read", path, e);
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    ld->buf = buf;
    ld->data = buf;
    ld->size = len;
    return EMBER_OK;
}

/* Map or read `path`; sets data/size/map_size. */
static int load_file(const char *path, CsvLoad *ld, Err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_error(err, "open", path, errno);
    struct stat st;
    int rc = EMBER_OK;
    if (fstat(fd, &st) != 0) {
        rc = io_error(err, "open", path, errno);
    } else if (S_ISDIR(st.st_mode)) {
        rc = io_error(err, "open", path, EISDIR);
    } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
        ld->data = "";
        ld->size = 0;
    } else if (S_ISREG(st.st_mode)) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            rc = read_all(fd, path, ld, err);
        } else {
            madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
            ld->data = p;
            ld->size = (size_t)st.st_size;
            ld->map_size = ld->size;
        }
    } else {
        rc = read_all(fd, path, ld, err);
    }
    close(fd);
    return rc;
}

static void unload_file(CsvLoad *ld)
{
    if (ld->map_size)
        munmap((void *)ld->data, ld->map_size);
    mem_free(ld->buf);
}

/* ------------------------------------------------------------------------
 * Ranges
 * ------------------------------------------------------------------------ */

/* Drop blank lines (and the final line end) from the end of the data. */
static size_t data_end(const char *data, size_t size)
{
    while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
        size--;
    return size;
}

static size_t range_bytes(size_t size, int n_threads)
{
    size_t r = size / ((size_t)n_threads * RANGES_PER_THREAD);
    return MAX(RANGE_MIN, MIN(RANGE_MAX, r));
}

static int split_ranges(CsvLoad *ld, int n_threads)
{
    size_t step =
        ld->ps.quoting ? ld->size + 1 : range_bytes(ld->size, n_threads);
    size_t max_ranges = ld->size / step + 2;
    ld->ranges = mem_calloc(sizeof(CsvRange) * max_ranges);
    if (ld->ranges == NULL)
        return EMBER_NOMEM;
    const char *p = ld->data;
    const char *end = ld->data + ld->size;
    int n = 0;
    while (p < end) {
        const char *e = end;
        if ((size_t)(end - p) > step) {
            const char *nl = memchr(p + step, '\n', (size_t)(end - p) - step);
            e = nl ? nl + 1 : end;
        }
        assert((size_t)n < max_ranges);
        ld->ranges[n].begin = p;
        ld->ranges[n].end = e;
        n++;
        p = e;
    }
    ld->n_ranges = n;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Chunks and the ordered hand-off
 * ------------------------------------------------------------------------ */

static ChunkNode *take_chunk(const CsvLoad *ld, CsvWorker *w)
{
    ChunkNode *node = w->free;
    if (node) {
        w->free = node->next;
    } else {
        node = arena_alloc(w->chunks, sizeof(*node));
        if (node == NULL || chunk_init(&node->c, ld->t->n_cols, ld->t->types,
                                       w->chunks) != EMBER_OK)
            return NULL;
    }
    node->next = NULL;
    node->c.count = 0;
    for (int i = 0; i < node->c.n_cols; i++)
        node->c.cols[i].has_nulls = false;
    return node;
}

static void push_pending(CsvWorker *w, ChunkNode *node)
{
    node->next = NULL;
    *w->pending_tail = node;
    w->pending_tail = &node->next;
}

/* Move every pending chunk to the free list (appended or abandoned); the
 * scratch text they used is released with them. */
static void recycle_pending(CsvWorker *w)
{
    while (w->pending) {
        ChunkNode *node = w->pending;
        w->pending = node->next;
        node->next = w->free;
        w->free = node;
    }
    w->pending_tail = &w->pending;
    if (w->scratch)
        arena_reset(w->scratch);
}

static bool has_failed(const CsvLoad *ld)
{
    return atomic_load(&ld->min_fail) < ld->n_ranges;
}

static void mark_failed(CsvLoad *ld, int task)
{
    emutex_lock(&ld->lock);
    if (task < atomic_load(&ld->min_fail))
        atomic_store(&ld->min_fail, task);
    pthread_cond_broadcast(&ld->turn_cv);
    emutex_unlock(&ld->lock);
}

/* Append the pending chunks of range `task` if it holds the turn. With
 * `wait` (the range is parsed) wait for the turn first, and drop the
 * chunks if it never comes because the load failed. Returns EMBER_NOMEM
 * when an append failed. */
static int flush_pending(CsvLoad *ld, CsvWorker *w, int task, bool wait)
{
    if (wait) {
        emutex_lock(&ld->lock);
        while (atomic_load(&ld->turn) != task && !has_failed(ld))
            pthread_cond_wait(&ld->turn_cv, &ld->lock.m);
        emutex_unlock(&ld->lock);
    }
    if (atomic_load(&ld->turn) != task) {
        if (wait)
            recycle_pending(w);
        return EMBER_OK;
    }
    int rc = EMBER_OK;
    for (ChunkNode *n = w->pending; n && rc == EMBER_OK; n = n->next)
        if (!has_failed(ld))
            rc = tdata_append(ld->t, &n->c);
    recycle_pending(w);
    return rc;
}

static void pass_turn(CsvLoad *ld, int task)
{
    emutex_lock(&ld->lock);
    atomic_store(&ld->turn, task + 1);
    pthread_cond_broadcast(&ld->turn_cv);
    emutex_unlock(&ld->lock);
}

/* ------------------------------------------------------------------------
 * Tasks
 * ------------------------------------------------------------------------ */

static int worker_init(CsvWorker *w)
{
    if (w->chunks)
        return EMBER_OK;
    w->chunks = arena_create("csv.chunks", 0, ARENA_RESERVE);
    w->scratch = arena_create("csv.scratch", 0, ARENA_RESERVE);
    w->pending_tail = &w->pending;
    return w->chunks && w->scratch ? EMBER_OK : EMBER_NOMEM;
}

static void set_nomem(CsvFail *f, uint64_t line)
{
    f->code = EMBER_NOMEM;
    f->line = line;
    f->col = 0;
    snprintf(f->reason, sizeof(f->reason), "out of memory");
}

static void free_chunk(CsvWorker *w, ChunkNode *node)
{
    node->next = w->free;
    w->free = node;
}

/* Parse the records of range rg from `cur` into full chunks, handing them
 * to the table whenever this range holds the turn. */
static int parse_records(CsvLoad *ld, CsvWorker *w, int task, CsvRange *rg,
                         CsvCursor *cur)
{
    ChunkNode *node = take_chunk(ld, w);
    while (node && cur->p < cur->end) {
        Chunk *c = &node->c;
        int rc =
            csv_parse_record(&ld->ps, cur, c, c->count, w->scratch, &rg->fail);
        if (rc != EMBER_OK) {
            free_chunk(w, node);
            return rc;
        }
        rg->n_rows++;
        if (++c->count < VEC_SIZE)
            continue;
        push_pending(w, node);
        if (flush_pending(ld, w, task, false) != EMBER_OK)
            return EMBER_NOMEM;
        if (task > atomic_load(&ld->min_fail))
            return EMBER_OK;
        node = take_chunk(ld, w);
    }
    if (node == NULL)
        return EMBER_NOMEM;
    if (node->c.count > 0)
        push_pending(w, node);
    else
        free_chunk(w, node);
    rg->n_lines = cur->line;
    return flush_pending(ld, w, task, true);
}

static void parse_task(void *arg, int task, int worker)
{
    CsvLoad *ld = arg;
    CsvRange *rg = &ld->ranges[task];
    assert(worker < ld->n_workers);
    CsvWorker *w = &ld->workers[worker];
    if (task > atomic_load(&ld->min_fail))
        return;
    CsvCursor cur = {rg->begin, rg->end, 0};
    int rc = worker_init(w);
    if (rc == EMBER_OK) {
        if (task == 0 && ld->header)
            csv_skip_record(&ld->ps, &cur);
        rc = parse_records(ld, w, task, rg, &cur);
    }
    recycle_pending(w);
    if (rc == EMBER_NOMEM && rg->fail.code == EMBER_OK)
        set_nomem(&rg->fail, cur.line);
    if (rc != EMBER_OK)
        mark_failed(ld, task);
    else if (!has_failed(ld))
        pass_turn(ld, task);
}

/* ------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------ */

static int setup_parser(CsvLoad *ld, TableData *t, const CsvOptions *o,
                        Err *err)
{
    CsvParser *ps = &ld->ps;
    ps->types = t->types;
    ps->n_cols = t->n_cols;
    ps->delim = o && o->delim ? o->delim : ',';
    ps->quote = o ? o->quote : 0;
    ps->escape = o && o->escape != ps->quote ? o->escape : 0;
    ps->null_str = o && o->null_str ? o->null_str : "";
    ps->null_len = strlen(ps->null_str);
    ld->header = o && o->header;
    csv_parser_init(ps);
    if (ps->delim == '\n' || ps->delim == '\r' || ps->delim == ps->quote)
        return err_set(err, EMBER_ERROR, -1,
                       "invalid csv delimiter or quote character");
    if (t->n_cols < 1)
        return err_set(err, EMBER_ERROR, -1,
                       "cannot load a table with no "
                       "columns");
    return EMBER_OK;
}

/* Report the failure of the first failing range as path:line:col. */
static int report_failure(const CsvLoad *ld, const char *path, Err *err)
{
    int k = atomic_load(&ld->min_fail);
    const CsvFail *f = &ld->ranges[k].fail;
    if (f->code == EMBER_NOMEM)
        return err_nomem(err);
    uint64_t line = 1 + f->line;
    for (int i = 0; i < k; i++)
        line += ld->ranges[i].n_lines;
    return err_set(err, f->code, -1, "%s:%llu:%d: %s", path,
                   (unsigned long long)line, f->col, f->reason);
}

static int run_tasks(CsvLoad *ld, struct ThreadPool *pool, int n_threads)
{
    ld->n_workers = MAX(n_threads, pool_workers(pool) + 1);
    ld->workers = mem_calloc(sizeof(CsvWorker) * (size_t)ld->n_workers);
    if (ld->workers == NULL)
        return EMBER_NOMEM;
    atomic_init(&ld->turn, 0);
    atomic_init(&ld->min_fail, ld->n_ranges);
    emutex_init(&ld->lock, LOCK_COPY_CHUNK);
    pthread_cond_init(&ld->turn_cv, NULL);
    pool_run(pool, n_threads, ld->n_ranges, parse_task, ld);
    pthread_cond_destroy(&ld->turn_cv);
    emutex_destroy(&ld->lock);
    for (int i = 0; i < ld->n_workers; i++) {
        arena_destroy(ld->workers[i].chunks);
        arena_destroy(ld->workers[i].scratch);
    }
    mem_free(ld->workers);
    return EMBER_OK;
}

int csv_read(TableData *t, const char *path, const CsvOptions *o,
             struct ThreadPool *pool, uint64_t *n_read, Err *err)
{
    *n_read = 0;
    CsvLoad ld;
    memset(&ld, 0, sizeof(ld));
    ld.t = t;
    int rc = setup_parser(&ld, t, o, err);
    if (rc != EMBER_OK)
        return rc;
    rc = load_file(path, &ld, err);
    if (rc != EMBER_OK)
        return rc;
    ld.size = data_end(ld.data, ld.size);
    ld.ps.quoting =
        ld.ps.quote != 0 && memchr(ld.data, ld.ps.quote, ld.size) != NULL;
    int n_threads = o && o->n_threads > 1 && pool ? o->n_threads : 1;
    TableMark mark = tdata_mark(t);
    rc = split_ranges(&ld, n_threads);
    if (rc == EMBER_OK)
        rc = run_tasks(&ld, pool, n_threads);
    if (rc != EMBER_OK) {
        rc = err_nomem(err);
    } else if (has_failed(&ld)) {
        rc = report_failure(&ld, path, err);
    } else {
        for (int i = 0; i < ld.n_ranges; i++)
            *n_read += ld.ranges[i].n_rows;
    }
    if (rc != EMBER_OK)
        tdata_truncate(t, mark);
    mem_free(ld.ranges);
    unload_file(&ld);
    return rc;
}
