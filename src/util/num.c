/*
 * num.c -- text conversion of integers and doubles.
 *
 * Doubles print as the shortest of %.15g, %.16g and %.17g that reads back
 * exactly, so output round-trips and ordinary values keep their familiar
 * spelling ("0.1", not "0.10000000000000001"). Special values use
 * PostgreSQL's spelling: "Infinity", "-Infinity", "NaN"; the parser accepts
 * those and every other strtod form.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/util.h"

/* Doubles longer than this (with spaces trimmed) are copied to the heap
 * for strtod; real literals are far shorter. */
#define NUM_STACK_BUF 128

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Narrow [s, s+len) to the text between surrounding spaces. */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*s)[*len - 1]))
        (*len)--;
}

int double_format(double d, char *buf)
{
    if (isnan(d))
        return snprintf(buf, 32, "NaN");
    if (isinf(d))
        return snprintf(buf, 32, d < 0 ? "-Infinity" : "Infinity");
    int n = 0;
    for (int digits = 15; digits <= 17; digits++) {
        n = snprintf(buf, 32, "%.*g", digits, d);
        if (digits == 17 || strtod(buf, NULL) == d)
            break;
    }
    return n;
}

int parse_int64(const char *s, size_t len, int64_t *out)
{
    trim(&s, &len);
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == len)
        return EMBER_TYPE;
    for (size_t j = i; j < len; j++) {
        if (s[j] < '0' || s[j] > '9')
            return EMBER_TYPE;
    }
    /* Accumulate the magnitude unsigned: INT64_MIN's is 2^63. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; i < len; i++) {
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (limit - digit) / 10)
            return EMBER_OVERFLOW;
        v = v * 10 + digit;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return EMBER_OK;
}

int parse_double(const char *s, size_t len, double *out)
{
    trim(&s, &len);
    if (len == 0)
        return EMBER_TYPE;
    char stack[NUM_STACK_BUF];
    char *text = stack;
    if (len >= sizeof(stack)) {
        text = mem_alloc(len + 1);
        if (text == NULL)
            return EMBER_NOMEM;
    }
    memcpy(text, s, len);
    text[len] = 0;
    char *end;
    errno = 0;
    double d = strtod(text, &end);
    int rc = EMBER_OK;
    if (end != text + len)
        rc = EMBER_TYPE;
    else if (errno == ERANGE && isinf(d))
        rc = EMBER_OVERFLOW;
    if (text != stack)
        mem_free(text);
    if (rc == EMBER_OK)
        *out = d;
    return rc;
}
