/* SPDX-License-Identifier: MIT */
/* test_api.c — every public function of aekit.h called with bad arguments:
 * NULL for each pointer in turn, sizes out of range (0, SIZE_MAX, sizes
 * whose byte count overflows size_t), negative ints, data whose dimension
 * does not fit the model, NaN or infinity where a finite number is needed.
 *
 * The test is a table: each entry is one small function that builds valid
 * other arguments (a model "dense:3:relu" on (1, 1, 4), a VAE
 * "dense:4,sample|dense:4:sigmoid" on (1, 1, 4), a data set of 5 samples of
 * 4 floats, buffers sized for them), then makes exactly one bad call. Every
 * entry runs in a forked child, so that one crash does not hide the others;
 * the parent counts a failure (check_failures, as CHECK does) for each entry
 * whose child was killed by a signal or exited with anything but 0, and
 * prints one line for it.
 *
 * Kinds of entry:
 *   MUST_FAIL  an ae_status function: the call must return a status other
 *              than AE_OK, one of the ae_status values, and leave a
 *              non-empty ae_last_error().
 *   MAY_FAIL   an edge the header leaves open (n = 0, a NULL that may mean
 *              "none"): AE_OK and an error are both fine; only no crash, and
 *              an error must still come with a message.
 *   NEUTRAL    a void function or an accessor: no crash and the neutral
 *              result written down at the entry (*_free(NULL) does nothing,
 *              counts and sizes are 0, pointers NULL, strings NULL or "",
 *              outputs of a NULL object 0 or left as they were).
 *
 * Child exit codes:
 *   0  as the contract says
 *   1  MUST_FAIL: returned AE_OK; NEUTRAL: not the neutral result
 *   2  failed, but ae_last_error() is empty
 *   3  setting up the valid arguments failed (a bug in this test or aekit)
 *   4  returned a value that is no ae_status
 * Under AddressSanitizer/UBSan a memory error in the child ends in the
 * sanitizer's report and its exit code (1 unless ASAN_OPTIONS says
 * otherwise), not in a signal. A child that runs for CHILD_SECONDS is
 * killed by SIGALRM. The children never dump core.
 *
 * Each child clears the thread's message (ae_set_error from the private
 * error.h) just before the bad call, so a message left by the set-up
 * cannot pass for the call's own. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"
#include "error.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define AE_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define AE_TEST_SANITIZED 1
#endif
#endif
#ifndef AE_TEST_SANITIZED
#define AE_TEST_SANITIZED 0
#endif

#define CHILD_SECONDS 20

enum { MUST_FAIL, MAY_FAIL, NEUTRAL };

typedef struct entry {
  const char *name;
  int (*call)(void); /* the status as int (MUST_FAIL, MAY_FAIL); 0 = neutral (NEUTRAL) */
  int kind;
} entry;

static char tmpdir[] = "/tmp/aekit_test_api_XXXXXX";

/* A path under the temporary directory (a few kept at once). */
static const char *tmp_path(const char *name) {
  static char paths[8][320];
  static int k;
  char *p = paths[k++ % 8];
  snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
  return p;
}

/* Forget the message of any earlier failure in this thread. */
static void clear_error(void) { (void)ae_set_error(AE_OK, "%s", ""); }

/* The one bad call of an entry: the message is cleared just before it. */
#define CALL(expr) (clear_error(), (int)(expr))

/* ---- valid arguments (built in the child) ------------------------------- */

/* 40 values in [0, 1]: 5 samples of up to 8 features. */
static const float X[40] = {
    0.10f, 0.20f, 0.30f, 0.40f, 0.50f, 0.60f, 0.70f, 0.80f, 0.90f, 0.15f,
    0.25f, 0.35f, 0.45f, 0.55f, 0.65f, 0.75f, 0.85f, 0.95f, 0.05f, 0.12f,
    0.22f, 0.32f, 0.42f, 0.52f, 0.62f, 0.72f, 0.82f, 0.92f, 0.02f, 0.14f,
    0.24f, 0.34f, 0.44f, 0.54f, 0.64f, 0.74f, 0.84f, 0.94f, 0.04f, 0.16f};
static const int32_t LAB[5] = {0, 1, 0, 1, 2};
static const int32_t LAB_ONE_CLASS[5] = {3, 3, 3, 3, 3};
static const unsigned char MASK[4] = {0, 1, 0, 0};

/* Anomaly scores and truth: 4 samples, both classes. */
static const float S4[4] = {0.1f, 0.9f, 0.2f, 0.8f};
static const int Y4[4] = {0, 1, 0, 1};
static const int Y4_NONE[4] = {0, 0, 0, 0};
static const int Y4_ALL[4] = {1, 1, 1, 1};

/* Two images (1, 2, 2) each for SSIM; a 2x2 grid image. */
static const float IMG_A[8] = {0.0f, 0.25f, 0.5f, 1.0f, 0.1f, 0.2f, 0.3f, 0.4f};
static const float IMG_B[8] = {0.0f, 0.30f, 0.5f, 0.9f, 0.1f, 0.2f, 0.3f, 0.5f};

/* Loss curve, scatter points, ROC points. */
static const double TL[3] = {0.5, 0.4, 0.3};
static const double VL[3] = {0.6, 0.5, 0.45};
static const float XY[6] = {0.0f, 0.0f, 1.0f, 1.0f, 0.5f, 0.2f};
static const int32_t XY_LAB[3] = {0, 1, 2};
static const double FPR[3] = {0.0, 0.5, 1.0};
static const double TPR[3] = {0.0, 0.7, 1.0};

/* Binary codes: 5 database rows and 2 queries of one word. */
static const uint64_t HDB[5] = {0x0ULL, 0x1ULL, 0x3ULL, 0x7ULL, 0xfULL};
static const uint64_t HQ[2] = {0x1ULL, 0x6ULL};

/* Writable outputs, sized for 5 samples of up to 8 values. */
static float OUT[64];
static double DOUT[64];
static size_t IDX[64];
static int IOUT[64];
static int32_t PRED[64];
static uint64_t BITS[64];

static const char CSV_TEXT[] = "0.1,0.2,0.3,0.4\n0.5,0.6,0.7,0.8\n0.9,0.1,0.2,0.3\n";

/* c, h, w below 2^31 each whose product is 2^64 + 4: 4 modulo 2^64
 * (2^62 + 1 = 5 * 5581 * 8681 * 49477 * 384773). */
#define OVF_C 111620
#define OVF_H 429509837
#define OVF_W 384773

static _Noreturn void setup_failed(const char *what) {
  fprintf(stderr, "setup failed: %s: %s\n", what, ae_last_error());
  _exit(3);
}

static ae_model *mk_spec(const char *spec) {
  ae_model *m = NULL;
  if (ae_model_create(&m, spec, 1, 1, 4, 1) != AE_OK || !m) setup_failed(spec);
  return m;
}

static ae_model *mk_model(void) { return mk_spec("dense:3:relu"); }
static ae_model *mk_data5_model(void) {
  ae_model *m = NULL;
  return ae_model_create(&m, "dense:3:relu", 1, 1, 5, 1) ? NULL : m;
}
static ae_model *mk_vae(void) { return mk_spec("dense:4,sample|dense:4:sigmoid"); }

static ae_model *with_threads(ae_model *m, int threads) {
  if (ae_model_set_threads(m, threads) != AE_OK) setup_failed("ae_model_set_threads");
  return m;
}

/* A model with a stored anomaly threshold. */
static ae_model *mk_detector(void) {
  ae_model *m = mk_model();
  if (ae_detector_set_threshold(m, 0.5) != AE_OK) setup_failed("ae_detector_set_threshold");
  return m;
}

/* n samples of dim values from X (n * dim <= 40). */
static ae_dataset *mk_data_of(size_t n, size_t dim, const int32_t *labels) {
  ae_dataset *ds = NULL;
  if (ae_dataset_from_array(&ds, X, n, dim, labels) != AE_OK || !ds)
    setup_failed("ae_dataset_from_array");
  return ds;
}

static ae_dataset *mk_data(void) { return mk_data_of(5, 4, LAB); }
/* Five features per sample: does not fit the models. */
static ae_dataset *mk_data5(void) { return mk_data_of(5, 5, NULL); }

static ae_train_options mk_opts(void) {
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 1;
  o.batch_size = 5;
  o.threads = 1;
  return o;
}

static ae_history *mk_history(void) {
  ae_model *m = mk_model();
  ae_dataset *ds = mk_data();
  ae_train_options o = mk_opts();
  ae_history *h = NULL;
  if (ae_train(m, ds, NULL, &o, &h) != AE_OK || !h) setup_failed("ae_train");
  return h;
}

static const char *mk_file(const char *name, const char *text) {
  const char *p = tmp_path(name);
  size_t len = strlen(text);
  FILE *f = fopen(p, "wb");
  if (!f) setup_failed("fopen");
  if (fwrite(text, 1, len, f) != len) setup_failed("fwrite");
  if (fclose(f) != 0) setup_failed("fclose");
  return p;
}

static const char *mk_saved_model(const char *spec, const char *name) {
  ae_model *m = mk_spec(spec);
  const char *p = tmp_path(name);
  if (ae_model_save(m, p) != AE_OK) setup_failed("ae_model_save");
  ae_model_free(m);
  return p;
}

/* The bytes of a saved model file. */
static const unsigned char *mk_model_bytes(size_t *size) {
  static unsigned char buf[1 << 16];
  const char *p = mk_saved_model("dense:3:relu", "bytes.safetensors");
  FILE *f = fopen(p, "rb");
  if (!f) setup_failed("fopen model");
  size_t n = fread(buf, 1, sizeof buf, f);
  (void)fclose(f);
  if (n == 0 || n == sizeof buf) setup_failed("reading the model file");
  *size = n;
  return buf;
}

/* ---- neutral results ---------------------------------------------------- */

#define KEPT (-7) /* what an output held before the call */

static int zero_or_kept(int v) { return v == 0 || v == KEPT; }
static int zero_or_keptf(float v) { return v == 0.0f || v == (float)KEPT; }
static int null_or_empty(const char *s) { return !s || !s[0]; }
static int nan_or_zero(double v) { return isnan(v) || v == 0.0; }

/* ---- status, messages, version ----------------------------------------- */

/* ae_status_string of a value outside the enum: "Never NULL", not empty. */
static int t_status_string_99(void) {
  const char *s = ae_status_string((ae_status)99);
  return !(s && s[0]);
}
static int t_status_string_neg(void) {
  const char *s = ae_status_string((ae_status)-1);
  return !(s && s[0]);
}
/* ae_last_error before any failure: "" (never NULL). */
static int t_last_error_fresh(void) {
  const char *s = ae_last_error();
  return !(s && !s[0]);
}
/* ae_text_escape: no room (dst NULL or cap 0) writes nothing, returns 0. */
static int t_escape_all_null(void) { return ae_text_escape(NULL, 0, NULL) != 0; }
static int t_escape_null_dst(void) { return ae_text_escape(NULL, 8, "x") != 0; }
static int t_escape_cap0(void) {
  char buf[4] = {'Z', 'Z', 'Z', 0};
  size_t r = ae_text_escape(buf, 0, "x");
  return !(r == 0 && buf[0] == 'Z');
}
/* src NULL: some terminated text ("" or "(null)"), its length returned. */
static int t_escape_null_src(void) {
  char buf[8];
  memset(buf, 'Z', sizeof buf);
  size_t r = ae_text_escape(buf, sizeof buf, NULL);
  return !(memchr(buf, 0, sizeof buf) && r == strlen(buf));
}
/* cap 1: only the terminator. */
static int t_escape_cap1(void) {
  char buf[4] = {'Z', 'Z', 'Z', 0};
  size_t r = ae_text_escape(buf, 1, "abc");
  return !(r == 0 && buf[0] == 0);
}
static int t_version(void) {
  const char *v = ae_version();
  return !(v && !strcmp(v, AE_VERSION_STRING));
}

/* ---- data sets ---------------------------------------------------------- */

static int t_load_options_defaults_null(void) {
  ae_load_options_defaults(NULL); /* does nothing */
  return 0;
}

static int t_dataset_load_null_out(void) {
  const char *p = mk_file("ok.csv", CSV_TEXT);
  return CALL(ae_dataset_load(NULL, p, NULL));
}
static int t_dataset_load_null_path(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load(&ds, NULL, NULL));
}
static int t_dataset_load_empty_path(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load(&ds, "", NULL));
}
static int t_dataset_load_missing(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load(&ds, tmp_path("missing.csv"), NULL));
}
static int t_dataset_load_directory(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load(&ds, tmpdir, NULL));
}
static int t_dataset_load_label_column(void) {
  const char *p = mk_file("ok.csv", CSV_TEXT);
  ae_load_options o;
  ae_load_options_defaults(&o);
  o.csv_label_column = -5;
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load(&ds, p, &o));
}
/* csv_header is 1, 0 or -1; 7 is none of them. */
static int t_dataset_load_csv_header(void) {
  const char *p = mk_file("ok.csv", CSV_TEXT);
  ae_load_options o;
  ae_load_options_defaults(&o);
  o.csv_header = 7;
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load(&ds, p, &o));
}
static int t_dataset_load_labels_missing(void) {
  const char *p = mk_file("ok.csv", CSV_TEXT);
  ae_load_options o;
  ae_load_options_defaults(&o);
  o.labels_path = tmp_path("missing-labels.idx");
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load(&ds, p, &o));
}

static int t_dataset_load_memory_null_out(void) {
  return CALL(ae_dataset_load_memory(NULL, CSV_TEXT, sizeof CSV_TEXT - 1, "m.csv", NULL));
}
static int t_dataset_load_memory_null_data(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load_memory(&ds, NULL, 16, "m.csv", NULL));
}
static int t_dataset_load_memory_size0(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load_memory(&ds, CSV_TEXT, 0, "m.csv", NULL));
}
static int t_dataset_load_memory_null_name(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load_memory(&ds, CSV_TEXT, sizeof CSV_TEXT - 1, NULL, NULL));
}
static int t_dataset_load_memory_garbage(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load_memory(&ds, "garbage", 7, "g.npy", NULL));
}
static int t_dataset_load_memory_labels_missing(void) {
  ae_load_options o;
  ae_load_options_defaults(&o);
  o.labels_path = tmp_path("missing-labels.idx");
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_load_memory(&ds, CSV_TEXT, sizeof CSV_TEXT - 1, "m.csv", &o));
}

static int t_from_array_null_out(void) {
  return CALL(ae_dataset_from_array(NULL, X, 5, 4, NULL));
}
static int t_from_array_null_x(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_from_array(&ds, NULL, 5, 4, NULL));
}
static int t_from_array_n0(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_from_array(&ds, X, 0, 4, NULL));
}
static int t_from_array_dim0(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_from_array(&ds, X, 5, 0, NULL));
}
static int t_from_array_n_max(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_from_array(&ds, X, SIZE_MAX, 4, NULL));
}
static int t_from_array_dim_max(void) {
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_from_array(&ds, X, 2, SIZE_MAX, NULL));
}
static int t_from_array_nan(void) {
  float x[8];
  memcpy(x, X, sizeof x);
  x[3] = NAN;
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_from_array(&ds, x, 2, 4, NULL));
}
static int t_from_array_inf(void) {
  float x[8];
  memcpy(x, X, sizeof x);
  x[5] = -INFINITY;
  ae_dataset *ds = NULL;
  return CALL(ae_dataset_from_array(&ds, x, 2, 4, NULL));
}

/* Accessors of no data set: 0, NULL, outputs 0 (or left as they were). */
static int t_dataset_count_null(void) { return ae_dataset_count(NULL) != 0; }
static int t_dataset_dim_null(void) { return ae_dataset_dim(NULL) != 0; }
static int t_dataset_shape_null(void) {
  int c = KEPT, h = KEPT, w = KEPT;
  ae_dataset_shape(NULL, &c, &h, &w);
  return !(zero_or_kept(c) && zero_or_kept(h) && zero_or_kept(w));
}
/* NULL outputs are skipped. */
static int t_dataset_shape_null_outs(void) {
  ae_dataset *ds = mk_data();
  ae_dataset_shape(ds, NULL, NULL, NULL);
  return 0;
}
static int t_dataset_data_null(void) { return ae_dataset_data(NULL) != NULL; }
static int t_dataset_labels_null(void) { return ae_dataset_labels(NULL) != NULL; }
static int t_dataset_range_null(void) {
  float lo = (float)KEPT, hi = (float)KEPT;
  ae_dataset_range(NULL, &lo, &hi);
  return !(zero_or_keptf(lo) && zero_or_keptf(hi));
}
static int t_dataset_range_null_outs(void) {
  ae_dataset *ds = mk_data();
  ae_dataset_range(ds, NULL, NULL);
  return 0;
}
static int t_dataset_free_null(void) {
  ae_dataset_free(NULL);
  return 0;
}

/* Class names: accessors of nothing are 0 and NULL; a bad list fails. */
static const char *const NAMES3[3] = {"a", "b", "c"};
static int t_class_count_null(void) { return ae_dataset_class_count(NULL) != 0; }
static int t_class_name_null(void) { return ae_dataset_class_name(NULL, 0) != NULL; }
static int t_class_name_range(void) {
  ae_dataset *ds = mk_data();
  return ae_dataset_class_name(ds, -1) != NULL || ae_dataset_class_name(ds, 7) != NULL;
}
static int t_set_class_names_null(void) { return CALL(ae_dataset_set_class_names(NULL, NAMES3, 3)); }
static int t_set_class_names_list_null(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_class_names(ds, NULL, 3));
}
static int t_set_class_names_too_few(void) { /* label 2 has no name */
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_class_names(ds, NAMES3, 2));
}
static int t_set_class_names_twice(void) {
  const char *const twice[3] = {"a", "b", "a"};
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_class_names(ds, twice, 3));
}
static int t_set_class_names_control(void) {
  const char *const bad[3] = {"a", "b\n", "c"};
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_class_names(ds, bad, 3));
}
static int t_set_class_names_empty(void) {
  const char *const bad[3] = {"a", "", "c"};
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_class_names(ds, bad, 3));
}
static int t_set_class_names_no_labels(void) {
  ae_dataset *ds = mk_data5();
  return CALL(ae_dataset_set_class_names(ds, NAMES3, 3));
}
static int t_adopt_null(void) { return CALL(ae_dataset_adopt_class_names(NULL, NAMES3, 3)); }
static int t_adopt_names_null(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_adopt_class_names(ds, NULL, 3));
}
static int t_model_set_class_names_null(void) {
  return CALL(ae_model_set_class_names(NULL, NAMES3, 3));
}
static int t_model_set_class_names_neg(void) {
  return CALL(ae_model_set_class_names(mk_model(), NAMES3, -1));
}
static int t_model_set_class_names_many(void) {
  return CALL(ae_model_set_class_names(mk_model(), NAMES3, AE_MAX_CLASSES + 1));
}
static int t_model_class_count_null(void) { return ae_model_class_count(NULL) != 0; }
static int t_model_class_name_null(void) { return ae_model_class_name(NULL, 0) != NULL; }
static int t_check_range_null(void) {
  ae_range_check r;
  return CALL(ae_model_check_range(NULL, X, 5, &r));
}
static int t_check_range_x_null(void) {
  ae_range_check r;
  return CALL(ae_model_check_range(mk_model(), NULL, 5, &r));
}
static int t_copy_scaling_null(void) { return CALL(ae_model_copy_scaling(NULL, mk_model())); }
static int t_copy_scaling_src_null(void) { return CALL(ae_model_copy_scaling(mk_model(), NULL)); }
static int t_copy_scaling_size(void) { return CALL(ae_model_copy_scaling(mk_model(), mk_data5_model())); }
static int t_check_range_out_null(void) { return CALL(ae_model_check_range(mk_model(), X, 5, NULL)); }

static int t_set_shape_null(void) { return CALL(ae_dataset_set_shape(NULL, 1, 1, 4)); }
static int t_set_shape_c0(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_shape(ds, 0, 1, 4));
}
static int t_set_shape_neg(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_shape(ds, -1, 1, 4));
}
static int t_set_shape_w_neg(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_shape(ds, 1, 1, -4));
}
static int t_set_shape_mismatch(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_shape(ds, 1, 2, 3));
}
/* c*h*w is 2^64 + 4: equal to the dimension 4 only modulo 2^64. */
static int t_set_shape_overflow(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_set_shape(ds, OVF_C, OVF_H, OVF_W));
}

static int t_scale_null(void) { return CALL(ae_dataset_scale(NULL, 0.0f, 1.0f)); }
static int t_scale_equal(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_scale(ds, 1.0f, 1.0f));
}
static int t_scale_reversed(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_scale(ds, 1.0f, 0.0f));
}
static int t_scale_nan_lo(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_scale(ds, NAN, 1.0f));
}
static int t_scale_nan_hi(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_scale(ds, 0.0f, NAN));
}
static int t_scale_inf_hi(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_scale(ds, 0.0f, INFINITY));
}
static int t_scale_inf_lo(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_scale(ds, -INFINITY, 0.0f));
}

static int t_slice_null_out(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_slice(NULL, ds, 0, 1));
}
static int t_slice_null_ds(void) {
  ae_dataset *o = NULL;
  return CALL(ae_dataset_slice(&o, NULL, 0, 1));
}
static int t_slice_count0(void) {
  ae_dataset *ds = mk_data(), *o = NULL;
  return CALL(ae_dataset_slice(&o, ds, 0, 0));
}
static int t_slice_start_end(void) {
  ae_dataset *ds = mk_data(), *o = NULL;
  return CALL(ae_dataset_slice(&o, ds, 5, 1));
}
static int t_slice_count_max(void) {
  ae_dataset *ds = mk_data(), *o = NULL;
  return CALL(ae_dataset_slice(&o, ds, 1, SIZE_MAX));
}
static int t_slice_start_max(void) {
  ae_dataset *ds = mk_data(), *o = NULL;
  return CALL(ae_dataset_slice(&o, ds, SIZE_MAX, 2));
}

static const int32_t KEEP1[1] = {1};
static const int32_t KEEP_ABSENT[1] = {7};
static int t_select_null_out(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_dataset_select_labels(NULL, ds, KEEP1, 1));
}
static int t_select_null_ds(void) {
  ae_dataset *o = NULL;
  return CALL(ae_dataset_select_labels(&o, NULL, KEEP1, 1));
}
static int t_select_null_keep(void) {
  ae_dataset *ds = mk_data(), *o = NULL;
  return CALL(ae_dataset_select_labels(&o, ds, NULL, 1));
}
static int t_select_keep0(void) {
  ae_dataset *ds = mk_data(), *o = NULL;
  return CALL(ae_dataset_select_labels(&o, ds, KEEP1, 0));
}
static int t_select_no_labels(void) {
  ae_dataset *ds = mk_data_of(5, 4, NULL), *o = NULL;
  return CALL(ae_dataset_select_labels(&o, ds, KEEP1, 1));
}
static int t_select_absent(void) {
  ae_dataset *ds = mk_data(), *o = NULL;
  return CALL(ae_dataset_select_labels(&o, ds, KEEP_ABSENT, 1));
}

static int split_with(double fraction) {
  ae_dataset *ds = mk_data(), *t = NULL, *v = NULL;
  return CALL(ae_dataset_split(&t, &v, ds, fraction, 1));
}
static int t_split_null_train(void) {
  ae_dataset *ds = mk_data(), *v = NULL;
  return CALL(ae_dataset_split(NULL, &v, ds, 0.4, 1));
}
static int t_split_null_val(void) {
  ae_dataset *ds = mk_data(), *t = NULL;
  return CALL(ae_dataset_split(&t, NULL, ds, 0.4, 1));
}
static int t_split_null_ds(void) {
  ae_dataset *t = NULL, *v = NULL;
  return CALL(ae_dataset_split(&t, &v, NULL, 0.4, 1));
}
static int t_split_zero(void) { return split_with(0.0); }
static int t_split_one(void) { return split_with(1.0); }
static int t_split_negative(void) { return split_with(-0.5); }
static int t_split_nan(void) { return split_with(NAN); }
static int t_split_inf(void) { return split_with(INFINITY); }
static int t_split_no_val(void) { return split_with(0.01); }   /* round(0.05) = 0 */
static int t_split_no_train(void) { return split_with(0.99); } /* round(4.95) = 5 */

static int t_array_save_null_path(void) { return CALL(ae_array_save(NULL, X, 5, 4)); }
static int t_array_save_null_x(void) {
  return CALL(ae_array_save(tmp_path("a.csv"), NULL, 5, 4));
}
static int t_array_save_n0(void) { return CALL(ae_array_save(tmp_path("a.csv"), X, 0, 4)); }
static int t_array_save_dim0(void) { return CALL(ae_array_save(tmp_path("a.csv"), X, 5, 0)); }
static int t_array_save_n_max(void) {
  return CALL(ae_array_save(tmp_path("a.npy"), X, SIZE_MAX, 4));
}
static int t_array_save_dim_max(void) {
  return CALL(ae_array_save(tmp_path("a.csv"), X, 2, SIZE_MAX));
}
static int t_array_save_empty_path(void) { return CALL(ae_array_save("", X, 5, 4)); }
static const double T6[6] = {0, 0.5, 1, 1, 0.25, 0};
static int t_table_save_null_path(void) { return CALL(ae_table_save(NULL, "a,b,c", T6, 2, 3)); }
static int t_table_save_null_x(void) { return CALL(ae_table_save(tmp_path("t.csv"), "a", NULL, 2, 3)); }
static int t_table_save_n0(void) { return CALL(ae_table_save(tmp_path("t.csv"), "a", T6, 0, 3)); }
static int t_table_save_dim_max(void) { return CALL(ae_table_save(tmp_path("t.csv"), NULL, T6, 2, SIZE_MAX)); }
static int t_table_save_two_lines(void) { return CALL(ae_table_save(tmp_path("t.csv"), "a\nb", T6, 2, 3)); }
static int t_array_save_no_dir(void) {
  return CALL(ae_array_save(tmp_path("no-such-dir/a.csv"), X, 5, 4));
}

/* ---- models ------------------------------------------------------------- */

static int create_with(const char *spec, int c, int h, int w) {
  ae_model *m = NULL;
  return CALL(ae_model_create(&m, spec, c, h, w, 1));
}
static int t_create_null_out(void) { return CALL(ae_model_create(NULL, "dense:3:relu", 1, 1, 4, 1)); }
static int t_create_null_spec(void) { return create_with(NULL, 1, 1, 4); }
static int t_create_empty_spec(void) { return create_with("", 1, 1, 4); }
static int t_create_c0(void) { return create_with("dense:3:relu", 0, 1, 4); }
static int t_create_h_neg(void) { return create_with("dense:3:relu", 1, -1, 4); }
static int t_create_w0(void) { return create_with("dense:3:relu", 1, 1, 0); }
static int t_create_shape_overflow(void) { return create_with("dense:3:relu", OVF_C, OVF_H, OVF_W); }
static int t_create_shape_huge(void) { return create_with("dense:3:relu", 1, 4096, 4097); }
static int t_create_decoder_mismatch(void) { return create_with("dense:3:relu|dense:5:sigmoid", 1, 1, 4); }
static int t_create_bad_activation(void) { return create_with("dense:3:swish", 1, 1, 4); }
static int t_create_option_nan(void) { return create_with("dense:3:relu;l2=nan", 1, 1, 4); }
static int t_create_option_negative(void) { return create_with("dense:3:relu;l1=-1", 1, 1, 4); }

static int t_init_null(void) { return CALL(ae_model_init(NULL, AE_INIT_KERAS, 1)); }
static int t_init_scheme7(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_init(m, (ae_init)7, 1));
}
static int t_init_scheme_neg(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_init(m, (ae_init)-1, 1));
}

static int t_save_null_model(void) { return CALL(ae_model_save(NULL, tmp_path("m.safetensors"))); }
static int t_save_null_path(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_save(m, NULL));
}
static int t_save_empty_path(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_save(m, ""));
}
static int t_save_no_dir(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_save(m, tmp_path("no-such-dir/m.safetensors")));
}

static int t_export_null_model(void) {
  return CALL(ae_model_export_onnx(NULL, tmp_path("m.onnx"), AE_EXPORT_FULL));
}
static int t_export_null_path(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_export_onnx(m, NULL, AE_EXPORT_FULL));
}
static int t_export_empty_path(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_export_onnx(m, "", AE_EXPORT_ENCODER));
}
static int t_export_part7(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_export_onnx(m, tmp_path("m.onnx"), (ae_export_part)7));
}
static int t_export_no_dir(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_export_onnx(m, tmp_path("no-such-dir/m.onnx"), AE_EXPORT_DECODER));
}

static int t_load_null_out(void) {
  const char *p = mk_saved_model("dense:3:relu", "load.safetensors");
  return CALL(ae_model_load(NULL, p));
}
static int t_load_null_path(void) {
  ae_model *m = NULL;
  return CALL(ae_model_load(&m, NULL));
}
static int t_load_empty_path(void) {
  ae_model *m = NULL;
  return CALL(ae_model_load(&m, ""));
}
static int t_load_missing(void) {
  ae_model *m = NULL;
  return CALL(ae_model_load(&m, tmp_path("missing.safetensors")));
}
static int t_load_directory(void) {
  ae_model *m = NULL;
  return CALL(ae_model_load(&m, tmpdir));
}
static int t_load_not_a_model(void) {
  const char *p = mk_file("not-a-model.safetensors", CSV_TEXT);
  ae_model *m = NULL;
  return CALL(ae_model_load(&m, p));
}

static int t_load_memory_null_out(void) {
  size_t size;
  const unsigned char *b = mk_model_bytes(&size);
  return CALL(ae_model_load_memory(NULL, b, size, "mem-model"));
}
static int t_load_memory_null_data(void) {
  ae_model *m = NULL;
  return CALL(ae_model_load_memory(&m, NULL, 100, "mem-model"));
}
static int t_load_memory_size0(void) {
  size_t size;
  const unsigned char *b = mk_model_bytes(&size);
  ae_model *m = NULL;
  return CALL(ae_model_load_memory(&m, b, 0, "mem-model"));
}
static int t_load_memory_null_name(void) {
  size_t size;
  const unsigned char *b = mk_model_bytes(&size);
  ae_model *m = NULL;
  return CALL(ae_model_load_memory(&m, b, size, NULL));
}
static int t_load_memory_garbage(void) {
  ae_model *m = NULL;
  return CALL(ae_model_load_memory(&m, "not a model file", 16, "mem-model"));
}

static int t_load_weights_null_model(void) {
  const char *p = mk_saved_model("dense:3:relu", "weights.safetensors");
  return CALL(ae_model_load_weights(NULL, p));
}
static int t_load_weights_null_path(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_load_weights(m, NULL));
}
static int t_load_weights_missing(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_load_weights(m, tmp_path("missing.safetensors")));
}
static int t_load_weights_other_arch(void) {
  const char *p = mk_saved_model("dense:2:relu", "other.safetensors");
  ae_model *m = mk_model();
  return CALL(ae_model_load_weights(m, p));
}
static int t_load_weights_not_a_model(void) {
  const char *p = mk_file("not-a-model.safetensors", CSV_TEXT);
  ae_model *m = mk_model();
  return CALL(ae_model_load_weights(m, p));
}

static int t_model_free_null(void) {
  ae_model_free(NULL);
  return 0;
}

/* Accessors of no model: sizes 0, pointers NULL, strings NULL or "",
 * outputs 0 or left as they were; the loss some valid ae_loss. */
static int t_input_dim_null(void) { return ae_model_input_dim(NULL) != 0; }
static int t_code_dim_null(void) { return ae_model_code_dim(NULL) != 0; }
static int t_param_count_null(void) { return ae_model_param_count(NULL) != 0; }
static int t_flops_null(void) { return ae_model_flops(NULL) != 0.0; }
static int t_layer_summary_null(void) {
  ae_layer_summary out;
  return CALL(ae_model_layer_summary(NULL, 0, &out));
}
static int t_layer_summary_null_out(void) { return CALL(ae_model_layer_summary(mk_model(), 0, NULL)); }
static int t_layer_summary_range(void) {
  ae_layer_summary out;
  return CALL(ae_model_layer_summary(mk_model(), 2, &out));
}
static int t_input_shape_null(void) {
  int c = KEPT, h = KEPT, w = KEPT;
  ae_model_input_shape(NULL, &c, &h, &w);
  return !(zero_or_kept(c) && zero_or_kept(h) && zero_or_kept(w));
}
static int t_input_shape_null_outs(void) {
  ae_model *m = mk_model();
  ae_model_input_shape(m, NULL, NULL, NULL);
  return 0;
}
static int t_loss_null(void) {
  ae_loss l = ae_model_loss(NULL);
  return !(l == AE_LOSS_BCE || l == AE_LOSS_MSE);
}
static int t_spec_null(void) { return !null_or_empty(ae_model_spec(NULL)); }
/* "{}" (an empty object) is as neutral as "" here. */
static int t_metadata_null(void) {
  const char *s = ae_model_metadata(NULL);
  return !(null_or_empty(s) || !strcmp(s, "{}"));
}
static int t_scaling_null(void) {
  float lo = (float)KEPT, hi = (float)KEPT;
  ae_model_scaling(NULL, &lo, &hi);
  return !(zero_or_keptf(lo) && zero_or_keptf(hi));
}
static int t_scaling_null_outs(void) {
  ae_model *m = mk_model();
  ae_model_scaling(m, NULL, NULL);
  return 0;
}
static int t_params_null(void) { return ae_model_params(NULL) != NULL; }
static int t_is_variational_null(void) { return ae_model_is_variational(NULL) != 0; }

static int set_scaling_with(float lo, float hi) {
  ae_model *m = mk_model();
  return CALL(ae_model_set_scaling(m, lo, hi));
}
static int t_set_scaling_null(void) { return CALL(ae_model_set_scaling(NULL, 0.0f, 1.0f)); }
static int t_set_scaling_nan_lo(void) { return set_scaling_with(NAN, 1.0f); }
static int t_set_scaling_nan_hi(void) { return set_scaling_with(0.0f, NAN); }
static int t_set_scaling_inf(void) { return set_scaling_with(0.0f, INFINITY); }
static int t_set_scaling_equal(void) { return set_scaling_with(1.0f, 1.0f); }
static int t_set_scaling_reversed(void) { return set_scaling_with(2.0f, 1.0f); }

static int t_set_threads_null(void) { return CALL(ae_model_set_threads(NULL, 1)); }
static int t_set_threads_neg(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_set_threads(m, -1));
}
static int t_set_threads_int_min(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_set_threads(m, INT_MIN));
}
/* INT_MAX: refused or capped, both fine. */
static int t_set_threads_int_max(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_set_threads(m, INT_MAX));
}

/* ---- inference: encode, decode, reconstruct (and the same signature:
 * sample_nelbo, detector_scores) ------------------------------------------ */

typedef ae_status (*infer_fn)(ae_model *, float *, const float *, size_t);

enum { NO_MODEL, PLAIN, VAE };

/* fn(model, out, in, n): the model of `which`, with `threads` set (0:
 * left at the default). */
static int infer(infer_fn fn, int which, int threads, float *out, const float *in, size_t n) {
  ae_model *m = which == PLAIN ? mk_model() : which == VAE ? mk_vae() : NULL;
  if (m && threads > 0) (void)with_threads(m, threads);
  return CALL(fn(m, out, in, n));
}

static int t_encode_null_model(void) { return infer(ae_model_encode, NO_MODEL, 0, OUT, X, 5); }
static int t_encode_null_out(void) { return infer(ae_model_encode, PLAIN, 0, NULL, X, 5); }
static int t_encode_null_in(void) { return infer(ae_model_encode, PLAIN, 0, OUT, NULL, 5); }
static int t_encode_n0(void) { return infer(ae_model_encode, PLAIN, 0, OUT, X, 0); }
static int t_encode_max_t1(void) { return infer(ae_model_encode, PLAIN, 1, OUT, X, SIZE_MAX); }
static int t_encode_max_t2(void) { return infer(ae_model_encode, PLAIN, 2, OUT, X, SIZE_MAX); }
static int t_encode_big_t1(void) { return infer(ae_model_encode, PLAIN, 1, OUT, X, SIZE_MAX / 4 + 1); }

static int t_decode_null_model(void) { return infer(ae_model_decode, NO_MODEL, 0, OUT, X, 5); }
static int t_decode_null_out(void) { return infer(ae_model_decode, PLAIN, 0, NULL, X, 5); }
static int t_decode_null_in(void) { return infer(ae_model_decode, PLAIN, 0, OUT, NULL, 5); }
static int t_decode_n0(void) { return infer(ae_model_decode, PLAIN, 0, OUT, X, 0); }
static int t_decode_max_t1(void) { return infer(ae_model_decode, PLAIN, 1, OUT, X, SIZE_MAX); }
static int t_decode_max_t2(void) { return infer(ae_model_decode, PLAIN, 2, OUT, X, SIZE_MAX); }
static int t_decode_big_t1(void) { return infer(ae_model_decode, PLAIN, 1, OUT, X, SIZE_MAX / 4 + 1); }

static int t_recon_null_model(void) { return infer(ae_model_reconstruct, NO_MODEL, 0, OUT, X, 5); }
static int t_recon_null_out(void) { return infer(ae_model_reconstruct, PLAIN, 0, NULL, X, 5); }
static int t_recon_null_in(void) { return infer(ae_model_reconstruct, PLAIN, 0, OUT, NULL, 5); }
static int t_recon_n0(void) { return infer(ae_model_reconstruct, PLAIN, 0, OUT, X, 0); }
static int t_recon_max_t1(void) { return infer(ae_model_reconstruct, PLAIN, 1, OUT, X, SIZE_MAX); }
static int t_recon_max_t2(void) { return infer(ae_model_reconstruct, PLAIN, 2, OUT, X, SIZE_MAX); }
static int t_recon_big_t1(void) {
  return infer(ae_model_reconstruct, PLAIN, 1, OUT, X, SIZE_MAX / 4 + 1);
}

/* ---- evaluation --------------------------------------------------------- */

static int t_evaluate_null_model(void) {
  ae_dataset *ds = mk_data();
  ae_eval_result r;
  return CALL(ae_model_evaluate(NULL, &r, ds));
}
static int t_evaluate_null_res(void) {
  ae_model *m = mk_model();
  ae_dataset *ds = mk_data();
  return CALL(ae_model_evaluate(m, NULL, ds));
}
static int t_evaluate_null_ds(void) {
  ae_model *m = mk_model();
  ae_eval_result r;
  return CALL(ae_model_evaluate(m, &r, NULL));
}
static int t_evaluate_dim(void) {
  ae_model *m = mk_model();
  ae_dataset *ds = mk_data5();
  ae_eval_result r;
  return CALL(ae_model_evaluate(m, &r, ds));
}

static int iw_with(int which, int null_nll, int data, int k) {
  ae_model *m = which == PLAIN ? mk_model() : which == VAE ? mk_vae() : NULL;
  ae_dataset *ds = data == 4 ? mk_data() : data == 5 ? mk_data5() : NULL;
  double nll;
  return CALL(ae_model_evaluate_iw(m, null_nll ? NULL : &nll, ds, k, 1));
}
static int t_iw_null_model(void) { return iw_with(NO_MODEL, 0, 4, 4); }
static int t_iw_null_nll(void) { return iw_with(VAE, 1, 4, 4); }
static int t_iw_null_ds(void) { return iw_with(VAE, 0, 0, 4); }
static int t_iw_k0(void) { return iw_with(VAE, 0, 4, 0); }
static int t_iw_k_neg(void) { return iw_with(VAE, 0, 4, -1); }
static int t_iw_k_max(void) { return iw_with(VAE, 0, 4, INT_MAX); }
static int t_iw_dim(void) { return iw_with(VAE, 0, 5, 4); }
static int t_iw_not_vae(void) { return iw_with(PLAIN, 0, 4, 4); }

static int t_nelbo_null_model(void) { return infer(ae_model_sample_nelbo, NO_MODEL, 0, OUT, X, 5); }
static int t_nelbo_null_out(void) { return infer(ae_model_sample_nelbo, VAE, 0, NULL, X, 5); }
static int t_nelbo_null_in(void) { return infer(ae_model_sample_nelbo, VAE, 0, OUT, NULL, 5); }
static int t_nelbo_n0(void) { return infer(ae_model_sample_nelbo, VAE, 0, OUT, X, 0); }
static int t_nelbo_max_t1(void) { return infer(ae_model_sample_nelbo, VAE, 1, OUT, X, SIZE_MAX); }
static int t_nelbo_not_vae(void) { return infer(ae_model_sample_nelbo, PLAIN, 0, OUT, X, 5); }

static int t_generate_null_model(void) { return CALL(ae_model_generate(NULL, OUT, 5, 1)); }
static int t_generate_null_x(void) {
  ae_model *m = mk_vae();
  return CALL(ae_model_generate(m, NULL, 5, 1));
}
static int t_generate_n0(void) {
  ae_model *m = mk_vae();
  return CALL(ae_model_generate(m, OUT, 0, 1));
}
static int t_generate_max(void) {
  ae_model *m = with_threads(mk_vae(), 1);
  return CALL(ae_model_generate(m, OUT, SIZE_MAX, 1));
}
static int t_generate_not_vae(void) {
  ae_model *m = mk_model();
  return CALL(ae_model_generate(m, OUT, 5, 1));
}

static int noise_with(int null_x, size_t count, const char *noise) {
  float x[20];
  memcpy(x, X, sizeof x);
  return CALL(ae_noise_corrupt(null_x ? NULL : x, count, noise, 1));
}
static int t_noise_null_x(void) { return noise_with(1, 20, "masking:0.5"); }
static int t_noise_null_noise(void) { return noise_with(0, 20, NULL); }
static int t_noise_unknown(void) { return noise_with(0, 20, "bogus"); }
static int t_noise_gauss_nan(void) { return noise_with(0, 20, "gaussian:nan,0.1"); }
static int t_noise_gauss_neg_std(void) { return noise_with(0, 20, "gaussian:0,-1"); }
static int t_noise_mask_nan(void) { return noise_with(0, 20, "masking:nan"); }
static int t_noise_mask_big(void) { return noise_with(0, 20, "masking:1.5"); }
static int t_noise_count_max(void) { return noise_with(0, SIZE_MAX, "masking:0.5"); }
static int t_noise_count0(void) { return noise_with(0, 0, "masking:0.5"); }
static int t_noise_null_x_count0(void) { return noise_with(1, 0, "none"); }

static int denoise_with(int which, int null_noisy, int null_denoised, int data, const char *noise) {
  ae_model *m = which == PLAIN ? mk_model() : NULL;
  ae_dataset *ds = data == 4 ? mk_data() : data == 5 ? mk_data5() : NULL;
  ae_eval_result a, b;
  return CALL(ae_model_evaluate_denoising(m, null_noisy ? NULL : &a, null_denoised ? NULL : &b,
                                          ds, noise, 1));
}
static int t_denoise_null_model(void) { return denoise_with(NO_MODEL, 0, 0, 4, "masking:0.5"); }
static int t_denoise_null_noisy(void) { return denoise_with(PLAIN, 1, 0, 4, "masking:0.5"); }
static int t_denoise_null_denoised(void) { return denoise_with(PLAIN, 0, 1, 4, "masking:0.5"); }
static int t_denoise_null_ds(void) { return denoise_with(PLAIN, 0, 0, 0, "masking:0.5"); }
/* noise NULL: "none" or an error, both fine. */
static int t_denoise_null_noise(void) { return denoise_with(PLAIN, 0, 0, 4, NULL); }
static int t_denoise_bad_noise(void) { return denoise_with(PLAIN, 0, 0, 4, "bogus"); }
static int t_denoise_dim(void) { return denoise_with(PLAIN, 0, 0, 5, "masking:0.5"); }

/* ---- training ------------------------------------------------------------ */

static int t_train_options_defaults_null(void) {
  ae_train_options_defaults(NULL); /* does nothing */
  return 0;
}

/* ae_train on the model and the data with options o. */
static int train_with(ae_train_options o) {
  ae_model *m = mk_model();
  ae_dataset *ds = mk_data();
  return CALL(ae_train(m, ds, NULL, &o, NULL));
}
static int t_train_null_model(void) {
  ae_dataset *ds = mk_data();
  ae_train_options o = mk_opts();
  return CALL(ae_train(NULL, ds, NULL, &o, NULL));
}
static int t_train_null_data(void) {
  ae_model *m = mk_model();
  ae_train_options o = mk_opts();
  return CALL(ae_train(m, NULL, NULL, &o, NULL));
}
static int t_train_null_options(void) {
  ae_model *m = mk_model();
  ae_dataset *ds = mk_data();
  return CALL(ae_train(m, ds, NULL, NULL, NULL));
}
static int t_train_dim(void) {
  ae_model *m = mk_model();
  ae_dataset *ds = mk_data5();
  ae_train_options o = mk_opts();
  return CALL(ae_train(m, ds, NULL, &o, NULL));
}
static int t_train_val_dim(void) {
  ae_model *m = mk_model();
  ae_dataset *ds = mk_data(), *val = mk_data5();
  ae_train_options o = mk_opts();
  return CALL(ae_train(m, ds, val, &o, NULL));
}
static int t_train_epochs0(void) { ae_train_options o = mk_opts(); o.epochs = 0; return train_with(o); }
static int t_train_epochs_neg(void) { ae_train_options o = mk_opts(); o.epochs = -1; return train_with(o); }
static int t_train_batch0(void) { ae_train_options o = mk_opts(); o.batch_size = 0; return train_with(o); }
static int t_train_batch_neg(void) { ae_train_options o = mk_opts(); o.batch_size = -1; return train_with(o); }
static int t_train_lr_nan(void) { ae_train_options o = mk_opts(); o.lr = NAN; return train_with(o); }
static int t_train_lr0(void) { ae_train_options o = mk_opts(); o.lr = 0.0f; return train_with(o); }
static int t_train_lr_neg(void) { ae_train_options o = mk_opts(); o.lr = -1.0f; return train_with(o); }
static int t_train_lr_inf(void) { ae_train_options o = mk_opts(); o.lr = INFINITY; return train_with(o); }
static int t_train_beta1_nan(void) { ae_train_options o = mk_opts(); o.beta1 = NAN; return train_with(o); }
static int t_train_beta2_one(void) { ae_train_options o = mk_opts(); o.beta2 = 1.0f; return train_with(o); }
static int t_train_eps0(void) { ae_train_options o = mk_opts(); o.eps = 0.0f; return train_with(o); }
static int t_train_eps_nan(void) { ae_train_options o = mk_opts(); o.eps = NAN; return train_with(o); }
static int t_train_momentum_nan(void) {
  ae_train_options o = mk_opts();
  o.optimizer = AE_OPT_SGD;
  o.momentum = NAN;
  return train_with(o);
}
static int t_train_wd_nan(void) { ae_train_options o = mk_opts(); o.weight_decay = NAN; return train_with(o); }
static int t_train_wd_neg(void) { ae_train_options o = mk_opts(); o.weight_decay = -1.0f; return train_with(o); }
/* min_delta NaN would make "improved" never true: refused as NaN. */
static int t_train_min_delta_nan(void) {
  ae_train_options o = mk_opts();
  o.min_delta = NAN;
  return train_with(o);
}
static int t_train_threads_neg(void) { ae_train_options o = mk_opts(); o.threads = -1; return train_with(o); }
static int t_train_patience_neg(void) { ae_train_options o = mk_opts(); o.patience = -1; return train_with(o); }
static int t_train_optimizer9(void) {
  ae_train_options o = mk_opts();
  o.optimizer = (ae_optimizer)9;
  return train_with(o);
}
static int t_train_schedule_bad(void) {
  ae_train_options o = mk_opts();
  o.lr_schedule = "bogus";
  return train_with(o);
}
static int t_train_noise_bad(void) { ae_train_options o = mk_opts(); o.noise = "bogus"; return train_with(o); }
static int t_train_ckpt_every_no_path(void) {
  ae_train_options o = mk_opts();
  o.checkpoint_every = 1;
  return train_with(o);
}
static int t_train_ckpt_every_neg(void) {
  ae_train_options o = mk_opts();
  o.checkpoint_every = -1;
  return train_with(o);
}
static int t_train_stop_after_neg(void) {
  ae_train_options o = mk_opts();
  o.stop_after = -1;
  return train_with(o);
}
static int t_train_lr_warmup_nan(void) {
  ae_train_options o = mk_opts();
  o.lr_warmup = NAN;
  return train_with(o);
}
static int t_train_kl_warmup_nan(void) {
  ae_train_options o = mk_opts();
  o.kl_warmup = NAN;
  return train_with(o);
}
static int t_train_resume_missing(void) {
  ae_train_options o = mk_opts();
  o.resume_path = tmp_path("missing-checkpoint.safetensors");
  return train_with(o);
}
static int t_train_ckpt_no_dir(void) {
  ae_train_options o = mk_opts();
  o.checkpoint_path = tmp_path("no-such-dir/ck.safetensors");
  return train_with(o);
}

/* History of no run: 0 epochs, losses and seconds NaN (or 0), best epoch
 * -1 (or 0); an epoch outside the run: NaN (or 0). */
static int t_history_epochs_null(void) { return ae_history_epochs(NULL) != 0; }
static int t_history_train_loss_null(void) { return !nan_or_zero(ae_history_train_loss(NULL, 0)); }
static int t_history_val_loss_null(void) { return !isnan(ae_history_val_loss(NULL, 0)); }
static int t_history_seconds_null(void) { return !nan_or_zero(ae_history_seconds(NULL, 0)); }
static int t_history_best_null(void) {
  int b = ae_history_best_epoch(NULL);
  return !(b == -1 || b == 0);
}
static int t_history_train_loss_neg(void) {
  ae_history *h = mk_history();
  return !nan_or_zero(ae_history_train_loss(h, -1));
}
static int t_history_train_loss_past(void) {
  ae_history *h = mk_history();
  return !nan_or_zero(ae_history_train_loss(h, ae_history_epochs(h)));
}
static int t_history_val_loss_max(void) {
  ae_history *h = mk_history();
  return !isnan(ae_history_val_loss(h, INT_MAX));
}
static int t_history_seconds_min(void) {
  ae_history *h = mk_history();
  return !nan_or_zero(ae_history_seconds(h, INT_MIN));
}
static int t_history_save_null(void) {
  return CALL(ae_history_save_csv(NULL, tmp_path("h.csv")));
}
static int t_history_save_null_path(void) {
  ae_history *h = mk_history();
  return CALL(ae_history_save_csv(h, NULL));
}
static int t_history_save_empty_path(void) {
  ae_history *h = mk_history();
  return CALL(ae_history_save_csv(h, ""));
}
static int t_history_save_no_dir(void) {
  ae_history *h = mk_history();
  return CALL(ae_history_save_csv(h, tmp_path("no-such-dir/h.csv")));
}
static int t_history_free_null(void) {
  ae_history_free(NULL);
  return 0;
}

/* ---- pictures ----------------------------------------------------------- */

static int grid_with(const char *path, const float *img, int rows, int cols, int h, int w,
                     int zoom, int pad) {
  return CALL(ae_png_write_grid(path, img, rows, cols, h, w, zoom, pad));
}
static int t_grid_null_path(void) { return grid_with(NULL, IMG_A, 1, 1, 2, 2, 1, 0); }
static int t_grid_empty_path(void) { return grid_with("", IMG_A, 1, 1, 2, 2, 1, 0); }
static int t_grid_null_images(void) { return grid_with(tmp_path("g.png"), NULL, 1, 1, 2, 2, 1, 0); }
static int t_grid_rows0(void) { return grid_with(tmp_path("g.png"), IMG_A, 0, 1, 2, 2, 1, 0); }
static int t_grid_cols_neg(void) { return grid_with(tmp_path("g.png"), IMG_A, 1, -1, 2, 2, 1, 0); }
static int t_grid_h0(void) { return grid_with(tmp_path("g.png"), IMG_A, 1, 1, 0, 2, 1, 0); }
static int t_grid_w_neg(void) { return grid_with(tmp_path("g.png"), IMG_A, 1, 1, 2, -2, 1, 0); }
static int t_grid_zoom0(void) { return grid_with(tmp_path("g.png"), IMG_A, 1, 1, 2, 2, 0, 0); }
static int t_grid_pad_neg(void) { return grid_with(tmp_path("g.png"), IMG_A, 1, 1, 2, 2, 1, -1); }
static int t_grid_rows_max(void) { return grid_with(tmp_path("g.png"), IMG_A, INT_MAX, 1, 2, 2, 1, 0); }
static int t_grid_zoom_max(void) { return grid_with(tmp_path("g.png"), IMG_A, 1, 1, 2, 2, INT_MAX, 0); }
/* a NaN pixel: drawn somehow or refused, both fine. */
static int t_grid_nan_pixel(void) {
  float img[4] = {0.0f, 0.5f, 1.0f, 0.25f};
  img[1] = NAN;
  return grid_with(tmp_path("g.png"), img, 1, 1, 2, 2, 1, 0);
}

static int loss_with(const char *path, const double *tl, const double *vl, int epochs,
                     const char *title) {
  return CALL(ae_plot_loss_curve(path, tl, vl, epochs, title, NULL, 0));
}
static int t_loss_null_path(void) { return loss_with(NULL, TL, VL, 3, "t"); }
static int t_loss_empty_path(void) { return loss_with("", TL, VL, 3, "t"); }
static int t_loss_null_train(void) { return loss_with(tmp_path("l.png"), NULL, VL, 3, "t"); }
static int t_loss_epochs0(void) { return loss_with(tmp_path("l.png"), TL, VL, 0, "t"); }
static int t_loss_epochs_neg(void) { return loss_with(tmp_path("l.png"), TL, VL, -1, "t"); }
static int t_loss_train_nan(void) {
  double tl[3] = {0.5, 0.4, 0.3};
  tl[1] = NAN;
  return loss_with(tmp_path("l.png"), tl, NULL, 3, "t");
}
static int t_loss_train_inf(void) {
  double tl[3] = {0.5, 0.4, 0.3};
  tl[2] = INFINITY;
  return loss_with(tmp_path("l.png"), tl, NULL, 3, "t");
}
static int t_loss_val_nan(void) {
  double vl[3] = {0.6, 0.5, 0.45};
  vl[0] = NAN;
  return loss_with(tmp_path("l.png"), TL, vl, 3, "t");
}
/* title NULL: no title, or refused; both fine. */
static int t_loss_null_title(void) { return loss_with(tmp_path("l.png"), TL, VL, 3, NULL); }

static int scatter_with(const char *path, const float *xy, size_t n) {
  return CALL(ae_plot_scatter(path, xy, XY_LAB, n, NULL, 0, "t", "x", "y"));
}
static int t_scatter_null_path(void) { return scatter_with(NULL, XY, 3); }
static int t_scatter_empty_path(void) { return scatter_with("", XY, 3); }
static int t_scatter_null_xy(void) { return scatter_with(tmp_path("s.png"), NULL, 3); }
static int t_scatter_n0(void) { return scatter_with(tmp_path("s.png"), XY, 0); }
static int t_scatter_n_max(void) { return scatter_with(tmp_path("s.png"), XY, SIZE_MAX); }
static int t_scatter_nan(void) {
  float xy[6];
  memcpy(xy, XY, sizeof xy);
  xy[2] = NAN;
  return scatter_with(tmp_path("s.png"), xy, 3);
}
static int t_scatter_inf(void) {
  float xy[6];
  memcpy(xy, XY, sizeof xy);
  xy[5] = INFINITY;
  return scatter_with(tmp_path("s.png"), xy, 3);
}

static int roc_plot_with(const char *path, const double *fpr, const double *tpr, size_t count) {
  return CALL(ae_plot_roc_curve(path, fpr, tpr, count, 0.75, "t", NULL, NULL));
}
static int t_roc_plot_null_path(void) { return roc_plot_with(NULL, FPR, TPR, 3); }
static int t_roc_plot_empty_path(void) { return roc_plot_with("", FPR, TPR, 3); }
static int t_roc_plot_null_fpr(void) { return roc_plot_with(tmp_path("r.png"), NULL, TPR, 3); }
static int t_roc_plot_null_tpr(void) { return roc_plot_with(tmp_path("r.png"), FPR, NULL, 3); }
static int t_roc_plot_count0(void) { return roc_plot_with(tmp_path("r.png"), FPR, TPR, 0); }
static int t_roc_plot_count1(void) { return roc_plot_with(tmp_path("r.png"), FPR, TPR, 1); }
static int t_roc_plot_count_max(void) { return roc_plot_with(tmp_path("r.png"), FPR, TPR, SIZE_MAX); }
static int t_roc_plot_nan(void) {
  double fpr[3] = {0.0, 0.5, 1.0};
  fpr[1] = NAN;
  return roc_plot_with(tmp_path("r.png"), fpr, TPR, 3);
}
static int t_roc_plot_outside(void) {
  double tpr[3] = {0.0, 1.5, 1.0};
  return roc_plot_with(tmp_path("r.png"), FPR, tpr, 3);
}

/* ---- anomaly metrics ---------------------------------------------------- */

/* S4 with one score NaN (or infinite). */
static const float *scores_with(float bad) {
  static float s[4];
  memcpy(s, S4, sizeof s);
  s[1] = bad;
  return s;
}

static int t_auc_null_out(void) { return CALL(ae_roc_auc(NULL, S4, Y4, 4)); }
static int t_auc_null_scores(void) { double a; return CALL(ae_roc_auc(&a, NULL, Y4, 4)); }
static int t_auc_null_truth(void) { double a; return CALL(ae_roc_auc(&a, S4, NULL, 4)); }
static int t_auc_n0(void) { double a; return CALL(ae_roc_auc(&a, S4, Y4, 0)); }
static int t_auc_n_max(void) { double a; return CALL(ae_roc_auc(&a, S4, Y4, SIZE_MAX)); }
static int t_auc_nan(void) { double a; return CALL(ae_roc_auc(&a, scores_with(NAN), Y4, 4)); }
static int t_auc_one_class(void) { double a; return CALL(ae_roc_auc(&a, S4, Y4_ALL, 4)); }

static int t_ap_null_out(void) { return CALL(ae_average_precision(NULL, S4, Y4, 4)); }
static int t_ap_null_scores(void) { double a; return CALL(ae_average_precision(&a, NULL, Y4, 4)); }
static int t_ap_null_truth(void) { double a; return CALL(ae_average_precision(&a, S4, NULL, 4)); }
static int t_ap_n0(void) { double a; return CALL(ae_average_precision(&a, S4, Y4, 0)); }
static int t_ap_nan(void) { double a; return CALL(ae_average_precision(&a, scores_with(NAN), Y4, 4)); }
static int t_ap_no_anomaly(void) { double a; return CALL(ae_average_precision(&a, S4, Y4_NONE, 4)); }

static int t_roc_null_fpr(void) {
  size_t c;
  return CALL(ae_roc_curve(NULL, DOUT, &c, S4, Y4, 4));
}
static int t_roc_null_tpr(void) {
  size_t c;
  return CALL(ae_roc_curve(DOUT, NULL, &c, S4, Y4, 4));
}
static int t_roc_null_count(void) { return CALL(ae_roc_curve(DOUT, DOUT + 8, NULL, S4, Y4, 4)); }
static int t_roc_null_scores(void) {
  size_t c;
  return CALL(ae_roc_curve(DOUT, DOUT + 8, &c, NULL, Y4, 4));
}
static int t_roc_null_truth(void) {
  size_t c;
  return CALL(ae_roc_curve(DOUT, DOUT + 8, &c, S4, NULL, 4));
}
static int t_roc_n0(void) {
  size_t c;
  return CALL(ae_roc_curve(DOUT, DOUT + 8, &c, S4, Y4, 0));
}
static int t_roc_nan(void) {
  size_t c;
  return CALL(ae_roc_curve(DOUT, DOUT + 8, &c, scores_with(NAN), Y4, 4));
}
static int t_roc_one_class(void) {
  size_t c;
  return CALL(ae_roc_curve(DOUT, DOUT + 8, &c, S4, Y4_NONE, 4));
}

static int t_bm_null_out(void) { return CALL(ae_binary_metrics_at(NULL, S4, Y4, 4, 0.5)); }
static int t_bm_null_scores(void) {
  ae_binary_metrics b;
  return CALL(ae_binary_metrics_at(&b, NULL, Y4, 4, 0.5));
}
static int t_bm_null_truth(void) {
  ae_binary_metrics b;
  return CALL(ae_binary_metrics_at(&b, S4, NULL, 4, 0.5));
}
static int t_bm_n0(void) {
  ae_binary_metrics b;
  return CALL(ae_binary_metrics_at(&b, S4, Y4, 0, 0.5));
}
static int t_bm_threshold_nan(void) {
  ae_binary_metrics b;
  return CALL(ae_binary_metrics_at(&b, S4, Y4, 4, NAN));
}
static int t_bm_score_nan(void) {
  ae_binary_metrics b;
  return CALL(ae_binary_metrics_at(&b, scores_with(NAN), Y4, 4, 0.5));
}

static int t_f1_null_out(void) { return CALL(ae_best_f1(NULL, S4, Y4, 4)); }
static int t_f1_null_scores(void) { ae_binary_metrics b; return CALL(ae_best_f1(&b, NULL, Y4, 4)); }
static int t_f1_null_truth(void) { ae_binary_metrics b; return CALL(ae_best_f1(&b, S4, NULL, 4)); }
static int t_f1_n0(void) { ae_binary_metrics b; return CALL(ae_best_f1(&b, S4, Y4, 0)); }
static int t_f1_nan(void) { ae_binary_metrics b; return CALL(ae_best_f1(&b, scores_with(NAN), Y4, 4)); }
static int t_f1_no_anomaly(void) { ae_binary_metrics b; return CALL(ae_best_f1(&b, S4, Y4_NONE, 4)); }

static int t_contam_null_out(void) { return CALL(ae_threshold_contamination(NULL, S4, 4, 0.25)); }
static int t_contam_null_scores(void) { double t; return CALL(ae_threshold_contamination(&t, NULL, 4, 0.25)); }
static int t_contam_n0(void) { double t; return CALL(ae_threshold_contamination(&t, S4, 0, 0.25)); }
static int t_contam_n_max(void) { double t; return CALL(ae_threshold_contamination(&t, S4, SIZE_MAX, 0.25)); }
static int t_contam_c0(void) { double t; return CALL(ae_threshold_contamination(&t, S4, 4, 0.0)); }
static int t_contam_c_big(void) { double t; return CALL(ae_threshold_contamination(&t, S4, 4, 0.6)); }
static int t_contam_c_nan(void) { double t; return CALL(ae_threshold_contamination(&t, S4, 4, NAN)); }
static int t_contam_score_nan(void) {
  double t;
  return CALL(ae_threshold_contamination(&t, scores_with(NAN), 4, 0.25));
}
static int t_contam_score_inf(void) {
  double t;
  return CALL(ae_threshold_contamination(&t, scores_with(INFINITY), 4, 0.25));
}

static int t_pct_null_out(void) { return CALL(ae_threshold_percentile(NULL, S4, 4, 50.0)); }
static int t_pct_null_scores(void) { double t; return CALL(ae_threshold_percentile(&t, NULL, 4, 50.0)); }
static int t_pct_n0(void) { double t; return CALL(ae_threshold_percentile(&t, S4, 0, 50.0)); }
static int t_pct_neg(void) { double t; return CALL(ae_threshold_percentile(&t, S4, 4, -1.0)); }
static int t_pct_big(void) { double t; return CALL(ae_threshold_percentile(&t, S4, 4, 101.0)); }
static int t_pct_nan(void) { double t; return CALL(ae_threshold_percentile(&t, S4, 4, NAN)); }
static int t_pct_score_nan(void) {
  double t;
  return CALL(ae_threshold_percentile(&t, scores_with(NAN), 4, 50.0));
}

/* ---- a model as a detector ---------------------------------------------- */

static int t_scores_null_model(void) { return infer(ae_detector_scores, NO_MODEL, 0, OUT, X, 5); }
static int t_scores_null_out(void) { return infer(ae_detector_scores, PLAIN, 0, NULL, X, 5); }
static int t_scores_null_x(void) { return infer(ae_detector_scores, PLAIN, 0, OUT, NULL, 5); }
static int t_scores_n0(void) { return infer(ae_detector_scores, PLAIN, 0, OUT, X, 0); }
static int t_scores_n_max(void) { return infer(ae_detector_scores, PLAIN, 1, OUT, X, SIZE_MAX); }

static int fit_with(int with_model, const float *x, size_t n, ae_threshold_rule rule, double v) {
  ae_model *m = with_model ? mk_model() : NULL;
  return CALL(ae_detector_fit(m, x, n, rule, v));
}
static int t_fit_null_model(void) { return fit_with(0, X, 5, AE_THRESHOLD_CONTAMINATION, 0.2); }
static int t_fit_null_x(void) { return fit_with(1, NULL, 5, AE_THRESHOLD_CONTAMINATION, 0.2); }
static int t_fit_n0(void) { return fit_with(1, X, 0, AE_THRESHOLD_CONTAMINATION, 0.2); }
static int t_fit_n_max(void) { return fit_with(1, X, SIZE_MAX, AE_THRESHOLD_CONTAMINATION, 0.2); }
static int t_fit_rule7(void) { return fit_with(1, X, 5, (ae_threshold_rule)7, 0.2); }
static int t_fit_contam_nan(void) { return fit_with(1, X, 5, AE_THRESHOLD_CONTAMINATION, NAN); }
static int t_fit_contam_big(void) { return fit_with(1, X, 5, AE_THRESHOLD_CONTAMINATION, 0.7); }
static int t_fit_pct_big(void) { return fit_with(1, X, 5, AE_THRESHOLD_PERCENTILE, 101.0); }
static int t_fit_pct_nan(void) { return fit_with(1, X, 5, AE_THRESHOLD_PERCENTILE, NAN); }

static int t_set_thr_null(void) { return CALL(ae_detector_set_threshold(NULL, 0.5)); }
static int t_set_thr_nan(void) {
  ae_model *m = mk_model();
  return CALL(ae_detector_set_threshold(m, NAN));
}
static int t_set_thr_inf(void) {
  ae_model *m = mk_model();
  return CALL(ae_detector_set_threshold(m, INFINITY));
}

static int t_thr_null_model(void) {
  double t;
  return CALL(ae_detector_threshold(NULL, &t));
}
static int t_thr_null_out(void) {
  ae_model *m = mk_detector();
  return CALL(ae_detector_threshold(m, NULL));
}
static int t_thr_none(void) {
  ae_model *m = mk_model();
  double t;
  return CALL(ae_detector_threshold(m, &t));
}

static int predict_with(int which, int *labels, const float *x, size_t n) {
  ae_model *m = which == 1 ? mk_detector() : which == 2 ? mk_model() : NULL;
  if (m) (void)with_threads(m, 1);
  return CALL(ae_detector_predict(m, labels, x, n));
}
static int t_predict_null_model(void) { return predict_with(0, IOUT, X, 5); }
static int t_predict_null_labels(void) { return predict_with(1, NULL, X, 5); }
static int t_predict_null_x(void) { return predict_with(1, IOUT, NULL, 5); }
static int t_predict_no_threshold(void) { return predict_with(2, IOUT, X, 5); }
static int t_predict_n0(void) { return predict_with(1, IOUT, X, 0); }
static int t_predict_n_max(void) { return predict_with(1, IOUT, X, SIZE_MAX); }

static int ssim_with(float *out, const float *a, const float *b, size_t n, int c, int h, int w,
                     float range) {
  return CALL(ae_ssim(out, a, b, n, c, h, w, range));
}
static int t_ssim_null_out(void) { return ssim_with(NULL, IMG_A, IMG_B, 2, 1, 2, 2, 1.0f); }
static int t_ssim_null_a(void) { return ssim_with(OUT, NULL, IMG_B, 2, 1, 2, 2, 1.0f); }
static int t_ssim_null_b(void) { return ssim_with(OUT, IMG_A, NULL, 2, 1, 2, 2, 1.0f); }
static int t_ssim_n0(void) { return ssim_with(OUT, IMG_A, IMG_B, 0, 1, 2, 2, 1.0f); }
static int t_ssim_n_max(void) { return ssim_with(OUT, IMG_A, IMG_B, SIZE_MAX, 1, 2, 2, 1.0f); }
static int t_ssim_c0(void) { return ssim_with(OUT, IMG_A, IMG_B, 2, 0, 2, 2, 1.0f); }
static int t_ssim_h_neg(void) { return ssim_with(OUT, IMG_A, IMG_B, 2, 1, -2, 2, 1.0f); }
static int t_ssim_w0(void) { return ssim_with(OUT, IMG_A, IMG_B, 2, 1, 2, 0, 1.0f); }
static int t_ssim_shape_overflow(void) {
  return ssim_with(OUT, IMG_A, IMG_B, 1, OVF_C, OVF_H, OVF_W, 1.0f);
}
static int t_ssim_range0(void) { return ssim_with(OUT, IMG_A, IMG_B, 2, 1, 2, 2, 0.0f); }
static int t_ssim_range_neg(void) { return ssim_with(OUT, IMG_A, IMG_B, 2, 1, 2, 2, -1.0f); }
static int t_ssim_range_nan(void) { return ssim_with(OUT, IMG_A, IMG_B, 2, 1, 2, 2, NAN); }
static int t_ssim_range_inf(void) { return ssim_with(OUT, IMG_A, IMG_B, 2, 1, 2, 2, INFINITY); }

/* ---- codes: nearest neighbours, probes ---------------------------------- */

/* Database X as 5 rows of 4, queries its first 2 rows. */
static int knn_with(size_t *idx, const float *db, size_t n, const float *q, size_t nq, size_t d,
                    int k, ae_metric metric) {
  return CALL(ae_knn_search(idx, OUT, db, n, q, nq, d, k, metric));
}
static int t_knn_null_idx(void) { return knn_with(NULL, X, 5, X, 2, 4, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_null_db(void) { return knn_with(IDX, NULL, 5, X, 2, 4, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_n0(void) { return knn_with(IDX, X, 0, X, 2, 4, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_n_max(void) { return knn_with(IDX, X, SIZE_MAX, X, 2, 4, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_null_q(void) { return knn_with(IDX, X, 5, NULL, 2, 4, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_nq0(void) { return knn_with(IDX, X, 5, X, 0, 4, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_d0(void) { return knn_with(IDX, X, 5, X, 2, 0, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_d_max(void) { return knn_with(IDX, X, 5, X, 2, SIZE_MAX, 1, AE_METRIC_EUCLIDEAN); }
static int t_knn_k0(void) { return knn_with(IDX, X, 5, X, 2, 4, 0, AE_METRIC_EUCLIDEAN); }
static int t_knn_k_neg(void) { return knn_with(IDX, X, 5, X, 2, 4, -1, AE_METRIC_EUCLIDEAN); }
static int t_knn_k_big(void) { return knn_with(IDX, X, 5, X, 2, 4, 6, AE_METRIC_EUCLIDEAN); }
static int t_knn_metric9(void) { return knn_with(IDX, X, 5, X, 2, 4, 1, (ae_metric)9); }
/* a NaN row: some order or refused, both fine. */
static int t_knn_nan_db(void) {
  float db[20];
  memcpy(db, X, sizeof db);
  db[6] = NAN;
  return knn_with(IDX, db, 5, X, 2, 4, 2, AE_METRIC_EUCLIDEAN);
}

static int classify_with(int32_t *pred, const float *train, const int32_t *labels, size_t n,
                         const float *q, size_t nq, size_t d, int k) {
  return CALL(ae_knn_classify(pred, train, labels, n, q, nq, d, k));
}
static int t_classify_null_pred(void) { return classify_with(NULL, X, LAB, 5, X, 2, 4, 1); }
static int t_classify_null_train(void) { return classify_with(PRED, NULL, LAB, 5, X, 2, 4, 1); }
static int t_classify_null_labels(void) { return classify_with(PRED, X, NULL, 5, X, 2, 4, 1); }
static int t_classify_n0(void) { return classify_with(PRED, X, LAB, 0, X, 2, 4, 1); }
static int t_classify_null_q(void) { return classify_with(PRED, X, LAB, 5, NULL, 2, 4, 1); }
static int t_classify_nq0(void) { return classify_with(PRED, X, LAB, 5, X, 0, 4, 1); }
static int t_classify_d0(void) { return classify_with(PRED, X, LAB, 5, X, 2, 0, 1); }
static int t_classify_d_max(void) { return classify_with(PRED, X, LAB, 5, X, 2, SIZE_MAX, 1); }
static int t_classify_k0(void) { return classify_with(PRED, X, LAB, 5, X, 2, 4, 0); }
static int t_classify_k_big(void) { return classify_with(PRED, X, LAB, 5, X, 2, 4, 6); }

static int probe_with(int32_t *pred, const float *train, const int32_t *labels, size_t n,
                      const float *q, size_t nq, size_t d, int steps) {
  return CALL(ae_linear_probe(pred, train, labels, n, q, nq, d, steps));
}
static int t_probe_null_pred(void) { return probe_with(NULL, X, LAB, 5, X, 2, 4, 10); }
static int t_probe_null_train(void) { return probe_with(PRED, NULL, LAB, 5, X, 2, 4, 10); }
static int t_probe_null_labels(void) { return probe_with(PRED, X, NULL, 5, X, 2, 4, 10); }
static int t_probe_n0(void) { return probe_with(PRED, X, LAB, 0, X, 2, 4, 10); }
static int t_probe_null_q(void) { return probe_with(PRED, X, LAB, 5, NULL, 2, 4, 10); }
static int t_probe_nq0(void) { return probe_with(PRED, X, LAB, 5, X, 0, 4, 10); }
static int t_probe_d0(void) { return probe_with(PRED, X, LAB, 5, X, 2, 0, 10); }
static int t_probe_d_max(void) { return probe_with(PRED, X, LAB, 5, X, 2, SIZE_MAX, 10); }
static int t_probe_steps0(void) { return probe_with(PRED, X, LAB, 5, X, 2, 4, 0); }
static int t_probe_steps_neg(void) { return probe_with(PRED, X, LAB, 5, X, 2, 4, -1); }
static int t_probe_one_class(void) { return probe_with(PRED, X, LAB_ONE_CLASS, 5, X, 2, 4, 10); }
/* a NaN feature cannot be standardised: refused. */
static int t_probe_nan(void) {
  float train[20];
  memcpy(train, X, sizeof train);
  train[9] = NAN;
  return probe_with(PRED, train, LAB, 5, X, 2, 4, 10);
}

/* ae_code_words(d) = ceil(d / 64), exactly, for every d. */
static int t_code_words0(void) { return ae_code_words(0) != 0; }
static int t_code_words_small(void) {
  return !(ae_code_words(1) == 1 && ae_code_words(64) == 1 && ae_code_words(65) == 2);
}
static int t_code_words_max(void) { return ae_code_words(SIZE_MAX) != SIZE_MAX / 64 + 1; }

/* X as 5 codes of 3. */
static int binarize_with(uint64_t *bits, const float *codes, size_t n, size_t d, float t) {
  return CALL(ae_codes_binarize(bits, codes, n, d, t));
}
static int t_binarize_null_bits(void) { return binarize_with(NULL, X, 5, 3, 0.5f); }
static int t_binarize_null_codes(void) { return binarize_with(BITS, NULL, 5, 3, 0.5f); }
static int t_binarize_d0(void) { return binarize_with(BITS, X, 5, 0, 0.5f); }
static int t_binarize_n0(void) { return binarize_with(BITS, X, 0, 3, 0.5f); }
static int t_binarize_n_max(void) { return binarize_with(BITS, X, SIZE_MAX, 3, 0.5f); }
static int t_binarize_d_max(void) { return binarize_with(BITS, X, 2, SIZE_MAX, 0.5f); }
/* a NaN threshold sets no bit at all: refused. */
static int t_binarize_nan(void) { return binarize_with(BITS, X, 5, 3, NAN); }

static int hamming_with(size_t *idx, const uint64_t *db, size_t n, const uint64_t *q, size_t nq,
                        size_t words, int k) {
  return CALL(ae_hamming_search(idx, IOUT, db, n, q, nq, words, k));
}
static int t_hamming_null_idx(void) { return hamming_with(NULL, HDB, 5, HQ, 2, 1, 1); }
static int t_hamming_null_db(void) { return hamming_with(IDX, NULL, 5, HQ, 2, 1, 1); }
static int t_hamming_n0(void) { return hamming_with(IDX, HDB, 0, HQ, 2, 1, 1); }
static int t_hamming_n_max(void) { return hamming_with(IDX, HDB, SIZE_MAX, HQ, 2, 1, 1); }
static int t_hamming_null_q(void) { return hamming_with(IDX, HDB, 5, NULL, 2, 1, 1); }
static int t_hamming_nq0(void) { return hamming_with(IDX, HDB, 5, HQ, 0, 1, 1); }
static int t_hamming_words0(void) { return hamming_with(IDX, HDB, 5, HQ, 2, 0, 1); }
static int t_hamming_words_max(void) { return hamming_with(IDX, HDB, 5, HQ, 2, SIZE_MAX, 1); }
static int t_hamming_k0(void) { return hamming_with(IDX, HDB, 5, HQ, 2, 1, 0); }
static int t_hamming_k_big(void) { return hamming_with(IDX, HDB, 5, HQ, 2, 1, 6); }

/* ---- PCA ---------------------------------------------------------------- */

static int t_pca_null_out(void) {
  ae_dataset *ds = mk_data();
  return CALL(ae_pca_fit(NULL, ds, 2, NULL));
}
static int t_pca_null_ds(void) {
  ae_model *m = NULL;
  return CALL(ae_pca_fit(&m, NULL, 2, NULL));
}
static int pca_with(ae_dataset *ds, int k) {
  ae_model *m = NULL;
  return CALL(ae_pca_fit(&m, ds, k, DOUT));
}
static int t_pca_k0(void) { return pca_with(mk_data(), 0); }
static int t_pca_k_neg(void) { return pca_with(mk_data(), -1); }
static int t_pca_k_above_dim(void) { return pca_with(mk_data(), 5); }
static int t_pca_one_sample(void) { return pca_with(mk_data_of(1, 4, NULL), 1); }
static int t_pca_k_above_n(void) { return pca_with(mk_data_of(2, 4, NULL), 3); }

/* ---- inpainting --------------------------------------------------------- */

static int inpaint_with(int with_model, float *out, const float *x, const unsigned char *mask,
                        size_t n, int iterations) {
  ae_model *m = with_model ? with_threads(mk_model(), 1) : NULL;
  return CALL(ae_model_inpaint(m, out, x, mask, n, iterations));
}
static int t_inpaint_null_model(void) { return inpaint_with(0, OUT, X, MASK, 5, 3); }
static int t_inpaint_null_out(void) { return inpaint_with(1, NULL, X, MASK, 5, 3); }
static int t_inpaint_null_x(void) { return inpaint_with(1, OUT, NULL, MASK, 5, 3); }
static int t_inpaint_null_mask(void) { return inpaint_with(1, OUT, X, NULL, 5, 3); }
static int t_inpaint_n0(void) { return inpaint_with(1, OUT, X, MASK, 0, 3); }
static int t_inpaint_n_max(void) { return inpaint_with(1, OUT, X, MASK, SIZE_MAX, 3); }
static int t_inpaint_iter0(void) { return inpaint_with(1, OUT, X, MASK, 5, 0); }
static int t_inpaint_iter_neg(void) { return inpaint_with(1, OUT, X, MASK, 5, -1); }
static int t_inpaint_iter_max(void) { return inpaint_with(1, OUT, X, MASK, 5, INT_MAX); }

/* ---- the table ---------------------------------------------------------- */

#define E(id, kind, name) {name, t_##id, kind}

static const entry entries[] = {
    /* status, messages, version */
    E(status_string_99, NEUTRAL, "ae_status_string((ae_status)99)"),
    E(status_string_neg, NEUTRAL, "ae_status_string((ae_status)-1)"),
    E(last_error_fresh, NEUTRAL, "ae_last_error() before any failure"),
    E(escape_all_null, NEUTRAL, "ae_text_escape(NULL, 0, NULL)"),
    E(escape_null_dst, NEUTRAL, "ae_text_escape(NULL, 8, \"x\")"),
    E(escape_cap0, NEUTRAL, "ae_text_escape(buf, 0, \"x\")"),
    E(escape_null_src, NEUTRAL, "ae_text_escape(buf, 8, NULL)"),
    E(escape_cap1, NEUTRAL, "ae_text_escape(buf, 1, \"abc\")"),
    E(version, NEUTRAL, "ae_version()"),

    /* data sets */
    E(load_options_defaults_null, NEUTRAL, "ae_load_options_defaults(NULL)"),
    E(dataset_load_null_out, MUST_FAIL, "ae_dataset_load(NULL, path, NULL)"),
    E(dataset_load_null_path, MUST_FAIL, "ae_dataset_load(&ds, NULL, NULL)"),
    E(dataset_load_empty_path, MUST_FAIL, "ae_dataset_load(&ds, \"\", NULL)"),
    E(dataset_load_missing, MUST_FAIL, "ae_dataset_load: missing file"),
    E(dataset_load_directory, MUST_FAIL, "ae_dataset_load: a directory"),
    E(dataset_load_label_column, MUST_FAIL, "ae_dataset_load: csv_label_column = -5"),
    E(dataset_load_csv_header, MUST_FAIL, "ae_dataset_load: csv_header = 7"),
    E(dataset_load_labels_missing, MUST_FAIL, "ae_dataset_load: labels_path missing"),
    E(dataset_load_memory_null_out, MUST_FAIL, "ae_dataset_load_memory(NULL, data, size, name, NULL)"),
    E(dataset_load_memory_null_data, MUST_FAIL, "ae_dataset_load_memory(&ds, NULL, 16, name, NULL)"),
    E(dataset_load_memory_size0, MUST_FAIL, "ae_dataset_load_memory: size 0"),
    E(dataset_load_memory_null_name, MUST_FAIL, "ae_dataset_load_memory(&ds, data, size, NULL, NULL)"),
    E(dataset_load_memory_garbage, MUST_FAIL, "ae_dataset_load_memory: garbage as .npy"),
    E(dataset_load_memory_labels_missing, MUST_FAIL, "ae_dataset_load_memory: labels_path missing"),
    E(from_array_null_out, MUST_FAIL, "ae_dataset_from_array(NULL, x, 5, 4, NULL)"),
    E(from_array_null_x, MUST_FAIL, "ae_dataset_from_array(&ds, NULL, 5, 4, NULL)"),
    E(from_array_n0, MUST_FAIL, "ae_dataset_from_array: n = 0"),
    E(from_array_dim0, MUST_FAIL, "ae_dataset_from_array: dim = 0"),
    E(from_array_n_max, MUST_FAIL, "ae_dataset_from_array: n = SIZE_MAX"),
    E(from_array_dim_max, MUST_FAIL, "ae_dataset_from_array: dim = SIZE_MAX"),
    E(from_array_nan, MUST_FAIL, "ae_dataset_from_array: a NaN value"),
    E(from_array_inf, MUST_FAIL, "ae_dataset_from_array: an infinite value"),
    E(dataset_count_null, NEUTRAL, "ae_dataset_count(NULL)"),
    E(dataset_dim_null, NEUTRAL, "ae_dataset_dim(NULL)"),
    E(dataset_shape_null, NEUTRAL, "ae_dataset_shape(NULL, &c, &h, &w)"),
    E(dataset_shape_null_outs, NEUTRAL, "ae_dataset_shape(ds, NULL, NULL, NULL)"),
    E(dataset_data_null, NEUTRAL, "ae_dataset_data(NULL)"),
    E(dataset_labels_null, NEUTRAL, "ae_dataset_labels(NULL)"),
    E(dataset_range_null, NEUTRAL, "ae_dataset_range(NULL, &lo, &hi)"),
    E(dataset_range_null_outs, NEUTRAL, "ae_dataset_range(ds, NULL, NULL)"),
    E(dataset_free_null, NEUTRAL, "ae_dataset_free(NULL)"),
    E(class_count_null, NEUTRAL, "ae_dataset_class_count(NULL)"),
    E(class_name_null, NEUTRAL, "ae_dataset_class_name(NULL, 0)"),
    E(class_name_range, NEUTRAL, "ae_dataset_class_name(ds, -1 and 7)"),
    E(set_class_names_null, MUST_FAIL, "ae_dataset_set_class_names(NULL, names, 3)"),
    E(set_class_names_list_null, MUST_FAIL, "ae_dataset_set_class_names(ds, NULL, 3)"),
    E(set_class_names_too_few, MUST_FAIL, "ae_dataset_set_class_names(ds, names, 2): label 2"),
    E(set_class_names_twice, MUST_FAIL, "ae_dataset_set_class_names(ds, {a, b, a}, 3)"),
    E(set_class_names_control, MUST_FAIL, "ae_dataset_set_class_names(ds, {a, b\\n, c}, 3)"),
    E(set_class_names_empty, MUST_FAIL, "ae_dataset_set_class_names(ds, {a, \"\", c}, 3)"),
    E(set_class_names_no_labels, MUST_FAIL, "ae_dataset_set_class_names(unlabelled, names, 3)"),
    E(adopt_null, MUST_FAIL, "ae_dataset_adopt_class_names(NULL, names, 3)"),
    E(adopt_names_null, MUST_FAIL, "ae_dataset_adopt_class_names(ds, NULL, 3)"),
    E(model_set_class_names_null, MUST_FAIL, "ae_model_set_class_names(NULL, names, 3)"),
    E(model_set_class_names_neg, MUST_FAIL, "ae_model_set_class_names(m, names, -1)"),
    E(model_set_class_names_many, MUST_FAIL, "ae_model_set_class_names(m, names, MAX + 1)"),
    E(model_class_count_null, NEUTRAL, "ae_model_class_count(NULL)"),
    E(model_class_name_null, NEUTRAL, "ae_model_class_name(NULL, 0)"),
    E(check_range_null, MUST_FAIL, "ae_model_check_range(NULL, x, 5, &r)"),
    E(check_range_x_null, MUST_FAIL, "ae_model_check_range(m, NULL, 5, &r)"),
    E(check_range_out_null, MUST_FAIL, "ae_model_check_range(m, x, 5, NULL)"),
    E(copy_scaling_null, MUST_FAIL, "ae_model_copy_scaling(NULL, m)"),
    E(copy_scaling_src_null, MUST_FAIL, "ae_model_copy_scaling(m, NULL)"),
    E(copy_scaling_size, MUST_FAIL, "ae_model_copy_scaling(m of 4, m of 5)"),
    E(set_shape_null, MUST_FAIL, "ae_dataset_set_shape(NULL, 1, 1, 4)"),
    E(set_shape_c0, MUST_FAIL, "ae_dataset_set_shape(ds, 0, 1, 4)"),
    E(set_shape_neg, MUST_FAIL, "ae_dataset_set_shape(ds, -1, 1, 4)"),
    E(set_shape_w_neg, MUST_FAIL, "ae_dataset_set_shape(ds, 1, 1, -4)"),
    E(set_shape_mismatch, MUST_FAIL, "ae_dataset_set_shape(ds, 1, 2, 3): 6 values, dim 4"),
    E(set_shape_overflow, MUST_FAIL, "ae_dataset_set_shape: c*h*w = 2^64 + 4"),
    E(scale_null, MUST_FAIL, "ae_dataset_scale(NULL, 0, 1)"),
    E(scale_equal, MUST_FAIL, "ae_dataset_scale(ds, 1, 1)"),
    E(scale_reversed, MUST_FAIL, "ae_dataset_scale(ds, 1, 0)"),
    E(scale_nan_lo, MUST_FAIL, "ae_dataset_scale(ds, NaN, 1)"),
    E(scale_nan_hi, MUST_FAIL, "ae_dataset_scale(ds, 0, NaN)"),
    E(scale_inf_hi, MUST_FAIL, "ae_dataset_scale(ds, 0, inf)"),
    E(scale_inf_lo, MUST_FAIL, "ae_dataset_scale(ds, -inf, 0)"),
    E(slice_null_out, MUST_FAIL, "ae_dataset_slice(NULL, ds, 0, 1)"),
    E(slice_null_ds, MUST_FAIL, "ae_dataset_slice(&o, NULL, 0, 1)"),
    E(slice_count0, MUST_FAIL, "ae_dataset_slice(&o, ds, 0, 0)"),
    E(slice_start_end, MUST_FAIL, "ae_dataset_slice(&o, ds, 5, 1)"),
    E(slice_count_max, MUST_FAIL, "ae_dataset_slice(&o, ds, 1, SIZE_MAX)"),
    E(slice_start_max, MUST_FAIL, "ae_dataset_slice(&o, ds, SIZE_MAX, 2)"),
    E(select_null_out, MUST_FAIL, "ae_dataset_select_labels(NULL, ds, keep, 1)"),
    E(select_null_ds, MUST_FAIL, "ae_dataset_select_labels(&o, NULL, keep, 1)"),
    E(select_null_keep, MUST_FAIL, "ae_dataset_select_labels(&o, ds, NULL, 1)"),
    E(select_keep0, MUST_FAIL, "ae_dataset_select_labels(&o, ds, keep, 0)"),
    E(select_no_labels, MUST_FAIL, "ae_dataset_select_labels: data without labels"),
    E(select_absent, MUST_FAIL, "ae_dataset_select_labels: no sample has label 7"),
    E(split_null_train, MUST_FAIL, "ae_dataset_split(NULL, &v, ds, 0.4, 1)"),
    E(split_null_val, MUST_FAIL, "ae_dataset_split(&t, NULL, ds, 0.4, 1)"),
    E(split_null_ds, MUST_FAIL, "ae_dataset_split(&t, &v, NULL, 0.4, 1)"),
    E(split_zero, MUST_FAIL, "ae_dataset_split: fraction 0"),
    E(split_one, MUST_FAIL, "ae_dataset_split: fraction 1"),
    E(split_negative, MUST_FAIL, "ae_dataset_split: fraction -0.5"),
    E(split_nan, MUST_FAIL, "ae_dataset_split: fraction NaN"),
    E(split_inf, MUST_FAIL, "ae_dataset_split: fraction inf"),
    E(split_no_val, MUST_FAIL, "ae_dataset_split: fraction 0.01 of 5 (no validation)"),
    E(split_no_train, MUST_FAIL, "ae_dataset_split: fraction 0.99 of 5 (no training)"),
    E(array_save_null_path, MUST_FAIL, "ae_array_save(NULL, x, 5, 4)"),
    E(table_save_null_path, MUST_FAIL, "ae_table_save(NULL, h, x, 2, 3)"),
    E(table_save_null_x, MUST_FAIL, "ae_table_save(p, h, NULL, 2, 3)"),
    E(table_save_n0, MUST_FAIL, "ae_table_save(p, h, x, 0, 3)"),
    E(table_save_dim_max, MUST_FAIL, "ae_table_save(p, NULL, x, 2, SIZE_MAX)"),
    E(table_save_two_lines, MUST_FAIL, "ae_table_save(p, \"a\\nb\", x, 2, 3)"),
    E(array_save_null_x, MUST_FAIL, "ae_array_save(path, NULL, 5, 4)"),
    E(array_save_n0, MUST_FAIL, "ae_array_save(path, x, 0, 4)"),
    E(array_save_dim0, MUST_FAIL, "ae_array_save(path, x, 5, 0)"),
    E(array_save_n_max, MUST_FAIL, "ae_array_save(path.npy, x, SIZE_MAX, 4)"),
    E(array_save_dim_max, MUST_FAIL, "ae_array_save(path.csv, x, 2, SIZE_MAX)"),
    E(array_save_empty_path, MUST_FAIL, "ae_array_save(\"\", x, 5, 4)"),
    E(array_save_no_dir, MUST_FAIL, "ae_array_save: directory missing"),

    /* models */
    E(create_null_out, MUST_FAIL, "ae_model_create(NULL, spec, 1, 1, 4, 1)"),
    E(create_null_spec, MUST_FAIL, "ae_model_create(&m, NULL, 1, 1, 4, 1)"),
    E(create_empty_spec, MUST_FAIL, "ae_model_create(&m, \"\", 1, 1, 4, 1)"),
    E(create_c0, MUST_FAIL, "ae_model_create: shape (0, 1, 4)"),
    E(create_h_neg, MUST_FAIL, "ae_model_create: shape (1, -1, 4)"),
    E(create_w0, MUST_FAIL, "ae_model_create: shape (1, 1, 0)"),
    E(create_shape_overflow, MUST_FAIL, "ae_model_create: c*h*w = 2^64 + 4"),
    E(create_shape_huge, MUST_FAIL, "ae_model_create: shape (1, 4096, 4097) > 2^24"),
    E(create_decoder_mismatch, MUST_FAIL, "ae_model_create: decoder of 5 for 4 inputs"),
    E(create_bad_activation, MUST_FAIL, "ae_model_create: activation swish"),
    E(create_option_nan, MUST_FAIL, "ae_model_create: l2=nan"),
    E(create_option_negative, MUST_FAIL, "ae_model_create: l1=-1"),
    E(init_null, MUST_FAIL, "ae_model_init(NULL, AE_INIT_KERAS, 1)"),
    E(init_scheme7, MUST_FAIL, "ae_model_init(m, (ae_init)7, 1)"),
    E(init_scheme_neg, MUST_FAIL, "ae_model_init(m, (ae_init)-1, 1)"),
    E(save_null_model, MUST_FAIL, "ae_model_save(NULL, path)"),
    E(save_null_path, MUST_FAIL, "ae_model_save(m, NULL)"),
    E(save_empty_path, MUST_FAIL, "ae_model_save(m, \"\")"),
    E(save_no_dir, MUST_FAIL, "ae_model_save: directory missing"),
    E(export_null_model, MUST_FAIL, "ae_model_export_onnx(NULL, path, full)"),
    E(export_null_path, MUST_FAIL, "ae_model_export_onnx(m, NULL, full)"),
    E(export_empty_path, MUST_FAIL, "ae_model_export_onnx(m, \"\", encoder)"),
    E(export_part7, MUST_FAIL, "ae_model_export_onnx(m, path, (ae_export_part)7)"),
    E(export_no_dir, MUST_FAIL, "ae_model_export_onnx: directory missing"),
    E(load_null_out, MUST_FAIL, "ae_model_load(NULL, path)"),
    E(load_null_path, MUST_FAIL, "ae_model_load(&m, NULL)"),
    E(load_empty_path, MUST_FAIL, "ae_model_load(&m, \"\")"),
    E(load_missing, MUST_FAIL, "ae_model_load: missing file"),
    E(load_directory, MUST_FAIL, "ae_model_load: a directory"),
    E(load_not_a_model, MUST_FAIL, "ae_model_load: a CSV file"),
    E(load_memory_null_out, MUST_FAIL, "ae_model_load_memory(NULL, data, size, name)"),
    E(load_memory_null_data, MUST_FAIL, "ae_model_load_memory(&m, NULL, 100, name)"),
    E(load_memory_size0, MUST_FAIL, "ae_model_load_memory(&m, data, 0, name)"),
    E(load_memory_null_name, MUST_FAIL, "ae_model_load_memory(&m, data, size, NULL)"),
    E(load_memory_garbage, MUST_FAIL, "ae_model_load_memory: garbage"),
    E(load_weights_null_model, MUST_FAIL, "ae_model_load_weights(NULL, path)"),
    E(load_weights_null_path, MUST_FAIL, "ae_model_load_weights(m, NULL)"),
    E(load_weights_missing, MUST_FAIL, "ae_model_load_weights: missing file"),
    E(load_weights_other_arch, MUST_FAIL, "ae_model_load_weights: another architecture"),
    E(load_weights_not_a_model, MUST_FAIL, "ae_model_load_weights: a CSV file"),
    E(model_free_null, NEUTRAL, "ae_model_free(NULL)"),
    E(input_dim_null, NEUTRAL, "ae_model_input_dim(NULL)"),
    E(code_dim_null, NEUTRAL, "ae_model_code_dim(NULL)"),
    E(param_count_null, NEUTRAL, "ae_model_param_count(NULL)"),
    E(flops_null, NEUTRAL, "ae_model_flops(NULL)"),
    E(layer_summary_null, MUST_FAIL, "ae_model_layer_summary(NULL, 0, &out)"),
    E(layer_summary_null_out, MUST_FAIL, "ae_model_layer_summary(m, 0, NULL)"),
    E(layer_summary_range, MUST_FAIL, "ae_model_layer_summary(m, 2, &out) of 2 layers"),
    E(input_shape_null, NEUTRAL, "ae_model_input_shape(NULL, &c, &h, &w)"),
    E(input_shape_null_outs, NEUTRAL, "ae_model_input_shape(m, NULL, NULL, NULL)"),
    E(loss_null, NEUTRAL, "ae_model_loss(NULL)"),
    E(spec_null, NEUTRAL, "ae_model_spec(NULL)"),
    E(metadata_null, NEUTRAL, "ae_model_metadata(NULL)"),
    E(scaling_null, NEUTRAL, "ae_model_scaling(NULL, &lo, &hi)"),
    E(scaling_null_outs, NEUTRAL, "ae_model_scaling(m, NULL, NULL)"),
    E(params_null, NEUTRAL, "ae_model_params(NULL)"),
    E(is_variational_null, NEUTRAL, "ae_model_is_variational(NULL)"),
    E(set_scaling_null, MUST_FAIL, "ae_model_set_scaling(NULL, 0, 1)"),
    E(set_scaling_nan_lo, MUST_FAIL, "ae_model_set_scaling(m, NaN, 1)"),
    E(set_scaling_nan_hi, MUST_FAIL, "ae_model_set_scaling(m, 0, NaN)"),
    E(set_scaling_inf, MUST_FAIL, "ae_model_set_scaling(m, 0, inf)"),
    E(set_scaling_equal, MUST_FAIL, "ae_model_set_scaling(m, 1, 1)"),
    E(set_scaling_reversed, MUST_FAIL, "ae_model_set_scaling(m, 2, 1)"),
    E(set_threads_null, MUST_FAIL, "ae_model_set_threads(NULL, 1)"),
    E(set_threads_neg, MUST_FAIL, "ae_model_set_threads(m, -1)"),
    E(set_threads_int_min, MUST_FAIL, "ae_model_set_threads(m, INT_MIN)"),
    E(set_threads_int_max, MAY_FAIL, "ae_model_set_threads(m, INT_MAX)"),

    /* inference */
    E(encode_null_model, MUST_FAIL, "ae_model_encode(NULL, out, x, 5)"),
    E(encode_null_out, MUST_FAIL, "ae_model_encode(m, NULL, x, 5)"),
    E(encode_null_in, MUST_FAIL, "ae_model_encode(m, out, NULL, 5)"),
    E(encode_n0, MAY_FAIL, "ae_model_encode(m, out, x, 0)"),
    E(encode_max_t1, MUST_FAIL, "ae_model_encode(m, out, x, SIZE_MAX), 1 thread"),
    E(encode_max_t2, MUST_FAIL, "ae_model_encode(m, out, x, SIZE_MAX), 2 threads"),
    E(encode_big_t1, MUST_FAIL, "ae_model_encode(m, out, x, SIZE_MAX/4 + 1), 1 thread"),
    E(decode_null_model, MUST_FAIL, "ae_model_decode(NULL, out, codes, 5)"),
    E(decode_null_out, MUST_FAIL, "ae_model_decode(m, NULL, codes, 5)"),
    E(decode_null_in, MUST_FAIL, "ae_model_decode(m, out, NULL, 5)"),
    E(decode_n0, MAY_FAIL, "ae_model_decode(m, out, codes, 0)"),
    E(decode_max_t1, MUST_FAIL, "ae_model_decode(m, out, codes, SIZE_MAX), 1 thread"),
    E(decode_max_t2, MUST_FAIL, "ae_model_decode(m, out, codes, SIZE_MAX), 2 threads"),
    E(decode_big_t1, MUST_FAIL, "ae_model_decode(m, out, codes, SIZE_MAX/4 + 1), 1 thread"),
    E(recon_null_model, MUST_FAIL, "ae_model_reconstruct(NULL, out, x, 5)"),
    E(recon_null_out, MUST_FAIL, "ae_model_reconstruct(m, NULL, x, 5)"),
    E(recon_null_in, MUST_FAIL, "ae_model_reconstruct(m, out, NULL, 5)"),
    E(recon_n0, MAY_FAIL, "ae_model_reconstruct(m, out, x, 0)"),
    E(recon_max_t1, MUST_FAIL, "ae_model_reconstruct(m, out, x, SIZE_MAX), 1 thread"),
    E(recon_max_t2, MUST_FAIL, "ae_model_reconstruct(m, out, x, SIZE_MAX), 2 threads"),
    E(recon_big_t1, MUST_FAIL, "ae_model_reconstruct(m, out, x, SIZE_MAX/4 + 1), 1 thread"),

    /* evaluation */
    E(evaluate_null_model, MUST_FAIL, "ae_model_evaluate(NULL, &r, ds)"),
    E(evaluate_null_res, MUST_FAIL, "ae_model_evaluate(m, NULL, ds)"),
    E(evaluate_null_ds, MUST_FAIL, "ae_model_evaluate(m, &r, NULL)"),
    E(evaluate_dim, MUST_FAIL, "ae_model_evaluate: data of dim 5, model of 4"),
    E(iw_null_model, MUST_FAIL, "ae_model_evaluate_iw(NULL, &nll, ds, 4, 1)"),
    E(iw_null_nll, MUST_FAIL, "ae_model_evaluate_iw(vae, NULL, ds, 4, 1)"),
    E(iw_null_ds, MUST_FAIL, "ae_model_evaluate_iw(vae, &nll, NULL, 4, 1)"),
    E(iw_k0, MUST_FAIL, "ae_model_evaluate_iw: k = 0"),
    E(iw_k_neg, MUST_FAIL, "ae_model_evaluate_iw: k = -1"),
    E(iw_k_max, MUST_FAIL, "ae_model_evaluate_iw: k = INT_MAX"),
    E(iw_dim, MUST_FAIL, "ae_model_evaluate_iw: data of dim 5, model of 4"),
    E(iw_not_vae, MUST_FAIL, "ae_model_evaluate_iw: not a VAE"),
    E(nelbo_null_model, MUST_FAIL, "ae_model_sample_nelbo(NULL, out, x, 5)"),
    E(nelbo_null_out, MUST_FAIL, "ae_model_sample_nelbo(vae, NULL, x, 5)"),
    E(nelbo_null_in, MUST_FAIL, "ae_model_sample_nelbo(vae, out, NULL, 5)"),
    E(nelbo_n0, MAY_FAIL, "ae_model_sample_nelbo(vae, out, x, 0)"),
    E(nelbo_max_t1, MUST_FAIL, "ae_model_sample_nelbo(vae, out, x, SIZE_MAX), 1 thread"),
    E(nelbo_not_vae, MUST_FAIL, "ae_model_sample_nelbo: not a VAE"),
    E(generate_null_model, MUST_FAIL, "ae_model_generate(NULL, x, 5, 1)"),
    E(generate_null_x, MUST_FAIL, "ae_model_generate(vae, NULL, 5, 1)"),
    E(generate_n0, MAY_FAIL, "ae_model_generate(vae, x, 0, 1)"),
    E(generate_max, MUST_FAIL, "ae_model_generate(vae, x, SIZE_MAX, 1)"),
    E(generate_not_vae, MUST_FAIL, "ae_model_generate: not a VAE"),
    E(noise_null_x, MUST_FAIL, "ae_noise_corrupt(NULL, 20, \"masking:0.5\", 1)"),
    E(noise_null_noise, MUST_FAIL, "ae_noise_corrupt(x, 20, NULL, 1)"),
    E(noise_unknown, MUST_FAIL, "ae_noise_corrupt: \"bogus\""),
    E(noise_gauss_nan, MUST_FAIL, "ae_noise_corrupt: \"gaussian:nan,0.1\""),
    E(noise_gauss_neg_std, MUST_FAIL, "ae_noise_corrupt: \"gaussian:0,-1\""),
    E(noise_mask_nan, MUST_FAIL, "ae_noise_corrupt: \"masking:nan\""),
    E(noise_mask_big, MUST_FAIL, "ae_noise_corrupt: \"masking:1.5\""),
    E(noise_count_max, MUST_FAIL, "ae_noise_corrupt(x, SIZE_MAX, \"masking:0.5\", 1)"),
    E(noise_count0, MAY_FAIL, "ae_noise_corrupt(x, 0, \"masking:0.5\", 1)"),
    E(noise_null_x_count0, MAY_FAIL, "ae_noise_corrupt(NULL, 0, \"none\", 1)"),
    E(denoise_null_model, MUST_FAIL, "ae_model_evaluate_denoising(NULL, &a, &b, ds, noise, 1)"),
    E(denoise_null_noisy, MUST_FAIL, "ae_model_evaluate_denoising(m, NULL, &b, ds, noise, 1)"),
    E(denoise_null_denoised, MUST_FAIL, "ae_model_evaluate_denoising(m, &a, NULL, ds, noise, 1)"),
    E(denoise_null_ds, MUST_FAIL, "ae_model_evaluate_denoising(m, &a, &b, NULL, noise, 1)"),
    E(denoise_null_noise, MAY_FAIL, "ae_model_evaluate_denoising(m, &a, &b, ds, NULL, 1)"),
    E(denoise_bad_noise, MUST_FAIL, "ae_model_evaluate_denoising: noise \"bogus\""),
    E(denoise_dim, MUST_FAIL, "ae_model_evaluate_denoising: data of dim 5, model of 4"),

    /* training */
    E(train_options_defaults_null, NEUTRAL, "ae_train_options_defaults(NULL)"),
    E(train_null_model, MUST_FAIL, "ae_train(NULL, ds, NULL, &opt, NULL)"),
    E(train_null_data, MUST_FAIL, "ae_train(m, NULL, NULL, &opt, NULL)"),
    E(train_null_options, MUST_FAIL, "ae_train(m, ds, NULL, NULL, NULL)"),
    E(train_dim, MUST_FAIL, "ae_train: data of dim 5, model of 4"),
    E(train_val_dim, MUST_FAIL, "ae_train: validation of dim 5, model of 4"),
    E(train_epochs0, MUST_FAIL, "ae_train: epochs 0"),
    E(train_epochs_neg, MUST_FAIL, "ae_train: epochs -1"),
    E(train_batch0, MUST_FAIL, "ae_train: batch_size 0"),
    E(train_batch_neg, MUST_FAIL, "ae_train: batch_size -1"),
    E(train_lr_nan, MUST_FAIL, "ae_train: lr NaN"),
    E(train_lr0, MUST_FAIL, "ae_train: lr 0"),
    E(train_lr_neg, MUST_FAIL, "ae_train: lr -1"),
    E(train_lr_inf, MUST_FAIL, "ae_train: lr inf"),
    E(train_beta1_nan, MUST_FAIL, "ae_train: beta1 NaN"),
    E(train_beta2_one, MUST_FAIL, "ae_train: beta2 1"),
    E(train_eps0, MUST_FAIL, "ae_train: eps 0"),
    E(train_eps_nan, MUST_FAIL, "ae_train: eps NaN"),
    E(train_momentum_nan, MUST_FAIL, "ae_train: SGD momentum NaN"),
    E(train_wd_nan, MUST_FAIL, "ae_train: weight_decay NaN"),
    E(train_wd_neg, MUST_FAIL, "ae_train: weight_decay -1"),
    E(train_min_delta_nan, MUST_FAIL, "ae_train: min_delta NaN"),
    E(train_threads_neg, MUST_FAIL, "ae_train: threads -1"),
    E(train_patience_neg, MUST_FAIL, "ae_train: patience -1"),
    E(train_optimizer9, MUST_FAIL, "ae_train: optimizer 9"),
    E(train_schedule_bad, MUST_FAIL, "ae_train: lr_schedule \"bogus\""),
    E(train_noise_bad, MUST_FAIL, "ae_train: noise \"bogus\""),
    E(train_ckpt_every_no_path, MUST_FAIL, "ae_train: checkpoint_every 1 without a path"),
    E(train_ckpt_every_neg, MUST_FAIL, "ae_train: checkpoint_every -1"),
    E(train_stop_after_neg, MUST_FAIL, "ae_train: stop_after -1"),
    E(train_lr_warmup_nan, MUST_FAIL, "ae_train: lr_warmup NaN"),
    E(train_kl_warmup_nan, MUST_FAIL, "ae_train: kl_warmup NaN"),
    E(train_resume_missing, MUST_FAIL, "ae_train: resume_path missing"),
    E(train_ckpt_no_dir, MUST_FAIL, "ae_train: checkpoint_path in a missing directory"),
    E(history_epochs_null, NEUTRAL, "ae_history_epochs(NULL)"),
    E(history_train_loss_null, NEUTRAL, "ae_history_train_loss(NULL, 0)"),
    E(history_val_loss_null, NEUTRAL, "ae_history_val_loss(NULL, 0)"),
    E(history_seconds_null, NEUTRAL, "ae_history_seconds(NULL, 0)"),
    E(history_best_null, NEUTRAL, "ae_history_best_epoch(NULL)"),
    E(history_train_loss_neg, NEUTRAL, "ae_history_train_loss(h, -1)"),
    E(history_train_loss_past, NEUTRAL, "ae_history_train_loss(h, epochs)"),
    E(history_val_loss_max, NEUTRAL, "ae_history_val_loss(h, INT_MAX)"),
    E(history_seconds_min, NEUTRAL, "ae_history_seconds(h, INT_MIN)"),
    E(history_save_null, MUST_FAIL, "ae_history_save_csv(NULL, path)"),
    E(history_save_null_path, MUST_FAIL, "ae_history_save_csv(h, NULL)"),
    E(history_save_empty_path, MUST_FAIL, "ae_history_save_csv(h, \"\")"),
    E(history_save_no_dir, MUST_FAIL, "ae_history_save_csv: directory missing"),
    E(history_free_null, NEUTRAL, "ae_history_free(NULL)"),

    /* pictures */
    E(grid_null_path, MUST_FAIL, "ae_png_write_grid(NULL, ...)"),
    E(grid_empty_path, MUST_FAIL, "ae_png_write_grid(\"\", ...)"),
    E(grid_null_images, MUST_FAIL, "ae_png_write_grid(path, NULL, ...)"),
    E(grid_rows0, MUST_FAIL, "ae_png_write_grid: rows 0"),
    E(grid_cols_neg, MUST_FAIL, "ae_png_write_grid: cols -1"),
    E(grid_h0, MUST_FAIL, "ae_png_write_grid: h 0"),
    E(grid_w_neg, MUST_FAIL, "ae_png_write_grid: w -2"),
    E(grid_zoom0, MUST_FAIL, "ae_png_write_grid: zoom 0"),
    E(grid_pad_neg, MUST_FAIL, "ae_png_write_grid: pad -1"),
    E(grid_rows_max, MUST_FAIL, "ae_png_write_grid: rows INT_MAX"),
    E(grid_zoom_max, MUST_FAIL, "ae_png_write_grid: zoom INT_MAX"),
    E(grid_nan_pixel, MAY_FAIL, "ae_png_write_grid: a NaN pixel"),
    E(loss_null_path, MUST_FAIL, "ae_plot_loss_curve(NULL, ...)"),
    E(loss_empty_path, MUST_FAIL, "ae_plot_loss_curve(\"\", ...)"),
    E(loss_null_train, MUST_FAIL, "ae_plot_loss_curve(path, NULL, val, 3, t)"),
    E(loss_epochs0, MUST_FAIL, "ae_plot_loss_curve: epochs 0"),
    E(loss_epochs_neg, MUST_FAIL, "ae_plot_loss_curve: epochs -1"),
    E(loss_train_nan, MUST_FAIL, "ae_plot_loss_curve: a NaN training loss"),
    E(loss_train_inf, MUST_FAIL, "ae_plot_loss_curve: an infinite training loss"),
    E(loss_val_nan, MUST_FAIL, "ae_plot_loss_curve: a NaN validation loss"),
    E(loss_null_title, MAY_FAIL, "ae_plot_loss_curve(path, train, val, 3, NULL)"),
    E(scatter_null_path, MUST_FAIL, "ae_plot_scatter(NULL, ...)"),
    E(scatter_empty_path, MUST_FAIL, "ae_plot_scatter(\"\", ...)"),
    E(scatter_null_xy, MUST_FAIL, "ae_plot_scatter(path, NULL, ...)"),
    E(scatter_n0, MUST_FAIL, "ae_plot_scatter: n 0"),
    E(scatter_n_max, MUST_FAIL, "ae_plot_scatter: n SIZE_MAX"),
    E(scatter_nan, MUST_FAIL, "ae_plot_scatter: a NaN point"),
    E(scatter_inf, MUST_FAIL, "ae_plot_scatter: an infinite point"),
    E(roc_plot_null_path, MUST_FAIL, "ae_plot_roc_curve(NULL, ...)"),
    E(roc_plot_empty_path, MUST_FAIL, "ae_plot_roc_curve(\"\", ...)"),
    E(roc_plot_null_fpr, MUST_FAIL, "ae_plot_roc_curve(path, NULL, tpr, ...)"),
    E(roc_plot_null_tpr, MUST_FAIL, "ae_plot_roc_curve(path, fpr, NULL, ...)"),
    E(roc_plot_count0, MUST_FAIL, "ae_plot_roc_curve: count 0"),
    E(roc_plot_count1, MUST_FAIL, "ae_plot_roc_curve: count 1"),
    E(roc_plot_count_max, MUST_FAIL, "ae_plot_roc_curve: count SIZE_MAX"),
    E(roc_plot_nan, MUST_FAIL, "ae_plot_roc_curve: a NaN point"),
    E(roc_plot_outside, MUST_FAIL, "ae_plot_roc_curve: tpr 1.5"),

    /* anomaly metrics */
    E(auc_null_out, MUST_FAIL, "ae_roc_auc(NULL, s, y, 4)"),
    E(auc_null_scores, MUST_FAIL, "ae_roc_auc(&a, NULL, y, 4)"),
    E(auc_null_truth, MUST_FAIL, "ae_roc_auc(&a, s, NULL, 4)"),
    E(auc_n0, MUST_FAIL, "ae_roc_auc: n 0"),
    E(auc_n_max, MUST_FAIL, "ae_roc_auc: n SIZE_MAX"),
    E(auc_nan, MUST_FAIL, "ae_roc_auc: a NaN score"),
    E(auc_one_class, MUST_FAIL, "ae_roc_auc: only anomalies"),
    E(ap_null_out, MUST_FAIL, "ae_average_precision(NULL, s, y, 4)"),
    E(ap_null_scores, MUST_FAIL, "ae_average_precision(&a, NULL, y, 4)"),
    E(ap_null_truth, MUST_FAIL, "ae_average_precision(&a, s, NULL, 4)"),
    E(ap_n0, MUST_FAIL, "ae_average_precision: n 0"),
    E(ap_nan, MUST_FAIL, "ae_average_precision: a NaN score"),
    E(ap_no_anomaly, MUST_FAIL, "ae_average_precision: no anomaly"),
    E(roc_null_fpr, MUST_FAIL, "ae_roc_curve(NULL, tpr, &count, s, y, 4)"),
    E(roc_null_tpr, MUST_FAIL, "ae_roc_curve(fpr, NULL, &count, s, y, 4)"),
    E(roc_null_count, MUST_FAIL, "ae_roc_curve(fpr, tpr, NULL, s, y, 4)"),
    E(roc_null_scores, MUST_FAIL, "ae_roc_curve(fpr, tpr, &count, NULL, y, 4)"),
    E(roc_null_truth, MUST_FAIL, "ae_roc_curve(fpr, tpr, &count, s, NULL, 4)"),
    E(roc_n0, MUST_FAIL, "ae_roc_curve: n 0"),
    E(roc_nan, MUST_FAIL, "ae_roc_curve: a NaN score"),
    E(roc_one_class, MUST_FAIL, "ae_roc_curve: no anomaly"),
    E(bm_null_out, MUST_FAIL, "ae_binary_metrics_at(NULL, s, y, 4, 0.5)"),
    E(bm_null_scores, MUST_FAIL, "ae_binary_metrics_at(&b, NULL, y, 4, 0.5)"),
    E(bm_null_truth, MUST_FAIL, "ae_binary_metrics_at(&b, s, NULL, 4, 0.5)"),
    E(bm_n0, MUST_FAIL, "ae_binary_metrics_at: n 0"),
    E(bm_threshold_nan, MUST_FAIL, "ae_binary_metrics_at: threshold NaN"),
    E(bm_score_nan, MUST_FAIL, "ae_binary_metrics_at: a NaN score"),
    E(f1_null_out, MUST_FAIL, "ae_best_f1(NULL, s, y, 4)"),
    E(f1_null_scores, MUST_FAIL, "ae_best_f1(&b, NULL, y, 4)"),
    E(f1_null_truth, MUST_FAIL, "ae_best_f1(&b, s, NULL, 4)"),
    E(f1_n0, MUST_FAIL, "ae_best_f1: n 0"),
    E(f1_nan, MUST_FAIL, "ae_best_f1: a NaN score"),
    E(f1_no_anomaly, MUST_FAIL, "ae_best_f1: no anomaly"),
    E(contam_null_out, MUST_FAIL, "ae_threshold_contamination(NULL, s, 4, 0.25)"),
    E(contam_null_scores, MUST_FAIL, "ae_threshold_contamination(&t, NULL, 4, 0.25)"),
    E(contam_n0, MUST_FAIL, "ae_threshold_contamination: n 0"),
    E(contam_n_max, MUST_FAIL, "ae_threshold_contamination: n SIZE_MAX"),
    E(contam_c0, MUST_FAIL, "ae_threshold_contamination: c 0"),
    E(contam_c_big, MUST_FAIL, "ae_threshold_contamination: c 0.6"),
    E(contam_c_nan, MUST_FAIL, "ae_threshold_contamination: c NaN"),
    E(contam_score_nan, MUST_FAIL, "ae_threshold_contamination: a NaN score"),
    E(contam_score_inf, MUST_FAIL, "ae_threshold_contamination: an infinite score"),
    E(pct_null_out, MUST_FAIL, "ae_threshold_percentile(NULL, s, 4, 50)"),
    E(pct_null_scores, MUST_FAIL, "ae_threshold_percentile(&t, NULL, 4, 50)"),
    E(pct_n0, MUST_FAIL, "ae_threshold_percentile: n 0"),
    E(pct_neg, MUST_FAIL, "ae_threshold_percentile: p -1"),
    E(pct_big, MUST_FAIL, "ae_threshold_percentile: p 101"),
    E(pct_nan, MUST_FAIL, "ae_threshold_percentile: p NaN"),
    E(pct_score_nan, MUST_FAIL, "ae_threshold_percentile: a NaN score"),

    /* a model as a detector */
    E(scores_null_model, MUST_FAIL, "ae_detector_scores(NULL, s, x, 5)"),
    E(scores_null_out, MUST_FAIL, "ae_detector_scores(m, NULL, x, 5)"),
    E(scores_null_x, MUST_FAIL, "ae_detector_scores(m, s, NULL, 5)"),
    E(scores_n0, MAY_FAIL, "ae_detector_scores(m, s, x, 0)"),
    E(scores_n_max, MUST_FAIL, "ae_detector_scores(m, s, x, SIZE_MAX), 1 thread"),
    E(fit_null_model, MUST_FAIL, "ae_detector_fit(NULL, x, 5, contamination, 0.2)"),
    E(fit_null_x, MUST_FAIL, "ae_detector_fit(m, NULL, 5, contamination, 0.2)"),
    E(fit_n0, MUST_FAIL, "ae_detector_fit: n 0"),
    E(fit_n_max, MUST_FAIL, "ae_detector_fit: n SIZE_MAX"),
    E(fit_rule7, MUST_FAIL, "ae_detector_fit: rule 7"),
    E(fit_contam_nan, MUST_FAIL, "ae_detector_fit: contamination NaN"),
    E(fit_contam_big, MUST_FAIL, "ae_detector_fit: contamination 0.7"),
    E(fit_pct_big, MUST_FAIL, "ae_detector_fit: percentile 101"),
    E(fit_pct_nan, MUST_FAIL, "ae_detector_fit: percentile NaN"),
    E(set_thr_null, MUST_FAIL, "ae_detector_set_threshold(NULL, 0.5)"),
    E(set_thr_nan, MUST_FAIL, "ae_detector_set_threshold(m, NaN)"),
    E(set_thr_inf, MUST_FAIL, "ae_detector_set_threshold(m, inf)"),
    E(thr_null_model, MUST_FAIL, "ae_detector_threshold(NULL, &t)"),
    E(thr_null_out, MUST_FAIL, "ae_detector_threshold(m, NULL)"),
    E(thr_none, MUST_FAIL, "ae_detector_threshold: no threshold stored"),
    E(predict_null_model, MUST_FAIL, "ae_detector_predict(NULL, labels, x, 5)"),
    E(predict_null_labels, MUST_FAIL, "ae_detector_predict(m, NULL, x, 5)"),
    E(predict_null_x, MUST_FAIL, "ae_detector_predict(m, labels, NULL, 5)"),
    E(predict_no_threshold, MUST_FAIL, "ae_detector_predict: no threshold stored"),
    E(predict_n0, MAY_FAIL, "ae_detector_predict(m, labels, x, 0)"),
    E(predict_n_max, MUST_FAIL, "ae_detector_predict(m, labels, x, SIZE_MAX)"),
    E(ssim_null_out, MUST_FAIL, "ae_ssim(NULL, a, b, 2, 1, 2, 2, 1)"),
    E(ssim_null_a, MUST_FAIL, "ae_ssim(out, NULL, b, 2, 1, 2, 2, 1)"),
    E(ssim_null_b, MUST_FAIL, "ae_ssim(out, a, NULL, 2, 1, 2, 2, 1)"),
    E(ssim_n0, MAY_FAIL, "ae_ssim: n 0"),
    E(ssim_n_max, MUST_FAIL, "ae_ssim: n SIZE_MAX"),
    E(ssim_c0, MUST_FAIL, "ae_ssim: c 0"),
    E(ssim_h_neg, MUST_FAIL, "ae_ssim: h -2"),
    E(ssim_w0, MUST_FAIL, "ae_ssim: w 0"),
    E(ssim_shape_overflow, MUST_FAIL, "ae_ssim: c*h*w = 2^64 + 4"),
    E(ssim_range0, MUST_FAIL, "ae_ssim: range 0"),
    E(ssim_range_neg, MUST_FAIL, "ae_ssim: range -1"),
    E(ssim_range_nan, MUST_FAIL, "ae_ssim: range NaN"),
    E(ssim_range_inf, MUST_FAIL, "ae_ssim: range inf"),

    /* codes */
    E(knn_null_idx, MUST_FAIL, "ae_knn_search(NULL, dist, db, 5, q, 2, 4, 1, euclidean)"),
    E(knn_null_db, MUST_FAIL, "ae_knn_search(idx, dist, NULL, 5, ...)"),
    E(knn_n0, MUST_FAIL, "ae_knn_search: n 0"),
    E(knn_n_max, MUST_FAIL, "ae_knn_search: n SIZE_MAX"),
    E(knn_null_q, MUST_FAIL, "ae_knn_search(..., NULL queries, ...)"),
    E(knn_nq0, MUST_FAIL, "ae_knn_search: nq 0"),
    E(knn_d0, MUST_FAIL, "ae_knn_search: d 0"),
    E(knn_d_max, MUST_FAIL, "ae_knn_search: d SIZE_MAX"),
    E(knn_k0, MUST_FAIL, "ae_knn_search: k 0"),
    E(knn_k_neg, MUST_FAIL, "ae_knn_search: k -1"),
    E(knn_k_big, MUST_FAIL, "ae_knn_search: k 6 > n 5"),
    E(knn_metric9, MUST_FAIL, "ae_knn_search: metric 9"),
    E(knn_nan_db, MAY_FAIL, "ae_knn_search: a NaN in the database"),
    E(classify_null_pred, MUST_FAIL, "ae_knn_classify(NULL, train, labels, 5, q, 2, 4, 1)"),
    E(classify_null_train, MUST_FAIL, "ae_knn_classify(pred, NULL, labels, ...)"),
    E(classify_null_labels, MUST_FAIL, "ae_knn_classify(pred, train, NULL, ...)"),
    E(classify_n0, MUST_FAIL, "ae_knn_classify: n 0"),
    E(classify_null_q, MUST_FAIL, "ae_knn_classify(..., NULL queries, ...)"),
    E(classify_nq0, MUST_FAIL, "ae_knn_classify: nq 0"),
    E(classify_d0, MUST_FAIL, "ae_knn_classify: d 0"),
    E(classify_d_max, MUST_FAIL, "ae_knn_classify: d SIZE_MAX"),
    E(classify_k0, MUST_FAIL, "ae_knn_classify: k 0"),
    E(classify_k_big, MUST_FAIL, "ae_knn_classify: k 6 > n 5"),
    E(probe_null_pred, MUST_FAIL, "ae_linear_probe(NULL, train, labels, 5, q, 2, 4, 10)"),
    E(probe_null_train, MUST_FAIL, "ae_linear_probe(pred, NULL, labels, ...)"),
    E(probe_null_labels, MUST_FAIL, "ae_linear_probe(pred, train, NULL, ...)"),
    E(probe_n0, MUST_FAIL, "ae_linear_probe: n 0"),
    E(probe_null_q, MUST_FAIL, "ae_linear_probe(..., NULL queries, ...)"),
    E(probe_nq0, MUST_FAIL, "ae_linear_probe: nq 0"),
    E(probe_d0, MUST_FAIL, "ae_linear_probe: d 0"),
    E(probe_d_max, MUST_FAIL, "ae_linear_probe: d SIZE_MAX"),
    E(probe_steps0, MUST_FAIL, "ae_linear_probe: steps 0"),
    E(probe_steps_neg, MUST_FAIL, "ae_linear_probe: steps -1"),
    E(probe_one_class, MUST_FAIL, "ae_linear_probe: one class"),
    E(probe_nan, MUST_FAIL, "ae_linear_probe: a NaN feature"),
    E(code_words0, NEUTRAL, "ae_code_words(0)"),
    E(code_words_small, NEUTRAL, "ae_code_words(1), (64), (65)"),
    E(code_words_max, NEUTRAL, "ae_code_words(SIZE_MAX)"),
    E(binarize_null_bits, MUST_FAIL, "ae_codes_binarize(NULL, codes, 5, 3, 0.5)"),
    E(binarize_null_codes, MUST_FAIL, "ae_codes_binarize(bits, NULL, 5, 3, 0.5)"),
    E(binarize_d0, MUST_FAIL, "ae_codes_binarize: d 0"),
    E(binarize_n0, MAY_FAIL, "ae_codes_binarize: n 0"),
    E(binarize_n_max, MUST_FAIL, "ae_codes_binarize: n SIZE_MAX"),
    E(binarize_d_max, MUST_FAIL, "ae_codes_binarize: d SIZE_MAX"),
    E(binarize_nan, MUST_FAIL, "ae_codes_binarize: threshold NaN"),
    E(hamming_null_idx, MUST_FAIL, "ae_hamming_search(NULL, dist, db, 5, q, 2, 1, 1)"),
    E(hamming_null_db, MUST_FAIL, "ae_hamming_search(idx, dist, NULL, 5, ...)"),
    E(hamming_n0, MUST_FAIL, "ae_hamming_search: n 0"),
    E(hamming_n_max, MUST_FAIL, "ae_hamming_search: n SIZE_MAX"),
    E(hamming_null_q, MUST_FAIL, "ae_hamming_search(..., NULL queries, ...)"),
    E(hamming_nq0, MUST_FAIL, "ae_hamming_search: nq 0"),
    E(hamming_words0, MUST_FAIL, "ae_hamming_search: words 0"),
    E(hamming_words_max, MUST_FAIL, "ae_hamming_search: words SIZE_MAX"),
    E(hamming_k0, MUST_FAIL, "ae_hamming_search: k 0"),
    E(hamming_k_big, MUST_FAIL, "ae_hamming_search: k 6 > n 5"),

    /* PCA */
    E(pca_null_out, MUST_FAIL, "ae_pca_fit(NULL, ds, 2, NULL)"),
    E(pca_null_ds, MUST_FAIL, "ae_pca_fit(&m, NULL, 2, NULL)"),
    E(pca_k0, MUST_FAIL, "ae_pca_fit: k 0"),
    E(pca_k_neg, MUST_FAIL, "ae_pca_fit: k -1"),
    E(pca_k_above_dim, MUST_FAIL, "ae_pca_fit: k 5 > dim 4"),
    E(pca_one_sample, MUST_FAIL, "ae_pca_fit: one sample"),
    E(pca_k_above_n, MUST_FAIL, "ae_pca_fit: k 3 > 2 samples"),

    /* inpainting */
    E(inpaint_null_model, MUST_FAIL, "ae_model_inpaint(NULL, out, x, mask, 5, 3)"),
    E(inpaint_null_out, MUST_FAIL, "ae_model_inpaint(m, NULL, x, mask, 5, 3)"),
    E(inpaint_null_x, MUST_FAIL, "ae_model_inpaint(m, out, NULL, mask, 5, 3)"),
    E(inpaint_null_mask, MUST_FAIL, "ae_model_inpaint(m, out, x, NULL, 5, 3)"),
    E(inpaint_n0, MUST_FAIL, "ae_model_inpaint: n 0"),
    E(inpaint_n_max, MUST_FAIL, "ae_model_inpaint: n SIZE_MAX"),
    E(inpaint_iter0, MUST_FAIL, "ae_model_inpaint: iterations 0"),
    E(inpaint_iter_neg, MUST_FAIL, "ae_model_inpaint: iterations -1"),
    E(inpaint_iter_max, MUST_FAIL, "ae_model_inpaint: iterations INT_MAX"),
};

/* ---- the runner --------------------------------------------------------- */

/* In the child: the entry's call, judged; never returns. */
static _Noreturn void child(const entry *e) {
  struct rlimit no_core = {.rlim_cur = 0, .rlim_max = 0};
  (void)setrlimit(RLIMIT_CORE, &no_core);
  (void)alarm(CHILD_SECONDS);
  int r = e->call();
  if (e->kind == NEUTRAL) _exit(r ? 1 : 0);
  if (r == AE_OK) _exit(e->kind == MUST_FAIL ? 1 : 0);
  if (r < (int)AE_ERR_NOMEM || r > (int)AE_ERR_UNSUPPORTED) _exit(4);
  const char *msg = ae_last_error();
  if (!msg || !msg[0]) _exit(2);
  _exit(0);
}

static const char *exit_meaning(int code, int kind) {
  switch (code) {
  case 1:
    return kind == NEUTRAL ? "not the neutral result" : "a sanitizer report?";
  case 2: return "failed with an empty ae_last_error()";
  case 3: return "setting up the valid arguments failed";
  case 4: return "returned a value that is no ae_status";
  }
  return "unexpected";
}

/* Run one entry in a child; 1 when it kept the contract. */
static int run_entry(const entry *e) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "FAIL: %s: fork: %s\n", e->name, strerror(errno));
    return 0;
  }
  if (pid == 0) child(e);
  int status = 0;
  pid_t w;
  while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (w < 0) {
    fprintf(stderr, "FAIL: %s: waitpid: %s\n", e->name, strerror(errno));
    return 0;
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    fprintf(stderr, "FAIL: %s: killed by signal %d (%s%s)\n", e->name, sig, strsignal(sig),
            sig == SIGALRM ? ": ran too long" : "");
    return 0;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0) return 1;
  if (code == 1 && e->kind == MUST_FAIL)
    fprintf(stderr, "FAIL: %s: returned AE_OK%s\n", e->name,
            AE_TEST_SANITIZED ? " (or a sanitizer report above)" : "");
  else
    fprintf(stderr, "FAIL: %s: exit code %d (%s)\n", e->name, code, exit_meaning(code, e->kind));
  return 0;
}

int main(void) {
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  size_t count = sizeof entries / sizeof entries[0];
  int failed = 0;
  for (size_t i = 0; i < count; i++)
    if (!run_entry(&entries[i])) {
      failed++;
      check_failures++; /* one failed check per entry, its line printed above */
    }
  fprintf(stderr, "test_api: %zu entries run, %d failed\n", count, failed);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
  CHECK_DONE();
}
