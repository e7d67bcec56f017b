/*
 * decimal.c -- fixed-point decimals: int64 scaled by 10^scale.
 *
 * A DECIMAL(p,s) value v stands for v / 10^s and is valid while
 * |v| < 10^p, p <= 18, so every valid value and every 10^k used here fits
 * an int64. Arithmetic that may exceed that (products, sums of many rows)
 * is done by the caller in __int128 and brought back with
 * decimal_from_i128.
 *
 * Rounding is always half away from zero (1.25 -> 1.3, -1.25 -> -1.3), as
 * PostgreSQL rounds numeric. Text parsing is exact: the digits are never
 * passed through a double.
 */
#include <math.h>
#include <stdlib.h>

#include "util/util.h"

const int64_t pow10_i64[19] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

/* Exponents beyond this are saturated while parsing: any nonzero mantissa
 * overflows and a zero one stays zero, so the exact value does not matter. */
#define EXP_CLAMP 100000

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The syntax of a decimal literal, located in the text. */
typedef struct DecText {
    const char *mant;      /* first byte of the mantissa (digit or '.') */
    size_t mant_len;       /* bytes of the mantissa, '.' included */
    size_t n_int;          /* digits before the '.' */
    int64_t exp;           /* exponent, clamped to +-EXP_CLAMP */
    bool neg;
} DecText;

/* Parse the exponent digits at s[*i] (after 'e' and its sign). */
static bool scan_exponent(const char *s, size_t len, size_t *i, int64_t *exp)
{
    bool neg = false;
    if (*i < len && (s[*i] == '+' || s[*i] == '-'))
        neg = s[(*i)++] == '-';
    if (*i >= len || !is_digit(s[*i]))
        return false;
    int64_t e = 0;
    while (*i < len && is_digit(s[*i])) {
        if (e < EXP_CLAMP)
            e = e * 10 + (s[*i] - '0');
        (*i)++;
    }
    if (e > EXP_CLAMP)
        e = EXP_CLAMP;
    *exp = neg ? -e : e;
    return true;
}

/* Check the syntax [space] [sign] digits [. digits] [e [sign] digits]
 * [space], with at least one mantissa digit, and locate its parts. */
static bool scan_decimal(const char *s, size_t len, DecText *t)
{
    size_t i = 0;
    while (i < len && is_space(s[i]))
        i++;
    while (len > i && is_space(s[len - 1]))
        len--;
    t->neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        t->neg = s[i++] == '-';
    t->mant = s + i;
    size_t start = i;
    while (i < len && is_digit(s[i]))
        i++;
    t->n_int = i - start;
    size_t n_digits = t->n_int;
    if (i < len && s[i] == '.') {
        size_t frac = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        n_digits += i - frac;
    }
    t->mant_len = i - start;
    if (n_digits == 0)
        return false;
    t->exp = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (!scan_exponent(s, len, &i, &t->exp))
            return false;
    }
    return i == len;
}

int decimal_parse(const char *s, size_t len, int prec, int scale,
                  int64_t *out)
{
    assert(prec >= 1 && prec <= DECIMAL_MAX_PREC);
    assert(scale >= 0 && scale <= DECIMAL_MAX_PREC);
    DecText t;
    if (!scan_decimal(s, len, &t))
        return EMBER_TYPE;
    /* The k-th mantissa digit (from 0) has weight 10^(shift-1-k) in the
     * scaled result: digits k < shift are its integer part and digit
     * `shift` decides the rounding. */
    int64_t shift = (int64_t)t.n_int + t.exp + scale;
    /* Unsigned: v < 10^18 before each step, so v * 10 + 9 cannot wrap. */
    uint64_t limit = (uint64_t)pow10_i64[prec];
    uint64_t v = 0;
    int64_t k = 0;
    int round_digit = 0;
    for (size_t i = 0; i < t.mant_len; i++) {
        if (t.mant[i] == '.')
            continue;
        int digit = t.mant[i] - '0';
        if (k < shift) {
            v = v * 10 + (uint64_t)digit;
            if (v >= limit)
                return EMBER_OVERFLOW;
        } else {
            if (k == shift)
                round_digit = digit;
            break;
        }
        k++;
    }
    /* Mantissa shorter than the integer part: append zeros. */
    for (; k < shift && v != 0; k++) {
        v *= 10;
        if (v >= limit)
            return EMBER_OVERFLOW;
    }
    if (round_digit >= 5 && ++v >= limit)
        return EMBER_OVERFLOW;
    *out = t.neg ? -(int64_t)v : (int64_t)v;
    return EMBER_OK;
}

int decimal_format(int64_t v, int scale, char *buf)
{
    assert(scale >= 0 && scale <= DECIMAL_MAX_PREC);
    /* Magnitude as unsigned, so INT64_MIN needs no special case. */
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    while (n < scale + 1)
        digits[n++] = '0';          /* at least one integer digit */
    int len = 0;
    if (v < 0)
        buf[len++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        buf[len++] = digits[i];
        if (i == scale && scale > 0)
            buf[len++] = '.';
    }
    buf[len] = 0;
    return len;
}

int decimal_from_i128(__int128 v, int prec, int64_t *out)
{
    assert(prec >= 1 && prec <= DECIMAL_MAX_PREC);
    __int128 limit = pow10_i64[prec];
    if (v >= limit || v <= -limit)
        return EMBER_OVERFLOW;
    *out = (int64_t)v;
    return EMBER_OK;
}

/* v / 10^k rounded half away from zero, 0 <= k <= 18. */
static int64_t div_round(int64_t v, int k)
{
    int64_t p = pow10_i64[k];
    int64_t q = v / p;
    int64_t r = v % p;
    /* |r| < p <= 10^18, so 2|r| fits a uint64. */
    uint64_t twice = 2 * (uint64_t)(r < 0 ? -r : r);
    if (twice >= (uint64_t)p)
        q += v < 0 ? -1 : 1;
    return q;
}

int decimal_rescale(int64_t v, int from_scale, int to_scale, int prec,
                    int64_t *out)
{
    assert(from_scale >= 0 && from_scale <= DECIMAL_MAX_PREC);
    assert(to_scale >= 0 && to_scale <= DECIMAL_MAX_PREC);
    if (to_scale >= from_scale) {
        __int128 w = (__int128)v * pow10_i64[to_scale - from_scale];
        return decimal_from_i128(w, prec, out);
    }
    return decimal_from_i128(div_round(v, from_scale - to_scale), prec, out);
}

double decimal_to_double(int64_t v, int scale)
{
    assert(scale >= 0 && scale <= DECIMAL_MAX_PREC);
    /* Both operands are exact doubles while |v| <= 2^53 (10^k is exact up
     * to 10^22), and IEEE division rounds correctly, so the quotient is the
     * double nearest to the decimal. Larger v would be rounded twice; the
     * text route rounds once. */
    const int64_t exact = (int64_t)1 << 53;
    if (v <= exact && v >= -exact)
        return (double)v / (double)pow10_i64[scale];
    char buf[32];
    decimal_format(v, scale, buf);
    return strtod(buf, NULL);
}

int decimal_from_double(double d, int prec, int scale, int64_t *out)
{
    assert(prec >= 1 && prec <= DECIMAL_MAX_PREC);
    assert(scale >= 0 && scale <= DECIMAL_MAX_PREC);
    if (!isfinite(d))
        return EMBER_OVERFLOW;
    /* Fast path: integral doubles below 2^53 are exact integers. */
    if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
        __int128 w = (__int128)(int64_t)d * pow10_i64[scale];
        return decimal_from_i128(w, prec, out);
    }
    /* Otherwise round the shortest text that reads back as d, i.e. the
     * decimal the user sees: 1.005 (stored as 1.00499999999999989...)
     * becomes 1.01 at scale 2, as it prints. */
    char buf[32];
    int n = double_format(d, buf);
    return decimal_parse(buf, (size_t)n, prec, scale, out);
}
