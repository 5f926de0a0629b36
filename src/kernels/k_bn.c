/* SPDX-License-Identifier: MIT */
/* k_bn.c — batch norm over (N, C, S): the stages a batch split over workers
 * runs (sums of a slice, statistics from the team's sums, normalise, the
 * backward's sums, dx), and the whole-batch kernels built from them.
 *
 * The stages fix the arithmetic so that any split of the batch gives the
 * same bits: row sums in 8 float lanes added in double, the mean and the
 * backward's means rounded to float, the normalisation y = a x + b with
 * a = gamma invstd, b = beta - a mean in float.
 * Legend: N samples (of this slice), C channels, S = H*W values per channel
 * and sample, M values per channel over the whole batch. */
#include "kernels_conv.h"

#include <math.h>
#include <stddef.h>

/* Sum over one row of s values in 8 float lanes (vectorisable, a fixed
 * order), returned in double: sum x, or sum (x - mu)^2 when sq is set. */
static double row_sum(const float *x, int s, float mu, int sq) {
  float lane[8] = {0};
  int j = 0;
  for (; j + 8 <= s; j += 8)
    for (int k = 0; k < 8; k++) {
      float v = sq ? (x[j + k] - mu) * (x[j + k] - mu) : x[j + k];
      lane[k] += v;
    }
  double t = 0.0;
  for (int k = 0; k < 8; k++) t += lane[k];
  for (; j < s; j++) t += sq ? (double)(x[j] - mu) * (x[j] - mu) : (double)x[j];
  return t;
}

void ae_bn_sums(double *sums, const float *x, const float *mean, int n, int c, int s) {
  for (int ch = 0; ch < c; ch++) { /* row_sum inlined with a constant sq: one loop each */
    double t = 0.0;
    if (mean)
      for (int i = 0; i < n; i++) t += row_sum(x + ((size_t)i * c + ch) * s, s, mean[ch], 1);
    else
      for (int i = 0; i < n; i++) t += row_sum(x + ((size_t)i * c + ch) * s, s, 0.0f, 0);
    sums[ch] = t;
  }
}

void ae_bn_mean(float *mean, const double *sums, double m, int c) {
  for (int ch = 0; ch < c; ch++) mean[ch] = (float)(sums[ch] / m);
}

void ae_bn_finish(float *invstd, float *running_mean, float *running_var, const float *mean,
                  const double *sq, double m, float momentum, float eps, int c) {
  for (int ch = 0; ch < c; ch++) {
    double var = sq[ch] / m;
    invstd[ch] = (float)(1.0 / sqrt(var + eps));
    if (running_mean)
      running_mean[ch] = (float)((1.0 - momentum) * running_mean[ch] + momentum * mean[ch]);
    if (running_var) /* PyTorch: the unbiased variance; M == 1 is an error there */
      running_var[ch] = (float)((1.0 - momentum) * running_var[ch] +
                                momentum * (m > 1 ? sq[ch] / (m - 1) : var));
  }
}

void ae_bn_eval_stats(float *mean, float *invstd, const float *running_mean,
                      const float *running_var, float eps, int c) {
  for (int ch = 0; ch < c; ch++) {
    mean[ch] = running_mean[ch];
    invstd[ch] = (float)(1.0 / sqrt((double)running_var[ch] + eps));
  }
}

void ae_bn_apply(float *y, const float *x, const float *gamma, const float *beta,
                 const float *mean, const float *invstd, int n, int c, int s) {
  for (int i = 0; i < n; i++)
    for (int ch = 0; ch < c; ch++) {
      size_t off = ((size_t)i * c + ch) * s;
      float a = (gamma ? gamma[ch] : 1.0f) * invstd[ch];
      float b = (beta ? beta[ch] : 0.0f) - a * mean[ch];
      for (int j = 0; j < s; j++) y[off + j] = a * x[off + j] + b;
    }
}

/* sum dy and sum dy * (x - mu) * is over one row, as row_sum. */
static void row_grad_sums(const float *dy, const float *x, int s, float mu, float is, double *sdy,
                          double *sdyx) {
  float a[8] = {0}, b[8] = {0};
  int j = 0;
  for (; j + 8 <= s; j += 8)
    for (int k = 0; k < 8; k++) {
      a[k] += dy[j + k];
      b[k] += dy[j + k] * ((x[j + k] - mu) * is);
    }
  double ta = 0.0, tb = 0.0;
  for (int k = 0; k < 8; k++) ta += a[k], tb += b[k];
  for (; j < s; j++) ta += dy[j], tb += (double)dy[j] * ((x[j] - mu) * is);
  *sdy += ta;
  *sdyx += tb;
}

void ae_bn_grad_sums(double *sdy, double *sdyx, float *dgamma, float *dbeta, const float *dy,
                     const float *x, const float *mean, const float *invstd, int n, int c,
                     int s) {
  for (int ch = 0; ch < c; ch++) {
    double a = 0.0, b = 0.0;
    for (int i = 0; i < n; i++) {
      size_t off = ((size_t)i * c + ch) * s;
      row_grad_sums(dy + off, x + off, s, mean[ch], invstd[ch], &a, &b);
    }
    if (dgamma) dgamma[ch] += (float)b;
    if (dbeta) dbeta[ch] += (float)a;
    sdy[ch] = a;
    sdyx[ch] = b;
  }
}

void ae_bn_backward_dx(float *dx, const float *dy, const float *x, const float *gamma,
                       const float *mean, const float *invstd, const double *sdy,
                       const double *sdyx, double m, int n, int c, int s) {
  for (int ch = 0; ch < c; ch++) {
    float mdy = sdy ? (float)(sdy[ch] / m) : 0.0f;
    float mdyx = sdy ? (float)(sdyx[ch] / m) : 0.0f;
    float is = invstd[ch], g = (gamma ? gamma[ch] : 1.0f) * is, mu = mean[ch];
    for (int i = 0; i < n; i++) {
      size_t off = ((size_t)i * c + ch) * s;
      for (int j = 0; j < s; j++) {
        float xhat = (x[off + j] - mu) * is;
        dx[off + j] = g * (dy[off + j] - mdy - xhat * mdyx);
      }
    }
  }
}

/* ---- the whole batch at once: the stages with nothing between them ---- */

void ae_batchnorm_forward_train(float *y, float *mean, float *invstd, float *running_mean,
                                float *running_var, const float *x, const float *gamma,
                                const float *beta, float momentum, float eps, double *sums,
                                int n, int c, int s) {
  double m = (double)n * s;
  ae_bn_sums(sums, x, NULL, n, c, s);
  ae_bn_mean(mean, sums, m, c);
  ae_bn_sums(sums, x, mean, n, c, s); /* two passes: no cancellation */
  ae_bn_finish(invstd, running_mean, running_var, mean, sums, m, momentum, eps, c);
  ae_bn_apply(y, x, gamma, beta, mean, invstd, n, c, s);
}

void ae_batchnorm_forward_eval(float *y, float *mean, float *invstd, const float *x,
                               const float *gamma, const float *beta, const float *running_mean,
                               const float *running_var, float eps, int n, int c, int s) {
  ae_bn_eval_stats(mean, invstd, running_mean, running_var, eps, c);
  ae_bn_apply(y, x, gamma, beta, mean, invstd, n, c, s);
}

void ae_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *x, const float *gamma, const float *mean,
                           const float *invstd, int training, double *sums, int n, int c, int s) {
  ae_bn_grad_sums(sums, sums + c, dgamma, dbeta, dy, x, mean, invstd, n, c, s);
  if (dx)
    ae_bn_backward_dx(dx, dy, x, gamma, mean, invstd, training ? sums : NULL, sums + c,
                      (double)n * s, n, c, s);
}
