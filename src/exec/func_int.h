/*
 * func_int.h -- private to the built-in function files (func*.c, cast.c,
 * like.c): loop macros shared by the kernels, UTF-8 and string helpers,
 * and the kernel entry points the registry in func.c points at.
 *
 * Loop shape. Every kernel distinguishes the selection vector (NULL or
 * not) and constant arguments. The flat cases (no selection, arguments
 * flat or constant) run through FN_FLAT_LOOP, which walks the rows in
 * blocks of FN_BLOCK: with a constant trip count and restrict-qualified
 * pointers GCC vectorizes the block even at -O2, where its "very cheap"
 * cost model refuses loops that would need a scalar epilogue. Selected
 * rows are scattered, so that case is a plain loop over sel[].
 *
 * Aliasing: the output vector is never one of the argument vectors (the
 * loops use restrict pointers, and string kernels build results in place).
 */
#ifndef EMBER_FUNC_INT_H
#define EMBER_FUNC_INT_H

#include "exec/func.h"

/* TUNING: 16 rows fill four SSE registers of int32 or one of uint8, so
 * comparisons producing BOOL vectorize too; 32 made no difference. */
#define FN_BLOCK 16

/* Run STMT for every i in [0, n), the bulk of it in constant-length blocks
 * (see the header comment). STMT may be evaluated twice textually. */
#define FN_FLAT_LOOP(n, STMT)                                              \
    do {                                                                   \
        size_t blk_ = 0;                                                   \
        size_t n_ = (n);                                                   \
        for (; blk_ + FN_BLOCK <= n_; blk_ += FN_BLOCK) {                  \
            for (size_t j_ = 0; j_ < FN_BLOCK; j_++) {                     \
                size_t i = blk_ + j_;                                      \
                STMT;                                                      \
            }                                                              \
        }                                                                  \
        for (size_t i = blk_; i < n_; i++) {                               \
            STMT;                                                          \
        }                                                                  \
    } while (0)

/* Row index of argument vector v for row r (constants read row 0). */
#define ARG_ROW(v, r) ((v)->is_const ? 0u : (uint32_t)(r))

static inline bool bit_valid(const uint64_t *validity, uint32_t row)
{
    return (validity[row >> 6] >> (row & 63)) & 1;
}

/* Is row r of a strict function's output valid (caller-set validity)? */
static inline bool out_valid(const Vector *out, uint32_t r)
{
    return !out->has_nulls || bit_valid(out->validity, r);
}

/* ------------------------------------------------------------------------
 * Binary loops: FN_DEF_BINARY(NAME, TA, TB, TO, TF, OP) defines
 *
 *   static TF NAME(const Vector *a, const Vector *b, Vector *out,
 *                  const SelIdx *sel, uint32_t n);
 *
 * which applies OP(x, y, d, f) to every active row: x and y are the
 * argument values, d the output element (an lvalue), f a TF accumulator
 * the operation may OR flags into (overflow, division by zero). Returns
 * the OR of the flags; the caller decides what a flag means, and must
 * recheck the validity of the rows (see FN_DEF_RECHECK) before raising an
 * error, since NULL rows hold garbage.
 * ------------------------------------------------------------------------ */

#define FN_DEF_BINARY(NAME, TA, TB, TO, TF, OP)                            \
    static TF NAME##_vv(const TA *restrict a, const TB *restrict b,        \
                        TO *restrict o, size_t n)                          \
    {                                                                      \
        TF f = 0;                                                          \
        FN_FLAT_LOOP(n, OP(a[i], b[i], o[i], f));                          \
        return f;                                                          \
    }                                                                      \
    static TF NAME##_vc(const TA *restrict a, TB y, TO *restrict o,        \
                        size_t n)                                          \
    {                                                                      \
        TF f = 0;                                                          \
        FN_FLAT_LOOP(n, OP(a[i], y, o[i], f));                             \
        return f;                                                          \
    }                                                                      \
    static TF NAME##_cv(TA x, const TB *restrict b, TO *restrict o,        \
                        size_t n)                                          \
    {                                                                      \
        TF f = 0;                                                          \
        FN_FLAT_LOOP(n, OP(x, b[i], o[i], f));                             \
        return f;                                                          \
    }                                                                      \
    static TF NAME##_sel(const Vector *av, const Vector *bv, TO *o,        \
                         const SelIdx *sel, uint32_t n)                    \
    {                                                                      \
        const TA *a = (const TA *)av->data;                                \
        const TB *b = (const TB *)bv->data;                                \
        TF f = 0;                                                          \
        if (sel != NULL && !av->is_const && !bv->is_const) {               \
            for (uint32_t k = 0; k < n; k++)                               \
                OP(a[sel[k]], b[sel[k]], o[sel[k]], f);                    \
            return f;                                                      \
        }                                                                  \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            OP(a[ARG_ROW(av, r)], b[ARG_ROW(bv, r)], o[r], f);             \
        }                                                                  \
        return f;                                                          \
    }                                                                      \
    static TF NAME(const Vector *av, const Vector *bv, Vector *out,        \
                   const SelIdx *sel, uint32_t n)                          \
    {                                                                      \
        const TA *a = (const TA *)av->data;                                \
        const TB *b = (const TB *)bv->data;                                \
        TO *o = (TO *)out->data;                                           \
        if (sel != NULL || (av->is_const && bv->is_const))                 \
            return NAME##_sel(av, bv, o, sel, n);                          \
        if (bv->is_const)                                                  \
            return NAME##_vc(a, b[0], o, n);                               \
        if (av->is_const)                                                  \
            return NAME##_cv(a[0], b, o, n);                               \
        return NAME##_vv(a, b, o, n);                                      \
    }

/* FN_DEF_RECHECK(NAME, TA, TB, TO, TF, OP, MASK) defines
 *
 *   static bool NAME(const Vector *a, const Vector *b, const Vector *out,
 *                    const SelIdx *sel, uint32_t n);
 *
 * true when OP raises a flag in MASK on a row that is valid in `out`. The
 * slow path after a fast loop reported a flag. */
#define FN_DEF_RECHECK(NAME, TA, TB, TO, TF, OP, MASK)                     \
    static bool NAME(const Vector *av, const Vector *bv, const Vector *out, \
                     const SelIdx *sel, uint32_t n)                        \
    {                                                                      \
        const TA *a = (const TA *)av->data;                                \
        const TB *b = (const TB *)bv->data;                                \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            if (!out_valid(out, r))                                        \
                continue;                                                  \
            TF f = 0;                                                      \
            TO d;                                                          \
            OP(a[ARG_ROW(av, r)], b[ARG_ROW(bv, r)], d, f);                \
            (void)d;                                                       \
            if (f & (MASK))                                                \
                return true;                                               \
        }                                                                  \
        return false;                                                      \
    }

/* FN_DEF_UNARY(NAME, TA, TO, TF, OP): as FN_DEF_BINARY with OP(x, d, f). */
#define FN_DEF_UNARY(NAME, TA, TO, TF, OP)                                 \
    static TF NAME##_v(const TA *restrict a, TO *restrict o, size_t n)     \
    {                                                                      \
        TF f = 0;                                                          \
        FN_FLAT_LOOP(n, OP(a[i], o[i], f));                                \
        return f;                                                          \
    }                                                                      \
    static TF NAME(const Vector *av, Vector *out, const SelIdx *sel,       \
                   uint32_t n)                                             \
    {                                                                      \
        const TA *a = (const TA *)av->data;                                \
        TO *o = (TO *)out->data;                                           \
        TF f = 0;                                                          \
        if (sel == NULL && !av->is_const)                                  \
            return NAME##_v(a, o, n);                                      \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            OP(a[ARG_ROW(av, r)], o[r], f);                                \
        }                                                                  \
        return f;                                                          \
    }

/* Unary recheck, as FN_DEF_RECHECK. */
#define FN_DEF_RECHECK1(NAME, TA, TO, TF, OP, MASK)                        \
    static bool NAME(const Vector *av, const Vector *out,                  \
                     const SelIdx *sel, uint32_t n)                        \
    {                                                                      \
        const TA *a = (const TA *)av->data;                                \
        for (uint32_t k = 0; k < n; k++) {                                 \
            uint32_t r = sel_row(sel, k);                                  \
            if (!out_valid(out, r))                                        \
                continue;                                                  \
            TF f = 0;                                                      \
            TO d;                                                          \
            OP(a[ARG_ROW(av, r)], d, f);                                   \
            (void)d;                                                       \
            if (f & (MASK))                                                \
                return true;                                               \
        }                                                                  \
        return false;                                                      \
    }

/* ------------------------------------------------------------------------
 * Errors shared by several files
 * ------------------------------------------------------------------------ */

/* Raise the overflow error that fits the result type: "integer out of
 * range", "bigint out of range" or, for DECIMAL, "numeric value out of
 * range". */
int func_overflow_error(FnCtx *cx, const Vector *out);

/* Check that every valid DECIMAL result row fits the precision of `out`'s
 * type; raises "numeric value out of range". EMBER_OK for other types. */
int func_check_decimal(FnCtx *cx, const Vector *out, const SelIdx *sel,
                       uint32_t n);

/* ------------------------------------------------------------------------
 * Strings and UTF-8
 *
 * Text is UTF-8 but never validated: a byte that does not start a
 * well-formed sequence (lead byte followed by the right number of
 * continuation bytes) counts as one character on its own, so every byte
 * string has a well-defined character count.
 * ------------------------------------------------------------------------ */

/* Bytes of the character starting at s[0], 1..4, with n >= 1 bytes left.
 * Well-formed means RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF (hence the narrower range of the second byte after
 * E0, ED, F0 and F4). */
static inline uint32_t utf8_char_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    uint32_t len;
    uint8_t lo = 0x80;                  /* range of the second byte */
    uint8_t hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 1;
    }
    if (len > n || s[1] < lo || s[1] > hi)
        return 1;
    for (uint32_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return len;
}

/* Bytes of the character that ends at s[n-1] (n >= 1): the longest k for
 * which a character of exactly k bytes starts at s[n-k], else 1. Agrees
 * with forward stepping by utf8_char_len. */
static inline uint32_t utf8_prev_len(const uint8_t *s, size_t n)
{
    for (uint32_t k = n < 4 ? (uint32_t)n : 4; k > 1; k--)
        if (utf8_char_len(s + n - k, k) == k)
            return k;
    return 1;
}

/* Number of characters in s[0..n). */
size_t utf8_count(const uint8_t *s, size_t n);
/* First occurrence of needle[0..m) in hay[0..n), m >= 1, or NULL. Faster
 * than memmem on the short texts of a column; O(n*m) at worst. */
const uint8_t *fn_find(const uint8_t *hay, size_t n, const uint8_t *needle,
                       size_t m);
/* Byte offset of character number `chars` (0-based), or n if the text is
 * shorter. */
size_t utf8_skip(const uint8_t *s, size_t n, size_t chars);

/* An empty string. */
static inline Str str_empty(void)
{
    Str s;
    memset(&s, 0, sizeof(s));
    return s;
}

/* Equality without a function call on the common paths. */
static inline bool fn_str_eq(const Str *a, const Str *b)
{
    uint64_t ha, hb;
    memcpy(&ha, a, 8);
    memcpy(&hb, b, 8);
    if (ha != hb)
        return false;
    if (a->len <= STR_INLINE)
        return memcmp(a->u.inl, b->u.inl, 8) == 0;
    return memcmp(a->u.ptr + 4, b->u.ptr + 4, a->len - 4) == 0;
}

/* -1, 0, 1 in byte order then length. The 4-byte prefixes decide most
 * comparisons: bytes past the end of a short string are zero in a Str, and
 * where a zero pad differs from the other string's byte that byte is
 * larger, which is the right answer for the shorter string. */
static inline int fn_str_cmp(const Str *a, const Str *b)
{
    uint32_t pa, pb;
    memcpy(&pa, a->prefix, 4);
    memcpy(&pb, b->prefix, 4);
    if (pa != pb) {
        pa = __builtin_bswap32(pa);
        pb = __builtin_bswap32(pb);
        return pa < pb ? -1 : 1;
    }
    return str_cmp(a, b);
}

/* A result string of `len` bytes: returns where to write them and sets *s
 * to a Str that will hold them once written (call fn_str_done after).
 * NULL when the heap is exhausted. */
char *fn_str_alloc(FnCtx *cx, Str *s, uint32_t len);
/* Finish a string written into the buffer fn_str_alloc returned. */
void fn_str_done(Str *s, const char *buf);

/* Results longer than this are refused ("requested length too large"),
 * so a repeat() or lpad() cannot take the whole memory. */
#define FN_MAX_STR_LEN (256u << 20)

/* ------------------------------------------------------------------------
 * Kernels (one per FuncId; see func.c for the table)
 * ------------------------------------------------------------------------ */

#define FUNC_KERNEL(name)                                                  \
    int name(FnCtx *cx, Vector **args, int n_args, const SelIdx *sel,      \
             uint32_t n, Vector *out)

/* func_arith.c */
FUNC_KERNEL(func_add_i32);
FUNC_KERNEL(func_add_i64);
FUNC_KERNEL(func_add_f64);
FUNC_KERNEL(func_sub_i32);
FUNC_KERNEL(func_sub_i64);
FUNC_KERNEL(func_sub_f64);
FUNC_KERNEL(func_mul_i32);
FUNC_KERNEL(func_mul_i64);
FUNC_KERNEL(func_mul_f64);
FUNC_KERNEL(func_div_i32);
FUNC_KERNEL(func_div_i64);
FUNC_KERNEL(func_div_f64);
FUNC_KERNEL(func_mod_i32);
FUNC_KERNEL(func_mod_i64);
FUNC_KERNEL(func_mod_f64);
FUNC_KERNEL(func_neg_i32);
FUNC_KERNEL(func_neg_i64);
FUNC_KERNEL(func_neg_f64);

/* func_date.c */
FUNC_KERNEL(func_date_add_days);
FUNC_KERNEL(func_date_sub_days);
FUNC_KERNEL(func_date_diff);
FUNC_KERNEL(func_date_add_interval);
FUNC_KERNEL(func_date_sub_interval);
FUNC_KERNEL(func_extract_year);
FUNC_KERNEL(func_extract_month);
FUNC_KERNEL(func_extract_day);
FUNC_KERNEL(func_extract_quarter);
FUNC_KERNEL(func_extract_dow);
FUNC_KERNEL(func_extract_doy);
FUNC_KERNEL(func_extract_week);
FUNC_KERNEL(func_extract_epoch);

/* func_cmp.c */
#define FUNC_CMP_KERNELS(op)                                               \
    FUNC_KERNEL(func_##op##_u8);                                           \
    FUNC_KERNEL(func_##op##_i32);                                          \
    FUNC_KERNEL(func_##op##_i64);                                          \
    FUNC_KERNEL(func_##op##_f64);                                          \
    FUNC_KERNEL(func_##op##_str)
FUNC_CMP_KERNELS(eq);
FUNC_CMP_KERNELS(ne);
FUNC_CMP_KERNELS(lt);
FUNC_CMP_KERNELS(le);
FUNC_CMP_KERNELS(gt);
FUNC_CMP_KERNELS(ge);
FUNC_CMP_KERNELS(distinct);
FUNC_CMP_KERNELS(not_distinct);
FUNC_CMP_KERNELS(nullif);
FUNC_KERNEL(func_greatest);
FUNC_KERNEL(func_least);

/* func_string.c */
FUNC_KERNEL(func_concat);
FUNC_KERNEL(func_concat_fn);
FUNC_KERNEL(func_length);
FUNC_KERNEL(func_octet_length);
FUNC_KERNEL(func_upper);
FUNC_KERNEL(func_lower);
FUNC_KERNEL(func_substring2);
FUNC_KERNEL(func_substring3);
FUNC_KERNEL(func_trim1);
FUNC_KERNEL(func_ltrim1);
FUNC_KERNEL(func_rtrim1);
FUNC_KERNEL(func_trim2);
FUNC_KERNEL(func_ltrim2);
FUNC_KERNEL(func_rtrim2);
FUNC_KERNEL(func_replace);
FUNC_KERNEL(func_position);
FUNC_KERNEL(func_strpos);
FUNC_KERNEL(func_left);
FUNC_KERNEL(func_right);
FUNC_KERNEL(func_reverse);
FUNC_KERNEL(func_lpad);
FUNC_KERNEL(func_rpad);
FUNC_KERNEL(func_repeat);
FUNC_KERNEL(func_starts_with);
FUNC_KERNEL(func_contains);

/* like.c */
FUNC_KERNEL(func_like);
FUNC_KERNEL(func_like_escape);
FUNC_KERNEL(func_ilike);

/* func_math.c */
FUNC_KERNEL(func_abs_i32);
FUNC_KERNEL(func_abs_i64);
FUNC_KERNEL(func_abs_f64);
FUNC_KERNEL(func_round_f64);
FUNC_KERNEL(func_round_f64_n);
FUNC_KERNEL(func_round_dec_n);
FUNC_KERNEL(func_ceil_f64);
FUNC_KERNEL(func_floor_f64);
FUNC_KERNEL(func_ceil_dec);
FUNC_KERNEL(func_floor_dec);
FUNC_KERNEL(func_sign_f64);
FUNC_KERNEL(func_sqrt);
FUNC_KERNEL(func_power);
FUNC_KERNEL(func_exp);
FUNC_KERNEL(func_ln);
FUNC_KERNEL(func_log10);
FUNC_KERNEL(func_hash);

#endif /* EMBER_FUNC_INT_H */
