/* SPDX-License-Identifier: MIT */
/* fastmath.h — exp and log1p for the element-wise hot loops, written so the
 * compiler can vectorise them (no libm calls, no branches that stop it).
 * Relative error against libm, checked in tests/test_kernels.c (with NaN
 * and infinities): exp below 2e-7 on [-80, 0] (1.2e-7 measured; toward -87
 * results near the denormal range lose digits, 7.7e-6 at -87), log1p below
 * 3e-7 on [0, 1] (2.3e-7 measured). */
#ifndef AE_FASTMATH_H
#define AE_FASTMATH_H

#include <stdint.h>
#include <string.h>

/* exp(x) for x <= 0 (x below -87, -inf included, gives ~1e-38, not 0; x
 * above 0 is taken as 0; NaN gives NaN). Cody-Waite range reduction
 * x = n ln2 + r, |r| <= ln2/2, then a degree-7 Taylor polynomial. The
 * clamps come first so that n is always in [-126, 0]: a NaN or a large x
 * never reaches the int conversion and the shift (undefined behaviour). */
static inline float ae_fast_exp_neg(float x) {
  float in = x;
  x = x >= -87.0f ? x : -87.0f; /* NaN fails the test: -87 */
  x = x <= 0.0f ? x : 0.0f;
  /* round to nearest by adding and removing 1.5 * 2^23 (vectorisable) */
  float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693145751953125f - n * 1.428606765330187e-06f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return in == in ? p * scale : in; /* a select: NaN stays NaN */
}

/* log(1 + e) for 0 <= e <= 1, as 2 atanh(s) with s = e / (2 + e) <= 1/3:
 * no cancellation for tiny e. */
static inline float ae_fast_log1p_unit(float e) {
  float s = e / (2.0f + e), s2 = s * s;
  float p = 1.0f / 13.0f;
  p = p * s2 + 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  return 2.0f * s * p;
}

/* sigmoid(z) through exp(-|z|), stable for any z. */
static inline float ae_fast_sigmoid(float z) {
  float e = ae_fast_exp_neg(z > 0.0f ? -z : z);
  float inv = 1.0f / (1.0f + e);
  return z >= 0.0f ? inv : e * inv;
}

#endif
