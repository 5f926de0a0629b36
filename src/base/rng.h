/* SPDX-License-Identifier: MIT */
/* rng.h — the one seeded random generator (xoshiro256**, seeded through
 * splitmix64). An object, never a global: each model, trainer or split owns
 * its own, so the same seed gives the same bits. */
#ifndef AE_RNG_H
#define AE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct ae_rng {
  uint64_t s[4];
} ae_rng;

void ae_rng_seed(ae_rng *r, uint64_t seed);
uint64_t ae_rng_next(ae_rng *r);
/* Uniform in [0, 1) with 24 random bits (float) or 53 (double). */
float ae_rng_uniform(ae_rng *r);
double ae_rng_uniform_double(ae_rng *r);
/* Uniform integer in [0, n), unbiased (n > 0). */
uint64_t ae_rng_below(ae_rng *r, uint64_t n);
/* Standard normal (Box-Muller on doubles). */
double ae_rng_normal(ae_rng *r);
/* Fisher-Yates shuffle of idx[0..n). */
void ae_rng_shuffle(ae_rng *r, uint32_t *idx, size_t n);

#endif
