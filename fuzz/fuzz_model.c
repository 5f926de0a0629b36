/* SPDX-License-Identifier: MIT */
/* fuzz_model.c — libFuzzer harness: a model file from memory, then what a
 * user does with it: encode, decode, reconstruct, save, load again — the
 * second load must give the same parameters (make fuzz). */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *what) {
  fprintf(stderr, "fuzz_model: %s failed: %s\n", what, ae_last_error());
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ae_model *m = NULL, *again = NULL;
  if (ae_model_load_memory(&m, data, size, "fuzz.safetensors") != AE_OK) {
    if (!ae_last_error()[0] || m) abort();
    return 0;
  }
  size_t d = ae_model_input_dim(m), z = ae_model_code_dim(m);
  if (d > 4096 || z > 4096) { /* big models: loaded and checked, not run */
    ae_model_free(m);
    return 0;
  }
  ae_model_set_threads(m, 1);
  float *x = calloc(2 * d, sizeof(float)), *y = calloc(2 * d, sizeof(float));
  float *c = calloc(2 * z + 1, sizeof(float));
  if (!x || !y || !c) abort();
  for (size_t i = 0; i < 2 * d; i++) x[i] = (float)(i % 7) / 7.0f;
  (void)ae_model_encode(m, c, x, 2);
  (void)ae_model_decode(m, y, c, 2);
  (void)ae_model_reconstruct(m, y, x, 2);
  char path[64];
  snprintf(path, sizeof path, "/tmp/aekit-fuzz-model-%ld.safetensors", (long)getpid());
  if (ae_model_save(m, path) != AE_OK) fail("save"); /* a loaded model saves */
  if (ae_model_load(&again, path) != AE_OK) fail("load again"); /* and loads back */
  if (ae_model_param_count(again) != ae_model_param_count(m) ||
      memcmp(ae_model_params(again), ae_model_params(m),
             ae_model_param_count(m) * sizeof(float)) ||
      strcmp(ae_model_spec(again), ae_model_spec(m)))
    abort();
  remove(path);
  ae_model_free(again);
  ae_model_free(m);
  free(x);
  free(y);
  free(c);
  return 0;
}
