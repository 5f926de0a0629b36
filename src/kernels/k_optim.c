/* SPDX-License-Identifier: MIT */
/* k_optim.c — parameter updates over the one parameter block (P floats). */
#include "kernels.h"

#include <math.h>

AE_VECTOR_CLONES
void ae_add_into(float *y, const float *x, size_t count) {
  for (size_t k = 0; k < count; k++) y[k] += x[k];
}

AE_VECTOR_CLONES
void ae_adam_step(float *p, float *m, float *v, const float *g, float lr,
                  float beta1, float beta2, float eps, float weight_decay,
                  long t, size_t count) {
  double bc1 = 1.0 - pow(beta1, (double)t);
  double bc2 = 1.0 - pow(beta2, (double)t);
  float step = (float)(lr / bc1);
  float inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
  float decay = 1.0f - lr * weight_decay;
  for (size_t k = 0; k < count; k++) {
    float gk = g[k];
    m[k] = beta1 * m[k] + (1.0f - beta1) * gk;
    v[k] = beta2 * v[k] + (1.0f - beta2) * gk * gk;
    float denom = sqrtf(v[k]) * inv_sqrt_bc2 + eps;
    p[k] = p[k] * decay - step * m[k] / denom;
  }
}

AE_VECTOR_CLONES
void ae_sgd_step(float *p, float *buf, const float *g, float lr,
                 float momentum, int nesterov, float weight_decay, int first,
                 size_t count) {
  for (size_t k = 0; k < count; k++) {
    float gk = g[k] + weight_decay * p[k];
    if (momentum != 0.0f) {
      buf[k] = first ? gk : momentum * buf[k] + gk;
      gk = nesterov ? gk + momentum * buf[k] : buf[k];
    }
    p[k] -= lr * gk;
  }
}

float ae_max_abs(const float *x, size_t n) {
  float m = 0.0f;
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    float a = fabsf(x[i]);
    bad |= !(a <= 3.40282347e38f); /* NaN and infinity fail this */
    m = a > m ? a : m;
  }
  return bad ? INFINITY : m;
}
