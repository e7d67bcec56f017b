/*
 * csv_read.c -- load a CSV or TPC-H .tbl file into a TableData (COPY ...
 * FROM), parsing byte ranges of the file in parallel straight into the
 * table's column arrays.
 *
 * Data flow. The file is cut into ranges of S = CSV_RANGE_BYTES bytes. A
 * record belongs to the range holding its first byte, so range k owns one
 * record per '\n' in bytes [k*S - 1, (k+1)*S - 1) (range 0 also the one
 * at byte 0), and counting those newlines tells how many rows it adds. A
 * task, one per range:
 *
 *   1. reads its range with pread into its worker's buffer (reused, so
 *      cache-warm: on the project's VM, first reads through a mapping of
 *      the 772 MB lineitem.tbl took 0.6 s more than pread, in page
 *      faults on page-cache pages) and counts '\n';
 *   2. waits for its turn, a few microseconds behind the task before it,
 *      and reserves its rows at the end of the table (tdata_extend), so
 *      rows keep file order whatever order tasks finish in;
 *   3. reads the tail of its last record (up to the next '\n') and parses
 *      its records, VEC_SIZE rows at a time, into vectors that point into
 *      the reserved rows of the row groups. Strings longer than STR_INLINE
 *      go once into the worker's string heap; NULL bits are merged into
 *      the groups' bitmaps with atomic operations, since two ranges can
 *      share a bitmap word.
 *
 * Only step 2 is serialized, and it costs a lock and a few pointer copies
 * per range. Nothing is allocated per row, per field or per range: each
 * worker has one buffer, one set of window vectors and one string heap.
 *
 * Quotes. Cutting at newlines is only safe when no record holds one, so
 * the quote char is looked for in each range as it is counted. If a range
 * has one, the parallel load stops, its rows are truncated away, and the
 * file is read again by one task (load_quoted) that follows quoting to
 * find where records end, as PostgreSQL reads quoted CSV sequentially.
 *
 * Errors. A failed record records its range, line (the range's first line
 * is known from the counts) and reason. Tasks of later ranges stop at
 * their next window; earlier ones finish, so the failure reported is that
 * of the lowest failing range, which is the first bad record of the file.
 * On failure the table is truncated to its mark and the workers' heaps
 * are freed, so a COPY that fails leaves the table as it was.
 *
 * Statistics. When the caller passes o->stats, each worker folds every
 * window into its own ColStats while the rows are still in cache, and the
 * sketches are merged at the end (HyperLogLog registers merge exactly, so
 * the result is the same as folding the rows one by one).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/pool.h"
#include "obs/obs.h"
#include "storage/csv_int.h"

/* How much more is read at a time to reach the end of a range's last
 * record, and the zero bytes kept after the data in every buffer. */
#define TAIL_STEP (64u << 10)
#define READ_PAD CSV_READ_PAD

/* Initial buffer and growth step when the file cannot be read with
 * pread (a pipe): it is then read whole into memory first. */
#define READ_STEP (1u << 20)

/* Per-worker state, reused by every range the worker parses. */
typedef struct CsvWorker {
    bool ready;
    char *buf; /* cap + READ_PAD bytes (mem_*) */
    size_t cap;
    StrHeap heap;      /* long strings of the rows this worker wrote */
    RowGroup **groups; /* the groups holding the current range's rows */
    size_t max_groups;
    Vector *cols;    /* one window of VEC_SIZE rows of the table */
    uint64_t *valid; /* n_cols * VEC_WORDS validity words of the window */
    ColStats *stats; /* n_cols, when the caller wants statistics */
    CsvFail fail;
} CsvWorker;

/* What one range holds, from its count. */
typedef struct RangeInfo {
    size_t lo;          /* file offset of buf[0] */
    size_t hi;          /* end of the counted bytes */
    size_t start;       /* offset in buf of the first record */
    uint64_t n_records; /* records that start in the range */
    uint64_t n_rows;    /* rows they add (a header is not one) */
    uint64_t first_row;
    uint64_t first_line; /* 1-based line of buf[start] */
} RangeInfo;

/* The state of one csv_read call. */
typedef struct CsvLoad {
    TableData *t;
    CsvParser ps;
    bool header;
    const char *path;
    int fd;       /* -1 when the data was read into `mem` */
    char *mem;    /* the whole data, for pipes (mem_*) */
    size_t size;  /* bytes up to the end of the last non-blank line */
    size_t range; /* bytes per range */
    int n_ranges;
    CsvWorker *workers;
    int n_workers;
    ColStats *stats; /* the caller's, or NULL */
    EmberMutex lock; /* guards the fields below and tdata_extend */
    pthread_cond_t turn_cv;
    int turn;             /* the next range to reserve its rows */
    uint64_t n_records;   /* records in ranges before `turn` */
    atomic_int stop;      /* lowest failed range, n_ranges when none */
    atomic_bool quoted;   /* a quote char was seen: read sequentially */
    CsvFail fail;         /* the failure of range `stop`, line absolute;
                             code EMBER_OK while the load has not failed */
    bool fail_positioned; /* fail.line and fail.col are meaningful */
} CsvLoad;

/* A task that stops because another failed or saw a quote: not an error
 * of its own. */
#define CSV_STOPPED (-1000)

/* ------------------------------------------------------------------------
 * File access
 * ------------------------------------------------------------------------ */

static int io_error(Err *err, const char *what, const char *path, int e)
{
    return err_set(err, EMBER_IOERR, -1, "could not %s file \"%s\"%s: %s", what,
                   path, strcmp(what, "open") == 0 ? " for reading" : "",
                   strerror(e));
}

static int set_io_fail(CsvFail *f, int e)
{
    f->code = EMBER_IOERR;
    snprintf(f->reason, sizeof(f->reason), "%s", strerror(e));
    return EMBER_IOERR;
}

static int set_nomem(CsvFail *f)
{
    f->code = EMBER_NOMEM;
    snprintf(f->reason, sizeof(f->reason), "out of memory");
    return EMBER_NOMEM;
}

/* Read a file that cannot be read at offsets (a pipe) into mem_*. */
static int read_all(CsvLoad *ld, Err *err)
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
        ssize_t r = read(ld->fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            mem_free(buf);
            return io_error(err, "read", ld->path, e);
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    ld->mem = buf;
    ld->size = len;
    return EMBER_OK;
}

/* Bytes [off, off + n) of the data into dst. */
static int read_bytes(const CsvLoad *ld, char *dst, size_t off, size_t n,
                      CsvFail *f)
{
    assert(off + n <= ld->size);
    if (ld->mem) {
        memcpy(dst, ld->mem + off, n);
        return EMBER_OK;
    }
    while (n > 0) {
        ssize_t r = pread(ld->fd, dst, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return set_io_fail(f, errno);
        if (r == 0)
            return set_io_fail(f, EIO); /* the file shrank under us */
        dst += r;
        off += (size_t)r;
        n -= (size_t)r;
    }
    return EMBER_OK;
}

/* Cut blank lines (and the final line end) off the end of the data:
 * ld->size becomes the end of the last non-blank line. */
static int trim_end(CsvLoad *ld, Err *err)
{
    char tail[4096];
    while (ld->size > 0) {
        size_t n = MIN(ld->size, sizeof(tail));
        CsvFail f;
        if (read_bytes(ld, tail, ld->size - n, n, &f) != EMBER_OK)
            return err_set(err, EMBER_IOERR, -1,
                           "could not read file \"%s\": %s", ld->path,
                           f.reason);
        size_t k = n;
        while (k > 0 && (tail[k - 1] == '\n' || tail[k - 1] == '\r'))
            k--;
        ld->size -= n - k;
        if (k > 0)
            break;
    }
    return EMBER_OK;
}

/* Open `path`: a regular file is read with pread, anything else (a pipe,
 * /dev/stdin) is read whole first. */
static int open_file(CsvLoad *ld, Err *err)
{
    ld->fd = open(ld->path, O_RDONLY | O_CLOEXEC);
    if (ld->fd < 0)
        return io_error(err, "open", ld->path, errno);
    struct stat st;
    if (fstat(ld->fd, &st) != 0)
        return io_error(err, "open", ld->path, errno);
    if (S_ISDIR(st.st_mode))
        return io_error(err, "open", ld->path, EISDIR);
    if (S_ISREG(st.st_mode)) {
        ld->size = (size_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(ld->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    } else {
        int rc = read_all(ld, err);
        if (rc != EMBER_OK)
            return rc;
    }
    return trim_end(ld, err);
}

static void close_file(CsvLoad *ld)
{
    if (ld->fd >= 0)
        close(ld->fd);
    mem_free(ld->mem);
}

/* ------------------------------------------------------------------------
 * Workers
 * ------------------------------------------------------------------------ */

/* Make the worker's buffer hold at least `cap` bytes, keeping the first
 * `keep`. */
static int grow_buffer(CsvWorker *w, size_t cap, size_t keep, CsvFail *f)
{
    if (cap <= w->cap)
        return EMBER_OK;
    char *nb = mem_alloc(cap + READ_PAD);
    if (nb == NULL)
        return set_nomem(f);
    memcpy(nb, w->buf, keep);
    mem_free(w->buf);
    w->buf = nb;
    w->cap = cap;
    return EMBER_OK;
}

static int worker_init(const CsvLoad *ld, CsvWorker *w)
{
    if (w->ready)
        return EMBER_OK;
    /* After a failure, a later call (the sequential retry of a quoted
     * file) allocates only what is still missing. */
    int n_cols = ld->t->n_cols;
    if (w->buf == NULL &&
        (w->buf = mem_alloc(ld->range + TAIL_STEP + READ_PAD)) != NULL)
        w->cap = ld->range + TAIL_STEP;
    /* A range of S bytes starts at most S + 1 records (each ends with a
     * '\n'), spread over at most this many groups. */
    w->max_groups = (ld->range + 1) / RG_ROWS + 2;
    if (w->groups == NULL)
        w->groups = mem_alloc(sizeof(RowGroup *) * w->max_groups);
    if (w->cols == NULL)
        w->cols = mem_calloc(sizeof(Vector) * (size_t)n_cols);
    if (w->valid == NULL)
        w->valid = mem_alloc(sizeof(uint64_t) * VEC_WORDS * (size_t)n_cols);
    if (ld->stats && w->stats == NULL)
        w->stats = mem_alloc(sizeof(ColStats) * (size_t)n_cols);
    if (!w->buf || !w->groups || !w->cols || !w->valid ||
        (ld->stats && !w->stats))
        return set_nomem(&w->fail);
    for (int c = 0; c < n_cols; c++) {
        Vector *v = &w->cols[c];
        v->type = ld->t->types[c];
        v->phys = (uint8_t)type_phys(v->type);
        v->validity = w->valid + (size_t)c * VEC_WORDS;
        if (w->stats)
            colstats_init(&w->stats[c]);
    }
    w->ready = true;
    return EMBER_OK;
}

static void worker_release(const CsvLoad *ld, CsvWorker *w)
{
    if (w->stats && w->ready)
        for (int c = 0; c < ld->t->n_cols; c++)
            colstats_release(&w->stats[c]);
    mem_free(w->stats);
    mem_free(w->valid);
    mem_free(w->cols);
    mem_free(w->groups);
    mem_free(w->buf);
    strheap_release(&w->heap);
    memset(w, 0, sizeof(*w));
}

/* ------------------------------------------------------------------------
 * Failure and the turn
 * ------------------------------------------------------------------------ */

static bool stopped(CsvLoad *ld, int task)
{
    return task > atomic_load_explicit(&ld->stop, memory_order_relaxed) ||
           atomic_load_explicit(&ld->quoted, memory_order_relaxed);
}

/* Record that range `task` failed with *f (f->line made absolute by the
 * caller when `positioned`), keeping the lowest failing range. */
static void fail_range(CsvLoad *ld, int task, const CsvFail *f, bool positioned)
{
    emutex_lock(&ld->lock);
    if (task < atomic_load(&ld->stop)) {
        ld->fail = *f;
        ld->fail_positioned = positioned;
        atomic_store(&ld->stop, task);
    }
    pthread_cond_broadcast(&ld->turn_cv);
    emutex_unlock(&ld->lock);
}

static void saw_quote(CsvLoad *ld)
{
    emutex_lock(&ld->lock);
    atomic_store(&ld->quoted, true);
    pthread_cond_broadcast(&ld->turn_cv);
    emutex_unlock(&ld->lock);
}

/* Copy the RowGroup pointers of rows [first, first + n) into w->groups.
 * Under the load's lock (or with no other task running), since
 * tdata_extend may move t->groups. */
static void take_groups(const CsvLoad *ld, CsvWorker *w, uint64_t first,
                        uint64_t n)
{
    if (n == 0)
        return;
    uint64_t g0 = first / RG_ROWS;
    uint64_t g1 = (first + n - 1) / RG_ROWS;
    assert(g1 - g0 < w->max_groups);
    for (uint64_t g = g0; g <= g1; g++)
        w->groups[g - g0] = ld->t->groups[g];
}

/* Wait for range `task`'s turn, then add its rows to the table and pass
 * the turn on. */
static int reserve_rows(CsvLoad *ld, CsvWorker *w, int task, RangeInfo *ri)
{
    int rc = EMBER_OK;
    emutex_lock(&ld->lock);
    while (ld->turn != task && !stopped(ld, task))
        pthread_cond_wait(&ld->turn_cv, &ld->lock.m);
    if (stopped(ld, task)) {
        rc = CSV_STOPPED;
    } else {
        ri->first_line = ld->n_records + 1;
        ri->first_row = ld->t->n_rows;
        if (tdata_extend(ld->t, ri->n_rows, ld->n_ranges > 1) != EMBER_OK)
            rc = set_nomem(&w->fail);
        else
            take_groups(ld, w, ri->first_row, ri->n_rows);
        ld->n_records += ri->n_records;
        ld->turn = task + 1;
        pthread_cond_broadcast(&ld->turn_cv);
    }
    emutex_unlock(&ld->lock);
    return rc;
}

/* ------------------------------------------------------------------------
 * Parsing into the table
 * ------------------------------------------------------------------------ */

/* Bits [k, k + take) of a window's validity words (take <= 64). */
static uint64_t window_bits(const uint64_t *valid, uint32_t k, uint32_t take)
{
    uint32_t sh = k & 63;
    uint64_t x = valid[k >> 6] >> sh;
    if (sh && (k >> 6) + 1 < VEC_WORDS)
        x |= valid[(k >> 6) + 1] << (64 - sh);
    return take == 64 ? x : x & ((1ull << take) - 1);
}

/* The group's bitmap, made (all valid) if it has none yet. Two ranges may
 * race to make it: the loser frees its copy. */
static uint64_t *group_validity(RowGroup *g, int col)
{
    uint64_t **slot = &g->cols[col].validity;
    uint64_t *v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (v)
        return v;
    uint64_t *nv = mem_alloc(g->cap / 64 * sizeof(uint64_t));
    if (nv == NULL)
        return NULL;
    memset(nv, 0xff, g->cap / 64 * sizeof(uint64_t));
    if (__atomic_compare_exchange_n(slot, &v, nv, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return nv;
    mem_free(nv);
    return v;
}

/* Write the validity of window rows [0, n), stored at `off` in group g,
 * into the group's bitmaps. A group without a bitmap needs nothing unless
 * the window has NULLs. With one, every bit is written, since bits past
 * the old end of the table may be stale; words are shared with the
 * neighbouring ranges, hence the atomic or/and. */
static int store_validity(CsvWorker *w, int n_cols, RowGroup *g, uint32_t off,
                          uint32_t n)
{
    for (int c = 0; c < n_cols; c++) {
        const Vector *v = &w->cols[c];
        uint64_t *gv = __atomic_load_n(&g->cols[c].validity, __ATOMIC_ACQUIRE);
        if (gv == NULL && !v->has_nulls)
            continue;
        if (gv == NULL && (gv = group_validity(g, c)) == NULL)
            return set_nomem(&w->fail);
        for (uint32_t k = 0; k < n;) {
            uint32_t r = off + k;
            uint32_t sh = r & 63;
            uint32_t take = MIN(64 - sh, n - k);
            uint64_t mask = (take == 64 ? ~0ull : (1ull << take) - 1) << sh;
            uint64_t bits =
                v->has_nulls ? window_bits(v->validity, k, take) << sh : mask;
            if (bits)
                __atomic_fetch_or(&gv[r >> 6], bits, __ATOMIC_RELAXED);
            if (mask & ~bits)
                __atomic_fetch_and(&gv[r >> 6], ~(mask & ~bits),
                                   __ATOMIC_RELAXED);
            k += take;
        }
    }
    return EMBER_OK;
}

/* Parse n_rows records at cur into rows [first_row, ...) of the table,
 * whose groups are in w->groups, a window of up to VEC_SIZE rows at a
 * time. `task` < 0: the sequential quoted load, which is never stopped. */
static int parse_rows(CsvLoad *ld, CsvWorker *w, int task, CsvCursor *cur,
                      uint64_t first_row, uint64_t n_rows)
{
    int n_cols = ld->t->n_cols;
    uint64_t g0 = first_row / RG_ROWS;
    uint64_t row = first_row;
    uint64_t end = first_row + n_rows;
    while (row < end) {
        if (task >= 0 && stopped(ld, task))
            return CSV_STOPPED;
        RowGroup *g = w->groups[row / RG_ROWS - g0];
        uint32_t off = (uint32_t)(row % RG_ROWS);
        uint32_t n = (uint32_t)MIN(end - row, (uint64_t)VEC_SIZE);
        n = MIN(n, RG_ROWS - off);
        for (int c = 0; c < n_cols; c++) {
            Vector *v = &w->cols[c];
            v->data =
                (char *)g->cols[c].data + (size_t)off * type_width(v->type);
            v->has_nulls = false;
        }
        Chunk chunk = {n_cols, w->cols, n, NULL, 0};
        int rc = EMBER_OK;
        if (!ld->ps.quoting)
            rc = csv_parse_plain(&ld->ps, cur, &chunk, n, &w->heap, &w->fail);
        for (uint32_t i = 0; ld->ps.quoting && i < n && rc == EMBER_OK; i++)
            rc = csv_parse_record(&ld->ps, cur, &chunk, i, &w->heap, &w->fail);
        if (rc == EMBER_OK)
            rc = store_validity(w, n_cols, g, off, n);
        if (rc != EMBER_OK)
            return rc;
        if (w->stats)
            for (int c = 0; c < n_cols; c++)
                colstats_add(&w->stats[c], &w->cols[c], NULL, n);
        row += n;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Parallel ranges
 * ------------------------------------------------------------------------ */

static uint64_t count_byte(const char *p, const char *end, char c)
{
    uint64_t n = 0;
    while ((p = memchr(p, c, (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* Read and count range `task`: ri->n_records and where the first starts.
 * Sets ld->quoted (and returns CSV_STOPPED) when the quote char occurs. */
static int read_range(CsvLoad *ld, CsvWorker *w, int task, RangeInfo *ri)
{
    size_t begin = (size_t)task * ld->range;
    ri->lo = task ? begin - 1 : 0;
    ri->hi = MIN(begin + ld->range - 1, ld->size);
    if (task == ld->n_ranges - 1)
        ri->hi = ld->size;
    size_t n = ri->hi - ri->lo;
    int rc = grow_buffer(w, n + TAIL_STEP, 0, &w->fail);
    if (rc == EMBER_OK)
        rc = read_bytes(ld, w->buf, ri->lo, n, &w->fail);
    if (rc != EMBER_OK)
        return rc;
    const char *p = w->buf;
    if (ld->ps.quote && memchr(p, ld->ps.quote, n)) {
        saw_quote(ld);
        return CSV_STOPPED;
    }
    ri->n_records = count_byte(p, p + n, '\n') + (task == 0);
    ri->start = 0;
    if (task > 0 && ri->n_records > 0)
        ri->start = (size_t)((const char *)memchr(p, '\n', n) - p) + 1;
    ri->n_rows = ri->n_records;
    if (task == 0 && ld->header && ri->n_rows > 0)
        ri->n_rows--;
    return EMBER_OK;
}

/* Extend the buffer past ri->hi to the end of the range's last record
 * (its '\n', or the end of the data); returns that offset in buf. */
static int read_tail(CsvLoad *ld, CsvWorker *w, const RangeInfo *ri,
                     size_t *rec_end)
{
    size_t have = ri->hi - ri->lo;
    for (;;) {
        if (ri->lo + have == ld->size) {
            *rec_end = have;
            return EMBER_OK;
        }
        size_t n = MIN((size_t)TAIL_STEP, ld->size - ri->lo - have);
        int rc = grow_buffer(w, have + n, have, &w->fail);
        if (rc == EMBER_OK)
            rc = read_bytes(ld, w->buf + have, ri->lo + have, n, &w->fail);
        if (rc != EMBER_OK)
            return rc;
        const char *nl = memchr(w->buf + have, '\n', n);
        size_t upto = nl ? (size_t)(nl - (w->buf + have)) : n;
        if (ld->ps.quote && memchr(w->buf + have, ld->ps.quote, upto)) {
            saw_quote(ld);
            return CSV_STOPPED;
        }
        have += n;
        if (nl) {
            *rec_end = (size_t)(nl - w->buf) + 1;
            return EMBER_OK;
        }
        if (have + TAIL_STEP > w->cap &&
            (rc = grow_buffer(w, w->cap * 2, have, &w->fail)) != EMBER_OK)
            return rc;
    }
}

static int run_range(CsvLoad *ld, CsvWorker *w, int task, RangeInfo *ri)
{
    int rc = worker_init(ld, w);
    if (rc == EMBER_OK)
        rc = read_range(ld, w, task, ri);
    if (rc == EMBER_OK)
        rc = reserve_rows(ld, w, task, ri);
    if (rc != EMBER_OK || ri->n_records == 0)
        return rc;
    size_t rec_end;
    rc = read_tail(ld, w, ri, &rec_end);
    if (rc != EMBER_OK)
        return rc;
    memset(w->buf + rec_end, 0, READ_PAD);
    CsvCursor cur = {w->buf + ri->start, w->buf + rec_end, 0};
    if (task == 0 && ld->header)
        csv_skip_record(&ld->ps, &cur);
    rc = parse_rows(ld, w, task, &cur, ri->first_row, ri->n_rows);
    assert(rc != EMBER_OK || cur.p == cur.end);
    return rc;
}

static void range_task(void *arg, int task, int worker)
{
    CsvLoad *ld = arg;
    assert(worker < ld->n_workers);
    CsvWorker *w = &ld->workers[worker];
    if (stopped(ld, task))
        return;
    RangeInfo ri;
    memset(&ri, 0, sizeof(ri));
    w->fail.code = EMBER_OK;
    int rc = run_range(ld, w, task, &ri);
    if (rc == EMBER_OK || rc == CSV_STOPPED)
        return;
    bool positioned = rc == EMBER_ERROR;
    if (positioned)
        w->fail.line += ri.first_line;
    fail_range(ld, task, &w->fail, positioned);
}

/* ------------------------------------------------------------------------
 * Sequential load of a file with quotes
 * ------------------------------------------------------------------------ */

/* Where the complete records in buf[0, n) end: just after the last '\n'
 * outside quotes, or n at the end of the data. *n_records = how many. */
static size_t complete_records(const CsvParser *ps, const char *buf, size_t n,
                               bool at_eof, uint64_t *n_records)
{
    uint64_t count = 0;
    size_t cut = 0;
    bool in_q = false;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (!in_q) {
            if (c == '\n') {
                count++;
                cut = i + 1;
            } else if (c == ps->quote) {
                in_q = true;
            }
        } else if (ps->escape != 0 && c == ps->escape && i + 1 < n) {
            i++;
        } else if (c == ps->quote) {
            if (i + 1 < n && buf[i + 1] == ps->quote)
                i++;
            else
                in_q = false;
        }
    }
    if (at_eof && cut < n) {
        count++;
        cut = n;
    }
    *n_records = count;
    return cut;
}

/* One task reads the file a buffer at a time and parses the complete
 * records of each buffer. Returns EMBER_OK or a failure in w->fail (line
 * absolute when EMBER_ERROR). */
static int load_quoted(CsvLoad *ld, CsvWorker *w)
{
    int rc = worker_init(ld, w);
    size_t pos = 0;    /* file offset of buf[0] */
    size_t have = 0;   /* bytes in buf */
    uint64_t line = 1; /* line of buf[0] */
    bool first = true;
    while (rc == EMBER_OK) {
        size_t n = MIN(w->cap - have, ld->size - pos - have);
        rc = read_bytes(ld, w->buf + have, pos + have, n, &w->fail);
        if (rc != EMBER_OK)
            break;
        have += n;
        bool at_eof = pos + have == ld->size;
        uint64_t n_records;
        size_t cut =
            complete_records(&ld->ps, w->buf, have, at_eof, &n_records);
        if (n_records == 0) {
            /* at the end only when there are no bytes at all; else the
             * buffer is full and holds part of one record */
            if (at_eof)
                break;
            rc = grow_buffer(w, w->cap * 2, have, &w->fail);
            continue;
        }
        memset(w->buf + have, 0, READ_PAD);
        CsvCursor cur = {w->buf, w->buf + cut, 0};
        if (first && ld->header) {
            csv_skip_record(&ld->ps, &cur);
            n_records--;
        }
        first = false;
        uint64_t first_row = ld->t->n_rows;
        if (tdata_extend(ld->t, n_records, false) != EMBER_OK) {
            rc = set_nomem(&w->fail);
            break;
        }
        /* Parse a group's worth at a time: w->groups has room for the
         * groups of one range only. */
        for (uint64_t done = 0; rc == EMBER_OK && done < n_records;) {
            uint64_t k = MIN(n_records - done, (uint64_t)RG_ROWS);
            take_groups(ld, w, first_row + done, k);
            rc = parse_rows(ld, w, -1, &cur, first_row + done, k);
            done += k;
        }
        if (rc == EMBER_ERROR)
            w->fail.line += line;
        line += cur.line;
        memmove(w->buf, w->buf + cut, have - cut);
        pos += cut;
        have -= cut;
        if (at_eof)
            break;
    }
    return rc;
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
    ld->stats = o ? o->stats : NULL;
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

static int report_failure(const CsvLoad *ld, Err *err)
{
    const CsvFail *f = &ld->fail;
    if (f->code == EMBER_NOMEM)
        return err_nomem(err);
    if (f->code == EMBER_IOERR || !ld->fail_positioned)
        return err_set(err, f->code, -1, "could not read file \"%s\": %s",
                       ld->path, f->reason);
    return err_set(err, f->code, -1, "%s:%llu:%d: %s", ld->path,
                   (unsigned long long)f->line, f->col, f->reason);
}

/* Run the ranges on the pool; then, if a quote was seen, start over with
 * one sequential task. */
static void run_load(CsvLoad *ld, struct ThreadPool *pool, int n_threads,
                     TableMark mark)
{
    ld->range = CSV_RANGE_BYTES;
    while (ld->size / ld->range >= INT_MAX / 2)
        ld->range *= 2;
    ld->n_ranges = (int)((ld->size + ld->range - 1) / ld->range);
    atomic_init(&ld->stop, ld->n_ranges);
    atomic_init(&ld->quoted, false);
    pool_run(pool, n_threads, ld->n_ranges, range_task, ld);
    if (!atomic_load(&ld->quoted))
        return;
    /* Start over: nothing of the parallel attempt is kept. */
    memset(&ld->fail, 0, sizeof(ld->fail));
    tdata_truncate(ld->t, mark);
    for (int i = 0; i < ld->n_workers; i++) {
        CsvWorker *w = &ld->workers[i];
        strheap_release(&w->heap);
        if (w->stats && w->ready)
            for (int c = 0; c < ld->t->n_cols; c++) {
                colstats_release(&w->stats[c]);
                colstats_init(&w->stats[c]);
            }
    }
    ld->ps.quoting = true;
    CsvWorker *w = &ld->workers[0];
    w->fail.code = EMBER_OK;
    int rc = load_quoted(ld, w);
    if (rc != EMBER_OK) {
        ld->fail = w->fail;
        ld->fail_positioned = rc == EMBER_ERROR;
    }
}

/* On success: the workers' heaps become the table's, their statistics
 * the caller's. */
static void finish_load(CsvLoad *ld)
{
    for (int i = 0; i < ld->n_workers; i++) {
        CsvWorker *w = &ld->workers[i];
        tdata_adopt_heap(ld->t, &w->heap);
        if (ld->stats && w->stats)
            for (int c = 0; c < ld->t->n_cols; c++)
                colstats_merge(&ld->stats[c], &w->stats[c]);
    }
}

int csv_read(TableData *t, const char *path, const CsvOptions *o,
             struct ThreadPool *pool, uint64_t *n_read, Err *err)
{
    *n_read = 0;
    CsvLoad ld;
    memset(&ld, 0, sizeof(ld));
    ld.t = t;
    ld.path = path;
    ld.fd = -1;
    int rc = setup_parser(&ld, t, o, err);
    if (rc == EMBER_OK)
        rc = open_file(&ld, err);
    if (rc != EMBER_OK) {
        close_file(&ld);
        return rc;
    }
    int n_threads = o && o->n_threads > 1 && pool ? o->n_threads : 1;
    ld.n_workers = MAX(n_threads, pool_workers(pool) + 1);
    ld.workers = mem_calloc(sizeof(CsvWorker) * (size_t)ld.n_workers);
    if (ld.workers == NULL) {
        close_file(&ld);
        return err_nomem(err);
    }
    TableMark mark = tdata_mark(t);
    emutex_init(&ld.lock, LOCK_COPY_CHUNK);
    pthread_cond_init(&ld.turn_cv, NULL);
    run_load(&ld, pool, n_threads, mark);
    pthread_cond_destroy(&ld.turn_cv);
    emutex_destroy(&ld.lock);
    if (ld.fail.code != EMBER_OK) {
        rc = report_failure(&ld, err);
        tdata_truncate(t, mark);
    } else {
        finish_load(&ld);
        *n_read = t->n_rows - mark.n_rows;
    }
    for (int i = 0; i < ld.n_workers; i++)
        worker_release(&ld, &ld.workers[i]);
    mem_free(ld.workers);
    close_file(&ld);
    return rc;
}
