/* SPDX-License-Identifier: MIT */
/* rng.c — xoshiro256** (Blackman & Vigna), seeded by splitmix64. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void ae_rng_seed(ae_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ae_rng_next(ae_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

float ae_rng_uniform(ae_rng *r) {
  return (float)(ae_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

double ae_rng_uniform_double(ae_rng *r) {
  return (double)(ae_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t ae_rng_below(ae_rng *r, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = ae_rng_next(r);
  while (x >= limit);
  return x % n;
}

double ae_rng_normal(ae_rng *r) {
  double u1 = 1.0 - ae_rng_uniform_double(r); /* (0, 1] */
  double u2 = ae_rng_uniform_double(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void ae_rng_shuffle(ae_rng *r, uint32_t *idx, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)ae_rng_below(r, i);
    uint32_t t = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = t;
  }
}
