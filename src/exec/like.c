/*
 * like.c -- LIKE, ILIKE and LIKE ... ESCAPE.
 *
 * `%` matches any sequence, `_` exactly one character (UTF-8 aware), and
 * the escape character (backslash unless ESCAPE says otherwise; ESCAPE ''
 * means none) makes the next character literal. ILIKE folds ASCII letters
 * only. A pattern ending with the escape character is an error, as in
 * PostgreSQL.
 *
 * A pattern is compiled into segments, the pieces between `%` signs, each
 * a list of atoms: a literal byte run or one `_`. Common shapes get a fast
 * path: 'abc' (equality), 'abc%' (prefix), '%abc' (suffix), '%abc%'
 * (substring search) and '%' (anything). The general matcher anchors the first
 * segment at the start and the last at the end (unless the pattern begins
 * or ends with `%`), then finds each middle segment at its leftmost match
 * after the previous one. Leftmost is always right: a segment has a fixed
 * number of characters, so an earlier match never leaves less room for
 * what follows. Work is O(text x segment length) at worst, never
 * exponential: '%a%a%a%a%b' on a long text is one pass.
 *
 * A constant pattern (the usual case) is compiled once per call; others
 * are compiled per row into a buffer reused across rows. Buffers come from
 * cx->heap and grow by doubling, so memory per call is bounded by a few
 * times the longest pattern and text.
 */
#include "exec/func_int.h"

/* One atom: bytes lit[off, off+len) literally, or (len 0) one character. */
typedef struct LikeAtom {
    uint32_t off;
    uint32_t len;
} LikeAtom;

/* Atoms [first, first+n) between two `%` (or the ends). */
typedef struct LikeSeg {
    uint32_t first;
    uint32_t n;
} LikeSeg;

typedef enum LikeKind {
    LIKE_GENERAL,
    LIKE_EMPTY,           /* '' */
    LIKE_ANY,             /* '%' */
    LIKE_EXACT,           /* 'abc' */
    LIKE_PREFIX,          /* 'abc%' */
    LIKE_SUFFIX,          /* '%abc' */
    LIKE_CONTAINS,        /* '%abc%' */
} LikeKind;

/* A compiled pattern; arrays live in a LikeBuf. */
typedef struct LikePat {
    LikeKind kind;
    bool lead_pct;        /* pattern starts with % */
    bool trail_pct;       /* pattern ends with % */
    char *lit;            /* literal bytes, escapes removed, folded */
    uint32_t lit_len;
    LikeAtom *atoms;
    uint32_t n_atoms;
    LikeSeg *segs;
    uint32_t n_segs;
} LikePat;

/* A growable scratch buffer in cx->heap. */
typedef struct LikeBuf {
    void *p;
    size_t cap;
} LikeBuf;

static void *buf_reserve(FnCtx *cx, LikeBuf *b, size_t n)
{
    if (n <= b->cap)
        return b->p;
    size_t cap = MAX(n, 2 * b->cap);
    void *p = arena_alloc(cx->heap, cap);
    if (p == NULL)
        return NULL;
    b->p = p;
    b->cap = cap;
    return p;
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* ------------------------------------------------------------------------
 * Compilation
 * ------------------------------------------------------------------------ */

static void add_literal(LikePat *lp, const char *c, uint32_t len, bool icase)
{
    LikeSeg *seg = &lp->segs[lp->n_segs - 1];
    LikeAtom *last = seg->n ? &lp->atoms[lp->n_atoms - 1] : NULL;
    if (last == NULL || last->len == 0) {
        lp->atoms[lp->n_atoms++] = (LikeAtom){lp->lit_len, 0};
        seg->n++;
        last = &lp->atoms[lp->n_atoms - 1];
    }
    for (uint32_t i = 0; i < len; i++)
        lp->lit[lp->lit_len++] = icase ? fold(c[i]) : c[i];
    last->len += len;
}

/* Pick a fast path for patterns without `_`. */
static void classify(LikePat *lp)
{
    lp->kind = LIKE_GENERAL;
    if (lp->n_segs == 0) {
        lp->kind = lp->lead_pct ? LIKE_ANY : LIKE_EMPTY;
        return;
    }
    if (lp->n_segs != 1 || lp->segs[0].n != 1 || lp->atoms[0].len == 0)
        return;
    if (!lp->lead_pct)
        lp->kind = lp->trail_pct ? LIKE_PREFIX : LIKE_EXACT;
    else
        lp->kind = lp->trail_pct ? LIKE_CONTAINS : LIKE_SUFFIX;
}

/* Compile pattern p[0, m) with escape e[0, elen) (elen 0: none) into lp,
 * using scratch from b. */
static int like_compile(FnCtx *cx, LikeBuf *b, const char *p, uint32_t m,
                        const char *e, uint32_t elen, bool icase, LikePat *lp)
{
    size_t atoms_sz = ((size_t)m + 1) * sizeof(LikeAtom);
    size_t segs_sz = ((size_t)m + 1) * sizeof(LikeSeg);
    char *mem = buf_reserve(cx, b, atoms_sz + segs_sz + m + 1);
    if (mem == NULL)
        return err_nomem(cx->err);
    memset(lp, 0, sizeof(*lp));
    lp->atoms = (LikeAtom *)mem;
    lp->segs = (LikeSeg *)(mem + atoms_sz);
    lp->lit = mem + atoms_sz + segs_sz;
    bool open = false;                     /* a segment is being built */
    for (uint32_t i = 0; i < m;) {
        uint32_t cl = utf8_char_len((const uint8_t *)p + i, m - i);
        bool esc = elen && cl == elen && memcmp(p + i, e, elen) == 0;
        if (!esc && p[i] == '%') {
            if (lp->n_segs == 0)
                lp->lead_pct = true;
            open = false;
            lp->trail_pct = true;
            i++;
            continue;
        }
        lp->trail_pct = false;
        if (!open) {
            lp->segs[lp->n_segs++] = (LikeSeg){lp->n_atoms, 0};
            open = true;
        }
        if (esc) {
            i += elen;
            if (i >= m)
                return err_set(cx->err, EMBER_ERROR, cx->pos,
                               "LIKE pattern must not end with escape "
                               "character");
            cl = utf8_char_len((const uint8_t *)p + i, m - i);
            add_literal(lp, p + i, cl, icase);
        } else if (p[i] == '_') {
            lp->atoms[lp->n_atoms++] = (LikeAtom){0, 0};
            lp->segs[lp->n_segs - 1].n++;
        } else {
            add_literal(lp, p + i, cl, icase);
        }
        i += cl;
    }
    classify(lp);
    return EMBER_OK;
}

/* ------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------ */

/* Match segment `sg` forward from s[pos]; the match must end by `end`.
 * On success *after is where it ended. */
static bool seg_at(const LikePat *lp, const LikeSeg *sg, const uint8_t *s,
                   size_t n, size_t pos, size_t end, size_t *after)
{
    for (uint32_t a = sg->first; a < sg->first + sg->n; a++) {
        const LikeAtom *at = &lp->atoms[a];
        if (at->len == 0) {
            if (pos >= end)
                return false;
            pos += utf8_char_len(s + pos, n - pos);
            if (pos > end)
                return false;
        } else {
            if (end - pos < at->len ||
                memcmp(s + pos, lp->lit + at->off, at->len) != 0)
                return false;
            pos += at->len;
        }
    }
    *after = pos;
    return true;
}

/* Match segment `sg` backward so that it ends exactly at `end` and starts
 * no earlier than `lo`; *start is where it starts. */
static bool seg_back(const LikePat *lp, const LikeSeg *sg, const uint8_t *s,
                     size_t lo, size_t end, size_t *start)
{
    for (uint32_t a = sg->first + sg->n; a-- > sg->first;) {
        const LikeAtom *at = &lp->atoms[a];
        if (at->len == 0) {
            if (end <= lo)
                return false;
            uint32_t cl = utf8_prev_len(s, end);
            if (end - lo < cl)
                return false;
            end -= cl;
        } else {
            if (end - lo < at->len ||
                memcmp(s + end - at->len, lp->lit + at->off, at->len) != 0)
                return false;
            end -= at->len;
        }
    }
    *start = end;
    return true;
}

/* Leftmost match of `sg` within s[pos, end); *after is where it ends. */
static bool seg_find(const LikePat *lp, const LikeSeg *sg, const uint8_t *s,
                     size_t n, size_t pos, size_t end, size_t *after)
{
    const LikeAtom *first = &lp->atoms[sg->first];
    while (pos < end) {
        size_t cand = pos;
        if (first->len != 0) {
            const uint8_t *hit = fn_find(s + pos, end - pos,
                                         (const uint8_t *)lp->lit + first->off,
                                         first->len);
            if (hit == NULL)
                return false;
            cand = (size_t)(hit - s);
        }
        if (seg_at(lp, sg, s, n, cand, end, after))
            return true;
        pos = cand + (first->len != 0 ? 1 : utf8_char_len(s + cand, n - cand));
    }
    return false;
}

static bool match_general(const LikePat *lp, const uint8_t *s, size_t n)
{
    size_t pos = 0;
    size_t end = n;
    uint32_t i = 0;
    uint32_t last = lp->n_segs - 1;
    if (!lp->lead_pct) {
        if (!seg_at(lp, &lp->segs[0], s, n, 0, n, &pos))
            return false;
        if (lp->n_segs == 1 && !lp->trail_pct)
            return pos == n;
        i = 1;
    }
    if (!lp->trail_pct && i <= last) {
        if (!seg_back(lp, &lp->segs[last], s, pos, n, &end))
            return false;
        if (last == 0)
            return true;
        last--;
    }
    for (; i <= last && i < lp->n_segs; i++) {
        if (!seg_find(lp, &lp->segs[i], s, n, pos, end, &pos))
            return false;
    }
    return true;
}

static inline bool like_match(const LikePat *lp, const uint8_t *s, size_t n)
{
    const char *lit = lp->lit;
    uint32_t m = lp->lit_len;
    switch (lp->kind) {
    case LIKE_EMPTY:
        return n == 0;
    case LIKE_ANY:
        return true;
    case LIKE_EXACT:
        return n == m && memcmp(s, lit, m) == 0;
    case LIKE_PREFIX:
        return n >= m && memcmp(s, lit, m) == 0;
    case LIKE_SUFFIX:
        return n >= m && memcmp(s + n - m, lit, m) == 0;
    case LIKE_CONTAINS:
        return fn_find(s, n, (const uint8_t *)lit, m) != NULL;
    case LIKE_GENERAL:
        break;
    }
    return match_general(lp, s, n);
}

/* ------------------------------------------------------------------------
 * Kernels
 * ------------------------------------------------------------------------ */

/* The escape of row r: backslash by default; ESCAPE must be empty or one
 * character. */
static int row_escape(FnCtx *cx, Vector **args, int n_args, uint32_t r,
                      const char **e, uint32_t *elen)
{
    if (n_args < 3) {
        *e = "\\";
        *elen = 1;
        return EMBER_OK;
    }
    const Str *es = &VEC_STR(args[2])[ARG_ROW(args[2], r)];
    *e = str_data(es);
    *elen = es->len;
    if (es->len != 0 &&
        utf8_char_len((const uint8_t *)*e, es->len) != es->len) {
        err_set(cx->err, EMBER_ERROR, cx->pos, "invalid escape string");
        err_hint(cx->err, "Escape string must be empty or one character.");
        return EMBER_ERROR;
    }
    return EMBER_OK;
}

static int compile_row(FnCtx *cx, Vector **args, int n_args, uint32_t r,
                       bool icase, LikeBuf *b, LikePat *lp)
{
    const char *e;
    uint32_t elen;
    int rc = row_escape(cx, args, n_args, r, &e, &elen);
    if (rc != EMBER_OK)
        return rc;
    const Str *ps = &VEC_STR(args[1])[ARG_ROW(args[1], r)];
    return like_compile(cx, b, str_data(ps), ps->len, e, elen, icase, lp);
}

static int like_kernel(FnCtx *cx, Vector **args, int n_args,
                       const SelIdx *sel, uint32_t n, Vector *out, bool icase)
{
    assert(n_args == 2 || n_args == 3);
    const Vector *sv = args[0];
    uint8_t *o = VEC_U8(out);
    LikeBuf pat_buf = {NULL, 0};
    LikeBuf fold_buf = {NULL, 0};
    LikePat lp;
    bool const_pat = args[1]->is_const && (n_args < 3 || args[2]->is_const);
    if (const_pat) {
        if (!vec_valid(args[1], 0) || (n_args == 3 && !vec_valid(args[2], 0)))
            return EMBER_OK;                /* all rows NULL */
        int rc = compile_row(cx, args, n_args, 0, icase, &pat_buf, &lp);
        if (rc != EMBER_OK)
            return rc;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = sel_row(sel, k);
        if (!out_valid(out, r)) {
            o[r] = 0;
            continue;
        }
        if (!const_pat) {
            int rc = compile_row(cx, args, n_args, r, icase, &pat_buf, &lp);
            if (rc != EMBER_OK)
                return rc;
        }
        const Str *s = &VEC_STR(sv)[ARG_ROW(sv, r)];
        const uint8_t *d = (const uint8_t *)str_data(s);
        if (icase) {
            char *f = buf_reserve(cx, &fold_buf, s->len + 1);
            if (f == NULL)
                return err_nomem(cx->err);
            for (uint32_t i = 0; i < s->len; i++)
                f[i] = fold((char)d[i]);
            d = (const uint8_t *)f;
        }
        o[r] = like_match(&lp, d, s->len);
    }
    return EMBER_OK;
}

FUNC_KERNEL(func_like)
{
    return like_kernel(cx, args, n_args, sel, n, out, false);
}

FUNC_KERNEL(func_like_escape)
{
    assert(n_args == 3);
    return like_kernel(cx, args, n_args, sel, n, out, false);
}

FUNC_KERNEL(func_ilike)
{
    return like_kernel(cx, args, n_args, sel, n, out, true);
}
