/* SPDX-License-Identifier: MIT */
/* ssim.c — structural similarity (Wang, Bovik, Sheikh and Simoncelli 2004)
 * of image pairs, per sample: local means, variances and covariance under
 * an 11x11 Gaussian window (sigma 1.5, normalised, applied separably, zero
 * outside the image so the map keeps the image's size), combined as
 *   ((2 ma mb + C1)(2 sab + C2)) / ((ma^2 + mb^2 + C1)(sa^2 + sb^2 + C2)),
 * C1 = (0.01 L)^2, C2 = (0.03 L)^2 for a data range L, then averaged over
 * the pixels and channels of the sample.
 * Legend: N samples, C channels, H W image size, S = H*W. */
#include "error.h"

#include <aekit.h>
#include <math.h>
#include <stdlib.h>

#define SSIM_RADIUS 5 /* 11 taps */
#define SSIM_SIGMA 1.5

/* dst (H, W) = the window applied to src (H, W), zero outside: columns
 * first, into tmp (H, W), then rows; dst may be src. */
static void window(double *dst, const double *src, double *tmp, const double *g, int h, int w) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double acc = 0.0;
      for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
        if (y + t >= 0 && y + t < h) acc += g[t + SSIM_RADIUS] * src[(size_t)(y + t) * w + x];
      tmp[(size_t)y * w + x] = acc;
    }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double acc = 0.0;
      for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
        if (x + t >= 0 && x + t < w) acc += g[t + SSIM_RADIUS] * tmp[(size_t)y * w + x + t];
      dst[(size_t)y * w + x] = acc;
    }
}

ae_status ae_ssim(float *out, const float *a, const float *b, size_t n, int c, int h, int w,
                  float range) {
  if (!out || !a || !b) return ae_set_error(AE_ERR_ARG, "ssim: no images or output");
  if (c < 1 || h < 1 || w < 1)
    return ae_set_error(AE_ERR_ARG, "ssim: image shape %dx%dx%d is not positive", c, h, w);
  if (!(range > 0.0f) || !isfinite(range))
    return ae_set_error(AE_ERR_ARG, "ssim: data range %g is not a positive number", (double)range);
  if ((double)c * h * w > (double)((size_t)-1 / 64) ||
      !ae_fits(n, (size_t)c * (size_t)h * (size_t)w, sizeof(float)))
    return ae_set_error(AE_ERR_ARG, "ssim: %zu images of %dx%dx%d cannot be in memory", n, c, h, w);
  size_t s = (size_t)h * w;
  double *buf = malloc(6 * s * sizeof *buf); /* 5 maps and scratch */
  if (!buf) return ae_set_error(AE_ERR_NOMEM, "ssim: out of memory for %dx%d images", h, w);
  double *ma = buf, *mb = ma + s, *maa = mb + s, *mbb = maa + s, *mab = mbb + s, *tmp = mab + s;
  double g[2 * SSIM_RADIUS + 1], gsum = 0.0;
  for (int t = -SSIM_RADIUS; t <= SSIM_RADIUS; t++)
    gsum += g[t + SSIM_RADIUS] = exp(-0.5 * (t / SSIM_SIGMA) * (t / SSIM_SIGMA));
  for (int t = 0; t <= 2 * SSIM_RADIUS; t++) g[t] /= gsum;
  double c1 = 0.01 * range * 0.01 * range, c2 = 0.03 * range * 0.03 * range;
  ae_status st = AE_OK;
  for (size_t i = 0; i < n && !st; i++) {
    double total = 0.0;
    for (int ch = 0; ch < c; ch++) {
      const float *xa = a + (i * (size_t)c + (size_t)ch) * s, *xb = b + (i * (size_t)c + (size_t)ch) * s;
      for (size_t p = 0; p < s; p++) { /* the images and their products, windowed in place */
        ma[p] = xa[p], mb[p] = xb[p];
        maa[p] = ma[p] * ma[p], mbb[p] = mb[p] * mb[p], mab[p] = ma[p] * mb[p];
      }
      window(ma, ma, tmp, g, h, w);
      window(mb, mb, tmp, g, h, w);
      window(maa, maa, tmp, g, h, w);
      window(mbb, mbb, tmp, g, h, w);
      window(mab, mab, tmp, g, h, w);
      for (size_t p = 0; p < s; p++) {
        double va = maa[p] - ma[p] * ma[p], vb = mbb[p] - mb[p] * mb[p];
        double cab = mab[p] - ma[p] * mb[p];
        total += ((2.0 * ma[p] * mb[p] + c1) * (2.0 * cab + c2)) /
                 ((ma[p] * ma[p] + mb[p] * mb[p] + c1) * (va + vb + c2));
      }
    }
    out[i] = (float)(total / ((double)c * (double)s));
    if (!isfinite(out[i])) st = ae_set_error(AE_ERR_NUMERIC, "ssim: sample %zu is not finite", i);
  }
  free(buf);
  return st;
}
