/* SPDX-License-Identifier: MIT */
/* k_loss.c — reconstruction losses with their gradients in the same pass.
 *
 * Each loss works through chunks: one branch-free loop computes the
 * per-element loss (and gradient) so the compiler vectorises it, then the
 * chunk is added into 8 double accumulators in a fixed order, so the sum is
 * accurate and the same bits every run. */
#include "kernels.h"

#include "fastmath.h"

#include <math.h>

enum { CHUNK = 512, LANES = 8 };

/* Add l[0..m) into acc[LANES] in a fixed order. */
static void accumulate(double *acc, const float *l, size_t m) {
  size_t k = 0;
  for (; k + LANES <= m; k += LANES)
    for (int j = 0; j < LANES; j++) acc[j] += (double)l[k + j];
  for (; k < m; k++) acc[k % LANES] += (double)l[k];
}

static double total(const double *acc) {
  double s = 0.0;
  for (int j = 0; j < LANES; j++) s += acc[j];
  return s;
}

/* BCE of sigmoid(z) vs t from logits: max(z,0) - z t + log(1 + exp(-|z|)). */
static inline float bce_term(float zk, float tk, float e) {
  return (zk > 0.0f ? zk : 0.0f) - zk * tk + ae_fast_log1p_unit(e);
}

AE_VECTOR_CLONES
double ae_bce_logits(float *dz, const float *z, const float *t, float scale,
                     size_t count) {
  double acc[LANES] = {0};
  float l[CHUNK];
  for (size_t base = 0; base < count; base += CHUNK) {
    size_t m = count - base < CHUNK ? count - base : CHUNK;
    const float *zc = z + base, *tc = t + base;
    if (dz) {
      float *dc = dz + base;
      for (size_t k = 0; k < m; k++) {
        float zk = zc[k], e = ae_fast_exp_neg(zk > 0.0f ? -zk : zk); /* exp(-|z|) */
        float inv = 1.0f / (1.0f + e);
        float s = zk >= 0.0f ? inv : e * inv; /* sigmoid(z) */
        l[k] = bce_term(zk, tc[k], e);
        dc[k] = (s - tc[k]) * scale;
      }
    } else {
      for (size_t k = 0; k < m; k++) {
        float zk = zc[k];
        l[k] = bce_term(zk, tc[k], ae_fast_exp_neg(zk > 0.0f ? -zk : zk));
      }
    }
    accumulate(acc, l, m);
  }
  return total(acc);
}

AE_VECTOR_CLONES
double ae_mse(float *dy, const float *y, const float *t, float scale,
              size_t count) {
  double acc[LANES] = {0};
  float l[CHUNK];
  for (size_t base = 0; base < count; base += CHUNK) {
    size_t m = count - base < CHUNK ? count - base : CHUNK;
    const float *yc = y + base, *tc = t + base;
    if (dy) {
      float *dc = dy + base;
      for (size_t k = 0; k < m; k++) {
        float d = yc[k] - tc[k];
        l[k] = d * d;
        dc[k] = 2.0f * d * scale;
      }
    } else {
      for (size_t k = 0; k < m; k++) {
        float d = yc[k] - tc[k];
        l[k] = d * d;
      }
    }
    accumulate(acc, l, m);
  }
  return total(acc);
}
