/*
 * hll.c -- HyperLogLog distinct counting (Flajolet, Fusy, Gandouet and
 * Meunier, 2007) with m = 2^12 one-byte registers.
 *
 * A hash picks its register with its top 12 bits; the register keeps the
 * largest rank seen, the rank being one plus the number of leading zeros
 * of the remaining 52 bits (53 when they are all zero). The estimate is the
 * bias-corrected harmonic mean alpha_m * m^2 / sum(2^-reg); below 2.5m,
 * while registers are still empty, linear counting m * ln(m / empty) is
 * more accurate and is used instead. With 64-bit hashes collisions are
 * negligible, so no large-range correction is needed.
 *
 * Registers only grow and merging is a register-wise max, so a merge of
 * sketches is exactly the sketch of the union of their inputs: the order
 * in which threads or partitions combine does not matter.
 */
#include <math.h>

#include "util/util.h"

#define HLL_REST_BITS (64 - HLL_BITS)

void hll_init(Hll *h)
{
    memset(h->reg, 0, sizeof(h->reg));
}

void hll_add(Hll *h, uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> HLL_REST_BITS);
    uint64_t rest = hash << HLL_BITS;      /* the low 52 bits, top-aligned */
    uint8_t rank = rest == 0 ? HLL_REST_BITS + 1
                             : (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > h->reg[idx])
        h->reg[idx] = rank;
}

void hll_merge(Hll *dst, const Hll *src)
{
    for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
        if (src->reg[i] > dst->reg[i])
            dst->reg[i] = src->reg[i];
    }
}

double hll_estimate(const Hll *h)
{
    const double m = HLL_REGISTERS;
    const double alpha = 0.7213 / (1.0 + 1.079 / m);
    double sum = 0;
    uint32_t empty = 0;
    for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
        sum += ldexp(1.0, -(int)h->reg[i]);
        empty += h->reg[i] == 0;
    }
    double est = alpha * m * m / sum;
    if (est <= 2.5 * m && empty > 0)
        est = m * log(m / empty);
    return est;
}
