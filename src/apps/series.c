/* SPDX-License-Identifier: MIT */
/* series.c — per-step anomaly scores of a time series from the scores of
 * its windows (each step from the windows that cover it). */
#include "aekit.h"

#include "error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ae_status ae_series_step_scores(float *mean, unsigned char *flagged, const float *window_scores,
                                size_t n_windows, int window, int stride, size_t steps,
                                double threshold) {
  if (!mean || !window_scores)
    return ae_set_error(AE_ERR_ARG, "ae_series_step_scores: mean and window_scores must not be NULL");
  if (window < 1 || stride < 1 || (n_windows && (n_windows - 1) * (size_t)stride + (size_t)window > steps))
    return ae_set_error(AE_ERR_ARG,
                        "ae_series_step_scores: %zu windows of %d every %d do not fit %zu steps",
                        n_windows, window, stride, steps);
  unsigned *cover = calloc(steps ? steps : 1, sizeof *cover);
  double *sum = calloc(steps ? steps : 1, sizeof *sum);
  if (!cover || !sum) {
    free(cover), free(sum);
    return ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
  if (flagged) memset(flagged, 1, steps);
  for (size_t w = 0; w < n_windows; w++)
    for (int s = 0; s < window; s++) {
      size_t t = w * (size_t)stride + (size_t)s;
      cover[t]++;
      sum[t] += window_scores[w];
      if (flagged && !((double)window_scores[w] > threshold)) flagged[t] = 0;
    }
  for (size_t t = 0; t < steps; t++) {
    mean[t] = cover[t] ? (float)(sum[t] / cover[t]) : NAN;
    if (flagged && !cover[t]) flagged[t] = 0;
  }
  free(cover), free(sum);
  return AE_OK;
}
