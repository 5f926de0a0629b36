/* SPDX-License-Identifier: MIT */
/* k_seq.c — 1-d convolution and its transpose over (N, T, C) sequences
 * (im2col + one GEMM for the batch), 1-d max pooling and upsampling,
 * repetition over time, and the axis swap the recurrences use.
 * Legend and conventions: kernels_seq.h. */
#include "kernels.h"
#include "kernels_seq.h"

#include <math.h>
#include <string.h>

/* ---- convolution ---------------------------------------------------------- */

size_t ae_conv1d_scratch(int n, int to, int c, int k) {
  return 2 * (size_t)n * to * c * k + ae_gemm_pack_floats();
}

/* col (N*TO, C*K): row (i, u) holds x[i, u S - pad + j D, ch] at ch*K + j. */
static void im2col1d(float *col, const float *x, int n, int t, int c, int k, int stride, int pad,
                     int dil, int to) {
  size_t ck = (size_t)c * k;
  for (int i = 0; i < n; i++) {
    const float *xi = x + (size_t)i * t * c; /* (T, C) */
    for (int u = 0; u < to; u++) {
      float *row = col + ((size_t)i * to + u) * ck;
      for (int j = 0; j < k; j++) {
        int s = u * stride - pad + j * dil;
        if (s < 0 || s >= t)
          for (int ch = 0; ch < c; ch++) row[(size_t)ch * k + j] = 0.0f;
        else
          for (int ch = 0; ch < c; ch++) row[(size_t)ch * k + j] = xi[(size_t)s * c + ch];
      }
    }
  }
}

/* x (N, T, C) += col scattered back (the adjoint of im2col1d). */
static void col2im1d(float *x, const float *col, int n, int t, int c, int k, int stride, int pad,
                     int dil, int to) {
  size_t ck = (size_t)c * k;
  for (int i = 0; i < n; i++) {
    float *xi = x + (size_t)i * t * c;
    for (int u = 0; u < to; u++) {
      const float *row = col + ((size_t)i * to + u) * ck;
      for (int j = 0; j < k; j++) {
        int s = u * stride - pad + j * dil;
        if (s < 0 || s >= t) continue;
        for (int ch = 0; ch < c; ch++) xi[(size_t)s * c + ch] += row[(size_t)ch * k + j];
      }
    }
  }
}

void ae_conv1d_forward(float *y, const float *x, const float *w, const float *b, float *scratch,
                       int n, int t, int c, int o, int k, int stride, int pad_left, int dil,
                       int to) {
  size_t m = (size_t)n * to, ck = (size_t)c * k;
  float *col = scratch, *pack = scratch + 2 * m * ck;
  im2col1d(col, x, n, t, c, k, stride, pad_left, dil, to);
  ae_gemm(0, 1, (int)m, o, (int)ck, 1.0f, col, (int)ck, w, (int)ck, 0.0f, y, o, pack);
  if (b)
    for (size_t r = 0; r < m; r++)
      for (int j = 0; j < o; j++) y[r * o + j] += b[j];
}

void ae_conv1d_backward(float *dx, float *dw, float *db, const float *dy, const float *w,
                        float *scratch, int n, int t, int c, int o, int k, int stride,
                        int pad_left, int dil, int to) {
  size_t m = (size_t)n * to, ck = (size_t)c * k;
  float *col = scratch, *dcol = scratch + m * ck, *pack = scratch + 2 * m * ck;
  if (dw) ae_gemm(1, 0, o, (int)ck, (int)m, 1.0f, dy, o, col, (int)ck, 1.0f, dw, (int)ck, pack);
  if (db) ae_add_col_sums(db, dy, m, o);
  if (!dx) return;
  ae_gemm(0, 0, (int)m, (int)ck, o, 1.0f, dy, o, w, (int)ck, 0.0f, dcol, (int)ck, pack);
  memset(dx, 0, sizeof(float) * (size_t)n * t * c);
  col2im1d(dx, dcol, n, t, c, k, stride, pad_left, dil, to);
}

size_t ae_conv_transpose1d_scratch(int n, int t, int o, int k) {
  return (size_t)n * t * o * k + ae_gemm_pack_floats();
}

void ae_conv_transpose1d_forward(float *y, const float *x, const float *w, const float *b,
                                 float *scratch, int n, int t, int c, int o, int k, int stride,
                                 int crop, int dil, int to) {
  size_t m = (size_t)n * t, ok = (size_t)o * k;
  float *col = scratch, *pack = scratch + m * ok;
  /* col (N*T, O*K) = x (N*T, C) w (C, O*K); then every (u, j) lands on
   * output step u S - crop + j D */
  ae_gemm(0, 0, (int)m, (int)ok, c, 1.0f, x, c, w, (int)ok, 0.0f, col, (int)ok, pack);
  for (int i = 0; i < n; i++) {
    float *yi = y + (size_t)i * to * o; /* (TO, O) */
    for (int s = 0; s < to; s++)
      for (int ch = 0; ch < o; ch++) yi[(size_t)s * o + ch] = b ? b[ch] : 0.0f;
    for (int u = 0; u < t; u++) {
      const float *row = col + ((size_t)i * t + u) * ok;
      for (int j = 0; j < k; j++) {
        int s = u * stride - crop + j * dil;
        if (s < 0 || s >= to) continue;
        for (int ch = 0; ch < o; ch++) yi[(size_t)s * o + ch] += row[(size_t)ch * k + j];
      }
    }
  }
}

void ae_conv_transpose1d_backward(float *dx, float *dw, float *db, const float *dy,
                                  const float *x, const float *w, float *scratch, int n, int t,
                                  int c, int o, int k, int stride, int crop, int dil, int to) {
  size_t m = (size_t)n * t, ok = (size_t)o * k;
  float *dcol = scratch, *pack = scratch + m * ok;
  if (db) ae_add_col_sums(db, dy, (size_t)n * to, o);
  /* dcol (N*T, O*K) gathers dy where the forward scattered */
  for (int i = 0; i < n; i++) {
    const float *dyi = dy + (size_t)i * to * o;
    for (int u = 0; u < t; u++) {
      float *row = dcol + ((size_t)i * t + u) * ok;
      for (int j = 0; j < k; j++) {
        int s = u * stride - crop + j * dil;
        if (s < 0 || s >= to)
          for (int ch = 0; ch < o; ch++) row[(size_t)ch * k + j] = 0.0f;
        else
          for (int ch = 0; ch < o; ch++) row[(size_t)ch * k + j] = dyi[(size_t)s * o + ch];
      }
    }
  }
  if (dw) ae_gemm(1, 0, c, (int)ok, (int)m, 1.0f, x, c, dcol, (int)ok, 1.0f, dw, (int)ok, pack);
  if (dx) ae_gemm(0, 1, (int)m, c, (int)ok, 1.0f, dcol, (int)ok, w, (int)ok, 0.0f, dx, c, pack);
}

/* ---- pooling, upsampling, repetition -------------------------------------- */

void ae_maxpool1d_forward(float *y, int32_t *idx, const float *x, int n, int t, int c, int k,
                          int stride, int pad, int to) {
  for (int i = 0; i < n; i++) {
    const float *xi = x + (size_t)i * t * c;
    for (int u = 0; u < to; u++) {
      int s0 = u * stride - pad, s1 = s0 + k < t ? s0 + k : t;
      if (s0 < 0) s0 = 0;
      float *yr = y + ((size_t)i * to + u) * c;
      int32_t *ir = idx + ((size_t)i * to + u) * c;
      for (int ch = 0; ch < c; ch++) {
        float best = -INFINITY;
        int32_t at = s0;
        for (int s = s0; s < s1; s++) {
          float v = xi[(size_t)s * c + ch];
          if (v > best || isnan(v)) { /* PyTorch's rule: first max, NaN wins */
            best = v;
            at = s;
            if (isnan(v)) break;
          }
        }
        yr[ch] = best;
        ir[ch] = at;
      }
    }
  }
}

void ae_maxpool1d_backward(float *dx, const float *dy, const int32_t *idx, int n, int t, int c,
                           int to) {
  memset(dx, 0, sizeof(float) * (size_t)n * t * c);
  for (int i = 0; i < n; i++)
    for (int u = 0; u < to; u++)
      for (int ch = 0; ch < c; ch++) {
        size_t r = ((size_t)i * to + u) * c + ch;
        dx[((size_t)i * t + idx[r]) * c + ch] += dy[r];
      }
}

void ae_upsample1d_forward(float *y, const float *x, int n, int t, int c, int scale) {
  for (size_t r = 0; r < (size_t)n * t; r++)
    for (int q = 0; q < scale; q++) memcpy(y + (r * scale + q) * c, x + r * c, sizeof(float) * c);
}

void ae_upsample1d_backward(float *dx, const float *dy, int n, int t, int c, int scale) {
  for (size_t r = 0; r < (size_t)n * t; r++) {
    float *d = dx + r * c;
    memcpy(d, dy + r * scale * c, sizeof(float) * c);
    for (int q = 1; q < scale; q++)
      for (int ch = 0; ch < c; ch++) d[ch] += dy[(r * scale + q) * c + ch];
  }
}

void ae_repeat_forward(float *y, const float *x, int n, int t, int d) {
  for (int i = 0; i < n; i++)
    for (int s = 0; s < t; s++)
      memcpy(y + ((size_t)i * t + s) * d, x + (size_t)i * d, sizeof(float) * d);
}

void ae_repeat_backward(float *dx, const float *dy, int n, int t, int d) {
  for (int i = 0; i < n; i++) {
    float *r = dx + (size_t)i * d;
    const float *g = dy + (size_t)i * t * d;
    memcpy(r, g, sizeof(float) * d);
    for (int s = 1; s < t; s++)
      for (int j = 0; j < d; j++) r[j] += g[(size_t)s * d + j];
  }
}

void ae_swap_axes(float *dst, const float *src, int a, int b, int d, int add) {
  for (int p = 0; p < a; p++)
    for (int q = 0; q < b; q++) {
      const float *s = src + ((size_t)p * b + q) * d;
      float *o = dst + ((size_t)q * a + p) * d;
      if (add)
        for (int j = 0; j < d; j++) o[j] += s[j];
      else
        memcpy(o, s, sizeof(float) * d);
    }
}
