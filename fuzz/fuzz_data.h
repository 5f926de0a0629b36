/* SPDX-License-Identifier: MIT */
/* fuzz_data.h — what the data-set harnesses share: load the input from
 * memory under a name that picks the reader, then use what came back the
 * way the program does (values, range, labels, a slice, scaling). */
#ifndef AE_FUZZ_DATA_H
#define AE_FUZZ_DATA_H

#include "aekit.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_use_dataset(ae_dataset *ds) {
  if (!ds) return;
  size_t n = ae_dataset_count(ds), d = ae_dataset_dim(ds);
  int c, h, w;
  ae_dataset_shape(ds, &c, &h, &w);
  if ((size_t)c * (size_t)h * (size_t)w != d) abort(); /* the contract */
  const float *x = ae_dataset_data(ds);
  float lo, hi, acc = 0.0f;
  ae_dataset_range(ds, &lo, &hi);
  for (size_t i = 0; x && i < n * d; i += 1 + n * d / 64) acc += x[i];
  (void)acc;
  const int32_t *lab = ae_dataset_labels(ds);
  if (lab) (void)lab[n - 1];
  ae_dataset *part = NULL;
  if (ae_dataset_slice(&part, ds, n / 2, n - n / 2) == AE_OK) ae_dataset_free(part);
  if (hi > lo) (void)ae_dataset_scale(ds, lo, hi);
}

/* Load data[0, size) as `name` with the options the first byte picks. */
static int fuzz_load(const uint8_t *data, size_t size, const char *name) {
  ae_load_options o;
  ae_load_options_defaults(&o);
  if (size > 0) {
    o.csv_header = (int)(data[0] % 3) - 1;
    o.csv_label_column = data[0] & 0x10 ? (int)(data[0] >> 5) - 1 : -1;
    o.max_samples = data[0] & 0x08 ? (size_t)(data[0] >> 5) : 0;
    data++, size--;
  }
  o.max_bytes = (size_t)256 << 20; /* the fuzzer's memory, not a real limit */
  ae_dataset *ds = NULL;
  if (ae_dataset_load_memory(&ds, data, size, name, &o) == AE_OK) {
    fuzz_use_dataset(ds);
    ae_dataset_free(ds);
  } else if (!ae_last_error()[0]) {
    abort(); /* every failure explains itself */
  }
  return 0;
}

#endif
