/*
 * unit.h -- shared includes and checks for the cmocka unit tests.
 *
 * cmocka's assert_int_equal prints values in hexadecimal as unsigned; the
 * checks here print signed decimals and full-precision doubles, so a
 * failing date, decimal or count reads as the number it is.
 */
#ifndef EMBER_UNIT_H
#define EMBER_UNIT_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

/* Signed 64-bit equality, printed in decimal. */
#define assert_i64_equal(a, b)                                             \
    do {                                                                   \
        int64_t a_ = (int64_t)(a);                                         \
        int64_t b_ = (int64_t)(b);                                         \
        if (a_ != b_)                                                      \
            fail_msg("%s == %s: %" PRId64 " != %" PRId64, #a, #b, a_, b_); \
    } while (0)

/* The same double, bit for bit (so -0 differs from 0), or both NaN. */
#define assert_double_same(a, b)                                           \
    do {                                                                   \
        double a_ = (a);                                                   \
        double b_ = (b);                                                   \
        if (!(a_ != a_ && b_ != b_) && memcmp(&a_, &b_, 8) != 0)           \
            fail_msg("%s == %s: %.17g != %.17g", #a, #b, a_, b_);          \
    } while (0)

/* A status code, printed in decimal. */
#define assert_rc(rc, want) assert_i64_equal(rc, want)

/* Deterministic pseudo-random numbers for tests: a counter stepped by an
 * odd constant, scrambled by hash_u64. */
static inline uint64_t unit_rand(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15ULL;
    return hash_u64(*state);
}

#endif /* EMBER_UNIT_H */
