/* SPDX-License-Identifier: MIT */
/* k_dense.c — fully connected layer and element-wise activations.
 * Legend: N batch, I input features, O output features. */
#include "kernels.h"

#include "fastmath.h"

#include <cblas.h>
#include <math.h>

AE_VECTOR_CLONES
void ae_bias_act_forward(float *y, const float *b, ae_act act, float slope,
                         int n, int out_dim) {
  /* one simple loop per activation, so each vectorises */
  for (int i = 0; i < n; i++) {
    float *row = y + (size_t)i * out_dim; /* (O) */
    if (b)
      for (int j = 0; j < out_dim; j++) row[j] += b[j];
    switch (act) {
    case AE_ACT_IDENTITY: break;
    case AE_ACT_RELU:
      for (int j = 0; j < out_dim; j++) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
      break;
    case AE_ACT_LEAKY_RELU:
      for (int j = 0; j < out_dim; j++) row[j] = row[j] > 0.0f ? row[j] : row[j] * slope;
      break;
    case AE_ACT_SIGMOID:
      for (int j = 0; j < out_dim; j++) row[j] = ae_fast_sigmoid(row[j]);
      break;
    case AE_ACT_TANH:
      for (int j = 0; j < out_dim; j++) row[j] = tanhf(row[j]);
      break;
    }
  }
}

AE_VECTOR_CLONES
void ae_sigmoid_forward(float *y, const float *z, size_t count) {
  for (size_t k = 0; k < count; k++) y[k] = ae_fast_sigmoid(z[k]);
}

AE_VECTOR_CLONES
void ae_act_backward(float *dy, const float *y, ae_act act, float slope,
                     size_t count) {
  switch (act) {
  case AE_ACT_IDENTITY: return;
  case AE_ACT_RELU:
    for (size_t k = 0; k < count; k++) dy[k] = y[k] > 0.0f ? dy[k] : 0.0f;
    return;
  case AE_ACT_LEAKY_RELU: /* slope >= 0, so sign(y) == sign(pre-activation) */
    for (size_t k = 0; k < count; k++) dy[k] = y[k] > 0.0f ? dy[k] : dy[k] * slope;
    return;
  case AE_ACT_SIGMOID:
    for (size_t k = 0; k < count; k++) dy[k] *= y[k] * (1.0f - y[k]);
    return;
  case AE_ACT_TANH:
    for (size_t k = 0; k < count; k++) dy[k] *= 1.0f - y[k] * y[k];
    return;
  }
}

void ae_dense_forward(float *y, const float *x, const float *w, const float *b,
                      ae_act act, float slope, int n, int in_dim, int out_dim) {
  /* y (N, O) = x (N, I) . w^T (I, O); one sample is a matrix-vector product */
  if (n == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, out_dim, in_dim, 1.0f, w, in_dim, x, 1, 0.0f, y, 1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out_dim, in_dim, 1.0f,
                x, in_dim, w, in_dim, 0.0f, y, out_dim);
  ae_bias_act_forward(y, b, act, slope, n, out_dim);
}

void ae_dense_backward(float *dx, float *dw, float *db, float *dy,
                       const float *y, const float *x, const float *w,
                       ae_act act, float slope, int n, int in_dim,
                       int out_dim) {
  ae_act_backward(dy, y, act, slope, (size_t)n * out_dim); /* dy: d pre-act */
  /* dw (O, I) += dy^T (O, N) . x (N, I) */
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out_dim, in_dim, n, 1.0f,
              dy, out_dim, x, in_dim, 1.0f, dw, in_dim);
  ae_add_col_sums(db, dy, (size_t)n, out_dim); /* db (O) += column sums of dy */
  if (dx) /* dx (N, I) = dy (N, O) . w (O, I) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in_dim, out_dim,
                1.0f, dy, out_dim, w, in_dim, 0.0f, dx, in_dim);
}

AE_VECTOR_CLONES
void ae_add_col_sums(float *db, const float *g, size_t rows, int cols) {
  for (size_t i = 0; i < rows; i++) {
    const float *row = g + i * (size_t)cols;
    for (int j = 0; j < cols; j++) db[j] += row[j];
  }
}
