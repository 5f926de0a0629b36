/* SPDX-License-Identifier: MIT */
/* rng_fill.c — standard normals in bulk from the seeded generator.
 *
 * Box-Muller, one 64-bit draw per pair: the high 31 bits give u1 in (0, 1]
 * (so |z| <= sqrt(-2 ln 2^-32) = 6.66), the low 32 bits an angle, 2 bits of
 * quadrant and 24 bits within it. log, sin and cos are float polynomials the
 * compiler vectorises; they use only +, -, *, / and sqrt in a fixed order, so
 * the AVX2 and baseline clones give the same bits. Errors: log below 1e-9
 * relative (truncation) plus float rounding; sin and cos below 1e-9. */
#include "kernels.h"
#include "noise.h"

#include <stdint.h>
#include <string.h>

#ifdef __clang__ /* no fused multiply-add even with -march=native: same bits */
#pragma STDC FP_CONTRACT OFF
#endif

enum { PAIRS = 128 }; /* pairs per block: the words fit in 1 KiB of stack */

/* ln(u) for u in (0, 1] (normal floats): u = 2^k m, m in [sqrt 1/2, sqrt 2),
 * ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716. */
static inline float log_unit(float u) {
  uint32_t bits;
  memcpy(&bits, &u, sizeof bits);
  uint32_t t = bits + (0x3f800000u - 0x3f3504f3u); /* below 2^31: no sign */
  int32_t k = (int32_t)(t >> 23) - 127;
  uint32_t mb = (t & 0x007fffffu) + 0x3f3504f3u;
  float m;
  memcpy(&m, &mb, sizeof m);
  float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
  float p = 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  return (float)k * 0.693147180559945f + 2.0f * s * p;
}

/* PAIRS pairs of normals from the draws' high (hi) and low (lo) 32-bit
 * halves: out (2 * PAIRS) interleaved as cos, sin of each pair. The fixed
 * trip count lets gcc -O2 vectorise it too. */
AE_VECTOR_CLONES
static void box_muller(float *out, const uint32_t *hi, const uint32_t *lo) {
  for (size_t i = 0; i < PAIRS; i++) {
    float u1 = ((float)(int32_t)(hi[i] >> 1) + 0.5f) * (1.0f / 2147483648.0f);
    float r2 = -2.0f * log_unit(u1);
    float r = __builtin_sqrtf(r2 > 0.0f ? r2 : 0.0f);
    uint32_t q = lo[i] >> 30;
    float x = (float)(int32_t)((lo[i] >> 6) & 0x00ffffffu) *
              (1.5707963267948966f / 16777216.0f); /* [0, pi/2) */
    float x2 = x * x;
    float sn = 1.0f / 6227020800.0f; /* Taylor to x^13: error < 7e-10 */
    sn = sn * x2 - 1.0f / 39916800.0f;
    sn = sn * x2 + 1.0f / 362880.0f;
    sn = sn * x2 - 1.0f / 5040.0f;
    sn = sn * x2 + 1.0f / 120.0f;
    sn = sn * x2 - 1.0f / 6.0f;
    sn = (sn * x2 + 1.0f) * x;
    float cs = 1.0f / 479001600.0f; /* Taylor to x^12: error < 7e-9 */
    cs = cs * x2 - 1.0f / 3628800.0f;
    cs = cs * x2 + 1.0f / 40320.0f;
    cs = cs * x2 - 1.0f / 720.0f;
    cs = cs * x2 + 1.0f / 24.0f;
    cs = cs * x2 - 0.5f;
    cs = cs * x2 + 1.0f;
    /* turn by q quarter turns: (c, s) (-s, c) (-c, -s) (s, -c) */
    float c = (q & 1u) ? sn : cs, s = (q & 1u) ? cs : sn;
    c = ((q ^ (q >> 1)) & 1u) ? -c : c;
    s = (q >> 1) ? -s : s;
    out[2 * i] = r * c;
    out[2 * i + 1] = r * s;
  }
}

/* n standard normals; ceil(n/2) draws, consumed in order. */
void ae_rng_normal_fill(ae_rng *r, float *out, size_t n) {
  uint32_t hi[PAIRS], lo[PAIRS];
  while (n > 0) {
    size_t pairs = (n + 1) / 2 < PAIRS ? (n + 1) / 2 : PAIRS;
    for (size_t i = 0; i < pairs; i++) {
      uint64_t w = ae_rng_next(r);
      hi[i] = (uint32_t)(w >> 32);
      lo[i] = (uint32_t)w;
    }
    if (pairs == PAIRS && 2 * PAIRS <= n) {
      box_muller(out, hi, lo);
      out += 2 * PAIRS;
      n -= 2 * PAIRS;
    } else { /* the tail, padded; of an odd n the last value is dropped */
      float tmp[2 * PAIRS];
      memset(hi + pairs, 0, (PAIRS - pairs) * sizeof *hi);
      memset(lo + pairs, 0, (PAIRS - pairs) * sizeof *lo);
      box_muller(tmp, hi, lo);
      memcpy(out, tmp, n * sizeof *out);
      n = 0;
    }
  }
}
