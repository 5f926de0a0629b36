/* SPDX-License-Identifier: MIT */
/* k_penalty.c — the objective's terms beyond reconstruction, and the VAE's
 * reparameterisation: L1 and KL sparsity on the code, the Gaussian KL of
 * the sampler's input, the contractive penalty of a dense code layer, L2
 * on the weights. Each gives its value (a double sum) and, when asked, adds
 * its gradient; the objective (src/core/objective.c) weights and places them.
 * Legend: N samples, Z code units, I O a dense layer's input and output
 * features. */
#include "kernels.h"

#include <math.h>

double ae_l1_penalty(float *dh, const float *h, float lam, float scale, size_t count) {
  double s = 0.0;
  for (size_t k = 0; k < count; k++) {
    s += fabsf(h[k]);
    if (dh) dh[k] += lam * scale * (float)((h[k] > 0.0f) - (h[k] < 0.0f));
  }
  return s;
}

void ae_column_sums(double *sums, const float *h, int n, int z) {
  for (int j = 0; j < z; j++) sums[j] = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < z; j++) sums[j] += h[(size_t)i * z + j];
}

double ae_kl_sparsity(float *dh, const double *means, double rho, double weight, float scale,
                      int n, int z) {
  double kl = 0.0;
  for (int j = 0; j < z; j++) {
    double r = means[j] < 1e-6 ? 1e-6 : means[j] > 1.0 - 1e-6 ? 1.0 - 1e-6 : means[j];
    kl += rho * log(rho / r) + (1.0 - rho) * log((1.0 - rho) / (1.0 - r));
    if (dh) {
      float g = (float)(weight * (-rho / r + (1.0 - rho) / (1.0 - r))) * scale;
      for (int i = 0; i < n; i++) dh[(size_t)i * z + j] += g;
    }
  }
  return kl;
}

double ae_gauss_kl(const float *x, int n, int z) {
  double kl = 0.0;
  for (int i = 0; i < n; i++) {
    const float *mu = x + (size_t)i * 2 * z, *lv = mu + z;
    double s = 0.0;
    for (int j = 0; j < z; j++)
      s += 1.0 + (double)lv[j] - (double)mu[j] * mu[j] - exp((double)lv[j]);
    kl += -0.5 * s;
  }
  return kl;
}

void ae_gauss_kl_backward(float *dx, const float *x, float weight, int n, int z) {
  for (int i = 0; i < n; i++) {
    const float *mu = x + (size_t)i * 2 * z, *lv = mu + z;
    float *dmu = dx + (size_t)i * 2 * z, *dlv = dmu + z;
    for (int j = 0; j < z; j++) {
      float s = expf(0.5f * lv[j]); /* sigma */
      dmu[j] += weight * mu[j];
      dlv[j] += 0.5f * weight * (s * s - 1.0f);
    }
  }
}

void ae_reparam_forward(float *zout, const float *x, const float *eps, int n, int z) {
  for (int i = 0; i < n; i++) {
    const float *mu = x + (size_t)i * 2 * z, *lv = mu + z, *e = eps + (size_t)i * z;
    float *zi = zout + (size_t)i * z;
    for (int j = 0; j < z; j++) zi[j] = mu[j] + expf(0.5f * lv[j]) * e[j];
  }
}

void ae_reparam_backward(float *dx, const float *dz, const float *x, const float *eps, int n,
                         int z) {
  for (int i = 0; i < n; i++) {
    const float *lv = x + (size_t)i * 2 * z + z, *dzi = dz + (size_t)i * z;
    const float *e = eps + (size_t)i * z;
    float *dmu = dx + (size_t)i * 2 * z, *dlv = dmu + z;
    for (int j = 0; j < z; j++) {
      float s = expf(0.5f * lv[j]);
      dmu[j] = dzi[j];
      dlv[j] = 0.5f * dzi[j] * e[j] * s;
    }
  }
}

/* f'(a) and f''(a) of the activation, from its output y. */
static void act_derivs(ae_act act, float slope, float y, float *d1, float *d2) {
  switch (act) {
  case AE_ACT_SIGMOID: *d1 = y * (1.0f - y), *d2 = *d1 * (1.0f - 2.0f * y); return;
  case AE_ACT_TANH: *d1 = 1.0f - y * y, *d2 = -2.0f * y * *d1; return;
  case AE_ACT_RELU: *d1 = y > 0.0f ? 1.0f : 0.0f, *d2 = 0.0f; return;
  case AE_ACT_LEAKY_RELU: *d1 = y > 0.0f ? 1.0f : slope, *d2 = 0.0f; return;
  case AE_ACT_IDENTITY: break;
  }
  *d1 = 1.0f, *d2 = 0.0f;
}

/* Squared norm of row j of w (O, I). */
static double row_sq(const float *w, int j, int in_dim) {
  double s = 0.0;
  for (int i = 0; i < in_dim; i++) s += (double)w[(size_t)j * in_dim + i] * w[(size_t)j * in_dim + i];
  return s;
}

double ae_dense_jacobian_sq(double *norms, const float *y, const float *w, ae_act act,
                            float slope, int n, int in_dim, int out_dim) {
  double total = 0.0, c[64]; /* |W_j|^2 of a block of 64 units */
  for (int i = 0; i < n; i++)
    if (norms) norms[i] = 0.0;
  for (int j0 = 0; j0 < out_dim; j0 += 64) { /* each row norm once, not once per sample */
    int nj = out_dim - j0 < 64 ? out_dim - j0 : 64;
    for (int j = 0; j < nj; j++) c[j] = row_sq(w, j0 + j, in_dim);
    for (int i = 0; i < n; i++) {
      double s = 0.0;
      for (int j = 0; j < nj; j++) {
        float d1, d2;
        act_derivs(act, slope, y[(size_t)i * out_dim + j0 + j], &d1, &d2);
        s += (double)d1 * d1 * c[j];
      }
      if (norms) norms[i] += s;
      total += s;
    }
  }
  if (norms)
    for (int i = 0; i < n; i++) norms[i] = sqrt(norms[i]);
  return total;
}

void ae_contractive_backward(float *dw, float *dy, const float *y, const float *w, ae_act act,
                             float slope, float lam, int n, int in_dim, int out_dim) {
  for (int j = 0; j < out_dim; j++) {
    float c = (float)row_sq(w, j, in_dim);
    double g2 = 0.0;
    for (int i = 0; i < n; i++) {
      size_t k = (size_t)i * out_dim + j;
      float d1, d2;
      act_derivs(act, slope, y[k], &d1, &d2);
      if (dy) dy[k] += lam * 2.0f * d2 * c;
      g2 += (double)d1 * d1;
    }
    if (!dw) continue;
    float f = lam * 2.0f * (float)g2;
    const float *wj = w + (size_t)j * in_dim;
    float *dwj = dw + (size_t)j * in_dim;
    for (int i = 0; i < in_dim; i++) dwj[i] += f * wj[i];
  }
}

double ae_l2_penalty(float *g, const float *w, float lam, double start, size_t count) {
  double s = start;
  for (size_t k = 0; k < count; k++) {
    s += (double)w[k] * w[k];
    if (g) g[k] += lam * w[k];
  }
  return s;
}
