/*
 * vector.h -- column vectors and chunks, the unit of data between
 * operators.
 *
 * A Vector is up to VEC_SIZE values of one type in a plain array, plus a
 * validity bitmap (bit set = value present). A Chunk is a set of vectors of
 * the same physical length `count` and an optional selection vector: when
 * `sel` is not NULL only the rows sel[0..n_sel) are active, in ascending
 * order. Filters only shrink the selection; they never move data. Operators
 * that compute new columns write them at the same physical positions, so
 * every vector of a chunk is indexed by the same row number.
 *
 * Ownership: a Vector does not own its arrays. `data` and `validity` point
 * into table storage (scans, zero copy), into buffers an operator allocated
 * once at open time, or into a constant. Nothing here allocates per chunk.
 *
 * Invariants:
 *  - if !has_nulls, every row is valid and `validity` must not be read;
 *  - if is_const, only row 0 is meaningful and it applies to every row
 *    (validity bit 0 says whether the constant is NULL);
 *  - values at NULL positions are unspecified (kernels must not trap on
 *    them: overflow checks re-check validity before raising an error);
 *  - Str payloads of a vector with !str_stable live only until the source
 *    chunk has gone through the whole pipeline: a sink that keeps strings
 *    must copy them (str_stable ones point into table storage and outlive
 *    the query).
 */
#ifndef EMBER_VECTOR_H
#define EMBER_VECTOR_H

#include "util/util.h"

/* TUNING: 2048 rows x 8 bytes = 16 KiB per column: a few columns of a
 * chunk fit L1/L2 while loops are long enough to amortize dispatch. */
#define VEC_SIZE 2048
#define VEC_WORDS (VEC_SIZE / 64)

typedef uint16_t SelIdx;

typedef struct Vector {
    Type type;
    uint8_t phys;             /* PhysType of type */
    bool is_const;
    bool has_nulls;
    bool str_stable;
    void *data;               /* phys array of >= VEC_SIZE (1 if const) */
    uint64_t *validity;       /* VEC_WORDS words; may be NULL if !has_nulls */
} Vector;

typedef struct Chunk {
    int n_cols;
    Vector *cols;
    uint32_t count;           /* physical rows 0..count-1 */
    SelIdx *sel;              /* active rows or NULL for all */
    uint32_t n_sel;
} Chunk;

static inline uint32_t chunk_active(const Chunk *c)
{
    return c->sel ? c->n_sel : c->count;
}

/* Row index of the k-th active row. */
static inline uint32_t sel_row(const SelIdx *sel, uint32_t k)
{
    return sel ? sel[k] : k;
}

static inline bool vec_valid(const Vector *v, uint32_t row)
{
    if (!v->has_nulls)
        return true;
    if (v->is_const)
        row = 0;
    return (v->validity[row >> 6] >> (row & 63)) & 1;
}

static inline void validity_set(uint64_t *val, uint32_t row, bool valid)
{
    uint64_t bit = 1ull << (row & 63);
    if (valid)
        val[row >> 6] |= bit;
    else
        val[row >> 6] &= ~bit;
}

/* Typed accessors. */
#define VEC_U8(v) ((uint8_t *)(v)->data)
#define VEC_I32(v) ((int32_t *)(v)->data)
#define VEC_I64(v) ((int64_t *)(v)->data)
#define VEC_F64(v) ((double *)(v)->data)
#define VEC_STR(v) ((Str *)(v)->data)

/* Make `v` an owned flat vector of type t with arrays from arena `a`
 * (VEC_SIZE values and a validity bitmap). Returns EMBER_NOMEM on
 * failure. */
int vector_init(Vector *v, Type t, Arena *a);
/* Point v at a single constant value (copied into v's own buffer, which
 * must exist: vector_init first). */
void vector_set_const(Vector *v, const Value *val);
/* Mark every row valid (has_nulls = false). */
void vector_clear_nulls(Vector *v);
/* Set a NULL at row (makes the bitmap valid for all rows first if
 * has_nulls was false). v->validity must exist. */
void vector_set_null(Vector *v, uint32_t row);
/* Value at a row as a boxed Value (slow; for constants, API, tests). */
Value vector_get_value(const Vector *v, uint32_t row);
/* Write a boxed value at a row (strings are not copied). */
void vector_put_value(Vector *v, uint32_t row, const Value *val);
/* Copy the active rows of src (given by sel/n) into dst at positions
 * dst_off.., densely (gather). dst must be an owned flat vector with room.
 * Strings are copied into `heap` when !src->str_stable and heap != NULL. */
void vector_gather(Vector *dst, uint32_t dst_off, const Vector *src,
                   const SelIdx *sel, uint32_t n, Arena *heap);
/* Gather by 32-bit row ids from a flat array source of type t (used for
 * hash-join build columns). */
void vector_gather_ids(Vector *dst, const void *src_data,
                       const uint64_t *src_validity, Type t,
                       const uint32_t *ids, uint32_t n);

/* Chunk of n_cols owned vectors with types[], arrays from arena. */
int chunk_init(Chunk *c, int n_cols, const Type *types, Arena *a);
void chunk_reset(Chunk *c);    /* count = 0, no sel */
/* Debug checker: asserts the invariants above. */
void chunk_check(const Chunk *c);

#endif /* EMBER_VECTOR_H */
