/* SPDX-License-Identifier: MIT */
/* test_model.c — specs and presets, save/load (bit-exact outputs, refusal of
 * another architecture), and a short training run on real data that must
 * bring the loss well below the untrained loss. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "dataset.h"
#include "model.h"
#include "pngio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_specs(void) {
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "dense", 1, 28, 28, 1));
  if (m) {
    CHECK(!strcmp(ae_model_spec(m), "dense:32:relu|dense:784:sigmoid;loss=bce"));
    CHECK(ae_model_param_count(m) == 784 * 32 + 32 + 32 * 784 + 784);
    CHECK(ae_model_code_dim(m) == 32);
  }
  ae_model_free(m);
  CHECK_OK(ae_model_create(&m, "deep", 1, 28, 28, 1));
  if (m)
    CHECK(!strcmp(ae_model_spec(m), "dense:128:relu,dense:64:relu,dense:32:relu|dense:64:relu,"
                                    "dense:128:relu,dense:784:sigmoid;loss=bce"));
  ae_model_free(m);
  CHECK_OK(ae_model_create(&m, "dense:16:tanh,dense:3:leaky_relu:0.2|dense:10:tanh,dense:20:identity;loss=mse", 1, 4, 5, 1));
  if (m) {
    CHECK(!strcmp(ae_model_spec(m), "dense:16:tanh,dense:3:leaky_relu:0.2|dense:10:tanh,dense:20:identity;loss=mse"));
    CHECK(ae_model_code_dim(m) == 3);
  }
  /* the canonical spec rebuilds the same model */
  ae_model *again = NULL;
  if (m) CHECK_OK(ae_model_create(&again, ae_model_spec(m), 1, 4, 5, 1));
  if (again) CHECK(!strcmp(ae_model_spec(again), ae_model_spec(m)));
  ae_model_free(again);
  ae_model_free(m);
  m = NULL;
  CHECK_FAILS(ae_model_create(&m, "dense:0:relu", 1, 28, 28, 1), AE_ERR_ARG, "positive");
  CHECK_FAILS(ae_model_create(&m, "dense:-3:relu", 1, 28, 28, 1), AE_ERR_ARG, "positive");
  CHECK_FAILS(ae_model_create(&m, "dense:32:swish", 1, 28, 28, 1), AE_ERR_ARG, "swish");
  CHECK_FAILS(ae_model_create(&m, "conv9:32:relu", 1, 28, 28, 1), AE_ERR_ARG, "conv9");
  CHECK_FAILS(ae_model_create(&m, "dense:32:relu|dense:700:sigmoid", 1, 28, 28, 1), AE_ERR_SHAPE, "784");
  CHECK_FAILS(ae_model_create(&m, "dense:32:relu|dense:784:relu", 1, 28, 28, 1), AE_ERR_ARG, "sigmoid");
  CHECK_FAILS(ae_model_create(&m, "dense:32:relu;loss=l1", 1, 28, 28, 1), AE_ERR_ARG, "loss");
  CHECK_FAILS(ae_model_create(&m, "", 1, 28, 28, 1), AE_ERR_ARG, "spec");
  CHECK_FAILS(ae_model_create(&m, "dense", 0, 28, 28, 1), AE_ERR_ARG, "shape");
  CHECK(m == NULL);
}

/* Initial weights stay within each scheme's bounds and fill them. */
static void test_init(void) {
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "dense", 1, 28, 28, 9));
  if (!m) return;
  for (int scheme = 0; scheme < 2; scheme++) {
    CHECK_OK(ae_model_init(m, (ae_init)scheme, 9));
    const float *p = ae_model_params(m);
    /* encoder weight (32, 784), relu: He sqrt(6/784); torch 1/sqrt(784) */
    double lim = scheme == AE_INIT_KERAS ? sqrt(6.0 / 784) : 1.0 / 28.0, top = 0;
    for (int k = 0; k < 32 * 784; k++) top = fmax(top, fabs(p[k]));
    CHECK(top <= lim && top > 0.99 * lim);
    /* decoder weight (784, 32), sigmoid: Glorot sqrt(6/816); torch 1/sqrt(32) */
    const float *w2 = p + 32 * 784 + 32;
    lim = scheme == AE_INIT_KERAS ? sqrt(6.0 / (32 + 784)) : 1.0 / sqrt(32.0), top = 0;
    for (int k = 0; k < 784 * 32; k++) top = fmax(top, fabs(w2[k]));
    CHECK(top <= lim && top > 0.99 * lim);
    double bias = 0;
    for (int k = 0; k < 32; k++) bias += fabs(p[32 * 784 + k]);
    CHECK(scheme == AE_INIT_KERAS ? bias == 0.0 : bias > 0.0);
  }
  CHECK_FAILS(ae_model_init(m, (ae_init)7, 1), AE_ERR_ARG, "initialisation");
  ae_model_free(m);
}

static void test_save_load(const char *dir) {
  char path[512], other[512];
  snprintf(path, sizeof path, "%s/deep.safetensors", dir);
  snprintf(other, sizeof other, "%s/dense.safetensors", dir);
  ae_model *a = NULL, *b = NULL, *c = NULL;
  CHECK_OK(ae_model_create(&a, "deep", 1, 28, 28, 5));
  CHECK_OK(ae_model_set_scaling(a, 0.0f, 255.0f));
  CHECK_OK(ae_model_save(a, path));
  CHECK_OK(ae_model_load(&b, path));
  if (!a || !b) return;
  CHECK(!strcmp(ae_model_spec(a), ae_model_spec(b)));
  CHECK(!memcmp(ae_model_params(a), ae_model_params(b), ae_model_param_count(a) * sizeof(float)));
  float lo, hi;
  ae_model_scaling(b, &lo, &hi);
  CHECK(lo == 0.0f && hi == 255.0f);
  enum { N = 7 };
  float x[N * 784], ya[N * 784], yb[N * 784], za[N * 32], zb[N * 32];
  ae_rng rng;
  ae_rng_seed(&rng, 11);
  for (int k = 0; k < N * 784; k++) x[k] = ae_rng_uniform(&rng);
  CHECK_OK(ae_model_reconstruct(a, ya, x, N));
  CHECK_OK(ae_model_reconstruct(b, yb, x, N));
  CHECK(!memcmp(ya, yb, sizeof ya));
  CHECK_OK(ae_model_encode(a, za, x, N));
  CHECK_OK(ae_model_encode(b, zb, x, N));
  CHECK(!memcmp(za, zb, sizeof za));
  CHECK_OK(ae_model_decode(b, yb, zb, N));
  CHECK(!memcmp(ya, yb, sizeof ya));
  /* inference threads change the chunking, not the results */
  CHECK_OK(ae_model_set_threads(b, 3));
  CHECK_OK(ae_model_reconstruct(b, yb, x, N));
  for (int k = 0; k < N * 784; k++) CHECK_NEAR(yb[k], ya[k], 1e-6);
  CHECK_FAILS(ae_model_set_threads(b, -1), AE_ERR_ARG, "threads");
  /* another architecture is refused, and the weights are left alone */
  CHECK_OK(ae_model_create(&c, "dense", 1, 28, 28, 5));
  CHECK_OK(ae_model_save(c, other));
  float first = ae_model_params(a)[0];
  CHECK_FAILS(ae_model_load_weights(a, other), AE_ERR_SHAPE, "does not match");
  CHECK(ae_model_params(a)[0] == first);
  CHECK_OK(ae_model_load_weights(b, path));
  /* an unwritable target fails and leaves the existing file intact */
  char bad[600];
  snprintf(bad, sizeof bad, "%s/no/such/dir/m.safetensors", dir);
  CHECK_FAILS(ae_model_save(a, bad), AE_ERR_IO, "no/such/dir");
  CHECK_FAILS(ae_model_save(a, dir), AE_ERR_IO, "directory");
  ae_model_free(a);
  ae_model_free(b);
  ae_model_free(c);
  remove(path);
  remove(other);
}

/* 2 epochs on 2048 Fashion-MNIST images must take the loss well below the
 * untrained model's. */
static void test_training_reduces_loss(void) {
  ae_dataset *all = NULL, *train = NULL;
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  CHECK_OK(ae_dataset_load(&all, AE_FASHION_DIR "/t10k-images-idx3-ubyte.gz", &lo));
  if (!all) return;
  CHECK_OK(ae_dataset_slice(&train, all, 0, 2048));
  CHECK_OK(ae_dataset_scale(train, 0.0f, 255.0f));
  /* uint8 storage: rows converted on the fly equal the float copy */
  float row[784];
  uint32_t pick = 1234;
  ae_dataset_rows(row, train, &pick, 0, 1);
  CHECK(!memcmp(row, ae_dataset_data(train) + 1234 * 784, sizeof row));
  CHECK(row[400] >= 0.0f && row[400] <= 1.0f);
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "dense", 1, 28, 28, 42));
  ae_eval_result before, after;
  CHECK_OK(ae_model_evaluate(m, &before, train));
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 5;
  o.batch_size = 64;
  ae_history *h = NULL;
  CHECK_OK(ae_train(m, train, NULL, &o, &h));
  CHECK_OK(ae_model_evaluate(m, &after, train));
  printf("untrained BCE %.4f, after 5 epochs %.4f (PSNR %.1f dB)\n", before.loss, after.loss, after.psnr);
  CHECK(before.loss > 0.6);
  CHECK(after.loss < 0.40);
  CHECK(ae_history_epochs(h) == 5);
  CHECK(ae_history_train_loss(h, 4) < ae_history_train_loss(h, 0));
  /* same seed, same bits */
  ae_model *m2 = NULL;
  CHECK_OK(ae_model_create(&m2, "dense", 1, 28, 28, 42));
  CHECK_OK(ae_train(m2, train, NULL, &o, NULL));
  if (m && m2)
    CHECK(!memcmp(ae_model_params(m), ae_model_params(m2), ae_model_param_count(m) * sizeof(float)));
  /* wrong sizes and bad options are refused */
  ae_model *small = NULL;
  CHECK_OK(ae_model_create(&small, "dense", 1, 4, 4, 1));
  CHECK_FAILS(ae_train(small, train, NULL, &o, NULL), AE_ERR_SHAPE, "784");
  o.lr = -1.0f;
  CHECK_FAILS(ae_train(m, train, NULL, &o, NULL), AE_ERR_ARG, "learning rate");
  ae_model_free(small);
  ae_model_free(m2);
  ae_history_free(h);
  ae_model_free(m);
  ae_dataset_free(train);
  ae_dataset_free(all);
}

/* Early stopping keeps the best weights: with validation and patience 1 the
 * model left behind scores the best validation loss of the history. */
static void test_early_stopping(void) {
  ae_dataset *all = NULL, *train = NULL, *val = NULL;
  CHECK_OK(ae_dataset_load(&all, AE_FASHION_DIR "/t10k-images-idx3-ubyte.gz", NULL));
  if (!all) return;
  ae_dataset *part = NULL;
  CHECK_OK(ae_dataset_slice(&part, all, 0, 1200));
  CHECK_OK(ae_dataset_scale(part, 0.0f, 255.0f));
  CHECK_OK(ae_dataset_split(&train, &val, part, 0.25, 1));
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "dense:64:relu", 1, 28, 28, 3));
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 12;
  o.batch_size = 32;
  o.lr = 3e-2f; /* too large on purpose: validation loss bounces */
  o.patience = 2;
  ae_history *h = NULL;
  CHECK_OK(ae_train(m, train, val, &o, &h));
  if (h) {
    int best = ae_history_best_epoch(h);
    ae_eval_result r;
    CHECK_OK(ae_model_evaluate(m, &r, val));
    CHECK_NEAR(r.loss, ae_history_val_loss(h, best), 1e-6);
    for (int e = 0; e < ae_history_epochs(h); e++)
      CHECK(ae_history_val_loss(h, e) >= ae_history_val_loss(h, best));
  }
  ae_history_free(h);
  ae_model_free(m);
  ae_dataset_free(part);
  ae_dataset_free(train);
  ae_dataset_free(val);
  ae_dataset_free(all);
}

/* Convolutional specs: presets build, shapes that do not fit are refused. */
static void test_conv_specs(void) {
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "conv", 1, 28, 28, 1));
  if (m) {
    CHECK(ae_model_code_dim(m) == 16);
    CHECK(ae_model_param_count(m) == 178385); /* as PyTorch counts it */
    ae_model *again = NULL;
    CHECK_OK(ae_model_create(&again, ae_model_spec(m), 1, 28, 28, 1));
    if (again) CHECK(!strcmp(ae_model_spec(again), ae_model_spec(m)));
    ae_model_free(again);
  }
  ae_model_free(m);
  m = NULL;
  CHECK_OK(ae_model_create(&m, "conv-pool", 1, 28, 28, 1));
  if (m) CHECK(ae_model_code_dim(m) == 8 * 4 * 4);
  ae_model_free(m);
  m = NULL;
  CHECK_FAILS(ae_model_create(&m, "conv", 1, 30, 30, 1), AE_ERR_SHAPE, "(1, 30, 30)");
  CHECK_FAILS(ae_model_create(&m, "conv", 3, 28, 28, 1), AE_ERR_SHAPE, "(3, 28, 28)");
  CHECK_FAILS(ae_model_create(&m, "conv:0:3", 1, 28, 28, 1), AE_ERR_ARG, "positive");
  CHECK_FAILS(ae_model_create(&m, "conv:8:-3|conv:1:3", 1, 28, 28, 1), AE_ERR_ARG, "-3");
  CHECK_FAILS(ae_model_create(&m, "conv:8:3:stride=0|conv:1:3", 1, 28, 28, 1), AE_ERR_ARG, "stride");
  CHECK_FAILS(ae_model_create(&m, "conv:8:3:bogus=1|conv:1:3", 1, 28, 28, 1), AE_ERR_ARG, "bogus");
  CHECK_FAILS(ae_model_create(&m, "conv:8:3:pad=1", 1, 28, 28, 1), AE_ERR_ARG, "decoder");
  CHECK_FAILS(ae_model_create(&m, "conv:8:3|convt:1:3:stride=2:outpad=2", 1, 28, 28, 1), AE_ERR_ARG,
              "outpad");
  CHECK_FAILS(ae_model_create(&m, "maxpool:2:pad=2|upsample:2", 1, 28, 28, 1), AE_ERR_ARG, "pad");
  /* empty layers: "," once made an encoder of no layers (the objective then
   * read layer -1) and trained to exit 0 */
  CHECK_FAILS(ae_model_create(&m, ",", 1, 28, 28, 1), AE_ERR_ARG, "empty layer");
  CHECK_FAILS(ae_model_create(&m, ",|dense:784:sigmoid", 1, 28, 28, 1), AE_ERR_ARG, "empty layer");
  CHECK_FAILS(ae_model_create(&m, "dense:32,,dense:8|dense:784:sigmoid", 1, 28, 28, 1), AE_ERR_ARG,
              "empty layer");
  CHECK_FAILS(ae_model_create(&m, "dense:32|dense:784:sigmoid,", 1, 28, 28, 1), AE_ERR_ARG,
              "empty layer");
  CHECK_FAILS(ae_model_create(&m, "flatten,dense:8|dense:784,reshape:2:7:7", 1, 28, 28, 1),
              AE_ERR_SHAPE, "reshape");
  CHECK_FAILS(ae_model_create(&m, "conv:8:40|convt:1:40", 1, 28, 28, 1), AE_ERR_SHAPE, "too small");
  CHECK_FAILS(ae_model_create(&m, "dropout:1.5,dense:8", 1, 28, 28, 1), AE_ERR_ARG, "dropout");
  CHECK(m == NULL);
}

/* Batch norm statistics are shared across worker threads: one step on the
 * same batch with 1 and with 2 threads gives the same parameters and
 * running statistics (up to float rounding), and a conv model with its
 * state survives save and load bit for bit. */
static void test_conv_threads_and_files(const char *dir) {
  ae_dataset *all = NULL, *part = NULL;
  CHECK_OK(ae_dataset_load(&all, AE_FASHION_DIR "/t10k-images-idx3-ubyte.gz", NULL));
  if (!all) return;
  CHECK_OK(ae_dataset_slice(&part, all, 0, 16));
  CHECK_OK(ae_dataset_scale(part, 0.0f, 255.0f));
  ae_model *m1 = NULL, *m2 = NULL;
  CHECK_OK(ae_model_create(&m1, "conv", 1, 28, 28, 3));
  CHECK_OK(ae_model_create(&m2, "conv", 1, 28, 28, 3));
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 2, o.batch_size = 16, o.threads = 1;
  CHECK_OK(ae_train(m1, part, NULL, &o, NULL));
  o.threads = 2;
  CHECK_OK(ae_train(m2, part, NULL, &o, NULL));
  if (m1 && m2) {
    double worst = 0.0;
    for (size_t k = 0; k < ae_model_param_count(m1); k++)
      worst = fmax(worst, fabs(ae_model_params(m1)[k] - ae_model_params(m2)[k]));
    for (size_t k = 0; k < m1->n_state; k++)
      worst = fmax(worst, fabs(m1->state[k] - m2->state[k]));
    /* the two runs add the same numbers in another order; Adam turns such
     * rounding in tiny gradients into steps of up to ~lr * 1e-2 */
    printf("conv, 1 vs 2 threads after 2 steps: largest difference %.3g\n", worst);
    CHECK(worst < 1e-4);
    CHECK(m1->state[0] != 0.0f); /* running statistics moved */
  }
  char path[512];
  snprintf(path, sizeof path, "%s/conv.safetensors", dir);
  ae_model *back = NULL;
  CHECK_OK(ae_model_save(m2, path));
  CHECK_OK(ae_model_load(&back, path));
  if (back && m2) {
    CHECK(!memcmp(back->state, m2->state, m2->n_state * sizeof(float)));
    float y1[4 * 784], y2[4 * 784];
    CHECK_OK(ae_model_reconstruct(m2, y1, ae_dataset_data(part), 4));
    CHECK_OK(ae_model_reconstruct(back, y2, ae_dataset_data(part), 4));
    CHECK(!memcmp(y1, y2, sizeof y1));
  }
  /* denoising: the corrupted inputs are worse than their reconstructions
   * of a model trained to denoise, and the noise is recorded */
  o.noise = "masking:0.5";
  o.epochs = 2; /* validation (600 samples, chunks larger than the training
                   slices) between epochs re-plans the workspaces */
  ae_dataset *val = NULL;
  CHECK_OK(ae_dataset_slice(&val, all, 1000, 600));
  CHECK_OK(ae_dataset_scale(val, 0.0f, 255.0f));
  CHECK_OK(ae_train(m2, part, val, &o, NULL));
  ae_dataset_free(val);
  if (m2) CHECK(strstr(ae_model_metadata(m2), "masking:0.5") != NULL);
  ae_eval_result noisy, den;
  CHECK_OK(ae_model_evaluate_denoising(m2, &noisy, &den, part, "masking:0.5", 7));
  CHECK(noisy.mse > 0.0 && den.mse > 0.0 && isfinite(den.psnr));
  o.noise = "masking:1.5";
  CHECK_FAILS(ae_train(m2, part, NULL, &o, NULL), AE_ERR_ARG, "masking");
  remove(path);
  ae_model_free(back);
  ae_model_free(m1);
  ae_model_free(m2);
  ae_dataset_free(part);
  ae_dataset_free(all);
}

/* A PNG file is one sample of shape (1, H, W) with the range 0..255. */
static void test_png_input(const char *dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/img.png", dir);
  unsigned char px[6 * 5];
  for (int k = 0; k < 30; k++) px[k] = (unsigned char)(k * 8);
  CHECK_OK(ae_png_write_gray(path, px, 5, 6));
  ae_dataset *ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, path, NULL));
  if (ds) {
    int c, h, w;
    float lo, hi;
    ae_dataset_shape(ds, &c, &h, &w);
    ae_dataset_range(ds, &lo, &hi);
    CHECK(ae_dataset_count(ds) == 1 && c == 1 && h == 6 && w == 5 && lo == 0.0f && hi == 255.0f);
    CHECK(ae_dataset_data(ds)[29] == 232.0f);
  }
  ae_dataset_free(ds);
  remove(path);
}

/* What a model keeps of its training data: class names and the range,
 * both through a file; the range check's figures; output=; BCE refused on
 * targets outside [0, 1]. */
static void test_data_memory(const char *dir) {
  /* 6 samples of 2 features: feature 0 in 0..10, feature 1 in 100..104 */
  const float x[12] = {0, 100, 2, 101, 4, 102, 6, 103, 8, 104, 10, 100};
  ae_dataset *ds = NULL;
  ae_model *m = NULL, *back = NULL;
  CHECK_OK(ae_dataset_from_array(&ds, x, 6, 2, NULL));
  CHECK_OK(ae_model_create(&m, "dense:1:tanh|dense:2;loss=mse", 1, 1, 2, 3));
  char path[512];
  snprintf(path, sizeof path, "%s/memory.safetensors", dir);
  if (!ds || !m) goto out;
  CHECK_OK(ae_model_fit_scaling(m, ds, AE_SCALE_MINMAX));
  const char *names[2] = {"benign", "malignant"};
  CHECK_OK(ae_model_set_class_names(m, names, 2));
  CHECK_OK(ae_model_save(m, path));
  CHECK_OK(ae_model_load(&back, path));
  if (!back) goto out;
  CHECK(ae_model_class_count(back) == 2 && !strcmp(ae_model_class_name(back, 1), "malignant") &&
        !ae_model_class_name(back, 2));
  CHECK(strstr(ae_model_metadata(back), "\"classes\"") && strstr(ae_model_metadata(back), "\"range\""));
  /* minmax: each feature's training range is [0, 1] in scaled units; 2.5
   * is 1.5 widths beyond it (far), 1.9 is 0.9 (not), -3 is 3 widths */
  float in[6] = {0.5f, 0.5f, 2.5f, 0.2f, 0.1f, 1.9f};
  ae_range_check r;
  CHECK_OK(ae_model_check_range(back, in, 3, &r));
  CHECK(r.recorded && r.outside == 1 && r.values == 1 && r.sample == 1 && r.feature == 0);
  CHECK(fabs(r.widths - 1.5) < 1e-6 && r.value == 2.5f && r.lo == 0.0f && r.hi == 1.0f);
  in[5] = -3.0f;
  CHECK_OK(ae_model_check_range(back, in, 3, &r));
  CHECK(r.outside == 2 && r.values == 2 && r.sample == 2 && r.feature == 1 && fabs(r.widths - 3.0) < 1e-6);
  /* the range of a model scaled over all values (auto): 0..104 -> 0..1 */
  CHECK_OK(ae_model_fit_scaling(m, ds, AE_SCALE_AUTO));
  float raw[2] = {250.0f, 50.0f};
  CHECK_OK(ae_model_scale_inputs(m, raw, 1));
  CHECK_OK(ae_model_check_range(m, raw, 1, &r));
  CHECK(r.outside == 1 && r.values == 1 && r.feature == 0 && r.lo == 0.0f && r.hi == 1.0f);
  /* scaling set by hand records no range: nothing to check against */
  ae_model_free(m);
  m = NULL;
  CHECK_OK(ae_model_create(&m, "dense:1:tanh|dense:2;loss=mse", 1, 1, 2, 3));
  CHECK_OK(ae_model_set_scaling(m, 0.0f, 10.0f));
  CHECK_OK(ae_model_check_range(m, raw, 1, &r));
  CHECK(!r.recorded && r.outside == 0);
  ae_model_free(m);
  m = NULL;
  /* output=: a preset's sigmoid output made linear */
  CHECK_OK(ae_model_create(&m, "dense;loss=mse;output=linear", 1, 1, 30, 1));
  if (m) CHECK(!strcmp(ae_model_spec(m), "dense:32:relu|dense:30:identity;loss=mse"));
  ae_model_free(m);
  m = NULL;
  CHECK_FAILS(ae_model_create(&m, "dense;output=swish", 1, 1, 30, 1), AE_ERR_ARG, "output 'swish'");
  CHECK_FAILS(ae_model_create(&m, "dense:4:relu,flatten|flatten;output=tanh", 1, 1, 8, 1),
              AE_ERR_ARG, "takes no activation");
  /* BCE on z-scores: refused by ae_train, naming the range */
  CHECK_OK(ae_model_create(&m, "dense:1:relu|dense:2:sigmoid;loss=bce", 1, 1, 2, 3));
  if (m) {
    ae_dataset *z = NULL;
    CHECK_OK(ae_dataset_from_array(&z, x, 6, 2, NULL));
    CHECK_OK(ae_model_fit_scaling(m, z, AE_SCALE_STANDARD));
    CHECK_OK(ae_model_scale_dataset(m, z));
    ae_train_options o;
    ae_train_options_defaults(&o);
    o.epochs = 1;
    ae_history *h = NULL;
    CHECK_FAILS(ae_train(m, z, NULL, &o, &h), AE_ERR_ARG, "needs targets in [0, 1]");
    ae_history_free(h);
    ae_dataset_free(z);
  }
out:
  unlink(path);
  ae_model_free(m);
  ae_model_free(back);
  ae_dataset_free(ds);
}

/* ae_model_flops and the summaries' flops: 2 per multiply-add of each
 * weight product, counted by hand for one layer of every kind that has
 * one. */
static void test_flops(void) {
  static const struct {
    const char *spec;
    int c, h, w;
    double flops;
  } cases[] = {
      /* 784 -> 32 -> 784 */
      {"dense", 1, 28, 28, 2.0 * (784 * 32 + 32 * 784)},
      /* conv: each weight once per output position; convt: per input one */
      {"conv:8:3:stride=2:pad=1,flatten,dense:4|dense:392,reshape:8:7:7,convt:1:3:stride=2:pad=1:outpad=1;loss=mse",
       1, 14, 14, 2.0 * (8 * 1 * 9 * 49 + 392 * 4 + 4 * 392 + 1 * 8 * 9 * 49)},
      /* lstm: 4 gates x 16 units x (inputs 5 + recurrent 16) a step, 7 steps;
       * gru 3 gates; tdense 5 per step */
      {"lstm:16:out=last|repeat:7,gru:16,tdense:5;loss=mse", 1, 7, 5,
       2.0 * (4 * 16 * (5 + 16) * 7 + 3 * 16 * (16 + 16) * 7 + 16 * 5 * 7)},
      /* conv1d: per output step (stride 2: 4 of 7), convt1d: per input step */
      {"conv1d:6:3:stride=2:pad=1,flatten,dense:3|dense:24,reshape:1:4:6,convt1d:2:3:stride=2:pad=1:outpad=0;loss=mse",
       1, 7, 2, 2.0 * (2 * 6 * 3 * 4 + 24 * 3 + 3 * 24 + 6 * 2 * 3 * 4)},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    ae_model *m = NULL;
    CHECK_OK(ae_model_create(&m, cases[k].spec, cases[k].c, cases[k].h, cases[k].w, 1));
    if (!m) continue;
    double sum = 0.0;
    for (int i = 0; i < ae_model_layer_count(m); i++) {
      ae_layer_summary s;
      CHECK_OK(ae_model_layer_summary(m, i, &s));
      sum += s.flops;
    }
    if (fabs(ae_model_flops(m) - cases[k].flops) > 0.5 || fabs(sum - cases[k].flops) > 0.5) {
      fprintf(stderr, "flops of %s: %.0f (summaries %.0f), want %.0f\n", cases[k].spec,
              ae_model_flops(m), sum, cases[k].flops);
      CHECK(0);
    }
    ae_model_free(m);
  }
  CHECK(ae_model_flops(NULL) == 0.0);
}

int main(void) {
  char dir[] = "/tmp/aekit-test-model-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  test_specs();
  test_init();
  test_save_load(dir);
  test_training_reduces_loss();
  test_early_stopping();
  test_conv_specs();
  test_png_input(dir);
  test_conv_threads_and_files(dir);
  test_data_memory(dir);
  test_flops();
  rmdir(dir);
  CHECK_DONE();
}
