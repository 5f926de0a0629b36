/* SPDX-License-Identifier: MIT */
/* aekit_bench.c — aekit-bench: inference speed through the public API, the
 * aekit side of `make bench`'s inference rows (training rows time the real
 * `aekit train`).
 *
 *   aekit-bench infer PRESET|MODEL.safetensors THREADS [DATA_DIR]
 *
 * (a preset is built with seed 42; a model file is loaded, so that ONNX
 * Runtime can run the very same weights: bench/ort.sh), and prints
 * `encode_samples_per_s`, `reconstruct_samples_per_s` (batches of 256
 * over the 10 000 Fashion-MNIST test images, best of 3) and
 * `encode_latency_us` (median of 2000 single-sample encodes).
 *
 *   aekit-bench flops PRESET
 *
 * prints `forward_flops`, the preset's forward FLOPs a sample on 28 x 28
 * images (ae_model_flops: its weight products), for the share of the roof
 * that make bench gives each training row. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "flops")) { /* the preset's forward FLOPs a sample */
    ae_model *m = NULL;
    if (ae_model_create(&m, argv[2], 1, 28, 28, 42)) {
      fprintf(stderr, "aekit-bench: error: %s\n", ae_last_error());
      return 1;
    }
    printf("forward_flops %.0f\n", ae_model_flops(m));
    ae_model_free(m);
    return 0;
  }
  if (argc < 4 || strcmp(argv[1], "infer")) {
    fprintf(stderr, "usage: aekit-bench infer PRESET|MODEL.safetensors THREADS [DATA_DIR]\n");
    return 2;
  }
  const char *dir = argc > 4 ? argv[4] : "/usr/share/datasets/fashion-mnist";
  char path[512];
  snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dir);
  ae_dataset *ds = NULL;
  ae_model *m = NULL;
  if (ae_dataset_load(&ds, path, NULL) || ae_dataset_scale(ds, 0.0f, 255.0f) ||
      (strstr(argv[2], ".safetensors") ? ae_model_load(&m, argv[2])
                                        : ae_model_create(&m, argv[2], 1, 28, 28, 42)) ||
      ae_model_set_threads(m, atoi(argv[3]))) {
    fprintf(stderr, "aekit-bench: error: %s\n", ae_last_error());
    return 1;
  }
  size_t n = ae_dataset_count(ds), d = ae_model_input_dim(m), z = ae_model_code_dim(m);
  const float *x = ae_dataset_data(ds);
  float *codes = malloc(n * z * sizeof(float)), *out = malloc(256 * d * sizeof(float));
  const char *names[2] = {"encode", "reconstruct"};
  for (int which = 0; which < 2; which++) {
    double best = 0;
    for (int rep = 0; rep < 4; rep++) { /* the first is a warm-up */
      double t0 = now_s();
      for (size_t i = 0; i < n; i += 256) {
        size_t b = n - i < 256 ? n - i : 256;
        if (which == 0) ae_model_encode(m, codes + i * z, x + i * d, b);
        else ae_model_reconstruct(m, out, x + i * d, b);
      }
      double rate = (double)n / (now_s() - t0);
      if (rep && rate > best) best = rate;
    }
    printf("%s_samples_per_s %.1f\n", names[which], best);
  }
  enum { REPS = 2000 };
  static double t[REPS];
  for (int r = 0; r < REPS; r++) {
    double t0 = now_s();
    ae_model_encode(m, codes, x + (size_t)(r % 100) * d, 1);
    t[r] = now_s() - t0;
  }
  qsort(t, REPS, sizeof t[0], cmp_double);
  printf("encode_latency_us %.2f\n", t[REPS / 2] * 1e6);
  free(codes);
  free(out);
  ae_model_free(m);
  ae_dataset_free(ds);
  return 0;
}
