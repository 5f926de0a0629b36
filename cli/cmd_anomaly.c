/* SPDX-License-Identifier: MIT */
/* cmd_anomaly.c — aekit score (anomaly scores, and with labels ROC AUC,
 * average precision, precision/recall/F1, a ROC curve) and aekit
 * fit-threshold (store a threshold in the model); helpers the application
 * commands share. */
#include "apps.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int apps_parse(int argc, char **argv, const char *cmd, const char *usage, const cli_opt *opts,
               const char **model) {
  const char *pos[1];
  int n;
  int r = cli_parse(argc, argv, cmd, usage, opts, pos, 1, &n);
  if (r) return r;
  if (n == 1 && *model) return cli_error("%s: give the model once (MODEL or --model)", cmd);
  if (n == 1) *model = pos[0];
  if (!*model) return cli_error("%s: no model file given (see aekit %s --help)", cmd, cmd);
  return 0;
}

int apps_anomaly_truth(int *is_anomaly, const ae_dataset *ds, const char *anomaly,
                       const char *normal, const char *cmd) {
  const int32_t *labels = ae_dataset_labels(ds);
  size_t n = ae_dataset_count(ds);
  enum { MAX_CLASSES = 1024 };
  int32_t classes[MAX_CLASSES];
  if (anomaly && normal)
    return cli_error("%s: give --anomaly-classes or --normal-classes, not both", cmd);
  const char *list = anomaly ? anomaly : normal;
  int k = 0;
  char what[64];
  snprintf(what, sizeof what, "%s: --%s-classes", cmd, anomaly ? "anomaly" : "normal");
  if (list && (k = cli_parse_classes(what, list, ds, classes, MAX_CLASSES)) < 0) return 1;
  for (size_t i = 0; i < n; i++) {
    if (!list) {
      if (labels[i] != 0 && labels[i] != 1)
        return cli_error("%s: label %d of sample %zu is not 0/1: say which classes are "
                         "normal (--normal-classes) or anomalies (--anomaly-classes)",
                         cmd, (int)labels[i], i);
      is_anomaly[i] = labels[i];
      continue;
    }
    int in = 0;
    for (int c = 0; c < k && !in; c++) in = labels[i] == classes[c];
    is_anomaly[i] = anomaly ? in : !in;
  }
  return 0;
}

static void print_metrics(const char *what, const ae_binary_metrics *b) {
  printf("%-28s %.6g  precision %.4f  recall %.4f  f1 %.4f  (tp %zu fp %zu fn %zu tn %zu)\n",
         what, b->threshold, b->precision, b->recall, b->f1, b->tp, b->fp, b->fn, b->tn);
}

/* The threshold to apply: given here (--contamination/--percentile on the
 * scored data), else the model's (m NULL: none); *have = 0 when there is
 * none. */
static int pick_threshold(double *t, int *have, char *how, size_t len, const ae_model *m,
                          const float *s, size_t n, double contamination, double percentile) {
  *have = 1;
  if (!isnan(contamination)) {
    if (ae_threshold_contamination(t, s, n, contamination)) return cli_fail();
    snprintf(how, len, "contamination %g of these data", (double)contamination);
  } else if (!isnan(percentile)) {
    if (ae_threshold_percentile(t, s, n, percentile)) return cli_fail();
    snprintf(how, len, "percentile %g of these data", (double)percentile);
  } else if (m && ae_detector_threshold(m, t) == AE_OK) {
    snprintf(how, len, "stored in the model");
  } else {
    *have = 0;
  }
  return 0;
}

/* 1 - SSIM of each sample and its reconstruction (inputs scaled to [0, 1]),
 * in chunks so the reconstructions stay small. -1: error already printed,
 * 1: the library's error. */
static int ssim_scores(ae_model *m, float *s, const float *x, size_t n) {
  enum { CHUNK = 1024 };
  int c, h, w;
  ae_model_input_shape(m, &c, &h, &w);
  size_t d = ae_model_input_dim(m);
  float *r = malloc(CHUNK * d * sizeof *r);
  if (!r) return cli_error("score: out of memory"), -1;
  for (size_t i = 0; i < n; i += CHUNK) {
    size_t b = n - i < CHUNK ? n - i : CHUNK;
    if (ae_model_reconstruct(m, r, x + i * d, b) || ae_ssim(s + i, x + i * d, r, b, c, h, w, 1.0f)) {
      free(r);
      return 1;
    }
    for (size_t j = 0; j < b; j++) s[i + j] = 1.0f - s[i + j];
  }
  free(r);
  return 0;
}

/* A series model's per-step scores: mean of the covering windows, flagged
 * where all of them are above t; printed in spans, written as CSV and
 * drawn as asked. x holds the n windows (W, F) the scores s came from. */
static int step_scores(const ae_model *m, const float *s, size_t n, int stride, size_t steps,
                       double t, int have, const float *x, const char *csv, const char *plot,
                       const char *range, const char *name) {
  int c, win, f;
  ae_model_input_shape(m, &c, &win, &f);
  float *mean = malloc(steps * 2 * sizeof(float)), *val = mean + steps;
  unsigned char *flag = malloc(steps);
  int rc = 1;
  if (!mean || !flag) {
    cli_error("score: out of memory");
    goto done;
  }
  if (ae_series_step_scores(mean, flag, s, n, win, stride, steps, t)) {
    cli_fail();
    goto done;
  }
  size_t flagged = 0, spans = 0;
  for (size_t i = 0; i < steps; i++) {
    flagged += flag[i];
    spans += flag[i] && (i == 0 || !flag[i - 1]);
  }
  printf("steps %zu in %zu windows of %d every %d\n", steps, n, win, stride);
  if (have) {
    printf("flagged steps %zu in %zu span%s (every window covering them above the threshold)\n",
           flagged, spans, spans == 1 ? "" : "s");
    size_t shown = 0;
    for (size_t i = 0; i < steps && shown < 20; i++)
      if (flag[i] && (i == 0 || !flag[i - 1])) {
        size_t e = i;
        while (e + 1 < steps && flag[e + 1]) e++;
        printf("  span %zu-%zu (%zu steps)\n", i, e, e - i + 1);
        shown++;
      }
    if (spans > shown) printf("  ... %zu more spans\n", spans - shown);
  }
  if (ae_mpi_rank() != 0) { /* rank 0 writes */
    rc = 0;
    goto done;
  }
  if (csv) {
    double *t = malloc(steps * 3 * sizeof *t); /* (steps, 3): step, score, flagged */
    if (!t) {
      cli_error("%s: out of memory", csv);
      goto done;
    }
    for (size_t i = 0; i < steps; i++)
      t[3 * i] = (double)i, t[3 * i + 1] = (double)mean[i], t[3 * i + 2] = flag[i] && have;
    ae_status st = ae_table_save(csv, "step,score,flagged", t, steps, 3);
    free(t);
    if (st) {
      cli_fail();
      goto done;
    }
    fprintf(cli_notes(csv), "wrote %zu step scores to %s\n", steps, csv);
  }
  if (plot) { /* channel 0, as the model sees it (scaled), from the windows */
    for (size_t i = 0; i < steps; i++) {
      size_t w = i / (size_t)stride < n ? i / (size_t)stride : n - 1;
      size_t at = i - w * (size_t)stride;
      val[i] = at < (size_t)win ? x[(w * (size_t)win + at) * (size_t)f] : NAN;
    }
    size_t a = 0, b = steps - 1;
    if (range) { /* A:B, or "worst:R": R steps either side of the highest step score */
      unsigned long long ra, rb;
      char tail;
      if (sscanf(range, "worst:%llu%c", &ra, &tail) == 1) {
        size_t top = 0;
        for (size_t i = 1; i < steps; i++)
          if (mean[i] > mean[top] || isnan(mean[top])) top = i;
        a = top > ra ? top - (size_t)ra : 0;
        b = top + (size_t)ra < steps ? top + (size_t)ra : steps - 1;
      } else if (sscanf(range, "%llu:%llu%c", &ra, &rb, &tail) == 2 && ra < rb && rb < steps) {
        a = (size_t)ra, b = (size_t)rb;
      } else {
        cli_error("score: --plot-steps '%s' is not A:B (0 <= A < B < %zu) or worst:R", range, steps);
        goto done;
      }
    }
    char title[160];
    snprintf(title, sizeof title, "%.100s: anomaly scores", name ? name : "series");
    if (ae_plot_series(plot, val + a, mean + a, have ? flag + a : NULL, b - a + 1, a, title)) {
      cli_fail();
      goto done;
    }
    printf("wrote %s\n", plot);
  }
  rc = 0;
done:
  free(mean);
  free(flag);
  return rc;
}

static const char *score_usage =
    "usage: aekit score MODEL --data FILE [--labels FILE] [-o SCORES.csv|.npy] [--roc ROC.png]\n"
    "                   [--normal-classes LIST | --anomaly-classes LIST]\n"
    "                   [--contamination C | --percentile P] [--score recon|ssim]\n\n"
    "Anomaly score of every sample: its reconstruction error (the model's loss,\n"
    "MSE or BCE, mean over the sample's features; higher = more anomalous), or\n"
    "with --score ssim 1 - SSIM of the image and its reconstruction (structure\n"
    "rather than intensity; the model's stored threshold is for the default\n"
    "score, so give --contamination or --percentile for this one).\n"
    "With labels: ROC AUC, average precision, precision/recall/F1 at the\n"
    "threshold (the model's, see aekit fit-threshold, or one set here from\n"
    "these data) and at the best-F1 threshold, and --roc draws the ROC curve.\n"
    "A model of windows of a series (aekit train --window) scores the windows\n"
    "of the series given; each step gets the mean score of the windows that\n"
    "cover it, and is flagged when every one of them is above the threshold\n"
    "(--steps writes step,score,flagged as CSV; --plot draws the series, or\n"
    "with --plot-steps a part of it).\n"
    "Which labels are anomalies: --normal-classes (e.g. the class the model was\n"
    "trained on) or --anomaly-classes; without either, labels must be 0/1.";

int cmd_score(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL, *roc = NULL, *anomaly = NULL, *normal = NULL;
  const char *kind = "recon", *steps_path = NULL, *plot = NULL, *plot_range = NULL;
  double contamination = NAN, percentile = NAN;
  size_t steps = 0;
  int predict = 0;
  d.series_steps = &steps;
  const cli_opt opts[] = {
      {"--predict", NULL, OPT_FLAG, &predict, "-o gets a second column: 1 above the threshold, else 0 (as PyOD's predict)"},
      {"--steps", NULL, OPT_OUTPUT, &steps_path, "series: per-step scores and flags as CSV"},
      {"--plot", NULL, OPT_OUTPUT, &plot, "series: the series, its scores and flagged spans as PNG"},
      {"--plot-steps", NULL, OPT_STRING, &plot_range, "series: draw steps A:B only, or worst:R (R steps around the highest score)"},
      {"--score", NULL, OPT_STRING, &kind, "recon (default) or ssim: 1 - SSIM of image and reconstruction"},
      {"--model", "-m", OPT_STRING, &model, "model file (or give it as MODEL)"},
      {"--output", "-o", OPT_OUTPUT, &output, "scores: .npy or .csv, one per sample"},
      {"--roc", NULL, OPT_OUTPUT, &roc, "ROC curve PNG (needs labels)"},
      {"--normal-classes", NULL, OPT_STRING, &normal, "labels that are normal, e.g. 0 or 0,1"},
      {"--anomaly-classes", NULL, OPT_STRING, &anomaly, "labels that are anomalies"},
      {"--contamination", NULL, OPT_DOUBLE, &contamination, "threshold: this fraction of these data above it, (0, 0.5]"},
      {"--percentile", NULL, OPT_DOUBLE, &percentile, "threshold: this percentile of these data's scores"},
      DATA_OPTS(d), OPTS_END};
  int r = apps_parse(argc, argv, "score", score_usage, opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!isnan(contamination) && !(contamination > 0.0f && contamination <= 0.5f))
    return cli_error("score: --contamination %g must be in (0, 0.5]", (double)contamination);
  if (!isnan(percentile) && !(percentile >= 0.0f && percentile <= 100.0f))
    return cli_error("score: --percentile %g must be in [0, 100]", (double)percentile);
  if (!isnan(contamination) && !isnan(percentile))
    return cli_error("score: give --contamination or --percentile, not both");
  int by_ssim = !strcmp(kind, "ssim");
  if (!by_ssim && strcmp(kind, "recon"))
    return cli_error("score: --score '%s' is not recon or ssim", kind);
  if (cli_plots_check("score", "--roc", roc) || cli_plots_check("score", "--plot", plot))
    return 1;
  ae_model *m;
  ae_dataset *ds;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  cli_progress_model(m, "score");
  size_t n = ae_dataset_count(ds);
  const int32_t *labels = ae_dataset_labels(ds);
  float *s = malloc(n * sizeof *s);
  int *y = malloc(n * sizeof *y);
  double *fpr = NULL, *tpr = NULL;
  int rc = 1;
  if (!s || !y) {
    cli_error("score: out of memory");
    goto out;
  }
  if ((roc || anomaly || normal) && !labels) {
    cli_error("score: %s needs labels (--labels FILE)",
              roc ? "--roc" : anomaly ? "--anomaly-classes" : "--normal-classes");
    goto out;
  }
  if (labels && apps_anomaly_truth(y, ds, anomaly, normal, "score")) goto out;
  int e = by_ssim ? ssim_scores(m, s, ae_dataset_data(ds), n)
                  : ae_detector_scores(m, s, ae_dataset_data(ds), n) != AE_OK;
  if (e < 0) goto out;
  if (e) goto fail;
  double mean = 0.0, t = 0.0;
  for (size_t i = 0; i < n; i++) mean += s[i];
  printf("samples %zu\nscore (%s): mean %.6g\n", n,
         by_ssim                                  ? "1 - ssim of the reconstruction"
         : ae_model_is_variational(m)             ? "negative elbo per sample, nats"
         : ae_model_loss(m) == AE_LOSS_BCE ? "bce per feature" : "mse per feature",
         mean / (double)n);
  int have;
  char how[96];
  if (pick_threshold(&t, &have, how, sizeof how, by_ssim ? NULL : m, s, n, contamination,
                     percentile))
    goto out;
  if (have) {
    size_t above = 0;
    for (size_t i = 0; i < n; i++) above += (double)s[i] > t;
    printf("threshold %.6g (%s): %zu of %zu samples above it\n", t, how, above, n);
  }
  if (predict && (!have || !output)) {
    cli_error("score: --predict needs a threshold (the model's, --contamination or --percentile) "
              "and -o FILE");
    goto out;
  }
  int stride;
  if (ae_model_series(m, &stride, NULL, NULL, NULL)) {
    if (step_scores(m, s, n, stride, steps, have ? t : INFINITY, have, ae_dataset_data(ds),
                    steps_path, plot, plot_range, d.path))
      goto out;
  } else if (steps_path || plot) {
    cli_error("score: --%s is for models of windows of a series (aekit train --window)",
              steps_path ? "steps" : "plot");
    goto out;
  }
  if (labels) {
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) pos += (size_t)y[i];
    printf("anomalies %zu, normal %zu\n", pos, n - pos);
    double auc, ap;
    ae_binary_metrics at, best;
    if (ae_roc_auc(&auc, s, y, n) || ae_average_precision(&ap, s, y, n) ||
        ae_best_f1(&best, s, y, n))
      goto fail;
    printf("roc_auc %.4f\naverage_precision %.4f\n", auc, ap);
    if (have) {
      if (ae_binary_metrics_at(&at, s, y, n, t)) goto fail;
      print_metrics("at the threshold", &at);
    }
    print_metrics("at the best-F1 threshold", &best);
    if (roc && ae_mpi_rank() == 0) { /* rank 0 writes */
      size_t np;
      if (!(fpr = malloc((n + 1) * sizeof *fpr)) || !(tpr = malloc((n + 1) * sizeof *tpr))) {
        cli_error("score: out of memory");
        goto out;
      }
      char title[160];
      snprintf(title, sizeof title, "%.120s: ROC", d.path ? d.path : "test set");
      if (ae_roc_curve(fpr, tpr, &np, s, y, n) ||
          ae_plot_roc_curve(roc, fpr, tpr, np, auc, title, have ? &at : &best,
                            have ? "threshold" : "best F1"))
        goto fail;
      printf("wrote %s\n", roc);
    }
  }
  if (output && ae_mpi_rank() == 0) {
    if (predict) { /* two columns: the score, and 1 above the threshold, else 0 */
      float *sp = malloc(2 * n * sizeof *sp);
      if (!sp) {
        cli_error("score: out of memory");
        goto out;
      }
      for (size_t i = 0; i < n; i++) sp[2 * i] = s[i], sp[2 * i + 1] = (double)s[i] > t ? 1.0f : 0.0f;
      ae_status st = ae_array_save(output, sp, n, 2);
      free(sp);
      if (st) goto fail;
    } else if (ae_array_save(output, s, n, 1)) {
      goto fail;
    }
    fprintf(cli_notes(output), "wrote %zu scores%s to %s\n", n, predict ? " and predictions" : "",
            output);
  }
  rc = 0;
  goto out;
fail:
  cli_fail();
out:
  free(fpr);
  free(tpr);
  free(s);
  free(y);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

static const char *fit_usage =
    "usage: aekit fit-threshold MODEL --data TRAIN (--contamination C | --percentile P)\n"
    "                           [-o OUT.safetensors]\n\n"
    "Score the (normal) training data and store an anomaly threshold in the\n"
    "model: the (1 - C) quantile of the scores (PyOD's contamination rule:\n"
    "about a fraction C of the training samples lie above it) or their P-th\n"
    "percentile. Writes the model back in place, or to -o.";

int cmd_fit_threshold(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL;
  double contamination = NAN, percentile = NAN;
  const cli_opt opts[] = {
      {"--model", "-m", OPT_STRING, &model, "model file (or give it as MODEL)"},
      {"--output", "-o", OPT_OUTPUT, &output, "model file to write (default: MODEL itself)"},
      {"--contamination", NULL, OPT_DOUBLE, &contamination, "expected fraction of anomalies, (0, 0.5]"},
      {"--percentile", NULL, OPT_DOUBLE, &percentile, "or: this percentile of the training scores"},
      DATA_OPTS(d), OPTS_END};
  int r = apps_parse(argc, argv, "fit-threshold", fit_usage, opts, &model);
  if (r) return r == 2 ? 0 : 1;
  int by_pct = !isnan(percentile);
  if (!isnan(contamination) && by_pct)
    return cli_error("fit-threshold: give --contamination or --percentile, not both");
  if (isnan(contamination) && !by_pct)
    return cli_error("fit-threshold: give --contamination C or --percentile P");
  if (!by_pct && !(contamination > 0.0f && contamination <= 0.5f))
    return cli_error("fit-threshold: --contamination %g must be in (0, 0.5]", (double)contamination);
  if (by_pct && !(percentile >= 0.0f && percentile <= 100.0f))
    return cli_error("fit-threshold: --percentile %g must be in [0, 100]", (double)percentile);
  if (!d.path)
    return cli_error("fit-threshold: no training data (--data FILE: the normal data it was trained on)");
  ae_model *m;
  ae_dataset *ds;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  double t;
  int rc = 0;
  if (ae_detector_fit(m, ae_dataset_data(ds), ae_dataset_count(ds),
                      by_pct ? AE_THRESHOLD_PERCENTILE : AE_THRESHOLD_CONTAMINATION,
                      by_pct ? percentile : contamination) ||
      ae_detector_threshold(m, &t) || ae_model_save(m, output ? output : model))
    rc = cli_fail();
  else
    printf("threshold %.6g from %zu samples (%s %g), saved in %s\n", t, ae_dataset_count(ds),
           by_pct ? "percentile" : "contamination", by_pct ? (double)percentile : (double)contamination,
           output ? output : model);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}
