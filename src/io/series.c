/* SPDX-License-Identifier: MIT */
/* series.c — time series as data: per-channel scaling fitted on training
 * data, and windows cut from a series (n steps of F values) as samples of
 * shape (1, W, F). */
#include "dataset.h"

#include "error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static ae_status check_channels(const ae_dataset *ds, int channels, const char *fn) {
  if (!ds) return ae_set_error(AE_ERR_ARG, "%s: data set is NULL", fn);
  if (channels < 1 || ds->dim % (size_t)channels)
    return ae_set_error(AE_ERR_ARG, "%s: %zu values per sample are not a whole number of %d channels",
                        fn, ds->dim, channels);
  if (!ae_dataset_data(ds)) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", fn);
  return AE_OK;
}

ae_status ae_dataset_fit_channels(const ae_dataset *ds, int channels, ae_channel_scaling kind,
                                  float *shift, float *scale) {
  ae_status st = check_channels(ds, channels, "ae_dataset_fit_channels");
  if (st) return st;
  if (!shift || !scale)
    return ae_set_error(AE_ERR_ARG, "ae_dataset_fit_channels: shift and scale must not be NULL");
  if (kind != AE_CHANNELS_NONE && kind != AE_CHANNELS_ZSCORE && kind != AE_CHANNELS_MINMAX)
    return ae_set_error(AE_ERR_ARG, "ae_dataset_fit_channels: unknown scaling %d", (int)kind);
  double *a = calloc(3 * (size_t)channels, sizeof(double)); /* sum, min, max per channel */
  if (!a) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  double *lo = a + channels, *hi = lo + channels;
  for (int c = 0; c < channels; c++) lo[c] = INFINITY, hi[c] = -INFINITY;
  const float *x = ae_dataset_data(ds);
  size_t total = ds->n * ds->dim, per = total / (size_t)channels;
  for (size_t k = 0; k < total; k++) {
    int c = (int)(k % (size_t)channels);
    a[c] += x[k];
    if (x[k] < lo[c]) lo[c] = x[k];
    if (x[k] > hi[c]) hi[c] = x[k];
  }
  for (int c = 0; c < channels; c++) {
    double mean = per ? a[c] / (double)per : 0.0;
    shift[c] = 0.0f, scale[c] = 1.0f;
    if (kind == AE_CHANNELS_MINMAX && per) {
      shift[c] = (float)lo[c];
      if (hi[c] > lo[c]) scale[c] = (float)(hi[c] - lo[c]);
    } else if (kind == AE_CHANNELS_ZSCORE && per) {
      shift[c] = (float)mean;
      a[c] = 0.0; /* reused: the sum of squared deviations */
    }
  }
  if (kind == AE_CHANNELS_ZSCORE && per) {
    for (size_t k = 0; k < total; k++) {
      int c = (int)(k % (size_t)channels);
      double d = (double)x[k] - shift[c];
      a[c] += d * d;
    }
    for (int c = 0; c < channels; c++) {
      double sd = sqrt(a[c] / (double)per);
      if (sd > 0.0 && isfinite(sd)) scale[c] = (float)sd;
    }
  }
  free(a);
  return AE_OK;
}

ae_status ae_dataset_scale_channels(ae_dataset *ds, int channels, const float *shift,
                                    const float *scale) {
  ae_status st = check_channels(ds, channels, "ae_dataset_scale_channels");
  if (st) return st;
  if (!shift || !scale)
    return ae_set_error(AE_ERR_ARG, "ae_dataset_scale_channels: shift and scale must not be NULL");
  for (int c = 0; c < channels; c++)
    if (!isfinite(shift[c]) || !isfinite(scale[c]) || !(scale[c] > 0.0f))
      return ae_set_error(AE_ERR_ARG, "ae_dataset_scale_channels: channel %d: shift %g, scale %g",
                          c, (double)shift[c], (double)scale[c]);
  float *x = (float *)ae_dataset_data(ds);
  size_t total = ds->n * ds->dim;
  float lo = INFINITY, hi = -INFINITY;
  for (size_t k = 0; k < total; k++) {
    int c = (int)(k % (size_t)channels);
    x[k] = (x[k] - shift[c]) / scale[c];
    if (x[k] < lo) lo = x[k];
    if (x[k] > hi) hi = x[k];
  }
  if (total) ds->lo = lo, ds->hi = hi;
  return AE_OK;
}

ae_status ae_dataset_windows(ae_dataset **out, const ae_dataset *series, int window, int stride) {
  if (!out || !series)
    return ae_set_error(AE_ERR_ARG, "ae_dataset_windows: out and series must not be NULL");
  *out = NULL;
  if (window < 1 || stride < 1)
    return ae_set_error(AE_ERR_ARG, "windows of %d steps every %d: both must be at least 1",
                        window, stride);
  if ((size_t)window > series->n)
    return ae_set_error(AE_ERR_ARG, "the series has %zu steps, shorter than the window of %d",
                        series->n, window);
  if ((double)window * series->dim > (1 << 24))
    return ae_set_error(AE_ERR_ARG, "a window of %d steps of %zu values is too large", window,
                        series->dim);
  const float *x = ae_dataset_data(series);
  if (!x) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  size_t f = series->dim, nw = (series->n - (size_t)window) / (size_t)stride + 1;
  size_t dim = (size_t)window * f;
  ae_status st = ae_dataset_budget("windows", nw, dim, sizeof(float), 0);
  ae_dataset *ds = NULL;
  if (st || (st = ae_dataset_alloc(&ds, nw, dim))) return st;
  for (size_t w = 0; w < nw; w++)
    memcpy(ds->x + w * dim, x + w * (size_t)stride * f, sizeof(float) * dim);
  if (series->labels) {
    if (!(ds->labels = malloc(nw * sizeof(int32_t)))) {
      ae_dataset_free(ds);
      return ae_set_error(AE_ERR_NOMEM, "out of memory");
    }
    for (size_t w = 0; w < nw; w++) {
      int32_t m = series->labels[w * (size_t)stride];
      for (int s = 1; s < window; s++) {
        int32_t v = series->labels[w * (size_t)stride + (size_t)s];
        if (v > m) m = v;
      }
      ds->labels[w] = m;
    }
  }
  ds->c = 1, ds->h = window, ds->w = (int)f;
  ds->lo = series->lo, ds->hi = series->hi;
  *out = ds;
  return AE_OK;
}
