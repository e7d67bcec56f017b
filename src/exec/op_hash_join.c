/*
 * op_hash_join.c -- hash join for every join type with an equality.
 *
 * Build (sink of child[1]): each thread appends the build columns, the
 * evaluated keys and the key hashes to a local Collection; combine
 * concatenates them; finalize links every row with non-NULL keys into a
 * chained hash table: `heads` (power of two, about two slots per row) holds
 * entry+1 of the first entry of a bucket in its low 32 bits and, in the
 * high 32, a tag: the OR of one bit per entry of the chain chosen by the
 * top five hash bits. A probe whose bit is not in the tag misses without
 * touching the chain (most misses of a selective join stop there). An
 * entry holds the hash, the build row and the next entry of the chain.
 *
 * Entries are laid out by partition (setting hash_partitions, P): the
 * entries of the buckets in the p-th of P equal slices of `heads` are
 * contiguous, so linking them writes one slice of `heads` at a time, which
 * stays in cache, and the entries themselves are written in order. With
 * P = 0 entries follow row order and linking writes all over the table:
 * a miss per row once the table outgrows the cache.
 *
 * Probe (operator on the child[0] pipeline), vectorized: hash the probe
 * keys of the chunk, look up every row's chain head, then repeat rounds
 * over the rows whose chain is not done (a compacted list): collect
 * (probe row, build row) candidates whose hashes agree, compare the keys
 * column by column, record matches, advance every chain by one. The round
 * loops are branch-free: the outcome of a hash comparison is data, not
 * control flow, since it is unpredictable.
 * Output pairs are gathered into the output chunk; when a chunk would
 * overflow, the state is kept and the operator asks to be called again
 * (OP_HAVE_MORE).
 *
 * Types: INNER, LEFT, RIGHT, FULL, SEMI, ANTI, ANTI_NULL (NOT IN), MARK
 * (IN as a value, three-valued) and SINGLE (scalar subquery: at most one
 * match). RIGHT and FULL remember matched build rows and emit the others
 * in the flush phase after every probe thread has finished.
 */
#include "exec/exec_int.h"

/* A build row in the table: its hash, its row in `build` and the next
 * entry of its chain, in one 16-byte slot (one cache line visit per chain
 * step). */
typedef struct JoinEntry {
    uint64_t hash;
    uint32_t row;
    uint32_t next;            /* entry + 1, 0 ends the chain */
} JoinEntry;

typedef struct JoinGlobal {
    Collection build;         /* build cols, then key cols, then hash */
    int n_build_cols;         /* child[1] columns */
    uint64_t *heads;          /* tag bits << 32 | first entry + 1 */
    JoinEntry *ent;           /* one per build row with non-NULL keys */
    uint64_t mask;
    uint64_t *hashes;         /* view of the hash column */
    bool has_null_key;        /* some build row has a NULL key */
    uint8_t *matched;         /* RIGHT/FULL: build row matched */
    uint64_t flush_pos;
    bool finalized;
    /* lock_shards > 0: build rows go to shared collections, thread w
     * appending to shard w % n_shards under its lock (the contention
     * knob); 0: a collection per thread, adopted or appended on combine */
    Collection *shards;
    EmberMutex *shard_locks;
    int n_shards;
} JoinGlobal;

typedef struct JoinBuildLocal {
    Collection rows;
    int shard;
    ExprState **keys;
    Chunk tmp;                /* build cols + keys + hash */
    uint64_t *hashes;
} JoinBuildLocal;

typedef struct JoinProbeLocal {
    ExprState **keys;
    Vector **keyv;            /* evaluated probe keys of the current chunk */
    uint64_t *hashes;         /* per active probe row k */
    uint32_t *cand;           /* current build row + 1 per active row */
    SelIdx *rows;             /* active probe rows */
    uint32_t n_rows;
    uint32_t *act;            /* k of the rows whose chain is not done */
    uint32_t n_act;
    uint8_t *found;           /* per active row: matched */
    uint8_t *null_key;        /* per active row: a probe key is NULL */
    bool started;             /* chunk hashed and heads looked up */
    bool tail_done;           /* LEFT/MARK/ANTI tail emitted */
    /* candidate pairs of one round */
    uint32_t *pair_k;         /* index into rows */
    uint32_t *pair_b;         /* build row */
    /* output pairs waiting to be gathered */
    SelIdx *out_probe;
    uint32_t *out_build;
    uint32_t n_out;
    ExprState *residual;
    Chunk joined;             /* probe cols ++ build cols for residual */
    SelIdx *sel;
} JoinProbeLocal;

/* Joins that mark matched build rows and emit from them after the probe. */
static bool is_outer_build(JoinType t)
{
    return t == JT_RIGHT || t == JT_FULL || t == JT_RIGHT_SEMI ||
           t == JT_RIGHT_ANTI;
}

static bool is_build_only(JoinType t)
{
    return t == JT_RIGHT_SEMI || t == JT_RIGHT_ANTI;
}

/* ------------------------------------------------------------------------
 * Build side
 * ------------------------------------------------------------------------ */

static int build_types(const PhysOp *op, Arena *a, Type **out, int *n)
{
    const PhysOp *b = op->child[1];
    int nc = b->n_cols + op->n_keys + 1;
    Type *t = arena_alloc(a, sizeof(Type) * (size_t)nc);
    if (t == NULL)
        return EMBER_NOMEM;
    memcpy(t, b->types, sizeof(Type) * (size_t)b->n_cols);
    for (int i = 0; i < op->n_keys; i++)
        t[b->n_cols + i] = op->build_keys[i]->type;
    t[nc - 1] = type_make(TYPE_INT64);
    *out = t;
    *n = nc;
    return EMBER_OK;
}

static void destroy_shard_locks(void *arg)
{
    JoinGlobal *jg = arg;
    for (int i = 0; i < jg->n_shards; i++)
        emutex_destroy(&jg->shard_locks[i]);
}

/* lock_shards > 0: the shared build collections, each in an arena of its
 * own (its lock serializes the allocations). */
static int make_shards(ExecCtx *cx, JoinGlobal *jg, const Type *types,
                       int nc)
{
    int n = cx->settings->lock_shards;
    if (n <= 0)
        return EMBER_OK;
    jg->shards = arena_calloc(cx->arena, sizeof(Collection) * (size_t)n);
    jg->shard_locks = arena_alloc(cx->arena, sizeof(EmberMutex) * (size_t)n);
    if (jg->shards == NULL || jg->shard_locks == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < n; i++) {
        Arena *a = memcache_arena(cx->mc, "join shard",
                                  cx->settings->arena ? ARENA_RESERVE
                                                      : ARENA_MALLOC);
        if (a == NULL || exec_own_arena(cx, a) != EMBER_OK)
            return EMBER_NOMEM;
        int rc = coll_init(&jg->shards[i], nc, types, a, cx->mc, 0);
        if (rc != EMBER_OK)
            return rc;
        emutex_init(&jg->shard_locks[i], LOCK_JOIN_SHARD);
        jg->n_shards = i + 1;
    }
    return arena_add_cleanup(cx->arena, destroy_shard_locks, jg);
}

static int join_init(ExecCtx *cx, const PhysOp *op, void **g)
{
    JoinGlobal *jg = arena_calloc(cx->arena, sizeof(*jg));
    if (jg == NULL)
        return EMBER_NOMEM;
    Type *types;
    int nc;
    if (build_types(op, cx->arena, &types, &nc) != EMBER_OK)
        return EMBER_NOMEM;
    jg->n_build_cols = op->child[1]->n_cols;
    /* no size hint: the first thread's rows are adopted (coll_absorb) */
    int rc = coll_init(&jg->build, nc, types, cx->arena, cx->mc, 0);
    if (rc != EMBER_OK)
        return rc;
    *g = jg;
    return make_shards(cx, jg, types, nc);
}

static int make_key_states(ThreadCtx *tc, Expr **keys, int n,
                           ExprState ***out)
{
    ExprState **ks = arena_alloc(tc->arena, sizeof(ExprState *) * (size_t)n);
    if (ks == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < n; i++) {
        int rc = expr_state_make(tc, tc->arena, keys[i], &ks[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    *out = ks;
    return EMBER_OK;
}

static int build_local(ThreadCtx *tc, const PhysOp *op, void *g, int side,
                       void **l)
{
    UNUSED(side);
    JoinGlobal *jg = g;
    JoinBuildLocal *bl = arena_calloc(tc->arena, sizeof(*bl));
    if (bl == NULL)
        return EMBER_NOMEM;
    /* sized from the estimate: its share of the build rows */
    double est = op->child[1]->est_rows / (tc->cx->n_threads > 0
                                               ? tc->cx->n_threads
                                               : 1);
    uint64_t hint = est > 0 && est < 1e8 && jg->n_shards == 0
                        ? (uint64_t)est
                        : 0;
    bl->shard = jg->n_shards ? tc->worker % jg->n_shards : 0;
    int rc = coll_init(&bl->rows, jg->build.n_cols, jg->build.types,
                       tc->arena, tc->cx->mc, hint);
    if (rc == EMBER_OK)
        rc = make_key_states(tc, op->build_keys, op->n_keys, &bl->keys);
    if (rc != EMBER_OK)
        return rc;
    bl->tmp.n_cols = jg->build.n_cols;
    bl->tmp.cols = arena_calloc(tc->arena,
                                sizeof(Vector) * (size_t)bl->tmp.n_cols);
    bl->hashes = arena_alloc(tc->arena, sizeof(uint64_t) * VEC_SIZE);
    if (bl->tmp.cols == NULL || bl->hashes == NULL)
        return EMBER_NOMEM;
    *l = bl;
    return EMBER_OK;
}

static int build_sink(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                      Chunk *in)
{
    JoinGlobal *jg = g;
    JoinBuildLocal *bl = l;
    uint32_t n = chunk_active(in);
    int nb = jg->n_build_cols;
    for (int i = 0; i < nb; i++)
        bl->tmp.cols[i] = in->cols[i];
    for (int i = 0; i < op->n_keys; i++) {
        Vector *v;
        int rc = expr_eval(tc, bl->keys[i], in, in->sel, n, &v);
        if (rc != EMBER_OK)
            return rc;
        bl->tmp.cols[nb + i] = *v;
        hash_vector(v, in->sel, n, bl->hashes, i == 0);
    }
    /* The hash column is dense (k-th active row); give it the chunk's
     * row positions so the selection applies to it like the others. */
    Vector *hv = &bl->tmp.cols[nb + op->n_keys];
    memset(hv, 0, sizeof(*hv));
    hv->type = type_make(TYPE_INT64);
    hv->phys = PHYS_I64;
    uint64_t scatter[VEC_SIZE];
    for (uint32_t k = 0; k < n; k++)
        scatter[sel_row(in->sel, k)] = bl->hashes[k];
    hv->data = scatter;
    bl->tmp.count = in->count;
    bl->tmp.sel = in->sel;
    bl->tmp.n_sel = in->n_sel;
    if (jg->n_shards == 0)
        return coll_append(&bl->rows, &bl->tmp);
    emutex_lock(&jg->shard_locks[bl->shard]);
    int rc = coll_append(&jg->shards[bl->shard], &bl->tmp);
    emutex_unlock(&jg->shard_locks[bl->shard]);
    return rc;
}

static int build_combine(ThreadCtx *tc, const PhysOp *op, void *g, void *l)
{
    UNUSED(tc);
    UNUSED(op);
    JoinGlobal *jg = g;
    JoinBuildLocal *bl = l;
    int rc = coll_absorb(&jg->build, &bl->rows);
    return rc;
}

static bool row_key_null(const Collection *c, int first_key, int n_keys,
                         uint64_t r)
{
    for (int i = 0; i < n_keys; i++) {
        const ColBuf *b = &c->cols[first_key + i];
        if (b->has_nulls && !((b->validity[r >> 6] >> (r & 63)) & 1))
            return true;
    }
    return false;
}

/* TUNING: with more buckets than this (512 KiB of heads) the table is
 * out of the L2 cache: the probe first prefetches every row's bucket,
 * then its chain entry, a chunk at a time, so the misses overlap instead
 * of stalling one after another. */
#define PREFETCH_BUCKETS (1u << 16)

static inline uint32_t hash_tag(uint64_t h)
{
    return 1u << (h >> 59);
}

static bool any_key_nulls(const JoinGlobal *jg, int n_keys)
{
    for (int i = 0; i < n_keys; i++)
        if (jg->build.cols[jg->n_build_cols + i].has_nulls)
            return true;
    return false;
}

/* Partition of hash h: the top bits of its bucket number. */
static inline uint32_t part_of(uint64_t h, uint64_t mask, int shift)
{
    return (uint32_t)((h & mask) >> shift);
}

/*
 * Fill `ent` with the rows with non-NULL keys, grouped by partition (see
 * the file comment): a counting sort, two sequential passes over the
 * hashes. Returns the number of entries.
 */
static uint64_t fill_entries(ExecCtx *cx, const PhysOp *op, JoinGlobal *jg,
                             uint64_t n, uint64_t cap)
{
    bool nulls = any_key_nulls(jg, op->n_keys);
    const uint64_t *hs = jg->hashes;
    int parts = cx->settings->hash_partitions;
    int bits = 0, shift = 0;
    while ((1ull << shift) < cap)
        shift++;
    while (parts > 1 && (1 << (bits + 1)) <= parts && bits + 1 < shift)
        bits++;
    shift -= bits;
    uint32_t np = 1u << bits;
    uint32_t start_buf[1025];
    uint32_t *start = start_buf;
    memset(start, 0, sizeof(uint32_t) * (np + 1));
    uint64_t m = 0;
    for (uint64_t r = 0; r < n; r++) {
        if (nulls &&
            row_key_null(&jg->build, jg->n_build_cols, op->n_keys, r)) {
            jg->has_null_key = true;
            continue;
        }
        start[part_of(hs[r], jg->mask, shift) + 1]++;
        m++;
    }
    for (uint32_t p = 0; p < np; p++)
        start[p + 1] += start[p];
    for (uint64_t r = 0; r < n; r++) {
        if (nulls &&
            row_key_null(&jg->build, jg->n_build_cols, op->n_keys, r))
            continue;
        JoinEntry *e = &jg->ent[start[part_of(hs[r], jg->mask, shift)]++];
        e->hash = hs[r];
        e->row = (uint32_t)r;
    }
    return m;
}

static int build_finalize(ExecCtx *cx, const PhysOp *op, void *g, int side)
{
    UNUSED(side);
    JoinGlobal *jg = g;
    for (int i = 0; i < jg->n_shards; i++)
        if (coll_absorb(&jg->build, &jg->shards[i]) != EMBER_OK)
            return EMBER_NOMEM;
    uint64_t n = jg->build.n_rows;
    if (n >= UINT32_MAX)
        return err_set(&cx->err, EMBER_ERROR, -1,
                       "hash join build side too large");
    uint64_t cap = 1024;
    while (cap < n * 2)
        cap *= 2;
    jg->mask = cap - 1;
    jg->heads = arena_calloc(cx->arena, sizeof(uint64_t) * cap);
    jg->ent = arena_alloc(cx->arena, sizeof(JoinEntry) * (n ? n : 1));
    if (jg->heads == NULL || jg->ent == NULL)
        return EMBER_NOMEM;
    int hcol = jg->n_build_cols + op->n_keys;
    jg->hashes = (uint64_t *)jg->build.cols[hcol].data;
    uint64_t m = fill_entries(cx, op, jg, n, cap);
    uint64_t *heads = jg->heads;
    JoinEntry *ent = jg->ent;
    uint64_t mask = jg->mask;
    for (uint64_t i = 0; i < m; i++) {
        uint64_t h = ent[i].hash;
        uint64_t *slot = &heads[h & mask];
        ent[i].next = (uint32_t)*slot;
        *slot = ((*slot | ((uint64_t)hash_tag(h) << 32)) &
                 ~(uint64_t)UINT32_MAX) |
                (i + 1);
    }
    if (is_outer_build(op->join)) {
        jg->matched = arena_calloc(cx->arena, n ? n : 1);
        if (jg->matched == NULL)
            return EMBER_NOMEM;
    }
    OpStats *st = &cx->stats[op->id];
    st->ht_entries = n;
    st->ht_capacity = cap;
    jg->finalized = true;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Probe side
 * ------------------------------------------------------------------------ */

static int probe_local(ThreadCtx *tc, const PhysOp *op, void *g, void **l)
{
    UNUSED(g);
    JoinProbeLocal *pl = arena_calloc(tc->arena, sizeof(*pl));
    if (pl == NULL)
        return EMBER_NOMEM;
    int rc = make_key_states(tc, op->probe_keys, op->n_keys, &pl->keys);
    if (rc != EMBER_OK)
        return rc;
    Arena *a = tc->arena;
    pl->keyv = arena_alloc(a, sizeof(Vector *) * (size_t)op->n_keys);
    pl->hashes = arena_alloc(a, sizeof(uint64_t) * VEC_SIZE);
    pl->cand = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    pl->rows = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    pl->act = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    pl->found = arena_alloc(a, VEC_SIZE);
    pl->null_key = arena_alloc(a, VEC_SIZE);
    pl->pair_k = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    pl->pair_b = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    pl->out_probe = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    pl->out_build = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    pl->sel = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    if (!pl->keyv || !pl->hashes || !pl->cand || !pl->rows || !pl->act ||
        !pl->found ||
        !pl->null_key || !pl->pair_k || !pl->pair_b || !pl->out_probe ||
        !pl->out_build || !pl->sel)
        return EMBER_NOMEM;
    if (op->residual) {
        int nc = op->child[0]->n_cols + op->child[1]->n_cols;
        Type *t = arena_alloc(a, sizeof(Type) * (size_t)nc);
        if (t == NULL)
            return EMBER_NOMEM;
        memcpy(t, op->child[0]->types,
               sizeof(Type) * (size_t)op->child[0]->n_cols);
        memcpy(t + op->child[0]->n_cols, op->child[1]->types,
               sizeof(Type) * (size_t)op->child[1]->n_cols);
        rc = chunk_init(&pl->joined, nc, t, a);
        if (rc == EMBER_OK)
            rc = expr_state_make(tc, a, op->residual, &pl->residual);
        if (rc != EMBER_OK)
            return rc;
    }
    *l = pl;
    return EMBER_OK;
}

/* Hash the probe keys and find each active row's chain head. */
static int probe_start(ThreadCtx *tc, const PhysOp *op, JoinGlobal *jg,
                       JoinProbeLocal *pl, Chunk *in)
{
    uint32_t n = chunk_active(in);
    bool nulls = false;
    for (int i = 0; i < op->n_keys; i++) {
        int rc = expr_eval(tc, pl->keys[i], in, in->sel, n, &pl->keyv[i]);
        if (rc != EMBER_OK)
            return rc;
        hash_vector(pl->keyv[i], in->sel, n, pl->hashes, i == 0);
        nulls |= pl->keyv[i]->has_nulls;
    }
    memset(pl->found, 0, n);
    memset(pl->null_key, 0, n);
    for (uint32_t k = 0; k < n; k++)
        pl->rows[k] = (SelIdx)sel_row(in->sel, k);
    if (nulls)
        for (uint32_t k = 0; k < n; k++)
            for (int i = 0; i < op->n_keys; i++)
                if (!vec_valid(pl->keyv[i], pl->rows[k]))
                    pl->null_key[k] = 1;
    const uint64_t *heads = jg->heads;
    const uint64_t *ph = pl->hashes;
    const uint8_t *nk = pl->null_key;
    uint64_t mask = jg->mask;
    uint32_t *cand = pl->cand;
    uint32_t *act = pl->act;
    uint32_t na = 0;
    if (mask >= PREFETCH_BUCKETS)
        for (uint32_t k = 0; k < n; k++)
            __builtin_prefetch(&heads[ph[k] & mask]);
    for (uint32_t k = 0; k < n; k++) {
        uint64_t h = ph[k];
        uint64_t slot = heads[h & mask];
        uint32_t hit = ((uint32_t)(slot >> 32) & hash_tag(h)) != 0 && !nk[k];
        uint32_t c = (uint32_t)slot & (0u - hit);
        cand[k] = c;
        act[na] = k;
        na += c != 0;
    }
    pl->n_act = na;
    pl->n_rows = n;
    pl->n_out = 0;
    pl->started = true;
    pl->tail_done = false;
    return EMBER_OK;
}

#define KEY_CMP_LOOP(T, EQ)                                                \
    do {                                                                   \
        const T *pv = (const T *)pv_->data;                                \
        const T *bv = (const T *)bb->data;                                 \
        for (uint32_t i = 0; i < m; i++) {                                 \
            uint32_t pr = pv_->is_const ? 0 : pl->rows[pl->pair_k[i]];     \
            pl->pair_k[o] = pl->pair_k[i];                                 \
            pl->pair_b[o] = pl->pair_b[i];                                 \
            o += (EQ);                                                     \
        }                                                                  \
    } while (0)

/* Keep the candidate pairs whose key column `key` is equal. */
static uint32_t filter_key(const PhysOp *op, JoinGlobal *jg,
                           JoinProbeLocal *pl, int key, uint32_t m)
{
    const Vector *pv_ = pl->keyv[key];
    const ColBuf *bb = &jg->build.cols[jg->n_build_cols + key];
    uint32_t o = 0;
    UNUSED(op);
    switch ((PhysType)pv_->phys) {
    case PHYS_U8:
        KEY_CMP_LOOP(uint8_t, pv[pr] == bv[pl->pair_b[i]]);
        break;
    case PHYS_I32:
        KEY_CMP_LOOP(int32_t, pv[pr] == bv[pl->pair_b[i]]);
        break;
    case PHYS_I64:
        KEY_CMP_LOOP(int64_t, pv[pr] == bv[pl->pair_b[i]]);
        break;
    case PHYS_F64:
        KEY_CMP_LOOP(double, f64_cmp(pv[pr], bv[pl->pair_b[i]]) == 0);
        break;
    case PHYS_STR:
        KEY_CMP_LOOP(Str, str_eq(&pv[pr], &bv[pl->pair_b[i]]));
        break;
    }
    return o;
}

/* Fill `joined` with probe and build columns of the pairs [0, m). */
static void gather_pairs(const PhysOp *op, JoinGlobal *jg, Chunk *in,
                         const SelIdx *probe_rows, const uint32_t *build_rows,
                         uint32_t m, Chunk *out, bool with_build)
{
    int np = op->child[0]->n_cols;
    for (int i = 0; i < np; i++) {
        out->cols[i].has_nulls = false;
        vector_gather(&out->cols[i], 0, &in->cols[i], probe_rows, m, NULL);
        out->cols[i].str_stable = in->cols[i].str_stable;
    }
    if (!with_build)
        return;
    for (int i = 0; i < jg->n_build_cols; i++) {
        Vector *v = &out->cols[np + i];
        const ColBuf *b = &jg->build.cols[i];
        vector_gather_ids(v, b->data, b->has_nulls ? b->validity : NULL,
                          jg->build.types[i], build_rows, m);
        v->str_stable = true;
    }
}

/* Residual predicate over candidate pairs [0, m): keeps passing pairs. */
static int filter_residual(ThreadCtx *tc, const PhysOp *op, JoinGlobal *jg,
                           JoinProbeLocal *pl, Chunk *in, uint32_t m,
                           uint32_t *kept)
{
    SelIdx prow[VEC_SIZE];
    for (uint32_t i = 0; i < m; i++)
        prow[i] = pl->rows[pl->pair_k[i]];
    gather_pairs(op, jg, in, prow, pl->pair_b, m, &pl->joined, true);
    pl->joined.count = m;
    pl->joined.sel = NULL;
    uint32_t n;
    int rc = expr_select(tc, pl->residual, &pl->joined, NULL, m, pl->sel, &n);
    if (rc != EMBER_OK)
        return rc;
    for (uint32_t i = 0; i < n; i++) {
        pl->pair_k[i] = pl->pair_k[pl->sel[i]];
        pl->pair_b[i] = pl->pair_b[pl->sel[i]];
    }
    *kept = n;
    return EMBER_OK;
}

/* One round: candidates with equal hash and keys among current chain
 * positions; then advance the chains. Returns matches in pair_k/pair_b. */
static int probe_round(ThreadCtx *tc, const PhysOp *op, JoinGlobal *jg,
                       JoinProbeLocal *pl, Chunk *in, uint32_t *n_match)
{
    const JoinEntry *ent = jg->ent;
    const uint64_t *ph = pl->hashes;
    uint32_t *cand = pl->cand;
    uint32_t *act = pl->act;
    uint32_t *pk = pl->pair_k;
    uint32_t *pb = pl->pair_b;
    uint32_t m = 0;
    uint32_t na = 0;
    uint32_t n_act = pl->n_act;
    if (jg->mask >= PREFETCH_BUCKETS)
        for (uint32_t j = 0; j < n_act; j++)
            __builtin_prefetch(&ent[cand[act[j]] - 1]);
    for (uint32_t j = 0; j < n_act; j++) {
        uint32_t k = act[j];
        const JoinEntry *e = &ent[cand[k] - 1];
        pk[m] = k;
        pb[m] = e->row;
        m += e->hash == ph[k];
        uint32_t c = e->next;
        cand[k] = c;
        act[na] = k;
        na += c != 0;
    }
    pl->n_act = na;
    for (int i = 0; i < op->n_keys && m > 0; i++)
        m = filter_key(op, jg, pl, i, m);
    if (op->residual && m > 0) {
        int rc = filter_residual(tc, op, jg, pl, in, m, &m);
        if (rc != EMBER_OK)
            return rc;
    }
    *n_match = m;
    return EMBER_OK;
}

static bool chains_left(const JoinProbeLocal *pl)
{
    return pl->n_act > 0;
}

static void emit_pairs(const PhysOp *op, JoinGlobal *jg, JoinProbeLocal *pl,
                       Chunk *in, Chunk *out)
{
    gather_pairs(op, jg, in, pl->out_probe, pl->out_build, pl->n_out, out,
                 true);
    out->count = pl->n_out;
    out->sel = NULL;
    pl->n_out = 0;
}

/* INNER / LEFT / RIGHT / FULL / SINGLE: produce joined rows. */
static int probe_pairs(ThreadCtx *tc, const PhysOp *op, JoinGlobal *jg,
                       JoinProbeLocal *pl, Chunk *in, Chunk *out,
                       OpResult *res)
{
    while (chains_left(pl)) {
        uint32_t m;
        int rc = probe_round(tc, op, jg, pl, in, &m);
        if (rc != EMBER_OK)
            return rc;
        for (uint32_t i = 0; i < m; i++) {
            uint32_t k = pl->pair_k[i];
            if (op->join == JT_SINGLE && pl->found[k])
                return err_set(&tc->err, EMBER_ERROR, -1,
                               "more than one row returned by a subquery "
                               "used as an expression");
            pl->found[k] = 1;
            if (jg->matched)   /* several probe threads: relaxed store */
                __atomic_store_n(&jg->matched[pl->pair_b[i]], 1,
                                 __ATOMIC_RELAXED);
            pl->out_probe[pl->n_out] = pl->rows[k];
            pl->out_build[pl->n_out] = pl->pair_b[i];
            pl->n_out++;
        }
        /* stop while another full round could overflow the buffer */
        if (pl->n_out + pl->n_act > VEC_SIZE && chains_left(pl)) {
            emit_pairs(op, jg, pl, in, out);
            *res = OP_HAVE_MORE;
            return EMBER_OK;
        }
    }
    if (pl->n_out > 0 && op->join != JT_LEFT && op->join != JT_FULL &&
        op->join != JT_SINGLE) {
        emit_pairs(op, jg, pl, in, out);
        pl->started = false;
        *res = OP_NEED_INPUT;
        return EMBER_OK;
    }
    if (op->join == JT_LEFT || op->join == JT_FULL || op->join == JT_SINGLE) {
        if (pl->n_out > 0) {
            emit_pairs(op, jg, pl, in, out);
            *res = OP_HAVE_MORE;
            return EMBER_OK;
        }
        /* unmatched probe rows with NULL build columns */
        uint32_t u = 0;
        for (uint32_t k = 0; k < pl->n_rows; k++)
            if (!pl->found[k])
                pl->out_probe[u++] = pl->rows[k];
        gather_pairs(op, jg, in, pl->out_probe, NULL, u, out, false);
        int np = op->child[0]->n_cols;
        for (int i = 0; i < jg->n_build_cols; i++) {
            Vector *v = &out->cols[np + i];
            for (uint32_t k = 0; k < u; k++)
                vector_set_null(v, k);
        }
        out->count = u;
        out->sel = NULL;
    }
    pl->started = false;
    *res = OP_NEED_INPUT;
    return EMBER_OK;
}

/* RIGHT_SEMI / RIGHT_ANTI: mark the build rows a probe row matches; the
 * flush emits the marked (or the unmarked) ones. */
static int probe_mark(ThreadCtx *tc, const PhysOp *op, JoinGlobal *jg,
                      JoinProbeLocal *pl, Chunk *in, Chunk *out)
{
    while (chains_left(pl)) {
        uint32_t m;
        int rc = probe_round(tc, op, jg, pl, in, &m);
        if (rc != EMBER_OK)
            return rc;
        for (uint32_t i = 0; i < m; i++)   /* several threads: relaxed */
            __atomic_store_n(&jg->matched[pl->pair_b[i]], 1,
                             __ATOMIC_RELAXED);
    }
    out->count = 0;
    out->sel = NULL;
    return EMBER_OK;
}

/* SEMI / ANTI / ANTI_NULL / MARK: decide each probe row. */
static int probe_exists(ThreadCtx *tc, const PhysOp *op, JoinGlobal *jg,
                        JoinProbeLocal *pl, Chunk *in, Chunk *out)
{
    while (chains_left(pl)) {
        uint32_t m;
        int rc = probe_round(tc, op, jg, pl, in, &m);
        if (rc != EMBER_OK)
            return rc;
        for (uint32_t i = 0; i < m; i++)
            pl->found[pl->pair_k[i]] = 1;
        if (m > 0) {              /* one match decides the row */
            uint32_t na = 0;
            for (uint32_t j = 0; j < pl->n_act; j++) {
                uint32_t k = pl->act[j];
                pl->act[na] = k;
                na += !pl->found[k];
            }
            pl->n_act = na;
        }
    }
    bool empty = jg->build.n_rows == 0;
    int np = op->child[0]->n_cols;
    for (int i = 0; i < np; i++)
        out->cols[i] = in->cols[i];
    out->count = in->count;
    if (op->join == JT_MARK) {
        Vector *mv = &out->cols[np];
        mv->has_nulls = false;
        mv->is_const = false;
        for (uint32_t k = 0; k < pl->n_rows; k++) {
            uint32_t r = pl->rows[k];
            bool unknown = !pl->found[k] && !empty &&
                           (pl->null_key[k] || jg->has_null_key);
            if (unknown) {
                vector_set_null(mv, r);
                continue;
            }
            VEC_U8(mv)[r] = pl->found[k];
            if (mv->has_nulls)
                validity_set(mv->validity, r, true);
        }
        out->sel = in->sel;
        out->n_sel = in->n_sel;
        return EMBER_OK;
    }
    uint32_t o = 0;
    for (uint32_t k = 0; k < pl->n_rows; k++) {
        bool keep;
        if (op->join == JT_SEMI)
            keep = pl->found[k];
        else if (op->join == JT_ANTI)
            keep = !pl->found[k];
        else    /* ANTI_NULL: NOT IN */
            keep = empty || (!pl->found[k] && !pl->null_key[k] &&
                             !jg->has_null_key);
        pl->sel[o] = pl->rows[k];
        o += keep;
    }
    out->sel = pl->sel;
    out->n_sel = o;
    return EMBER_OK;
}

static int probe_exec(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                      Chunk *in, Chunk *out, OpResult *res)
{
    JoinGlobal *jg = g;
    JoinProbeLocal *pl = l;
    *res = OP_NEED_INPUT;
    if (!pl->started) {
        int rc = probe_start(tc, op, jg, pl, in);
        if (rc != EMBER_OK)
            return rc;
    }
    switch (op->join) {
    case JT_SEMI:
    case JT_ANTI:
    case JT_ANTI_NULL:
    case JT_MARK: {
        int rc = probe_exists(tc, op, jg, pl, in, out);
        pl->started = false;
        return rc;
    }
    case JT_RIGHT_SEMI:
    case JT_RIGHT_ANTI: {
        int rc = probe_mark(tc, op, jg, pl, in, out);
        pl->started = false;
        return rc;
    }
    default:
        return probe_pairs(tc, op, jg, pl, in, out, res);
    }
}

/* RIGHT / FULL: emit build rows nobody matched, probe columns NULL.
 * RIGHT_SEMI: the build rows somebody matched; RIGHT_ANTI: the others
 * (build columns only). */
static int probe_flush(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                       Chunk *out)
{
    UNUSED(tc);
    UNUSED(l);
    JoinGlobal *jg = g;
    if (!is_outer_build(op->join)) {
        out->count = 0;
        return EMBER_OK;
    }
    uint32_t ids[VEC_SIZE];
    uint32_t m = 0;
    uint8_t want = op->join == JT_RIGHT_SEMI;
    while (jg->flush_pos < jg->build.n_rows && m < VEC_SIZE) {
        uint64_t r = jg->flush_pos++;
        ids[m] = (uint32_t)r;
        m += jg->matched[r] == want;
    }
    int np = is_build_only(op->join) ? 0 : op->child[0]->n_cols;
    for (int i = 0; i < np; i++) {
        out->cols[i].has_nulls = false;
        for (uint32_t k = 0; k < m; k++)
            vector_set_null(&out->cols[i], k);
    }
    for (int i = 0; i < jg->n_build_cols; i++) {
        const ColBuf *b = &jg->build.cols[i];
        vector_gather_ids(&out->cols[np + i], b->data,
                          b->has_nulls ? b->validity : NULL,
                          jg->build.types[i], ids, m);
        out->cols[np + i].str_stable = true;
    }
    out->count = m;
    out->sel = NULL;
    return EMBER_OK;
}

const OpImpl op_hash_join_impl = {
    .name = "HashJoin",
    .init = join_init,
    .op_local = probe_local,
    .op_exec = probe_exec,
    .op_flush = probe_flush,
    .sink_local = build_local,
    .sink = build_sink,
    .combine = build_combine,
    .finalize = build_finalize,
};
