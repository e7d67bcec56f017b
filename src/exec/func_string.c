/*
 * func_string.c -- string functions: || and concat, length, case mapping,
 * substring, trim, replace, position, left/right, reverse, padding,
 * repeat, starts_with, contains.
 *
 * Character counts and positions are in UTF-8 code points (see func_int.h
 * for how invalid bytes count); upper/lower map ASCII letters only.
 * Integer parameters arrive as INT64 (the resolver casts them).
 *
 * Results that are a piece of an argument (substring, trim, left, right,
 * or an unchanged argument) point into the argument's bytes instead of
 * copying them: those live at least as long as this chunk, and out is
 * marked !str_stable, so a sink that keeps strings copies them. New text
 * goes into cx->heap; short results (<= STR_INLINE bytes) are inline in
 * the Str and take no heap memory.
 *
 * NULL rows of a strict function's output are set to the empty string and
 * their argument bytes are never read (a NULL row may hold garbage).
 */
#include "exec/func_int.h"

/* ------------------------------------------------------------------------
 * UTF-8 and result helpers
 * ------------------------------------------------------------------------ */

#define HIGH_BITS 0x8080808080808080ull

/* Is s[0..n) all ASCII? */
static bool all_ascii(const uint8_t *s, size_t n)
{
    uint64_t bits = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        bits |= w;
    }
    uint8_t tail = 0;
    for (; i < n; i++)
        tail |= s[i];
    return ((bits & HIGH_BITS) | (tail & 0x80)) == 0;
}

size_t utf8_count(const uint8_t *s, size_t n)
{
    if (all_ascii(s, n))
        return n;
    size_t i = 0;
    size_t count = 0;
    while (i < n) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, s + i, 8), (w & HIGH_BITS) == 0)) {
            i += 8;                     /* eight ASCII characters */
            count += 8;
            continue;
        }
        i += utf8_char_len(s + i, n - i);
        count++;
    }
    return count;
}

size_t utf8_skip(const uint8_t *s, size_t n, size_t chars)
{
    size_t i = 0;
    while (i < n && chars > 0) {
        uint64_t w;
        if (chars >= 8 && i + 8 <= n &&
            (memcpy(&w, s + i, 8), (w & HIGH_BITS) == 0)) {
            i += 8;
            chars -= 8;
            continue;
        }
        i += utf8_char_len(s + i, n - i);
        chars--;
    }
    return i;
}

const uint8_t *fn_find(const uint8_t *hay, size_t n, const uint8_t *needle,
                       size_t m)
{
    if (m > n)
        return NULL;
    const uint8_t *end = hay + (n - m) + 1;    /* last start + 1 */
    const uint8_t *p = hay;
    while (p < end) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (p == NULL)
            return NULL;
        if (memcmp(p + 1, needle + 1, m - 1) == 0)
            return p;
        p++;
    }
    return NULL;
}

char *fn_str_alloc(FnCtx *cx, Str *s, uint32_t len)
{
    memset(s, 0, sizeof(*s));
    s->len = len;
    if (len <= STR_INLINE)
        return s->prefix;               /* prefix and inl are contiguous */
    char *p = cx->heap ? arena_alloc(cx->heap, len) : NULL;
    if (p == NULL) {
        s->len = 0;
        return NULL;
    }
    s->u.ptr = p;
    return p;
}

void fn_str_done(Str *s, const char *buf)
{
    if (s->len > STR_INLINE)
        memcpy(s->prefix, buf, 4);
}

/* A result that is bytes [p, p+len) of an argument: no copy. */
static inline Str str_view(const char *p, size_t len)
{
    return str_make(p, (uint32_t)len);
}

static int too_large(FnCtx *cx)
{
    return err_set(cx->err, EMBER_OVERFLOW, cx->pos,
                   "requested length too large");
}

static int no_memory(FnCtx *cx)
{
    return err_nomem(cx->err);
}

#define SDATA(s) ((const uint8_t *)str_data(s))

/* Iterate over the active rows r that are valid in out; NULL rows get an
 * empty string. */
#define FOR_VALID_STR_ROWS(r)                                              \
    for (uint32_t k_ = 0, r = 0; k_ < n; k_++)                             \
        if ((r = sel_row(sel, k_)), !out_valid(out, r))                    \
            VEC_STR(out)[r] = str_empty();                                 \
        else

/* The row's Str of argument i. */
#define ARG_STR(i, r) (&VEC_STR(args[i])[ARG_ROW(args[i], r)])
#define ARG_I64(i, r) (VEC_I64(args[i])[ARG_ROW(args[i], r)])

/* ------------------------------------------------------------------------
 * Concatenation
 * ------------------------------------------------------------------------ */

FUNC_KERNEL(func_concat)
{
    assert(n_args == 2);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        const Str *a = ARG_STR(0, r);
        const Str *b = ARG_STR(1, r);
        uint64_t len = (uint64_t)a->len + b->len;
        if (len > FN_MAX_STR_LEN)
            return too_large(cx);
        if (b->len == 0 || a->len == 0) {
            o[r] = a->len ? *a : *b;
            continue;
        }
        char *p = fn_str_alloc(cx, &o[r], (uint32_t)len);
        if (p == NULL)
            return no_memory(cx);
        memcpy(p, str_data(a), a->len);
        memcpy(p + a->len, str_data(b), b->len);
        fn_str_done(&o[r], p);
    }
    return EMBER_OK;
}

/* concat(a, b, ...): NULL arguments are skipped; never NULL. */
FUNC_KERNEL(func_concat_fn)
{
    Str *o = VEC_STR(out);
    out->has_nulls = false;
    out->str_stable = false;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        uint64_t len = 0;
        for (int j = 0; j < n_args; j++)
            if (vec_valid(args[j], r))
                len += ARG_STR(j, r)->len;
        if (len > FN_MAX_STR_LEN)
            return too_large(cx);
        char *p = fn_str_alloc(cx, &o[r], (uint32_t)len);
        if (p == NULL)
            return no_memory(cx);
        size_t off = 0;
        for (int j = 0; j < n_args; j++) {
            if (!vec_valid(args[j], r))
                continue;
            const Str *s = ARG_STR(j, r);
            memcpy(p + off, str_data(s), s->len);
            off += s->len;
        }
        fn_str_done(&o[r], p);
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Lengths and case
 * ------------------------------------------------------------------------ */

FUNC_KERNEL(func_length)
{
    assert(n_args == 1);
    int64_t *o = VEC_I64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r))
            continue;
        const Str *s = ARG_STR(0, r);
        o[r] = (int64_t)utf8_count(SDATA(s), s->len);
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_octet_length)
{
    assert(n_args == 1);
    int64_t *o = VEC_I64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        o[r] = ARG_STR(0, r)->len;
    }
    return EMBER_OK;
}

/* Map ASCII letters in [lo, lo+25] by adding `delta`; an argument with
 * nothing to change is returned as it is. */
static int map_case(FnCtx *cx, Vector **args, const SelIdx *sel, uint32_t n,
                    Vector *out, char lo, int delta)
{
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        const Str *s = ARG_STR(0, r);
        const char *d = str_data(s);
        uint32_t i = 0;
        while (i < s->len && (unsigned char)(d[i] - lo) > 25)
            i++;
        if (i == s->len) {
            o[r] = *s;
            continue;
        }
        char *p = fn_str_alloc(cx, &o[r], s->len);
        if (p == NULL)
            return no_memory(cx);
        memcpy(p, d, i);
        for (; i < s->len; i++) {
            char c = d[i];
            p[i] = (unsigned char)(c - lo) <= 25 ? (char)(c + delta) : c;
        }
        fn_str_done(&o[r], p);
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_upper)
{
    assert(n_args == 1);
    return map_case(cx, args, sel, n, out, 'a', 'A' - 'a');
}

FUNC_KERNEL(func_lower)
{
    assert(n_args == 1);
    return map_case(cx, args, sel, n, out, 'A', 'a' - 'A');
}

/* ------------------------------------------------------------------------
 * Substrings
 * ------------------------------------------------------------------------ */

/* Characters [from, to) of s, 0-based, clamped to the text. */
static Str char_range(const Str *s, size_t from, size_t to)
{
    const uint8_t *d = SDATA(s);
    size_t b0 = utf8_skip(d, s->len, from);
    size_t b1 = to == SIZE_MAX ? s->len
                               : b0 + utf8_skip(d + b0, s->len - b0, to - from);
    return str_view((const char *)d + b0, b1 - b0);
}

/* PostgreSQL substring: characters from 1-based `start` to `end`
 * (exclusive); positions before 1 simply contribute nothing. */
static Str substring_of(const Str *s, int64_t start, int64_t end)
{
    if (start < 1)
        start = 1;
    if (end <= start)
        return str_empty();
    return char_range(s, (size_t)(start - 1),
                      end == INT64_MAX ? SIZE_MAX : (size_t)(end - 1));
}

FUNC_KERNEL(func_substring2)
{
    assert(n_args == 2);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        o[r] = substring_of(ARG_STR(0, r), ARG_I64(1, r), INT64_MAX);
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_substring3)
{
    assert(n_args == 3);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        int64_t start = ARG_I64(1, r);
        int64_t count = ARG_I64(2, r);
        if (count < 0)
            return err_set(cx->err, EMBER_ERROR, cx->pos,
                           "negative substring length not allowed");
        int64_t end;
        if (__builtin_add_overflow(start, count, &end))
            end = INT64_MAX;
        o[r] = substring_of(ARG_STR(0, r), start, end);
    }
    return EMBER_OK;
}

/* left(s, n): the first n characters; n < 0: all but the last -n. */
static Str left_of(const Str *s, int64_t k)
{
    if (k >= 0)
        return char_range(s, 0, (size_t)k);
    size_t total = utf8_count(SDATA(s), s->len);
    size_t drop = k == INT64_MIN ? SIZE_MAX : (size_t)-k;
    return drop >= total ? str_empty() : char_range(s, 0, total - drop);
}

/* right(s, n): the last n characters; n < 0: all but the first -n. */
static Str right_of(const Str *s, int64_t k)
{
    if (k < 0) {
        size_t drop = k == INT64_MIN ? SIZE_MAX : (size_t)-k;
        return char_range(s, drop, SIZE_MAX);
    }
    size_t total = utf8_count(SDATA(s), s->len);
    if ((uint64_t)k >= total)
        return *s;
    return char_range(s, total - (size_t)k, SIZE_MAX);
}

FUNC_KERNEL(func_left)
{
    assert(n_args == 2);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        o[r] = left_of(ARG_STR(0, r), ARG_I64(1, r));
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_right)
{
    assert(n_args == 2);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        o[r] = right_of(ARG_STR(0, r), ARG_I64(1, r));
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Trimming
 * ------------------------------------------------------------------------ */

/* The characters to trim: single-byte ones in a bitmap, longer ones kept
 * as the UTF-8 text they came in. */
typedef struct TrimSet {
    uint64_t bytes[4];          /* bit b: the one-byte character b */
    const uint8_t *text;        /* the set as given */
    size_t len;
    bool has_multi;             /* any character longer than one byte */
} TrimSet;

static void trimset_init(TrimSet *ts, const Str *chars)
{
    memset(ts, 0, sizeof(*ts));
    ts->text = SDATA(chars);
    ts->len = chars->len;
    for (size_t i = 0; i < ts->len;) {
        uint32_t cl = utf8_char_len(ts->text + i, ts->len - i);
        if (cl == 1)
            ts->bytes[ts->text[i] >> 6] |= 1ull << (ts->text[i] & 63);
        else
            ts->has_multi = true;
        i += cl;
    }
}

static bool trimset_has(const TrimSet *ts, const uint8_t *c, uint32_t cl)
{
    if (cl == 1)
        return (ts->bytes[c[0] >> 6] >> (c[0] & 63)) & 1;
    if (!ts->has_multi)
        return false;
    for (size_t i = 0; i < ts->len;) {
        uint32_t l = utf8_char_len(ts->text + i, ts->len - i);
        if (l == cl && memcmp(ts->text + i, c, cl) == 0)
            return true;
        i += l;
    }
    return false;
}

enum { TRIM_LEFT = 1, TRIM_RIGHT = 2, TRIM_BOTH = 3 };

static Str trim_str(const Str *s, const TrimSet *ts, int sides)
{
    const uint8_t *d = SDATA(s);
    size_t b = 0;
    size_t e = s->len;
    if (sides & TRIM_LEFT) {
        while (b < e) {
            uint32_t cl = utf8_char_len(d + b, e - b);
            if (!trimset_has(ts, d + b, cl))
                break;
            b += cl;
        }
    }
    if (sides & TRIM_RIGHT) {
        while (e > b) {
            uint32_t cl = utf8_prev_len(d + b, e - b);
            if (!trimset_has(ts, d + e - cl, cl))
                break;
            e -= cl;
        }
    }
    if (b == 0 && e == s->len)
        return *s;
    return str_view((const char *)d + b, e - b);
}

static int trim_kernel(Vector **args, int n_args, const SelIdx *sel,
                       uint32_t n, Vector *out, int sides)
{
    Str *o = VEC_STR(out);
    out->str_stable = false;
    TrimSet ts;
    memset(&ts, 0, sizeof(ts));
    bool const_set = n_args == 1 || args[1]->is_const;
    if (n_args == 1) {
        Str space = str_make(" ", 1);
        trimset_init(&ts, &space);
    } else if (args[1]->is_const && vec_valid(args[1], 0)) {
        trimset_init(&ts, ARG_STR(1, 0));
    }
    FOR_VALID_STR_ROWS(r) {
        if (!const_set)
            trimset_init(&ts, ARG_STR(1, r));
        o[r] = trim_str(ARG_STR(0, r), &ts, sides);
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_trim1)
{
    return trim_kernel(args, 1, sel, n, out, TRIM_BOTH);
}

FUNC_KERNEL(func_ltrim1)
{
    return trim_kernel(args, 1, sel, n, out, TRIM_LEFT);
}

FUNC_KERNEL(func_rtrim1)
{
    return trim_kernel(args, 1, sel, n, out, TRIM_RIGHT);
}

FUNC_KERNEL(func_trim2)
{
    assert(n_args == 2);
    return trim_kernel(args, 2, sel, n, out, TRIM_BOTH);
}

FUNC_KERNEL(func_ltrim2)
{
    assert(n_args == 2);
    return trim_kernel(args, 2, sel, n, out, TRIM_LEFT);
}

FUNC_KERNEL(func_rtrim2)
{
    assert(n_args == 2);
    return trim_kernel(args, 2, sel, n, out, TRIM_RIGHT);
}

/* ------------------------------------------------------------------------
 * Searching and replacing
 * ------------------------------------------------------------------------ */

FUNC_KERNEL(func_replace)
{
    assert(n_args == 3);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        const Str *s = ARG_STR(0, r);
        const Str *from = ARG_STR(1, r);
        const Str *to = ARG_STR(2, r);
        const char *d = str_data(s);
        const char *f = str_data(from);
        size_t count = 0;
        const char *p = d;
        const char *end = d + s->len;
        while (from->len && (p = memmem(p, (size_t)(end - p), f,
                                        from->len)) != NULL) {
            count++;
            p += from->len;
        }
        if (count == 0) {
            o[r] = *s;
            continue;
        }
        uint64_t len = s->len + count * ((uint64_t)to->len - from->len);
        if (len > FN_MAX_STR_LEN)
            return too_large(cx);
        char *w = fn_str_alloc(cx, &o[r], (uint32_t)len);
        if (w == NULL)
            return no_memory(cx);
        char *q = w;
        for (p = d; count > 0; count--) {
            const char *hit = memmem(p, (size_t)(end - p), f, from->len);
            memcpy(q, p, (size_t)(hit - p));
            q += hit - p;
            memcpy(q, str_data(to), to->len);
            q += to->len;
            p = hit + from->len;
        }
        memcpy(q, p, (size_t)(end - p));
        fn_str_done(&o[r], w);
    }
    return EMBER_OK;
}

/* 1-based character position of sub in s, 0 when absent. */
static int64_t position_of(const Str *sub, const Str *s)
{
    if (sub->len == 0)
        return 1;
    const char *d = str_data(s);
    const char *hit = (const char *)fn_find((const uint8_t *)d, s->len,
                                            SDATA(sub), sub->len);
    if (hit == NULL)
        return 0;
    return (int64_t)utf8_count((const uint8_t *)d, (size_t)(hit - d)) + 1;
}

static int position_kernel(Vector **args, const SelIdx *sel, uint32_t n,
                           Vector *out, int i_sub, int i_str)
{
    int64_t *o = VEC_I64(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (out_valid(out, r))
            o[r] = position_of(ARG_STR(i_sub, r), ARG_STR(i_str, r));
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_position)
{
    assert(n_args == 2);
    return position_kernel(args, sel, n, out, 0, 1);
}

FUNC_KERNEL(func_strpos)
{
    assert(n_args == 2);
    return position_kernel(args, sel, n, out, 1, 0);
}

FUNC_KERNEL(func_starts_with)
{
    assert(n_args == 2);
    uint8_t *o = VEC_U8(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r))
            continue;
        const Str *s = ARG_STR(0, r);
        const Str *p = ARG_STR(1, r);
        o[r] = p->len <= s->len &&
               memcmp(str_data(s), str_data(p), p->len) == 0;
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_contains)
{
    assert(n_args == 2);
    uint8_t *o = VEC_U8(out);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r))
            continue;
        const Str *s = ARG_STR(0, r);
        const Str *p = ARG_STR(1, r);
        o[r] = p->len == 0 ||
               fn_find(SDATA(s), s->len, SDATA(p), p->len) != NULL;
    }
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Building new text: reverse, padding, repeat
 * ------------------------------------------------------------------------ */

FUNC_KERNEL(func_reverse)
{
    assert(n_args == 1);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        const Str *s = ARG_STR(0, r);
        const uint8_t *d = SDATA(s);
        char *p = fn_str_alloc(cx, &o[r], s->len);
        if (p == NULL)
            return no_memory(cx);
        size_t end = s->len;
        for (size_t i = 0; i < s->len;) {
            uint32_t cl = utf8_char_len(d + i, s->len - i);
            end -= cl;
            memcpy(p + end, d + i, cl);
            i += cl;
        }
        fn_str_done(&o[r], p);
    }
    return EMBER_OK;
}

/* Pad s to `target` characters with `fill` (cycled) on the left or right;
 * a longer s is cut to its first `target` characters. */
static int pad_one(FnCtx *cx, const Str *s, int64_t target, const Str *fill,
                   bool left, Str *res)
{
    if (target <= 0) {
        *res = str_empty();
        return EMBER_OK;
    }
    if ((uint64_t)target > FN_MAX_STR_LEN)
        return too_large(cx);
    size_t have = utf8_count(SDATA(s), s->len);
    if (have >= (size_t)target || fill->len == 0) {
        *res = char_range(s, 0, (size_t)target);
        return EMBER_OK;
    }
    const uint8_t *fd = SDATA(fill);
    size_t fill_chars = utf8_count(fd, fill->len);
    size_t need = (size_t)target - have;
    size_t tail = utf8_skip(fd, fill->len, need % fill_chars);
    uint64_t pad_bytes = (uint64_t)(need / fill_chars) * fill->len + tail;
    uint64_t len = pad_bytes + s->len;
    if (len > FN_MAX_STR_LEN)
        return too_large(cx);
    char *p = fn_str_alloc(cx, res, (uint32_t)len);
    if (p == NULL)
        return no_memory(cx);
    char *pad = left ? p : p + s->len;
    memcpy(left ? p + pad_bytes : p, str_data(s), s->len);
    for (uint64_t off = 0; off < pad_bytes; off += fill->len) {
        uint64_t chunk = MIN((uint64_t)fill->len, pad_bytes - off);
        memcpy(pad + off, fd, (size_t)chunk);
    }
    fn_str_done(res, p);
    return EMBER_OK;
}

static int pad_kernel(FnCtx *cx, Vector **args, int n_args,
                      const SelIdx *sel, uint32_t n, Vector *out, bool left)
{
    assert(n_args == 2 || n_args == 3);
    Str *o = VEC_STR(out);
    Str space = str_make(" ", 1);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        const Str *fill = n_args == 3 ? ARG_STR(2, r) : &space;
        int rc = pad_one(cx, ARG_STR(0, r), ARG_I64(1, r), fill, left, &o[r]);
        if (rc != EMBER_OK)
            return rc;
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_lpad)
{
    return pad_kernel(cx, args, n_args, sel, n, out, true);
}

FUNC_KERNEL(func_rpad)
{
    return pad_kernel(cx, args, n_args, sel, n, out, false);
}

FUNC_KERNEL(func_repeat)
{
    assert(n_args == 2);
    Str *o = VEC_STR(out);
    out->str_stable = false;
    FOR_VALID_STR_ROWS(r) {
        const Str *s = ARG_STR(0, r);
        int64_t times = ARG_I64(1, r);
        if (times <= 0 || s->len == 0) {
            o[r] = str_empty();
            continue;
        }
        if ((uint64_t)times > FN_MAX_STR_LEN ||
            (uint64_t)times * s->len > FN_MAX_STR_LEN)
            return too_large(cx);
        uint32_t len = (uint32_t)((uint64_t)times * s->len);
        char *p = fn_str_alloc(cx, &o[r], len);
        if (p == NULL)
            return no_memory(cx);
        for (int64_t i = 0; i < times; i++)
            memcpy(p + (size_t)i * s->len, str_data(s), s->len);
        fn_str_done(&o[r], p);
    }
    return EMBER_OK;
}
