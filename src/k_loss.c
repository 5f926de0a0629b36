/* k_loss.c — reconstruction losses with their gradients in the same pass. */
#include "kernels.h"

#include "fastmath.h"

#include <math.h>

double ae_bce_logits(float *dz, float *p, const float *z, const float *t,
                     float scale, size_t count) {
  double sum = 0.0;
  for (size_t k = 0; k < count; k++) {
    float zk = z[k], e = ae_fast_exp_neg(zk > 0.0f ? -zk : zk); /* exp(-|z|) */
    /* max(z, 0) - z t + log(1 + exp(-|z|)) */
    sum += (double)((zk > 0.0f ? zk : 0.0f) - zk * t[k] + ae_fast_log1p_unit(e));
    float inv = 1.0f / (1.0f + e);
    float s = zk >= 0.0f ? inv : e * inv; /* sigmoid(z) */
    if (dz) dz[k] = (s - t[k]) * scale;
    if (p) p[k] = s;
  }
  return sum;
}

double ae_mse(float *dy, const float *y, const float *t, float scale,
              size_t count) {
  double sum = 0.0;
  for (size_t k = 0; k < count; k++) {
    float d = y[k] - t[k];
    sum += (double)(d * d);
    if (dy) dy[k] = 2.0f * d * scale;
  }
  return sum;
}
