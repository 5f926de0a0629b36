/* SPDX-License-Identifier: MIT */
/* test_anomaly.c — ROC AUC, average precision, ROC curve, precision /
 * recall / F1, thresholds: hand-computed cases with ties and scikit-learn
 * fixtures (tests/ref/make_app_fixtures.py); a model as a detector, its
 * threshold across save and load; SSIM against PyTorch
 * (tests/ref/make_ssim_fixtures.py); refused input. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"
#include "fixture.h"
#include "pngio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Three anomalies among nine, ties across the classes at 0.8 and 0.5.
 * AUC: pairs won 6 + 5.5 + 3 of 18 = 29/36. AP: recall steps of 1/3 at
 * precisions 1, 2/3 and 3/7 = 44/63. Best F1 2/3 after the 0.8 group. */
static const float hs[9] = {0.9f, 0.8f, 0.8f, 0.7f, 0.5f, 0.5f, 0.5f, 0.3f, 0.1f};
static const int hy[9] = {1, 1, 0, 0, 1, 0, 0, 0, 0};

static void hand_cases(void) {
  double auc, ap;
  CHECK_OK(ae_roc_auc(&auc, hs, hy, 9));
  CHECK_NEAR(auc, 29.0 / 36.0, 1e-12);
  CHECK_OK(ae_average_precision(&ap, hs, hy, 9));
  CHECK_NEAR(ap, 44.0 / 63.0, 1e-12);
  /* the order of the samples does not matter */
  float rs[9];
  int ry[9];
  for (int i = 0; i < 9; i++) rs[i] = hs[8 - i], ry[i] = hy[8 - i];
  CHECK_OK(ae_roc_auc(&auc, rs, ry, 9));
  CHECK_NEAR(auc, 29.0 / 36.0, 1e-12);
  CHECK_OK(ae_average_precision(&ap, rs, ry, 9));
  CHECK_NEAR(ap, 44.0 / 63.0, 1e-12);

  /* all tied: AUC one half, AP the anomaly fraction */
  float flat[4] = {1, 1, 1, 1};
  int fy[4] = {1, 0, 0, 0};
  CHECK_OK(ae_roc_auc(&auc, flat, fy, 4));
  CHECK_NEAR(auc, 0.5, 1e-12);
  CHECK_OK(ae_average_precision(&ap, flat, fy, 4));
  CHECK_NEAR(ap, 0.25, 1e-12);
  /* perfectly separated, and reversed */
  float sep[4] = {4, 3, 2, 1};
  int sy[4] = {1, 1, 0, 0}, sr[4] = {0, 0, 1, 1};
  CHECK_OK(ae_roc_auc(&auc, sep, sy, 4));
  CHECK_NEAR(auc, 1.0, 0);
  CHECK_OK(ae_roc_auc(&auc, sep, sr, 4));
  CHECK_NEAR(auc, 0.0, 0);

  /* ROC curve: (0,0), then one point per distinct score; its trapezoid
   * area is the AUC */
  double fpr[10], tpr[10];
  size_t np = 0;
  CHECK_OK(ae_roc_curve(fpr, tpr, &np, hs, hy, 9));
  CHECK(np == 7);
  const double wf[7] = {0, 0, 1 / 6.0, 2 / 6.0, 4 / 6.0, 5 / 6.0, 1};
  const double wt[7] = {0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1, 1};
  double area = 0.0;
  for (size_t i = 0; i < np && i < 7; i++) {
    CHECK_NEAR(fpr[i], wf[i], 1e-12);
    CHECK_NEAR(tpr[i], wt[i], 1e-12);
    if (i) area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2.0;
  }
  CHECK_NEAR(area, 29.0 / 36.0, 1e-12);

  /* at 0.6: 0.9, 0.8, 0.8, 0.7 called anomalies */
  ae_binary_metrics bm;
  CHECK_OK(ae_binary_metrics_at(&bm, hs, hy, 9, 0.6));
  CHECK(bm.tp == 2 && bm.fp == 2 && bm.fn == 1 && bm.tn == 4);
  CHECK_NEAR(bm.precision, 0.5, 1e-12);
  CHECK_NEAR(bm.recall, 2.0 / 3.0, 1e-12);
  CHECK_NEAR(bm.f1, 4.0 / 7.0, 1e-12);
  /* the threshold itself is not above: 0.8 at 0.8 is normal */
  CHECK_OK(ae_binary_metrics_at(&bm, hs, hy, 9, (double)0.8f));
  CHECK(bm.tp == 1 && bm.fp == 0);
  /* nothing predicted: precision and F1 0, not NaN */
  CHECK_OK(ae_binary_metrics_at(&bm, hs, hy, 9, 5.0));
  CHECK(bm.tp == 0 && bm.fp == 0 && bm.precision == 0.0 && bm.f1 == 0.0);

  CHECK_OK(ae_best_f1(&bm, hs, hy, 9));
  CHECK_NEAR(bm.f1, 2.0 / 3.0, 1e-12);
  CHECK_NEAR(bm.threshold, 0.75, 1e-7);
  CHECK(bm.tp == 2 && bm.fp == 1 && bm.fn == 1 && bm.tn == 5);
  ae_binary_metrics again;
  CHECK_OK(ae_binary_metrics_at(&again, hs, hy, 9, bm.threshold));
  CHECK(again.tp == bm.tp && again.fp == bm.fp);
  /* best when everything is called an anomaly: a threshold below all */
  float one[3] = {1, 2, 3};
  int all[3] = {1, 1, 1};
  CHECK_OK(ae_best_f1(&bm, one, all, 3));
  CHECK(bm.f1 == 1.0 && bm.threshold < 1.0 && bm.threshold > 0.99);
}

static void thresholds(void) {
  float s[10];
  for (int i = 0; i < 10; i++) s[i] = (float)(10 - i); /* 10..1, unsorted is fine */
  double t;
  CHECK_OK(ae_threshold_contamination(&t, s, 10, 0.1));
  CHECK_NEAR(t, 9.1, 1e-9); /* numpy.percentile(1..10, 90) */
  CHECK_OK(ae_threshold_contamination(&t, s, 10, 0.25));
  CHECK_NEAR(t, 7.75, 1e-9);
  CHECK_OK(ae_threshold_contamination(&t, s, 10, 0.5));
  CHECK_NEAR(t, 5.5, 1e-9);
  CHECK_OK(ae_threshold_percentile(&t, s, 10, 100.0));
  CHECK_NEAR(t, 10.0, 0);
  CHECK_OK(ae_threshold_percentile(&t, s, 10, 0.0));
  CHECK_NEAR(t, 1.0, 0);
  CHECK_OK(ae_threshold_contamination(&t, s, 1, 0.3));
  CHECK_NEAR(t, 10.0, 0);
  CHECK_FAILS(ae_threshold_contamination(&t, s, 10, 0.0), AE_ERR_ARG, "(0, 0.5]");
  CHECK_FAILS(ae_threshold_contamination(&t, s, 10, 0.51), AE_ERR_ARG, "(0, 0.5]");
  CHECK_FAILS(ae_threshold_contamination(&t, s, 10, -0.1), AE_ERR_ARG, "contamination");
  CHECK_FAILS(ae_threshold_contamination(&t, s, 10, NAN), AE_ERR_ARG, "contamination");
  CHECK_FAILS(ae_threshold_percentile(&t, s, 10, 100.5), AE_ERR_ARG, "percentile");
  CHECK_FAILS(ae_threshold_contamination(&t, s, 0, 0.1), AE_ERR_ARG, "no scores");
  s[3] = INFINITY;
  CHECK_FAILS(ae_threshold_contamination(&t, s, 10, 0.1), AE_ERR_NUMERIC, "score 3");
}

static void refused(void) {
  double v;
  int none[3] = {0, 0, 0}, both[3] = {0, 1, 0};
  float s[3] = {1, 2, 3}, nan3[3] = {1, NAN, 3};
  CHECK_FAILS(ae_roc_auc(&v, s, none, 3), AE_ERR_ARG, "anomaly");
  CHECK_FAILS(ae_roc_auc(&v, s, (int[]){1, 1, 1}, 3), AE_ERR_ARG, "normal");
  CHECK_FAILS(ae_average_precision(&v, s, none, 3), AE_ERR_ARG, "anomaly");
  CHECK_FAILS(ae_roc_auc(&v, nan3, both, 3), AE_ERR_NUMERIC, "NaN");
  CHECK_FAILS(ae_roc_auc(&v, s, both, 0), AE_ERR_ARG, "no samples");
}

static void against_sklearn(void) {
  fx_file *f = fx_load("anomaly.fx");
  size_t n, nl;
  const float *s = fx_get(f, "scores", &n), *lf = fx_get(f, "labels", &nl);
  CHECK(n == nl && n == 300);
  int *y = malloc(n * sizeof *y);
  for (size_t i = 0; i < n; i++) y[i] = lf[i] > 0.5f;
  double auc, ap, t;
  CHECK_OK(ae_roc_auc(&auc, s, y, n));
  CHECK_NEAR(auc, fx_get(f, "auc", NULL)[0], 1e-6);
  CHECK_OK(ae_average_precision(&ap, s, y, n));
  CHECK_NEAR(ap, fx_get(f, "ap", NULL)[0], 1e-6);
  CHECK_OK(ae_threshold_contamination(&t, s, n, 0.1));
  CHECK_NEAR(t, fx_get(f, "q90", NULL)[0], 1e-6);
  CHECK_OK(ae_threshold_contamination(&t, s, n, 0.25));
  CHECK_NEAR(t, fx_get(f, "q75", NULL)[0], 1e-6);
  /* the ROC curve's trapezoid area is the AUC here too */
  double *fpr = malloc((n + 1) * sizeof *fpr), *tpr = malloc((n + 1) * sizeof *tpr);
  size_t np;
  CHECK_OK(ae_roc_curve(fpr, tpr, &np, s, y, n));
  double area = 0.0;
  for (size_t i = 1; i < np; i++) area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2.0;
  CHECK_NEAR(area, auc, 1e-12);
  CHECK(np > 10 && np < n && fpr[np - 1] == 1.0 && tpr[np - 1] == 1.0);
  /* and the picture of it */
  char dir[] = "/tmp/aekit-roc-XXXXXX", path[64];
  CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/roc.png", dir);
  CHECK_OK(ae_plot_roc_curve(path, fpr, tpr, np, auc, "sklearn #fixture", NULL, NULL));
  unsigned char *pix = NULL;
  int w = 0, h = 0, dark = 0;
  CHECK_OK(ae_png_read_gray(path, &pix, &w, &h));
  CHECK(w == 760 && h == 600);
  for (int i = 0; pix && i < w * h; i++) dark += pix[i] < 128;
  CHECK(dark > 2000 && dark < w * h / 4); /* axes, curve, text on white */
  free(pix);
  remove(path);
  fpr[1] = 1.5;
  CHECK_FAILS(ae_plot_roc_curve(path, fpr, tpr, np, auc, "", NULL, NULL), AE_ERR_ARG, "outside");
  CHECK(access(path, F_OK) != 0);
  rmdir(dir);
  free(fpr);
  free(tpr);
  free(y);
  fx_free(f);
}

/* ae_ssim against torch conv2d with the same window (ssim.fx): a pair of
 * identical images gives 1, the order of a pair does not matter. */
static void ssim_cases(void) {
  fx_file *f = fx_load("ssim.fx");
  static const char *const cases[] = {"ssim_a", "ssim_small", "ssim_r255"};
  char name[64];
  for (int k = 0; k < 3; k++) {
    snprintf(name, sizeof name, "%s.cfg", cases[k]);
    const float *cfg = fx_get(f, name, NULL);
    int n = (int)cfg[0], c = (int)cfg[1], h = (int)cfg[2], w = (int)cfg[3];
    snprintf(name, sizeof name, "%s.a", cases[k]);
    const float *a = fx_get(f, name, NULL);
    snprintf(name, sizeof name, "%s.b", cases[k]);
    const float *b = fx_get(f, name, NULL);
    snprintf(name, sizeof name, "%s.ssim", cases[k]);
    const float *ref = fx_get(f, name, NULL);
    float got[4], swapped[4];
    CHECK_OK(ae_ssim(got, a, b, (size_t)n, c, h, w, cfg[4]));
    CHECK_OK(ae_ssim(swapped, b, a, (size_t)n, c, h, w, cfg[4]));
    CHECK_NEAR(got[0], 1.0, 1e-6);
    for (int i = 0; i < n; i++) {
      CHECK_NEAR(got[i], ref[i], 1e-6);
      CHECK_NEAR(swapped[i], got[i], 1e-7);
    }
    CHECK(got[1] < 0.9f); /* the noisy pair is not near 1 */
  }
  float one[4] = {0.5f, 0.5f, 0.5f, 0.5f}, nan4[4] = {0.5f, NAN, 0.5f, 0.5f}, out[1];
  CHECK_FAILS(ae_ssim(out, one, one, 1, 1, 2, 2, 0.0f), AE_ERR_ARG, "range");
  CHECK_FAILS(ae_ssim(out, one, one, 1, 1, 0, 2, 1.0f), AE_ERR_ARG, "shape");
  CHECK_FAILS(ae_ssim(out, one, NULL, 1, 1, 2, 2, 1.0f), AE_ERR_ARG, "no images");
  CHECK_FAILS(ae_ssim(out, one, nan4, 1, 1, 2, 2, 1.0f), AE_ERR_NUMERIC, "sample 0");
  fx_free(f);
}

/* A 2 -> 1 -> 2 linear model keeping the first feature: the MSE score of
 * (a, b) is b^2 / 2, exactly. */
static void detector(void) {
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "dense:1:identity|dense:2:identity;loss=mse", 1, 1, 2, 1));
  if (!m) return;
  float *p = ae_model_params(m); /* enc W (1,2), b (1); dec W (2,1), b (2) */
  const float par[7] = {1, 0, 0, 1, 0, 0, 0};
  for (int i = 0; i < 7; i++) p[i] = par[i];
  enum { N = 10 };
  float x[2 * N], s[N];
  for (int i = 0; i < N; i++) x[2 * i] = (float)i, x[2 * i + 1] = (float)(i + 1); /* b = 1..10 */
  CHECK_OK(ae_detector_scores(m, s, x, N));
  for (int i = 0; i < N; i++) CHECK_NEAR(s[i], (i + 1) * (i + 1) / 2.0, 1e-5);
  double t;
  CHECK_FAILS(ae_detector_threshold(m, &t), AE_ERR_ARG, "no anomaly threshold");
  int pred[N];
  CHECK_FAILS(ae_detector_predict(m, pred, x, N), AE_ERR_ARG, "threshold");
  CHECK_FAILS(ae_detector_fit(m, x, N, AE_THRESHOLD_CONTAMINATION, 0.6), AE_ERR_ARG, "(0, 0.5]");
  CHECK_FAILS(ae_detector_fit(m, x, N, AE_THRESHOLD_CONTAMINATION, 0.0), AE_ERR_ARG, "(0, 0.5]");
  /* contamination 0.2: the 0.8 quantile of {0.5, 2, 4.5, ..., 50}:
   * between 32 and 40.5, at 0.2 of the way: 33.7 */
  CHECK_OK(ae_detector_fit(m, x, N, AE_THRESHOLD_CONTAMINATION, 0.2));
  CHECK_OK(ae_detector_threshold(m, &t));
  CHECK_NEAR(t, 33.7, 1e-5);
  CHECK_OK(ae_detector_predict(m, pred, x, N));
  int flagged = 0;
  for (int i = 0; i < N; i++) flagged += pred[i];
  CHECK(flagged == 2 && pred[8] && pred[9]);
  CHECK(strstr(ae_model_metadata(m), "\"contamination\"") != NULL);

  /* the threshold survives save and load */
  char dir[] = "/tmp/aekit-anomaly-XXXXXX", path[64];
  CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/d.safetensors", dir);
  CHECK_OK(ae_model_save(m, path));
  ae_model *back = NULL;
  CHECK_OK(ae_model_load(&back, path));
  if (back) {
    double t2 = 0;
    CHECK_OK(ae_detector_threshold(back, &t2));
    CHECK(t2 == t);
    CHECK(strstr(ae_model_metadata(back), "\"detector\"") != NULL);
    CHECK_OK(ae_detector_fit(back, x, N, AE_THRESHOLD_PERCENTILE, 50.0));
    CHECK_OK(ae_detector_threshold(back, &t2));
    CHECK_NEAR(t2, (12.5 + 18.0) / 2.0, 1e-5);
    CHECK_OK(ae_detector_set_threshold(back, 1.0));
    CHECK_OK(ae_detector_threshold(back, &t2));
    CHECK(t2 == 1.0);
    CHECK_FAILS(ae_detector_set_threshold(back, NAN), AE_ERR_NUMERIC, "not finite");
  }
  ae_model_free(back);
  remove(path);
  rmdir(dir);

  /* BCE score: mean over features of -(t log y + (1-t) log(1-y)) */
  ae_model *b = NULL;
  CHECK_OK(ae_model_create(&b, "dense:1:identity|dense:2:sigmoid;loss=bce", 1, 1, 2, 1));
  if (b) {
    float *q = ae_model_params(b);
    for (int i = 0; i < 7; i++) q[i] = 0.0f; /* output sigmoid(0) = 0.5 */
    float xb[4] = {0, 1, 0.25f, 0.5f}, sb[2];
    CHECK_OK(ae_detector_scores(b, sb, xb, 2));
    CHECK_NEAR(sb[0], log(2.0), 1e-6);
    CHECK_NEAR(sb[1], log(2.0), 1e-6);
  }
  ae_model_free(b);
  ae_model_free(m);
}

int main(void) {
  hand_cases();
  thresholds();
  refused();
  against_sklearn();
  ssim_cases();
  detector();
  CHECK_DONE();
}
