/* SPDX-License-Identifier: MIT */
/* cmd_train.c — aekit train. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int tty;
  double last; /* time of the last bar update */
} progress_state;

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A bar on stderr when it is a terminal; one line per epoch on stdout. */
static void on_progress(const ae_progress *p, void *user) {
  progress_state *s = user;
  if (!p->epoch_end) {
    double t = mono_s();
    if (!s->tty || (t - s->last < 0.1 && p->done < p->total)) return;
    s->last = t;
    int width = 30, fill = (int)(width * (double)p->done / (double)p->total);
    double eta = p->samples_per_s > 0 ? (double)(p->total - p->done) / p->samples_per_s : 0;
    fprintf(stderr, "\repoch %d/%d [%.*s%*s] %zu/%zu loss %.4f  %.0f samples/s  ETA %.0fs ",
            p->epoch, p->epochs, fill, "==============================", width - fill, "",
            p->done, p->total, p->loss, p->samples_per_s, eta);
    fflush(stderr);
    return;
  }
  if (s->tty) fprintf(stderr, "\r\033[K");
  printf("epoch %d/%d  loss %.6f", p->epoch, p->epochs, p->loss);
  if (!isnan(p->val_loss)) printf("  val_loss %.6f%s", p->val_loss, p->improved ? " *" : "");
  printf("  %.1fs  %.0f samples/s\n", p->elapsed_s, p->samples_per_s);
  fflush(stdout);
}

/* "LO,HI" → two floats. */
static int parse_pair(const char *s, float *a, float *b) {
  char *end;
  double x = strtod(s, &end);
  if (end == s || *end != ',') return -1;
  const char *t = end + 1;
  double y = strtod(t, &end);
  if (end == t || *end || !isfinite(x) || !isfinite(y)) return -1;
  *a = (float)x, *b = (float)y;
  return 0;
}

/* The spec with the objective options given on the command line appended
 * (NaN: not given). */
static int objective_spec(char *out, size_t len, const char *model, float beta, float l1,
                          const char *sparsity, float contractive, float l2) {
  size_t k = (size_t)snprintf(out, len, "%s", model);
  const struct { const char *name; float v; } f[] = {
      {"beta", beta}, {"l1", l1}, {"contractive", contractive}, {"l2", l2}};
  for (size_t i = 0; i < sizeof f / sizeof f[0] && k < len; i++)
    if (f[i].v >= 0.0f) k += (size_t)snprintf(out + k, len - k, ";%s=%g", f[i].name, (double)f[i].v);
    else if (!isnan(f[i].v))
      return cli_error("train: --%s %g must be >= 0", f[i].name, (double)f[i].v);
  if (sparsity && k < len) {
    float rho, b;
    if (parse_pair(sparsity, &rho, &b))
      return cli_error("train: --sparsity '%s' is not RHO,BETA", sparsity);
    k += (size_t)snprintf(out + k, len - k, ";sparsity=%g:%g", (double)rho, (double)b);
  }
  if (k >= len) return cli_error("train: model spec too long");
  return 0;
}

/* z-scores lie outside [0, 1], where a preset's sigmoid output and BCE do
 * not reach: a preset named bare (no loss= or output= of the user's) is
 * trained with a linear output and MSE instead, and says so. A spec the
 * user wrote is left as written (BCE on z-scores is refused by ae_train). */
static int adapt_to_zscores(char *spec, size_t len, const char *model, int c, int h, int w,
                            int quiet) {
  size_t head = strcspn(model, ";");
  if (strcspn(model, ":,|") < head || strstr(model, "loss=") || strstr(model, "output="))
    return 0;
  ae_model *probe = NULL;
  if (ae_model_create(&probe, spec, c, h, w, 0)) return 0; /* the real create says why */
  int bce = ae_model_loss(probe) == AE_LOSS_BCE;
  ae_model_free(probe);
  if (!bce) return 0;
  size_t k = strlen(spec);
  if (snprintf(spec + k, len - k, ";loss=mse;output=linear") >= (int)(len - k))
    return cli_error("train: model spec too long");
  if (!quiet)
    fprintf(stderr, "aekit: note: --scale standard gives values outside [0, 1]: preset '%.*s' "
            "trained with a linear output and MSE (;loss=mse;output=linear)\n", (int)head, model);
  return 0;
}

/* A code at least as wide as the input, without noise or a penalty that
 * stops it, lets the model learn to copy its input. */
static void warn_wide_code(const ae_model *m, const ae_train_options *o, float l1,
                           const char *sparsity, float contractive) {
  size_t z = ae_model_code_dim(m), d = ae_model_input_dim(m);
  const char *s = ae_model_spec(m);
  if (z < d || o->noise || l1 > 0.0f || sparsity || contractive > 0.0f || ae_model_is_variational(m) ||
      strstr(s, "l1=") || strstr(s, "sparsity=") || strstr(s, "contractive="))
    return;
  cli_warn("the code has %zu values and the input %zu: without --noise, --l1, --sparsity or "
           "--contractive the model can learn to copy its input; give a smaller code (e.g. "
           "-m 'dense:%zu:relu')", z, d, d / 4 ? d / 4 : 1);
}

static const char *usage =
    "usage: aekit train [options] -o MODEL.safetensors\n\n"
    "Train an autoencoder. Without --data, trains on Fashion-MNIST's 60 000\n"
    "training images. The model file records the architecture, the input\n"
    "scaling, the training settings and the loss history. With --noise the\n"
    "inputs are corrupted (afresh every batch) and the targets kept clean:\n"
    "a denoising autoencoder of any architecture. --beta, --l1, --sparsity,\n"
    "--contractive and --l2 add terms to the objective (spec options, recorded\n"
    "in the model): a VAE's KL weight, an L1 penalty on the code, the KL\n"
    "sparsity penalty toward a mean activation RHO, the contractive penalty on\n"
    "the code layer's Jacobian, and L2 on the weights.";

/* What the history's loss is, for the loss curve's axis: the objective
 * training minimises (objective.h). */
static void loss_axis_label(const ae_model *m, char *buf, size_t size) {
  const char *spec = ae_model_spec(m), *opts = strchr(spec, ';');
  int penalties = opts && (strstr(opts, "l1=") || strstr(opts, "l2=") ||
                           strstr(opts, "sparsity=") || strstr(opts, "contractive="));
  const char *recon = ae_model_loss(m) == AE_LOSS_BCE ? "BCE" : "MSE";
  if (ae_model_is_variational(m))
    snprintf(buf, size, "negative ELBO (%s + KL), per sample%s", recon,
             penalties ? ", with penalties" : "");
  else
    snprintf(buf, size, "%s per value%s", recon, penalties ? " + penalties" : "");
}

int cmd_train(int argc, char **argv) {
  const char *model_default = "dense", *model = model_default, *output = NULL, *optimizer = "adam", *scale = "auto";
  const char *init = "keras";
  const char *val_path = NULL, *history = NULL, *curve = NULL, *checkpoint = NULL;
  const char *resume = NULL;
  cli_data d = CLI_DATA_INIT;
  ae_train_options o;
  ae_train_options_defaults(&o);
  float val_split = 0.0f, beta = NAN, l1 = NAN, contractive = NAN, l2 = NAN;
  const char *sparsity = NULL;
  double contamination = NAN, percentile = NAN;
  int stop_after = 0;
  int quiet = 0;
  int window = 0, stride = 1;
  const char *channel_scale = "zscore";
  const cli_opt opts[] = {
      {"--model", "-m", OPT_STRING, &model, "preset (dense, deep, conv, conv-pool, vae, conv-vae, lstm, gru, conv1d) or spec, e.g. dense:128:relu,dense:32:relu"},
      {"--output", "-o", OPT_OUTPUT, &output, "model file to write (.safetensors)"},
      {"--data", NULL, OPT_STRING, &d.path, "training data: IDX (.gz), CSV, NPY, NPZ (FILE.npz:ARRAY), PNG, JPEG or a folder of images"},
      {"--labels", NULL, OPT_STRING, &d.labels, "labels of the data: IDX, CSV, NPY or FILE.npz:ARRAY (an NPZ's y beside its x is taken)"},
      {"--csv-header", NULL, OPT_STRING, &d.header, "yes, no or auto (default auto)"},
      {"--label-column", NULL, OPT_STRING, &d.label_column, "CSV label column: 0-based index, header name or last"},
      {"--drop-columns", NULL, OPT_STRING, &d.drop, "CSV columns not read: names or indices, e.g. id,2"},
      {"--resize", NULL, OPT_STRING, &d.resize, "a folder of images: each resized to WxH (bilinear), e.g. 32x32"},
      {"--patches", NULL, OPT_STRING, &d.patches, "a folder of images: cut into PxP patches, every STRIDE pixels (P or P:STRIDE)"},
      {"--limit", NULL, OPT_INT, &d.limit, "use only the first N samples"},
      {"--classes", NULL, OPT_STRING, &d.classes, "train only on samples with these labels, e.g. 0 or 3,5"},
      {"--val-data", NULL, OPT_STRING, &val_path, "validation data file (same format)"},
      {"--val-split", NULL, OPT_FLOAT, &val_split, "fraction of the data held out for validation"},
      {"--scale", NULL, OPT_STRING, &scale, "auto (uint8: 0,255; else data min,max), standard or minmax (per feature, fitted on the training part), none, or LO,HI"},
      {"--window", NULL, OPT_INT, &window, "the data is a time series (rows = steps): train on windows of N steps"},
      {"--stride", NULL, OPT_INT, &stride, "steps between windows (1)"},
      {"--channel-scale", NULL, OPT_STRING, &channel_scale, "series: zscore (default), minmax or none, per channel"},
      {"--epochs", "-e", OPT_INT, &o.epochs, "epochs (default 20)"},
      {"--batch-size", "-b", OPT_INT, &o.batch_size, "batch size (default 256)"},
      {"--optimizer", NULL, OPT_STRING, &optimizer, "adam, adamw or sgd (default adam)"},
      {"--lr", NULL, OPT_FLOAT, &o.lr, "learning rate (default 1e-3)"},
      {"--lr-schedule", NULL, OPT_STRING, &o.lr_schedule, "none, step:EPOCHS:GAMMA, cosine[:MIN] or plateau:PATIENCE:FACTOR[:MIN]"},
      {"--lr-warmup", NULL, OPT_FLOAT, &o.lr_warmup, "raise the learning rate linearly over the first X epochs"},
      {"--beta1", NULL, OPT_FLOAT, &o.beta1, "Adam beta1 (0.9)"},
      {"--beta2", NULL, OPT_FLOAT, &o.beta2, "Adam beta2 (0.999)"},
      {"--eps", NULL, OPT_FLOAT, &o.eps, "Adam epsilon (1e-8)"},
      {"--momentum", NULL, OPT_FLOAT, &o.momentum, "SGD momentum (0)"},
      {"--nesterov", NULL, OPT_FLAG, &o.nesterov, "SGD with Nesterov momentum"},
      {"--weight-decay", NULL, OPT_FLOAT, &o.weight_decay, "decoupled weight decay (AdamW; SGD as PyTorch)"},
      {"--patience", NULL, OPT_INT, &o.patience, "early stopping after N epochs without improvement"},
      {"--min-delta", NULL, OPT_FLOAT, &o.min_delta, "improvement that resets patience"},
      {"--init", NULL, OPT_STRING, &init, "keras (He/Glorot uniform, default) or pytorch (nn.Linear's)"},
      {"--seed", NULL, OPT_U64, &o.seed, "seed for shuffling, split and initialisation (42)"},
      {"--threads", "-t", OPT_INT, &o.threads, "threads (default: all cores)"},
      {"--noise", NULL, OPT_STRING, &o.noise, "denoising: gaussian:MEAN,STD, masking:P, salt-pepper:P or grey (RGB to luminance: colourisation)"},
      {"--beta", NULL, OPT_FLOAT, &beta, "VAE: weight of the KL term (1)"},
      {"--kl-warmup", NULL, OPT_FLOAT, &o.kl_warmup, "VAE: raise the KL weight from 0 over the first X epochs"},
      {"--l1", NULL, OPT_FLOAT, &l1, "sparse: L1 penalty on the code (Keras activity_regularizer)"},
      {"--sparsity", NULL, OPT_STRING, &sparsity, "sparse: RHO,BETA KL penalty toward mean activation RHO"},
      {"--contractive", NULL, OPT_FLOAT, &contractive, "contractive: weight of |d code/d input|_F^2"},
      {"--l2", NULL, OPT_FLOAT, &l2, "L2 penalty lambda/2 |w|^2 on the weights"},
      {"--contamination", NULL, OPT_DOUBLE, &contamination, "anomaly threshold: this fraction of the training data above it, (0, 0.5]"},
      {"--percentile", NULL, OPT_DOUBLE, &percentile, "anomaly threshold: this percentile of the training scores"},
      {"--checkpoint", NULL, OPT_STRING, &checkpoint, "write a resumable checkpoint here after every epoch"},
      {"--checkpoint-every", NULL, OPT_INT, &o.checkpoint_every, "also every N optimizer steps"},
      {"--resume", NULL, OPT_STRING, &resume, "go on from this checkpoint (same data and options)"},
      {"--stop-after", NULL, OPT_INT, &stop_after, "stop after N optimizer steps in all (resume later)"},
      {"--history", NULL, OPT_OUTPUT, &history, "write per-epoch losses as CSV"},
      {"--loss-curve", NULL, OPT_OUTPUT, &curve, "write the loss curve as PNG"},
      {"--quiet", "-q", OPT_FLAG, &quiet, "no progress output"},
      {NULL, NULL, 0, NULL, NULL}};
  const char *pos[1];
  int npos;
  int r = cli_parse(argc, argv, "train", usage, opts, pos, 0, &npos);
  if (r) return r == 2 ? 0 : 1;
  int model_given = model != model_default;
  if (!output) return cli_error("train: no output file (give -o MODEL.safetensors)");
  if (!isnan(contamination) && !(contamination > 0.0f && contamination <= 0.5f))
    return cli_error("train: --contamination %g must be in (0, 0.5]", (double)contamination);
  if (!isnan(percentile) && !(percentile >= 0.0f && percentile <= 100.0f))
    return cli_error("train: --percentile %g must be in [0, 100]", (double)percentile);
  if (!isnan(contamination) && !isnan(percentile))
    return cli_error("train: give --contamination or --percentile, not both");
  if (!strcmp(optimizer, "adam")) o.optimizer = AE_OPT_ADAM;
  else if (!strcmp(optimizer, "adamw")) o.optimizer = AE_OPT_ADAMW;
  else if (!strcmp(optimizer, "sgd")) o.optimizer = AE_OPT_SGD;
  else return cli_error("train: --optimizer '%s' is not adam, adamw or sgd", optimizer);
  if (stop_after < 0) return cli_error("train: --stop-after %d must be >= 0", stop_after);
  o.stop_after = stop_after;
  ae_init scheme = AE_INIT_KERAS;
  if (!strcmp(init, "pytorch")) scheme = AE_INIT_TORCH;
  else if (strcmp(init, "keras")) return cli_error("train: --init '%s' is not keras or pytorch", init);
  if (!(val_split >= 0.0f && val_split < 1.0f))
    return cli_error("train: --val-split %g must be in [0, 1)", (double)val_split);
  if (val_path && val_split > 0.0f)
    return cli_error("train: give --val-data or --val-split, not both");

  ae_channel_scaling ckind = AE_CHANNELS_ZSCORE;
  if (!strcmp(channel_scale, "minmax")) ckind = AE_CHANNELS_MINMAX;
  else if (!strcmp(channel_scale, "none")) ckind = AE_CHANNELS_NONE;
  else if (strcmp(channel_scale, "zscore"))
    return cli_error("train: --channel-scale '%s' is not zscore, minmax or none", channel_scale);
  if (window < 0 || stride < 1)
    return cli_error("train: --window %d and --stride %d must be positive", window, stride);
  if (window && !d.path) return cli_error("train: --window needs a series (--data FILE)");
  if (window && strcmp(scale, "auto"))
    return cli_error("train: --scale does not apply to a series: its channels are scaled by --channel-scale");

  /* the files it will write, checked before the training rather than after */
  if (cli_plots_check("train", "--loss-curve", curve)) return 1;
  const char *outs[4] = {output, history, curve, checkpoint};
  for (int k = 0; k < 4; k++)
    if (outs[k] && ae_mpi_rank() == 0 && ae_output_check(outs[k])) return cli_fail();

  ae_dataset *all = NULL, *train = NULL, *val = NULL;
  ae_model *m = NULL;
  ae_history *h = NULL;
  float *shift = NULL, *cscale = NULL; /* a series' channel scaling */
  int rc = 1;
  d.series = window > 0;
  if (cli_load(&all, &d, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")) return 1;
  if (window) { /* a series: channels scaled as fitted here, cut into windows */
    int f = (int)ae_dataset_dim(all);
    if (!(shift = malloc(2 * (size_t)f * sizeof(float)))) {
      cli_error("out of memory");
      goto out;
    }
    cscale = shift + f;
    if (ae_dataset_fit_channels(all, f, ckind, shift, cscale)) {
      cli_error("%s: %s", d.path, ae_last_error());
      goto out;
    }
    if (cli_series_windows(&all, shift, cscale, window, stride, NULL, d.path)) goto out;
    scale = "none";
  }
  float lo = 0.0f, hi = 1.0f;
  int manual = 0; /* --scale LO,HI */
  ae_scale_kind skind = AE_SCALE_AUTO;
  if (!strcmp(scale, "standard")) skind = AE_SCALE_STANDARD;
  else if (!strcmp(scale, "minmax")) skind = AE_SCALE_MINMAX;
  else if (!strcmp(scale, "none")) skind = AE_SCALE_NONE;
  else if (strcmp(scale, "auto") && !(manual = !parse_pair(scale, &lo, &hi))) {
    cli_error("train: --scale '%s' is not auto, standard, minmax, none or LO,HI", scale);
    goto out;
  }
  if (manual && hi <= lo) hi = lo + 1.0f; /* constant data: shift only */
  if (val_split > 0.0f) {
    if (ae_dataset_split(&train, &val, all, val_split, o.seed)) goto fail;
    ae_dataset_free(all);
    all = NULL;
  } else {
    train = all;
    all = NULL;
  }
  if (val_path) {
    cli_data vd = d;
    vd.path = val_path, vd.labels = NULL, vd.limit = 0;
    if (cli_load(&val, &vd, NULL, NULL)) goto out;
    if (window) {
      size_t f = ae_dataset_dim(val);
      if (f != ae_dataset_dim(train) / (size_t)window) {
        cli_error("%s: the series has %zu channels, the training series %zu", val_path, f,
                  ae_dataset_dim(train) / (size_t)window);
        goto out;
      }
      if (cli_series_windows(&val, shift, cscale, window, stride, NULL, val_path)) goto out;
    }
    if (ae_dataset_dim(val) != ae_dataset_dim(train)) {
      cli_error("%s: samples have %zu features, the training data %zu", val_path,
                ae_dataset_dim(val), ae_dataset_dim(train));
      goto out;
    }
  }
  int c, hh, w;
  ae_dataset_shape(train, &c, &hh, &w);
  char spec[8192];
  if (objective_spec(spec, sizeof spec, model, beta, l1, sparsity, contractive, l2)) goto out;
  if (!resume && skind == AE_SCALE_STANDARD && adapt_to_zscores(spec, sizeof spec, model, c, hh, w, quiet))
    goto out;
  if (resume) { /* the checkpoint holds the model; a --model given must be it */
    ae_model *want = NULL;
    if (ae_model_load(&m, resume)) goto fail;
    if (model_given && ae_model_create(&want, spec, c, hh, w, o.seed)) goto fail;
    int same = !want || !strcmp(ae_model_spec(want), ae_model_spec(m));
    if (!same)
      cli_error("%s: checkpoint of architecture '%s', --model gives '%s'", resume,
                ae_model_spec(m), ae_model_spec(want));
    ae_model_free(want);
    if (!same) goto out;
    o.resume_path = resume;
  } else if (ae_model_create(&m, spec, c, hh, w, o.seed) ||
             ae_model_init(m, scheme, o.seed) ||
             (manual ? ae_model_set_scaling(m, lo, hi) : ae_model_fit_scaling(m, train, skind)) ||
             (window && ae_model_set_series(m, stride, ckind, shift, cscale))) {
    goto fail; /* the scaling fitted on the training part only */
  }
  if (!resume) warn_wide_code(m, &o, l1, sparsity, contractive);
  if (!resume && cli_model_classes(m, train)) goto fail; /* the names of its labels */
  /* -t is the model's thread count too (validation, the detector's threshold) */
  if (ae_model_set_threads(m, o.threads) || ae_model_scale_dataset(m, train) ||
      (val && ae_model_scale_dataset(m, val)))
    goto fail;
  progress_state ps = {isatty(2), 0.0};
  if (!quiet) {
    o.progress = on_progress;
    o.user = &ps;
    printf("model %s: %zu parameters, %zu training samples%s\n", ae_model_spec(m),
           ae_model_param_count(m), ae_dataset_count(train), val ? ", with validation" : "");
  }
  o.checkpoint_path = checkpoint;
  ae_status tst = ae_train(m, train, val, &o, &h);
  if (tst == AE_ERR_NUMERIC) { /* diverged: name the file that was not written */
    cli_error("%s: not written: %s", output, ae_last_error());
    goto out;
  }
  if (tst == AE_ERR_ARG && !strncmp(ae_last_error(), "the loss is binary", 18)) { /* the data's fault */
    cli_error("%s: %s", d.path ? d.path : "Fashion-MNIST", ae_last_error());
    goto out;
  }
  if (tst) goto fail;
  if (!isnan(contamination) || !isnan(percentile)) { /* the detector's threshold */
    double t;
    int by_c = !isnan(contamination);
    if (ae_detector_fit(m, ae_dataset_data(train), ae_dataset_count(train),
                        by_c ? AE_THRESHOLD_CONTAMINATION : AE_THRESHOLD_PERCENTILE,
                        by_c ? contamination : percentile) ||
        ae_detector_threshold(m, &t))
      goto fail;
    if (!quiet) printf("anomaly threshold %.6g (%s %g of the training scores)\n", t,
                       by_c ? "contamination" : "percentile", by_c ? (double)contamination : (double)percentile);
  }
  if (ae_mpi_rank() != 0) { /* the same model on every rank: rank 0 writes */
    rc = 0;
    goto out;
  }
  if (ae_model_save(m, output)) goto fail;
  if (history && ae_history_save_csv(h, history)) goto fail;
  if (curve) {
    int ne = ae_history_epochs(h);
    double *tl = malloc(sizeof(double) * 2 * (size_t)ne);
    if (!tl) {
      cli_error("out of memory");
      goto out;
    }
    for (int e = 0; e < ne; e++) {
      tl[e] = ae_history_train_loss(h, e);
      tl[ne + e] = ae_history_val_loss(h, e);
    }
    char ylabel[96];
    loss_axis_label(m, ylabel, sizeof ylabel);
    ae_status st = ae_plot_loss_curve(curve, tl, val ? tl + ne : NULL, ne, ae_model_spec(m),
                                      ylabel, ae_history_best_epoch(h) + 1);
    free(tl);
    if (st) goto fail;
  }
  if (!quiet) { /* which epoch's weights the file holds: the last, unless early
                  stopping restored the best by validation loss */
    int best = ae_history_best_epoch(h) + 1, ran = ae_history_epochs(h);
    if (val && o.patience > 0 && best != ran)
      fprintf(cli_notes(output), "saved %s (the weights of epoch %d, the best by validation loss; %d run)\n", output,
             best, ran);
    else
      fprintf(cli_notes(output), "saved %s (the weights after epoch %d of %d)\n", output, ran, ran);
  }
  rc = 0;
  goto out;
fail:
  cli_fail();
out:
  ae_history_free(h);
  ae_model_free(m);
  ae_dataset_free(all);
  ae_dataset_free(train);
  ae_dataset_free(val);
  free(shift);
  return rc;
}
