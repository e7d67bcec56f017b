/*
 * tpch_int.h -- private header of the TPC-H generator (tpch_gen*.c).
 *
 * The generator is split in three files:
 *   tpch_gen.c         the public API: schemas, the parallel driver that
 *                      runs ranges of rows as tasks and appends their
 *                      chunks to the tables in key order;
 *   tpch_gen_text.c    word lists, the text pool and the string helpers
 *                      (comments, v-strings, phone numbers, key names);
 *   tpch_gen_tables.c  one row generator per table (Clause 4.2.3).
 *
 * Determinism: every random value of a row comes from a stream seeded by
 * (stream id, entity key) alone (a splitmix64 counter), so a range of rows
 * is the same whichever task or thread generates it, and tasks never share
 * mutable state except the in-order append at their end.
 */
#ifndef EMBER_TPCH_INT_H
#define EMBER_TPCH_INT_H

#include "storage/storage.h"

/* ------------------------------------------------------------------------
 * Random streams
 * ------------------------------------------------------------------------ */

/* Stream ids: one per kind of entity, so that supplier 7 and customer 7
 * draw unrelated numbers. */
enum {
    TPCH_STREAM_TEXT = 1, /* the text pool */
    TPCH_STREAM_REGION,
    TPCH_STREAM_NATION,
    TPCH_STREAM_SUPPLIER,
    TPCH_STREAM_CUSTOMER,
    TPCH_STREAM_PART,  /* a part and its four partsupp rows */
    TPCH_STREAM_ORDER, /* an order and its lineitems */
};

/* A splitmix64 generator: the state advances by the golden gamma and each
 * output is the state through the 64-bit finalizer (hash_u64). Streams of
 * different seeds are far apart in the sequence, as seeds are hashed. */
typedef struct TpchRng {
    uint64_t s;
} TpchRng;

static inline TpchRng tpch_rng(int stream, uint64_t key)
{
    TpchRng r;
    r.s = hash_u64(((uint64_t)stream << 56) ^ hash_u64(key + 0x5851f42dULL));
    return r;
}

static inline uint64_t tpch_next(TpchRng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return hash_u64(r->s);
}

/* Uniform integer in [lo, hi] (inclusive), by multiply-shift. */
static inline int64_t tpch_range(TpchRng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(((unsigned __int128)tpch_next(r) * span) >> 64);
}

/* ------------------------------------------------------------------------
 * Shared, read-only generation context (built once per tpch_generate)
 * ------------------------------------------------------------------------ */

/* Fixed word lists used as column values (tpch_gen_text.c). */
extern const char *const tpch_nations[25];
extern const int tpch_nation_region[25];
extern const char *const tpch_regions[5];
extern const char *const tpch_segments[5];
extern const char *const tpch_priorities[5];
extern const char *const tpch_instructions[4];
extern const char *const tpch_modes[7];
extern const char *const tpch_colors[92];

#define TPCH_N_TYPES 150
#define TPCH_N_CONTAINERS 40

/* Dates as days since 1970-01-01 (Clause 4.2.2.12). */
typedef struct TpchDates {
    int32_t start;   /* STARTDATE 1992-01-01 */
    int32_t end;     /* ENDDATE 1998-12-31 */
    int32_t current; /* CURRENTDATE 1995-06-17 */
} TpchDates;

/* Everything tasks read: counts, the text pool and prebuilt strings.
 * Lives in the generator's arena for one tpch_generate call. */
typedef struct TpchCtx {
    double sf;
    int64_t n_supp;   /* SF * 10,000 */
    int64_t n_cust;   /* SF * 150,000 */
    int64_t n_part;   /* SF * 200,000 */
    int64_t n_orders; /* SF * 1,500,000 */
    int64_t n_clerks; /* SF * 1,000 */
    TpchDates dates;
    const char *pool; /* text pool (Clause 4.2.2.10) */
    size_t pool_len;
    Str types[TPCH_N_TYPES]; /* "STANDARD ANODIZED TIN", ... */
    Str containers[TPCH_N_CONTAINERS];
    Str mfgrs[5];   /* "Manufacturer#1" .. "#5" */
    Str brands[25]; /* "Brand#11" .. "Brand#55", 5 * (m-1) + n-1 */
    Str *clerks;    /* n_clerks names, clerks[k-1] = "Clerk#k" */
    char type_buf[TPCH_N_TYPES][32]; /* bytes of types[] */
    char cont_buf[TPCH_N_CONTAINERS][16];
    char mfgr_buf[5][16];
} TpchCtx;

/* ------------------------------------------------------------------------
 * Output of a task: chunks of one table, filled row by row
 * ------------------------------------------------------------------------ */

/* Chunks a task generates for one table, in row order, plus a scratch
 * area for the bytes of strings built on the fly. Everything comes from
 * the task's arena and is dropped once the chunks have been appended. */
typedef struct TpchSink {
    Arena *arena;
    int n_cols;
    const Type *types;
    Chunk *chunks; /* cap_chunks slots, n_chunks used */
    int n_chunks;
    int cap_chunks;
    char *text; /* scratch bytes for built strings */
    size_t text_left;
    int rc; /* sticky: EMBER_NOMEM once anything failed */
} TpchSink;

/* Prepare a sink for up to max_rows rows of table t (no chunk yet). */
int tpch_sink_init(TpchSink *s, Arena *a, int table, uint64_t max_rows);
/* Chunk that receives the next row, its index in *row (NULL: failed). */
Chunk *tpch_sink_next_slow(TpchSink *s, uint32_t *row);

static inline Chunk *tpch_sink_next(TpchSink *s, uint32_t *row)
{
    if (LIKELY(s->n_chunks > 0)) {
        Chunk *c = &s->chunks[s->n_chunks - 1];
        if (c->count < VEC_SIZE) {
            *row = c->count++;
            return c;
        }
    }
    return tpch_sink_next_slow(s, row);
}

/* n scratch bytes for a string of the current task (NULL: failed, the
 * sink's rc is set). */
char *tpch_sink_bytes(TpchSink *s, size_t n);

/* ------------------------------------------------------------------------
 * Strings (tpch_gen_text.c)
 * ------------------------------------------------------------------------ */

/* Build the text pool of `len` bytes into arena a. EMBER_NOMEM on
 * failure. */
int tpch_pool_build(TpchCtx *g, Arena *a, size_t len);
/* Fill the prebuilt strings of g (types, containers, manufacturers,
 * brands, clerks); clerk names go into arena a. EMBER_NOMEM on failure. */
int tpch_words_init(TpchCtx *g, Arena *a);
/* TEXT[min, max]: a random substring of the pool (no copy). */
Str tpch_text(const TpchCtx *g, TpchRng *r, int min, int max);
/* A v-string of random length in [min, max] over 64 symbols. */
Str tpch_vstring(TpchSink *s, TpchRng *r, int min, int max);
/* "CC-LLL-LLL-LLLL" with CC = nation + 10. */
Str tpch_phone(TpchSink *s, TpchRng *r, int nation);
/* prefix followed by key in 9 digits with leading zeros. */
Str tpch_key_name(TpchSink *s, const char *prefix, int64_t key);
/* A copy of comment c with "Customer...Complaints" (complaint) or
 * "Customer...Recommends" written over it at a random place. */
Str tpch_bbb_comment(TpchSink *s, TpchRng *r, Str c, bool complaint);
/* Five distinct colours separated by spaces (P_NAME). */
Str tpch_part_name(TpchSink *s, TpchRng *r);

/* ------------------------------------------------------------------------
 * Row generators (tpch_gen_tables.c). Each writes rows for keys [first,
 * end) (1-based keys; for orders, 0-based order numbers) into its sinks.
 * ------------------------------------------------------------------------ */

void tpch_gen_region(const TpchCtx *g, TpchSink *out);
void tpch_gen_nation(const TpchCtx *g, TpchSink *out);
void tpch_gen_supplier(const TpchCtx *g, int64_t first, int64_t end,
                       TpchSink *out);
void tpch_gen_customer(const TpchCtx *g, int64_t first, int64_t end,
                       TpchSink *out);
void tpch_gen_part(const TpchCtx *g, int64_t first, int64_t end, TpchSink *part,
                   TpchSink *partsupp);
void tpch_gen_orders(const TpchCtx *g, int64_t first, int64_t end,
                     TpchSink *orders, TpchSink *lineitem);

/* O_ORDERKEY of the i-th order (0-based): keys are sparse, only the first
 * 8 of each 32 are used (Clause 4.2.3). */
static inline int64_t tpch_order_key(int64_t i)
{
    return (i / 8) * 32 + (i % 8) + 1;
}

#endif /* EMBER_TPCH_INT_H */
