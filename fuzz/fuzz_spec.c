/* SPDX-License-Identifier: MIT */
/* fuzz_spec.c — libFuzzer harness: a spec string (the --model text, or a
 * model file's metadata) on a small input shape the first byte picks; what
 * builds is run forward and backward on a batch (make fuzz). */
#include "aekit.h"
#include "model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 512) return 0;
  static const int shapes[4][3] = {{1, 8, 8}, {1, 1, 12}, {2, 4, 4}, {1, 28, 28}};
  const int *sh = shapes[data[0] & 3];
  char *spec = malloc(size);
  if (!spec) abort();
  memcpy(spec, data + 1, size - 1);
  spec[size - 1] = 0;
  ae_model *m = NULL;
  /* ae_model_create with a budget of 2^20 parameters: a valid spec of a
   * hundred million is no finding, only slow under the sanitizers */
  if (ae_model_build(&m, spec, sh[0], sh[1], sh[2], 1, (size_t)1 << 20, 1) != AE_OK) {
    if (!ae_last_error()[0] || m) abort();
    free(spec);
    return 0;
  }
  /* the canonical spec builds the same model again */
  ae_model *again = NULL;
  if (ae_model_create(&again, ae_model_spec(m), sh[0], sh[1], sh[2], 1) != AE_OK ||
      ae_model_param_count(again) != ae_model_param_count(m))
    abort();
  ae_model_free(again);
  size_t d = ae_model_input_dim(m), p = ae_model_param_count(m);
  if (p <= (1u << 12) && d <= 256) { /* small enough to train a step quickly */
    ae_model_set_threads(m, 1);
    float *x = malloc(4 * d * sizeof(float));
    if (!x) abort();
    for (size_t i = 0; i < 4 * d; i++) x[i] = (float)((i * 37) % 11) / 11.0f;
    ae_dataset *ds = NULL;
    if (ae_dataset_from_array(&ds, x, 4, d, NULL) == AE_OK &&
        ae_dataset_set_shape(ds, sh[0], sh[1], sh[2]) == AE_OK) {
      ae_train_options o;
      ae_train_options_defaults(&o);
      o.epochs = 1;
      o.batch_size = 2;
      o.threads = 1;
      (void)ae_train(m, ds, NULL, &o, NULL);
    }
    ae_dataset_free(ds);
    free(x);
  }
  ae_model_free(m);
  free(spec);
  return 0;
}
