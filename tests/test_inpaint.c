/* SPDX-License-Identifier: MIT */
/* test_inpaint.c — iterated inpainting on a model whose reconstruction is
 * known: (a, b) -> ((a+b)/2, (a+b)/2). With b masked and a = 4, the filled
 * value after N rounds is 4 (1 - 2^-N); a is never changed. */
#include "aekit.h"
#include "check.h"

#include <math.h>

int main(void) {
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "dense:1:identity|dense:2:identity;loss=mse", 1, 1, 2, 1));
  if (!m) CHECK_DONE();
  float *p = ae_model_params(m); /* enc W (1,2), b (1); dec W (2,1), b (2) */
  const float par[7] = {0.5f, 0.5f, 0, 1, 1, 0, 0};
  for (int i = 0; i < 7; i++) p[i] = par[i];
  const float x[4] = {4, 9, -2, 7}; /* the masked values (9, 7) must not leak */
  const unsigned char mask[2] = {0, 1};
  float out[4];
  for (int it = 1; it <= 4; it++) {
    CHECK_OK(ae_model_inpaint(m, out, x, mask, 2, it));
    CHECK(out[0] == 4.0f && out[2] == -2.0f);
    CHECK_NEAR(out[1], 4.0 * (1.0 - pow(2.0, -it)), 1e-6);
    CHECK_NEAR(out[3], -2.0 * (1.0 - pow(2.0, -it)), 1e-6);
  }
  CHECK_FAILS(ae_model_inpaint(m, out, x, mask, 2, 0), AE_ERR_ARG, "iterations");
  ae_model_free(m);
  CHECK_DONE();
}
