/* SPDX-License-Identifier: MIT */
/* inpaint.c — filling masked pixels from a model's reconstructions: the
 * masked values start at 0, then each iteration replaces them with the
 * reconstruction of the current image; unmasked values are never changed.
 * Built on the public model API only.
 * Legend: N images, D values per image. */
#include "error.h"

#include <stdlib.h>
#include <string.h>

ae_status ae_model_inpaint(ae_model *m, float *out, const float *x, const unsigned char *mask,
                           size_t n, int iterations) {
  AE_ARG(m && out && x && mask, "ae_model_inpaint", "model and buffers must not be NULL");
  if (!out || !x || !mask || n == 0) return ae_set_error(AE_ERR_ARG, "inpaint: no images");
  if (iterations < 1 || iterations > 100000)
    return ae_set_error(AE_ERR_ARG, "inpaint: %d iterations: must be in 1..100000", iterations);
  size_t d = ae_model_input_dim(m);
  if (!ae_fits(n, d, sizeof(float)))
    return ae_set_error(AE_ERR_ARG, "inpaint: %zu images cannot be in memory", n);
  float *r = malloc(n * d * sizeof *r); /* (N, D) */
  if (!r) return ae_set_error(AE_ERR_NOMEM, "inpaint: out of memory");
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) out[i * d + j] = mask[j] ? 0.0f : x[i * d + j];
  ae_status st = AE_OK;
  for (int it = 0; it < iterations && !st; it++) {
    if ((st = ae_model_reconstruct(m, r, out, n))) break;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < d; j++)
        if (mask[j]) out[i * d + j] = r[i * d + j];
  }
  free(r);
  return st;
}
