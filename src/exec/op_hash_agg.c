/*
 * op_hash_agg.c -- hash aggregation (GROUP BY, DISTINCT, plain aggregates).
 *
 * Sink: each thread keeps its own AggTable: a GroupTable of the group keys
 * plus, per aggregate, arrays of accumulators indexed by group id. A chunk
 * is processed in two vectorized steps: group ids for all active rows,
 * then one tight update loop per aggregate. Combine merges a thread's
 * table into the global one (the first thread simply hands its table
 * over). DISTINCT aggregates keep a GroupTable of (group id, value) and
 * update only on values not seen before; a pipeline feeding them runs on
 * one thread.
 *
 * Source: groups in order of first appearance, keys read from the table
 * and aggregates finalized into the output chunk.
 *
 * Accumulators: integer and decimal SUM/AVG add into 128-bit integers and
 * check the range once at the end; doubles add in double; MIN/MAX keep the
 * value and a count (count 0 means no value yet).
 */
#include "exec/group_table.h"
#include "exec/meter.h"

typedef enum AccKind {
    ACC_NONE,                 /* count only */
    ACC_I128,
    ACC_F64,
    ACC_VAL,                  /* a value of the argument's type */
    ACC_STRAGG,
    ACC_BOOL,
} AccKind;

typedef struct AggArr {
    void *acc;
    int64_t *cnt;
} AggArr;

/* STRING_AGG accumulator: a buffer in the table's arena, doubled as it
 * fills (the old one stays in the arena). */
typedef struct StrAcc {
    char *buf;
    uint32_t len;
    uint32_t cap;
} StrAcc;

typedef struct AggTable {
    GroupTable gt;
    AggArr *arr;
    GroupTable **distinct;    /* per aggregate, or NULL */
    uint64_t cap;             /* groups with room in the arrays */
    Arena *arena;
} AggTable;

typedef struct AggGlobal {
    AggTable *table;          /* merged result */
    /* lock_shards > 0: tables shared by the threads, thread w adding to
     * shard w % n_shards under that shard's lock (the contention knob);
     * 0: a table per thread, merged on combine */
    AggTable **shards;
    EmberMutex *shard_locks;
    int n_shards;
    uint64_t next_out;        /* source position */
    Str *seps;                /* STRING_AGG separators */
} AggGlobal;

typedef struct AggLocal {
    AggTable *table;
    int shard;                /* lock_shards > 0: index of `table` */
    ExprState **groups;
    ExprState **args;
    ExprState **filters;
    Vector **keyv;
    uint32_t *gids;
    uint8_t *is_new;
    SelIdx *fsel;
    uint32_t *dgids;
} AggLocal;

static AccKind acc_kind(const AggCall *ag)
{
    switch (ag->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        return ACC_NONE;
    case AGG_SUM:
    case AGG_AVG:
        return ag->arg->type.id == TYPE_DOUBLE ? ACC_F64 : ACC_I128;
    case AGG_TOTAL:
        return ACC_F64;
    case AGG_STRING_AGG:
        return ACC_STRAGG;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        return ACC_BOOL;
    case AGG_MIN:
    case AGG_MAX:
    case AGG_ANY_VALUE:
        return ACC_VAL;
    }
    return ACC_NONE;
}

static size_t acc_width(const AggCall *ag)
{
    switch (acc_kind(ag)) {
    case ACC_NONE:
        return 0;
    case ACC_I128:
        return sizeof(__int128);
    case ACC_F64:
        return sizeof(double);
    case ACC_VAL:
        return type_width(ag->arg->type);
    case ACC_STRAGG:
        return sizeof(StrAcc);
    case ACC_BOOL:
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------ */

static int grow_states(const PhysOp *op, AggTable *t, uint64_t need)
{
    if (need <= t->cap)
        return EMBER_OK;
    uint64_t cap = t->cap ? t->cap : 64;
    while (cap < need)
        cap *= 2;
    for (int i = 0; i < op->n_aggs; i++) {
        AggArr *a = &t->arr[i];
        size_t w = acc_width(&op->aggs[i]);
        if (w) {
            a->acc = arena_realloc(t->arena, a->acc, t->cap * w, cap * w);
            if (a->acc == NULL)
                return EMBER_NOMEM;
        }
        a->cnt = arena_realloc(t->arena, a->cnt, t->cap * 8, cap * 8);
        if (a->cnt == NULL)
            return EMBER_NOMEM;
    }
    t->cap = cap;
    return EMBER_OK;
}

/* Zero the states of groups [from, to). */
static void clear_states(const PhysOp *op, AggTable *t, uint64_t from,
                         uint64_t to)
{
    for (int i = 0; i < op->n_aggs; i++) {
        AggArr *a = &t->arr[i];
        size_t w = acc_width(&op->aggs[i]);
        if (w)
            memset((char *)a->acc + from * w, 0, (to - from) * w);
        memset(a->cnt + from, 0, (to - from) * 8);
    }
}

static int table_make(const PhysOp *op, Arena *a, MemCache *mc,
                      AggTable **out)
{
    AggTable *t = arena_calloc(a, sizeof(*t));
    if (t == NULL)
        return EMBER_NOMEM;
    t->arena = a;
    Type *kt = arena_alloc(a, sizeof(Type) * (size_t)(op->n_groups + 1));
    t->arr = arena_calloc(a, sizeof(AggArr) * (size_t)(op->n_aggs + 1));
    t->distinct = arena_calloc(a, sizeof(GroupTable *) *
                                      (size_t)(op->n_aggs + 1));
    if (kt == NULL || t->arr == NULL || t->distinct == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_groups; i++)
        kt[i] = op->groups[i]->type;
    uint64_t est = op->est_rows > 0 && op->est_rows < 1e9
                       ? (uint64_t)op->est_rows
                       : 1024;
    int rc = gt_init(&t->gt, op->n_groups, kt, a, mc, op->n_groups ? est : 1);
    if (rc != EMBER_OK)
        return rc;
    for (int i = 0; i < op->n_aggs; i++) {
        if (!op->aggs[i].distinct)
            continue;
        Type dt[2] = {type_make(TYPE_INT64), op->aggs[i].arg->type};
        t->distinct[i] = arena_alloc(a, sizeof(GroupTable));
        if (t->distinct[i] == NULL)
            return EMBER_NOMEM;
        rc = gt_init(t->distinct[i], 2, dt, a, mc, est);
        if (rc != EMBER_OK)
            return rc;
    }
    rc = grow_states(op, t, 64);
    if (rc != EMBER_OK)
        return rc;
    if (op->n_groups == 0) {
        /* one group always exists, even for empty input */
        uint32_t gid;
        rc = gt_find_or_insert(&t->gt, NULL, NULL, 1, &gid, NULL);
        clear_states(op, t, 0, 1);
    }
    *out = t;
    return rc;
}

static void destroy_shard_locks(void *arg)
{
    AggGlobal *ag = arg;
    for (int i = 0; i < ag->n_shards; i++)
        emutex_destroy(&ag->shard_locks[i]);
}

/* lock_shards > 0: the shared tables, each in an arena of its own (its
 * lock serializes the allocations). */
static int make_shards(ExecCtx *cx, const PhysOp *op, AggGlobal *ag)
{
    int n = cx->settings->lock_shards;
    if (n <= 0)
        return EMBER_OK;
    ag->shards = arena_calloc(cx->arena, sizeof(AggTable *) * (size_t)n);
    ag->shard_locks = arena_alloc(cx->arena, sizeof(EmberMutex) * (size_t)n);
    if (ag->shards == NULL || ag->shard_locks == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < n; i++) {
        Arena *a = memcache_arena(cx->mc, "agg shard",
                                  cx->settings->arena ? ARENA_RESERVE
                                                      : ARENA_MALLOC);
        if (a == NULL || exec_own_arena(cx, a) != EMBER_OK)
            return EMBER_NOMEM;
        int rc = table_make(op, a, cx->mc, &ag->shards[i]);
        if (rc != EMBER_OK)
            return rc;
        emutex_init(&ag->shard_locks[i], LOCK_AGG_SHARD);
        ag->n_shards = i + 1;
    }
    return arena_add_cleanup(cx->arena, destroy_shard_locks, ag);
}

static int agg_init(ExecCtx *cx, const PhysOp *op, void **g)
{
    AggGlobal *ag = arena_calloc(cx->arena, sizeof(*ag));
    if (ag == NULL)
        return EMBER_NOMEM;
    ag->seps = arena_calloc(cx->arena, sizeof(Str) * (size_t)(op->n_aggs + 1));
    if (ag->seps == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_aggs; i++) {
        const Expr *s = op->aggs[i].sep;
        ag->seps[i] = str_make(",", 1);
        if (s && s->kind == EXPR_CONST && !s->val.is_null)
            ag->seps[i] = s->val.v.s;
    }
    *g = ag;
    return make_shards(cx, op, ag);
}

/* ------------------------------------------------------------------------
 * Updates
 * ------------------------------------------------------------------------ */

static int straggr_append(AggTable *t, AggArr *a, uint64_t g, Str sep,
                          const char *v, uint32_t n)
{
    StrAcc *acc = &((StrAcc *)a->acc)[g];
    uint32_t add = n + (a->cnt[g] ? sep.len : 0);
    if (acc->len + add > acc->cap) {
        uint32_t cap = acc->cap ? acc->cap * 2 : 32;
        while (cap < acc->len + add)
            cap *= 2;
        char *p = arena_alloc(t->arena, cap);
        if (p == NULL)
            return EMBER_NOMEM;
        if (acc->len)
            memcpy(p, acc->buf, acc->len);
        acc->buf = p;
        acc->cap = cap;
    }
    if (a->cnt[g]) {
        memcpy(acc->buf + acc->len, str_data(&sep), sep.len);
        acc->len += sep.len;
    }
    memcpy(acc->buf + acc->len, v, n);
    acc->len += n;
    return EMBER_OK;
}

#define UPD_LOOP(BODY)                                                     \
    for (uint32_t k = 0; k < n; k++) {                                     \
        uint32_t r = sel_row(sel, k);                                      \
        uint32_t vr = v->is_const ? 0 : r;                                 \
        if (v->has_nulls && !vec_valid(v, vr))                             \
            continue;                                                      \
        uint64_t g = gids[k];                                              \
        BODY;                                                              \
    }

static void upd_sum_i128(AggArr *a, const Vector *v, const SelIdx *sel,
                         uint32_t n, const uint32_t *gids)
{
    __int128 *acc = a->acc;
    int64_t *cnt = a->cnt;
    if (v->phys == PHYS_I32) {
        const int32_t *d = VEC_I32(v);
        UPD_LOOP(acc[g] += d[vr]; cnt[g]++);
    } else {
        const int64_t *d = VEC_I64(v);
        UPD_LOOP(acc[g] += d[vr]; cnt[g]++);
    }
}

static void upd_sum_f64(AggArr *a, const Vector *v, const SelIdx *sel,
                        uint32_t n, const uint32_t *gids)
{
    double *acc = a->acc;
    int64_t *cnt = a->cnt;
    switch ((PhysType)v->phys) {
    case PHYS_F64: {
        const double *d = VEC_F64(v);
        UPD_LOOP(acc[g] += d[vr]; cnt[g]++);
        break;
    }
    case PHYS_I32: {
        const int32_t *d = VEC_I32(v);
        UPD_LOOP(acc[g] += d[vr]; cnt[g]++);
        break;
    }
    case PHYS_I64: {
        const int64_t *d = VEC_I64(v);
        double scale = v->type.id == TYPE_DECIMAL
                           ? (double)pow10_i64[v->type.scale]
                           : 1.0;
        UPD_LOOP(acc[g] += (double)d[vr] / scale; cnt[g]++);
        break;
    }
    default:
        break;
    }
}

#define MINMAX_LOOP(T, LESS)                                               \
    do {                                                                   \
        T *acc = a->acc;                                                   \
        const T *d = (const T *)v->data;                                   \
        UPD_LOOP(if (cnt[g] == 0 || (is_min ? LESS(d[vr], acc[g])          \
                                            : LESS(acc[g], d[vr])))        \
                     acc[g] = d[vr];                                       \
                 cnt[g]++);                                                \
    } while (0)

#define NUM_LESS(x, y) ((x) < (y))
#define STR_LESS(x, y) (str_cmp(&(x), &(y)) < 0)

static int upd_minmax(AggTable *t, AggArr *a, const Vector *v,
                      const SelIdx *sel, uint32_t n, const uint32_t *gids,
                      bool is_min)
{
    int64_t *cnt = a->cnt;
    switch ((PhysType)v->phys) {
    case PHYS_U8:
        MINMAX_LOOP(uint8_t, NUM_LESS);
        break;
    case PHYS_I32:
        MINMAX_LOOP(int32_t, NUM_LESS);
        break;
    case PHYS_I64:
        MINMAX_LOOP(int64_t, NUM_LESS);
        break;
    case PHYS_F64:
        MINMAX_LOOP(double, f64_lt);   /* NaN largest (util.h) */
        break;
    case PHYS_STR: {
        Str *acc = a->acc;
        const Str *d = VEC_STR(v);
        UPD_LOOP(if (cnt[g] == 0 || (is_min ? STR_LESS(d[vr], acc[g])
                                            : STR_LESS(acc[g], d[vr]))) {
            acc[g] = v->str_stable || d[vr].len <= STR_INLINE
                         ? d[vr]
                         : str_copy(t->arena, d[vr].u.ptr, d[vr].len);
        } cnt[g]++);
        if (arena_failed(t->arena))
            return EMBER_NOMEM;
        break;
    }
    }
    return EMBER_OK;
}

static int upd_other(AggTable *t, const AggCall *ag, AggArr *a, Str sep,
                     const Vector *v, const SelIdx *sel, uint32_t n,
                     const uint32_t *gids)
{
    int64_t *cnt = a->cnt;
    switch (ag->kind) {
    case AGG_STRING_AGG: {
        const Str *d = VEC_STR(v);
        UPD_LOOP(if (straggr_append(t, a, g, sep, str_data(&d[vr]),
                                    d[vr].len) != EMBER_OK)
                     return EMBER_NOMEM;
                 cnt[g]++);
        break;
    }
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: {
        uint8_t *acc = a->acc;
        const uint8_t *d = VEC_U8(v);
        bool is_and = ag->kind == AGG_BOOL_AND;
        UPD_LOOP(if (cnt[g] == 0) acc[g] = d[vr];
                 else if (is_and) acc[g] &= d[vr]; else acc[g] |= d[vr];
                 cnt[g]++);
        break;
    }
    case AGG_ANY_VALUE: {
        size_t w = type_width(v->type);
        UPD_LOOP(if (cnt[g] == 0) memcpy((char *)a->acc + g * w,
                                         (const char *)v->data + vr * w, w);
                 cnt[g]++);
        break;
    }
    default:
        break;
    }
    return EMBER_OK;
}

/* Fold rows (sel/n, group ids) of argument vector v into aggregate i. */
static int update_agg(AggTable *t, const AggCall *ag, AggArr *a, Str sep,
                      const Vector *v, const SelIdx *sel, uint32_t n,
                      const uint32_t *gids)
{
    switch (ag->kind) {
    case AGG_COUNT_STAR:
        for (uint32_t k = 0; k < n; k++)
            a->cnt[gids[k]]++;
        return EMBER_OK;
    case AGG_COUNT: {
        int64_t *cnt = a->cnt;
        UPD_LOOP(cnt[g]++);
        return EMBER_OK;
    }
    case AGG_SUM:
    case AGG_AVG:
    case AGG_TOTAL:
        if (acc_kind(ag) == ACC_I128)
            upd_sum_i128(a, v, sel, n, gids);
        else
            upd_sum_f64(a, v, sel, n, gids);
        return EMBER_OK;
    case AGG_MIN:
    case AGG_MAX:
        return upd_minmax(t, a, v, sel, n, gids, ag->kind == AGG_MIN);
    default:
        return upd_other(t, ag, a, sep, v, sel, n, gids);
    }
}

/* ------------------------------------------------------------------------
 * Sink
 * ------------------------------------------------------------------------ */

static int make_states(ThreadCtx *tc, Expr **es, int n, ExprState ***out)
{
    ExprState **s = arena_calloc(tc->arena, sizeof(ExprState *) *
                                                (size_t)(n + 1));
    if (s == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < n; i++) {
        int rc = expr_state_make(tc, tc->arena, es[i], &s[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    *out = s;
    return EMBER_OK;
}

static int agg_sink_local(ThreadCtx *tc, const PhysOp *op, void *g, int side,
                          void **l)
{
    UNUSED(side);
    AggGlobal *ag = g;
    Arena *a = tc->arena;
    AggLocal *al = arena_calloc(a, sizeof(*al));
    if (al == NULL)
        return EMBER_NOMEM;
    int rc = EMBER_OK;
    if (ag->n_shards > 0) {
        al->shard = tc->worker % ag->n_shards;
        al->table = ag->shards[al->shard];
    } else {
        rc = table_make(op, a, tc->cx->mc, &al->table);
    }
    if (rc == EMBER_OK)
        rc = make_states(tc, op->groups, op->n_groups, &al->groups);
    if (rc != EMBER_OK)
        return rc;
    Expr **args = arena_calloc(a, sizeof(Expr *) * (size_t)(op->n_aggs + 1));
    Expr **filt = arena_calloc(a, sizeof(Expr *) * (size_t)(op->n_aggs + 1));
    if (args == NULL || filt == NULL)
        return EMBER_NOMEM;
    for (int i = 0; i < op->n_aggs; i++) {
        args[i] = op->aggs[i].arg;
        filt[i] = op->aggs[i].filter;
    }
    rc = make_states(tc, args, op->n_aggs, &al->args);
    if (rc == EMBER_OK)
        rc = make_states(tc, filt, op->n_aggs, &al->filters);
    if (rc != EMBER_OK)
        return rc;
    al->keyv = arena_alloc(a, sizeof(Vector *) * (size_t)(op->n_groups + 1));
    al->gids = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    al->is_new = arena_alloc(a, VEC_SIZE);
    al->fsel = arena_alloc(a, sizeof(SelIdx) * VEC_SIZE);
    al->dgids = arena_alloc(a, sizeof(uint32_t) * VEC_SIZE);
    if (!al->keyv || !al->gids || !al->is_new || !al->fsel || !al->dgids)
        return EMBER_NOMEM;
    *l = al;
    return EMBER_OK;
}

/* Rows (sel/n with gids) of a DISTINCT aggregate: keep first sightings. */
static int distinct_filter(AggLocal *al, GroupTable *dt, Vector *v,
                           const SelIdx *sel, uint32_t n, uint32_t *gids,
                           SelIdx *out_sel, uint32_t *out_gids, uint32_t *m)
{
    int64_t gid_buf[VEC_SIZE];
    Vector gv;
    memset(&gv, 0, sizeof(gv));
    gv.type = type_make(TYPE_INT64);
    gv.phys = PHYS_I64;
    gv.data = gid_buf;
    for (uint32_t k = 0; k < n; k++)
        gid_buf[sel_row(sel, k)] = gids[k];
    Vector *keys[2] = {&gv, v};
    int rc = gt_find_or_insert(dt, keys, sel, n, al->dgids, al->is_new);
    if (rc != EMBER_OK)
        return rc;
    uint32_t o = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!al->is_new[k] || !vec_valid(v, v->is_const ? 0 : r))
            continue;
        out_sel[o] = (SelIdx)r;
        out_gids[o] = gids[k];
        o++;
    }
    *m = o;
    return EMBER_OK;
}

static int sink_rows(ThreadCtx *tc, const PhysOp *op, AggGlobal *ag,
                     AggLocal *al, Chunk *in);

static int agg_sink(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                    Chunk *in)
{
    AggGlobal *ag = g;
    AggLocal *al = l;
    if (ag->n_shards == 0)
        return sink_rows(tc, op, ag, al, in);
    emutex_lock(&ag->shard_locks[al->shard]);
    /* the shard's arena is the operator's memory too (read under the
     * lock that serializes it) */
    const Arena *sa = ag->shards[al->shard]->arena;
    size_t used0 = arena_used(sa);
    int rc = sink_rows(tc, op, ag, al, in);
    if (PROFILING(tc->cx))
        tc->stats[op->id].mem_bytes += arena_grew(sa, used0);
    emutex_unlock(&ag->shard_locks[al->shard]);
    return rc;
}

/* Fold a chunk into al->table (the thread's, or a shard under its lock). */
static int sink_rows(ThreadCtx *tc, const PhysOp *op, AggGlobal *ag,
                     AggLocal *al, Chunk *in)
{
    AggTable *t = al->table;
    uint32_t n = chunk_active(in);
    for (int i = 0; i < op->n_groups; i++) {
        int rc = expr_eval(tc, al->groups[i], in, in->sel, n, &al->keyv[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    if (op->n_groups == 0) {
        memset(al->gids, 0, sizeof(uint32_t) * n);
    } else {
        uint64_t before = t->gt.n_groups;
        int rc = gt_find_or_insert(&t->gt, al->keyv, in->sel, n, al->gids,
                                   NULL);
        if (rc != EMBER_OK)
            return rc;
        if (t->gt.n_groups > before) {
            rc = grow_states(op, t, t->gt.n_groups);
            if (rc != EMBER_OK)
                return rc;
            clear_states(op, t, before, t->gt.n_groups);
        }
    }
    for (int i = 0; i < op->n_aggs; i++) {
        const AggCall *agc = &op->aggs[i];
        const SelIdx *sel = in->sel;
        uint32_t m = n;
        uint32_t *gids = al->gids;
        SelIdx fs[VEC_SIZE];
        uint32_t fg[VEC_SIZE];
        if (al->filters[i]) {
            int rc = expr_select(tc, al->filters[i], in, in->sel, n, fs, &m);
            if (rc != EMBER_OK)
                return rc;
            /* gids of the kept rows, in the same order */
            uint32_t j = 0;
            for (uint32_t k = 0; k < n && j < m; k++)
                if (sel_row(in->sel, k) == fs[j])
                    fg[j++] = al->gids[k];
            sel = fs;
            gids = fg;
        }
        Vector *v = NULL;
        if (agc->arg) {
            int rc = expr_eval(tc, al->args[i], in, sel, m, &v);
            if (rc != EMBER_OK)
                return rc;
        }
        if (agc->distinct) {
            uint32_t dm;
            int rc = distinct_filter(al, t->distinct[i], v, sel, m, gids,
                                     al->fsel, fg, &dm);
            if (rc != EMBER_OK)
                return rc;
            sel = al->fsel;
            gids = fg;
            m = dm;
        }
        int rc = update_agg(t, agc, &t->arr[i], ag->seps[i], v, sel, m,
                            gids);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

/* Merge the states of src group s into dst group d. */
static int merge_state(const PhysOp *op, AggTable *dst, uint64_t d,
                       const AggTable *src, uint64_t s, const Str *seps)
{
    for (int i = 0; i < op->n_aggs; i++) {
        const AggCall *ag = &op->aggs[i];
        AggArr *da = &dst->arr[i];
        const AggArr *sa = &src->arr[i];
        if (sa->cnt[s] == 0)
            continue;
        switch (acc_kind(ag)) {
        case ACC_I128:
            ((__int128 *)da->acc)[d] += ((const __int128 *)sa->acc)[s];
            break;
        case ACC_F64:
            ((double *)da->acc)[d] += ((const double *)sa->acc)[s];
            break;
        case ACC_VAL: {
            Vector v;
            memset(&v, 0, sizeof(v));
            v.type = ag->arg->type;
            v.phys = (uint8_t)type_phys(v.type);
            v.data = (char *)sa->acc + s * type_width(v.type);
            v.str_stable = true;
            uint32_t gid = (uint32_t)d;
            int64_t keep = da->cnt[d];
            if (ag->kind == AGG_ANY_VALUE) {
                if (keep == 0)
                    memcpy((char *)da->acc + d * type_width(v.type), v.data,
                           type_width(v.type));
            } else {
                int rc = upd_minmax(dst, da, &v, NULL, 1, &gid,
                                    ag->kind == AGG_MIN);
                if (rc != EMBER_OK)
                    return rc;
                da->cnt[d] = keep;
            }
            break;
        }
        case ACC_STRAGG: {
            const StrAcc *sv = &((const StrAcc *)sa->acc)[s];
            int64_t keep = da->cnt[d];
            if (straggr_append(dst, da, d, seps[i], sv->buf, sv->len) !=
                EMBER_OK)
                return EMBER_NOMEM;
            da->cnt[d] = keep;
            break;
        }
        case ACC_BOOL: {
            uint8_t *acc = da->acc;
            uint8_t sv = ((const uint8_t *)sa->acc)[s];
            if (da->cnt[d] == 0)
                acc[d] = sv;
            else if (ag->kind == AGG_BOOL_AND)
                acc[d] &= sv;
            else
                acc[d] |= sv;
            break;
        }
        case ACC_NONE:
            break;
        }
        da->cnt[d] += sa->cnt[s];
    }
    return EMBER_OK;
}

static int merge_tables(const PhysOp *op, AggGlobal *ag, AggTable *dst,
                        const AggTable *src)
{
    uint64_t n = src->gt.n_groups;
    uint32_t *map = arena_alloc(dst->arena, sizeof(uint32_t) * (n ? n : 1));
    if (map == NULL)
        return EMBER_NOMEM;
    uint64_t before = dst->gt.n_groups;
    int rc;
    if (op->n_groups == 0) {
        map[0] = 0;
        rc = EMBER_OK;
    } else {
        rc = gt_merge_from(&dst->gt, &src->gt, map, NULL);
    }
    if (rc == EMBER_OK)
        rc = grow_states(op, dst, dst->gt.n_groups);
    if (rc != EMBER_OK)
        return rc;
    clear_states(op, dst, before, dst->gt.n_groups);
    for (uint64_t s = 0; s < n && rc == EMBER_OK; s++)
        rc = merge_state(op, dst, map[s], src, s, ag->seps);
    return rc;
}

static void rehome_table(const PhysOp *op, AggTable *t, Arena *a)
{
    t->arena = a;
    t->gt.arena = a;
    t->gt.keys.arena = a;
    for (int i = 0; i < op->n_aggs; i++)
        if (t->distinct[i]) {
            t->distinct[i]->arena = a;
            t->distinct[i]->keys.arena = a;
        }
}

static int agg_combine(ThreadCtx *tc, const PhysOp *op, void *g, void *l)
{
    AggGlobal *ag = g;
    AggLocal *al = l;
    int rc = EMBER_OK;
    if (ag->n_shards > 0)
        return EMBER_OK;          /* the shards merge in finalize */
    if (ag->table == NULL) {
        /* the first thread hands its table over; from now on it grows in
         * the query arena (allocations under the combine lock), since its
         * thread may go on allocating in its own arena for other work */
        ag->table = al->table;
        rehome_table(op, ag->table, tc->cx->arena);
    } else
        rc = merge_tables(op, ag, ag->table, al->table);
    return rc;
}

static int agg_finalize(ExecCtx *cx, const PhysOp *op, void *g, int side)
{
    UNUSED(side);
    AggGlobal *ag = g;
    for (int i = 0; i < ag->n_shards; i++) {
        if (ag->table == NULL) {
            ag->table = ag->shards[i];
            rehome_table(op, ag->table, cx->arena);
            continue;
        }
        int rc = merge_tables(op, ag, ag->table, ag->shards[i]);
        if (rc != EMBER_OK)
            return rc;
    }
    if (ag->table == NULL) {
        int rc = table_make(op, cx->arena, cx->mc, &ag->table);
        if (rc != EMBER_OK)
            return rc;
    }
    OpStats *st = &cx->stats[op->id];
    st->ht_entries = ag->table->gt.n_groups;
    st->ht_capacity = ag->table->gt.cap;
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Source
 * ------------------------------------------------------------------------ */

static int out_i128(ThreadCtx *tc, const AggCall *ag, __int128 v,
                    int64_t *out)
{
    if (ag->type.id == TYPE_DECIMAL) {
        if (decimal_from_i128(v, DECIMAL_MAX_PREC, out) != EMBER_OK)
            return err_set(&tc->err, EMBER_OVERFLOW, -1,
                           "numeric value out of range");
        return EMBER_OK;
    }
    if (v > INT64_MAX || v < INT64_MIN)
        return err_set(&tc->err, EMBER_OVERFLOW, -1, "bigint out of range");
    *out = (int64_t)v;
    return EMBER_OK;
}

static int finish_agg(ThreadCtx *tc, const AggCall *ag, const AggArr *a,
                      uint64_t g, Vector *out, uint32_t k)
{
    int64_t cnt = a->cnt[g];
    if (ag->kind == AGG_COUNT || ag->kind == AGG_COUNT_STAR) {
        VEC_I64(out)[k] = cnt;
        return EMBER_OK;
    }
    if (ag->kind == AGG_TOTAL) {
        VEC_F64(out)[k] = cnt ? ((const double *)a->acc)[g] : 0.0;
        return EMBER_OK;
    }
    if (cnt == 0) {
        vector_set_null(out, k);
        return EMBER_OK;
    }
    AccKind kind = acc_kind(ag);
    if (ag->kind == AGG_AVG) {
        double sum;
        if (kind == ACC_I128) {
            sum = (double)((const __int128 *)a->acc)[g];
            if (ag->arg->type.id == TYPE_DECIMAL)
                sum /= (double)pow10_i64[ag->arg->type.scale];
        } else {
            sum = ((const double *)a->acc)[g];
        }
        VEC_F64(out)[k] = sum / (double)cnt;
        return EMBER_OK;
    }
    if (kind == ACC_I128)
        return out_i128(tc, ag, ((const __int128 *)a->acc)[g],
                        &VEC_I64(out)[k]);
    if (kind == ACC_STRAGG) {
        const StrAcc *sa = &((const StrAcc *)a->acc)[g];
        VEC_STR(out)[k] = str_make(sa->buf, sa->len);
        return EMBER_OK;
    }
    size_t w = type_width(out->type);
    memcpy((char *)out->data + k * w, (const char *)a->acc + g * w, w);
    return EMBER_OK;
}

static int agg_next(ThreadCtx *tc, const PhysOp *op, void *g, void *l,
                    Chunk *out)
{
    UNUSED(l);
    AggGlobal *ag = g;
    AggTable *t = ag->table;
    uint64_t off = ag->next_out;
    uint64_t total = t->gt.n_groups;
    if (off >= total) {
        out->count = 0;
        return EMBER_OK;
    }
    uint32_t n = (uint32_t)MIN(VEC_SIZE, total - off);
    for (int i = 0; i < op->n_groups; i++) {
        Vector *v = &out->cols[i];
        coll_view(&t->gt.keys, off, n, i, v);
    }
    for (int i = 0; i < op->n_aggs; i++) {
        Vector *v = &out->cols[op->n_groups + i];
        v->has_nulls = false;
        v->is_const = false;
        v->str_stable = true;
        for (uint32_t k = 0; k < n; k++) {
            int rc = finish_agg(tc, &op->aggs[i], &t->arr[i], off + k, v, k);
            if (rc != EMBER_OK)
                return rc;
        }
    }
    ag->next_out = off + n;
    out->count = n;
    out->sel = NULL;
    return EMBER_OK;
}

const OpImpl op_hash_agg_impl = {
    .name = "HashAggregate",
    .init = agg_init,
    .src_next = agg_next,
    .sink_local = agg_sink_local,
    .sink = agg_sink,
    .combine = agg_combine,
    .finalize = agg_finalize,
};
