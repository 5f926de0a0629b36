/* SPDX-License-Identifier: MIT */
/* k_conv.c — image-layer kernels: conv and transposed conv (im2col + GEMM,
 * col2im for the adjoint, as in Caffe and darknet), max pooling, nearest
 * upsampling, dropout (batch norm: k_bn.c).
 * Legend: N batch, C input channels, H W input size, K output channels,
 * KH KW kernel size, OH OW output size, S spatial size H*W. */
#include "kernels_conv.h"

#include "kernels.h"

#include <math.h>
#include <string.h>

int ae_conv_out_size(int in, int k, int stride, int pad, int dil) {
  int span = in + 2 * pad - dil * (k - 1) - 1; /* last valid window start */
  if (span < 0 || stride <= 0) return 0;
  return span / stride + 1;
}

int ae_conv_transpose_out_size(int in, int k, int stride, int pad, int out_pad,
                               int dil) {
  return (in - 1) * stride - 2 * pad + dil * (k - 1) + out_pad + 1;
}

/* Output positions o in [*lo, *hi) whose input o*stride + off lies in [0, in). */
static void valid_range(int *lo, int *hi, int in, int out, int off, int stride) {
  int a = off < 0 ? (-off + stride - 1) / stride : 0;
  int b = in - 1 - off < 0 ? 0 : (in - 1 - off) / stride + 1;
  *lo = a < out ? a : out;
  *hi = b < out ? b : out;
  if (*hi < *lo) *hi = *lo;
}

/* im2col over an explicit (OH, OW) grid: col (C*KH*KW, OH*OW) from x (C, H,
 * W); rows of col are `ld` floats apart (ld = OH*OW for one image, N*OH*OW
 * when the images of a batch sit side by side). */
static void im2col_grid(float *col, size_t ld, const float *x, int c, int h, int w, int kh,
                        int kw, int stride, int pad, int dil, int oh, int ow) {
  for (int ch = 0; ch < c; ch++)
    for (int i = 0; i < kh; i++)
      for (int j = 0; j < kw; j++) {
        float *dst = col + ((size_t)(ch * kh + i) * kw + j) * ld; /* (OH, OW) */
        int offh = i * dil - pad, offw = j * dil - pad, ylo, yhi, xlo, xhi;
        valid_range(&ylo, &yhi, h, oh, offh, stride);
        valid_range(&xlo, &xhi, w, ow, offw, stride);
        for (int oy = 0; oy < oh; oy++) {
          float *d = dst + (size_t)oy * ow;
          if (oy < ylo || oy >= yhi) {
            memset(d, 0, sizeof(float) * (size_t)ow);
            continue;
          }
          const float *src = x + ((size_t)ch * h + (size_t)(oy * stride + offh)) * w; /* (W) */
          for (int ox = 0; ox < xlo; ox++) d[ox] = 0.0f;
          if (stride == 1 && xhi > xlo)
            memcpy(d + xlo, src + xlo + offw, sizeof(float) * (size_t)(xhi - xlo));
          else if (stride == 2) /* a constant stride: a vectorised gather */
            for (int ox = xlo; ox < xhi; ox++) d[ox] = src[ox * 2 + offw];
          else
            for (int ox = xlo; ox < xhi; ox++) d[ox] = src[ox * stride + offw];
          for (int ox = xhi; ox < ow; ox++) d[ox] = 0.0f;
        }
      }
}

/* col2im over an explicit (OH, OW) grid: x (C, H, W) += col (C*KH*KW, OH*OW),
 * rows of col `ld` floats apart. */
static void col2im_grid(float *x, const float *col, size_t ld, int c, int h, int w, int kh,
                        int kw, int stride, int pad, int dil, int oh, int ow) {
  for (int ch = 0; ch < c; ch++)
    for (int i = 0; i < kh; i++)
      for (int j = 0; j < kw; j++) {
        const float *src = col + ((size_t)(ch * kh + i) * kw + j) * ld; /* (OH, OW) */
        int offh = i * dil - pad, offw = j * dil - pad, ylo, yhi, xlo, xhi;
        valid_range(&ylo, &yhi, h, oh, offh, stride);
        valid_range(&xlo, &xhi, w, ow, offw, stride);
        for (int oy = ylo; oy < yhi; oy++) {
          const float *s = src + (size_t)oy * ow;
          float *d = x + ((size_t)ch * h + (size_t)(oy * stride + offh)) * w; /* (W) */
          for (int ox = xlo; ox < xhi; ox++) d[ox * stride + offw] += s[ox];
        }
      }
}

void ae_im2col(float *col, const float *x, int c, int h, int w, int kh, int kw,
               int stride, int pad, int dil) {
  int oh = ae_conv_out_size(h, kh, stride, pad, dil), ow = ae_conv_out_size(w, kw, stride, pad, dil);
  im2col_grid(col, (size_t)oh * ow, x, c, h, w, kh, kw, stride, pad, dil, oh, ow);
}

void ae_col2im(float *x, const float *col, int c, int h, int w, int kh, int kw,
               int stride, int pad, int dil) {
  int oh = ae_conv_out_size(h, kh, stride, pad, dil), ow = ae_conv_out_size(w, kw, stride, pad, dil);
  col2im_grid(x, col, (size_t)oh * ow, c, h, w, kh, kw, stride, pad, dil, oh, ow);
}

/* Sum of s floats in 8 double lanes (vectorised), in a fixed order. */
static double row_sum(const float *row, int s) {
  double lane[8] = {0}, acc = 0.0;
  int j = 0;
  for (; j + 8 <= s; j += 8)
    for (int q = 0; q < 8; q++) lane[q] += row[j + q];
  for (int q = 0; q < 8; q++) acc += lane[q];
  for (; j < s; j++) acc += row[j];
  return acc;
}

/* db (K) += sums of dy (N, K, S) over N and S, in a fixed order. */
static void sum_channel_grad(float *db, const float *dy, int n, int k, int s) {
  for (int kk = 0; kk < k; kk++) {
    double acc = 0.0;
    for (int i = 0; i < n; i++) acc += row_sum(dy + ((size_t)i * k + kk) * s, s);
    db[kk] += (float)acc;
  }
}

/* y (N, K, S) += b (K) broadcast over S. */
static void add_channel_bias(float *y, const float *b, int n, int k, int s) {
  for (int i = 0; i < n; i++)
    for (int kk = 0; kk < k; kk++) {
      float *row = y + ((size_t)i * k + kk) * s, bias = b[kk];
      for (int j = 0; j < s; j++) row[j] += bias;
    }
}

/* (N, R, S) <-> (R, N*S): the batch's images side by side, so one GEMM
 * covers the whole batch. */
static void batch_to_rows(float *dst, const float *src, int n, int r, int s) {
  for (int i = 0; i < n; i++)
    for (int q = 0; q < r; q++)
      memcpy(dst + ((size_t)q * n + i) * s, src + ((size_t)i * r + q) * s, sizeof(float) * (size_t)s);
}

static void rows_to_batch(float *dst, const float *src, int n, int r, int s) {
  for (int i = 0; i < n; i++)
    for (int q = 0; q < r; q++)
      memcpy(dst + ((size_t)i * r + q) * s, src + ((size_t)q * n + i) * s, sizeof(float) * (size_t)s);
}

/* batch_to_rows that also adds each (image, row)'s sum into db (R), images
 * in order, while the row is in cache (the sums as sum_channel_grad makes
 * them). */
static void batch_to_rows_sum(float *dst, float *db, const float *src, int n, int r, int s) {
  for (int q = 0; q < r; q++) {
    double acc = 0.0;
    for (int i = 0; i < n; i++) {
      float *d = dst + ((size_t)q * n + i) * s;
      memcpy(d, src + ((size_t)i * r + q) * s, sizeof(float) * (size_t)s);
      acc += row_sum(d, s);
    }
    db[q] += (float)acc;
  }
}

/* rows_to_batch adding a bias (R) per row in the same pass. */
static void rows_to_batch_bias(float *dst, const float *src, const float *b, int n, int r, int s) {
  for (int i = 0; i < n; i++)
    for (int q = 0; q < r; q++) {
      float *d = dst + ((size_t)i * r + q) * s, bias = b[q];
      const float *o = src + ((size_t)q * n + i) * s;
      for (int j = 0; j < s; j++) d[j] = o[j] + bias;
    }
}

size_t ae_conv2d_scratch(int n, int c, int h, int w_, int k, int kh, int kw, int stride, int pad,
                         int dil) {
  size_t ohw = (size_t)ae_conv_out_size(h, kh, stride, pad, dil) *
               (size_t)ae_conv_out_size(w_, kw, stride, pad, dil);
  return (size_t)n * ohw * (2 * (size_t)c * kh * kw + (size_t)k) + ae_gemm_pack_floats();
}

size_t ae_conv_transpose2d_scratch(int n, int c, int h, int w_, int k, int kh, int kw) {
  return (size_t)n * h * w_ * ((size_t)k * kh * kw + 2 * (size_t)c) + ae_gemm_pack_floats();
}

void ae_conv2d_forward(float *y, const float *x, const float *w, const float *b,
                       float *col, int n, int c, int h, int w_, int k, int kh,
                       int kw, int stride, int pad, int dil) {
  int oh = ae_conv_out_size(h, kh, stride, pad, dil);
  int ow = ae_conv_out_size(w_, kw, stride, pad, dil);
  int ohw = oh * ow, ckk = c * kh * kw;
  size_t ld = (size_t)n * ohw;
  float *out = col + (size_t)ckk * ld; /* (K, N*OH*OW) */
  float *pack = out + (size_t)k * ld + (size_t)ckk * ld; /* GEMM packing */
  for (int i = 0; i < n; i++) /* col (C*KH*KW, N*OH*OW) */
    im2col_grid(col + (size_t)i * ohw, ld, x + (size_t)i * c * h * w_, c, h, w_, kh, kw, stride,
                pad, dil, oh, ow);
  /* out (K, N*OH*OW) = w (K, C*KH*KW) . col */
  ae_gemm(0, 0, k, (int)ld, ckk, 1.0f, w, ckk, col, (int)ld, 0.0f, out, (int)ld, pack);
  if (b) rows_to_batch_bias(y, out, b, n, k, ohw);
  else rows_to_batch(y, out, n, k, ohw);
}

void ae_conv2d_backward(float *dx, float *dw, float *db, const float *dy,
                        const float *x, const float *w, float *col, int n,
                        int c, int h, int w_, int k, int kh, int kw,
                        int stride, int pad, int dil) {
  int oh = ae_conv_out_size(h, kh, stride, pad, dil);
  int ow = ae_conv_out_size(w_, kw, stride, pad, dil);
  int ohw = oh * ow, ckk = c * kh * kw;
  size_t ld = (size_t)n * ohw;
  float *g = col + (size_t)ckk * ld; /* (K, N*OH*OW) = dy, images side by side */
  float *dcol = g + (size_t)k * ld;   /* (C*KH*KW, N*OH*OW) */
  float *pack = dcol + (size_t)ckk * ld; /* GEMM packing */
  (void)x; /* its columns are in col, from the forward */
  if (!dw && !dx) {
    if (db) sum_channel_grad(db, dy, n, k, ohw);
    return;
  }
  if (db) batch_to_rows_sum(g, db, dy, n, k, ohw);
  else batch_to_rows(g, dy, n, k, ohw);
  if (dw) /* dw (K, C*KH*KW) += g (K, N*OH*OW) . col^T */
    ae_gemm(0, 1, k, ckk, (int)ld, 1.0f, g, (int)ld, col, (int)ld, 1.0f, dw, ckk, pack);
  if (dx) {
    /* dcol (C*KH*KW, N*OH*OW) = w^T . g, then col2im image by image */
    ae_gemm(1, 0, ckk, (int)ld, k, 1.0f, w, ckk, g, (int)ld, 0.0f, dcol, (int)ld, pack);
    memset(dx, 0, sizeof(float) * (size_t)n * c * h * w_);
    for (int i = 0; i < n; i++)
      col2im_grid(dx + (size_t)i * c * h * w_, dcol + (size_t)i * ohw, ld, c, h, w_, kh, kw,
                  stride, pad, dil, oh, ow);
  }
}

void ae_conv_transpose2d_forward(float *y, const float *x, const float *w,
                                 const float *b, float *col, int n, int c,
                                 int h, int w_, int k, int kh, int kw,
                                 int stride, int pad, int out_pad, int dil) {
  int oh = ae_conv_transpose_out_size(h, kh, stride, pad, out_pad, dil);
  int ow = ae_conv_transpose_out_size(w_, kw, stride, pad, out_pad, dil);
  int hw = h * w_, kkk = k * kh * kw;
  size_t ld = (size_t)n * hw;
  float *xr = col + (size_t)kkk * ld; /* (C, N*H*W) */
  float *pack = xr + 2 * (size_t)c * ld; /* GEMM packing */
  batch_to_rows(xr, x, n, c, hw);
  /* col (K*KH*KW, N*H*W) = w^T (K*KH*KW, C) . xr */
  ae_gemm(1, 0, kkk, (int)ld, c, 1.0f, w, kkk, xr, (int)ld, 0.0f, col, (int)ld, pack);
  /* the input grid (H, W) is the grid of the conv that this is the adjoint of;
   * the bias goes on afterwards, in PyTorch's order of additions */
  memset(y, 0, sizeof(float) * (size_t)n * k * oh * ow);
  for (int i = 0; i < n; i++)
    col2im_grid(y + (size_t)i * k * oh * ow, col + (size_t)i * hw, ld, k, oh, ow, kh, kw, stride,
                pad, dil, h, w_);
  if (b) add_channel_bias(y, b, n, k, oh * ow);
}

void ae_conv_transpose2d_backward(float *dx, float *dw, float *db,
                                  const float *dy, const float *x,
                                  const float *w, float *col, int n, int c,
                                  int h, int w_, int k, int kh, int kw,
                                  int stride, int pad, int out_pad, int dil) {
  int oh = ae_conv_transpose_out_size(h, kh, stride, pad, out_pad, dil);
  int ow = ae_conv_transpose_out_size(w_, kw, stride, pad, out_pad, dil);
  int hw = h * w_, kkk = k * kh * kw;
  size_t ld = (size_t)n * hw;
  float *xr = col + (size_t)kkk * ld; /* (C, N*H*W): x as the forward left it */
  float *dxr = xr + (size_t)c * ld;   /* (C, N*H*W) */
  float *pack = dxr + (size_t)c * ld;  /* GEMM packing */
  (void)x;
  if (db) sum_channel_grad(db, dy, n, k, oh * ow);
  if (!dw && !dx) return;
  for (int i = 0; i < n; i++) /* col (K*KH*KW, N*H*W) = im2col of dy over the (H, W) grid */
    im2col_grid(col + (size_t)i * hw, ld, dy + (size_t)i * k * oh * ow, k, oh, ow, kh, kw, stride,
                pad, dil, h, w_);
  if (dw) /* dw (C, K*KH*KW) += xr (C, N*H*W) . col^T */
    ae_gemm(0, 1, c, kkk, (int)ld, 1.0f, xr, (int)ld, col, (int)ld, 1.0f, dw, kkk, pack);
  if (dx) { /* dxr (C, N*H*W) = w (C, K*KH*KW) . col, back to (N, C, H, W) */
    ae_gemm(0, 0, c, (int)ld, kkk, 1.0f, w, kkk, col, (int)ld, 0.0f, dxr, (int)ld, pack);
    rows_to_batch(dx, dxr, n, c, hw);
  }
}

void ae_maxpool2d_forward(float *y, int32_t *idx, const float *x, int n, int c,
                          int h, int w, int kernel, int stride, int pad) {
  int oh = ae_conv_out_size(h, kernel, stride, pad, 1);
  int ow = ae_conv_out_size(w, kernel, stride, pad, 1);
  for (size_t p = 0; p < (size_t)n * c; p++) {
    const float *xp = x + p * h * w; /* (H, W) */
    float *yp = y + p * oh * ow;     /* (OH, OW) */
    int32_t *ip = idx + p * oh * ow; /* (OH, OW) */
    for (int oy = 0; oy < oh; oy++) {
      int hs = oy * stride - pad, he = hs + kernel < h ? hs + kernel : h;
      if (hs < 0) hs = 0;
      for (int ox = 0; ox < ow; ox++) {
        int ws = ox * stride - pad, we = ws + kernel < w ? ws + kernel : w;
        if (ws < 0) ws = 0;
        float best = -INFINITY;
        int32_t at = hs * w + ws;
        for (int yy = hs; yy < he; yy++)
          for (int xx = ws; xx < we; xx++) {
            float v = xp[yy * w + xx];
            if (v > best || isnan(v)) { /* PyTorch's rule: first max, NaN wins */
              best = v;
              at = yy * w + xx;
            }
          }
        yp[oy * ow + ox] = best;
        ip[oy * ow + ox] = at;
      }
    }
  }
}

void ae_maxpool2d_backward(float *dx, const float *dy, const int32_t *idx,
                           int n, int c, int h, int w, int kernel, int stride,
                           int pad) {
  int oh = ae_conv_out_size(h, kernel, stride, pad, 1);
  int ow = ae_conv_out_size(w, kernel, stride, pad, 1);
  memset(dx, 0, sizeof(float) * (size_t)n * c * h * w);
  for (size_t p = 0; p < (size_t)n * c; p++) {
    float *dxp = dx + p * h * w; /* (H, W) */
    const float *dyp = dy + p * oh * ow;
    const int32_t *ip = idx + p * oh * ow;
    for (int j = 0; j < oh * ow; j++) dxp[ip[j]] += dyp[j];
  }
}

void ae_upsample_nearest2d_forward(float *y, const float *x, int n, int c,
                                   int h, int w, int scale) {
  int oh = h * scale, ow = w * scale;
  for (size_t p = 0; p < (size_t)n * c; p++) {
    const float *xp = x + p * h * w; /* (H, W) */
    float *yp = y + p * oh * ow;     /* (H*scale, W*scale) */
    for (int oy = 0; oy < oh; oy++) {
      const float *src = xp + (size_t)(oy / scale) * w;
      float *d = yp + (size_t)oy * ow;
      for (int ox = 0; ox < ow; ox++) d[ox] = src[ox / scale];
    }
  }
}

void ae_upsample_nearest2d_backward(float *dx, const float *dy, int n, int c,
                                    int h, int w, int scale) {
  int ow = w * scale;
  for (size_t p = 0; p < (size_t)n * c; p++) {
    float *dxp = dx + p * h * w;                          /* (H, W) */
    const float *dyp = dy + p * (size_t)h * scale * ow;   /* (H*scale, W*scale) */
    for (int iy = 0; iy < h; iy++)
      for (int ix = 0; ix < w; ix++) {
        float acc = 0.0f;
        for (int a = 0; a < scale; a++) {
          const float *row = dyp + (size_t)(iy * scale + a) * ow + ix * scale;
          for (int bb = 0; bb < scale; bb++) acc += row[bb];
        }
        dxp[iy * w + ix] = acc;
      }
  }
}

void ae_dropout_forward(float *y, float *mask, const float *x, const float *u,
                        float p, size_t count) {
  float keep = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  for (size_t k = 0; k < count; k++) {
    mask[k] = u[k] >= p ? keep : 0.0f;
    y[k] = x[k] * mask[k];
  }
}

void ae_dropout_backward(float *dx, const float *dy, const float *mask,
                         size_t count) {
  for (size_t k = 0; k < count; k++) dx[k] = dy[k] * mask[k];
}
