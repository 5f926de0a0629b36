/* train.c — the fit loop: shuffle, mini-batches, optimizer, validation,
 * early stopping (keeping the best weights), checkpoints, history.
 * Legend: N batch, D input features, P parameters. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "error.h"
#include "fileio.h"
#include "model.h"
#include "noise.h"

#include <cJSON.h>
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int num_threads);

struct ae_history {
  int epochs, best;
  double *train, *val, *secs; /* (epochs) each */
};

void ae_train_options_defaults(ae_train_options *o) {
  memset(o, 0, sizeof *o);
  o->epochs = 20;
  o->batch_size = 256;
  o->optimizer = AE_OPT_ADAM;
  o->lr = 1e-3f;
  o->beta1 = 0.9f, o->beta2 = 0.999f, o->eps = 1e-8f;
  o->seed = 42;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static ae_status check_options(const ae_train_options *o) {
  if (o->epochs < 1) return ae_set_error(AE_ERR_ARG, "epochs must be at least 1 (got %d)", o->epochs);
  if (o->batch_size < 1 || o->batch_size > (1 << 20))
    return ae_set_error(AE_ERR_ARG, "batch size must be in 1..%d (got %d)", 1 << 20, o->batch_size);
  if (!(o->lr > 0.0f) || !isfinite(o->lr))
    return ae_set_error(AE_ERR_ARG, "learning rate must be positive (got %g)", (double)o->lr);
  if (o->optimizer != AE_OPT_ADAM && o->optimizer != AE_OPT_SGD)
    return ae_set_error(AE_ERR_ARG, "unknown optimizer %d", (int)o->optimizer);
  if (!(o->beta1 >= 0.0f && o->beta1 < 1.0f) || !(o->beta2 >= 0.0f && o->beta2 < 1.0f))
    return ae_set_error(AE_ERR_ARG, "Adam betas must be in [0, 1) (got %g, %g)", (double)o->beta1,
                        (double)o->beta2);
  if (!(o->eps > 0.0f)) return ae_set_error(AE_ERR_ARG, "Adam eps must be positive");
  if (!(o->momentum >= 0.0f && o->momentum < 1.0f))
    return ae_set_error(AE_ERR_ARG, "momentum must be in [0, 1) (got %g)", (double)o->momentum);
  if (o->nesterov && o->momentum == 0.0f)
    return ae_set_error(AE_ERR_ARG, "Nesterov momentum needs momentum > 0");
  if (!(o->weight_decay >= 0.0f) || !isfinite(o->weight_decay))
    return ae_set_error(AE_ERR_ARG, "weight decay must be >= 0 (got %g)", (double)o->weight_decay);
  if (o->patience < 0) return ae_set_error(AE_ERR_ARG, "patience must be >= 0");
  if (!(o->kl_warmup >= 0.0f) || !isfinite(o->kl_warmup))
    return ae_set_error(AE_ERR_ARG, "KL warm-up must be >= 0 epochs (got %g)", (double)o->kl_warmup);
  if (o->threads < 0 || o->threads > 1024) return ae_set_error(AE_ERR_ARG, "threads must be in 0..1024");
  return AE_OK;
}

/* Training settings as JSON, for the model's metadata. */
static char *options_json(const ae_train_options *o, size_t n_train, size_t n_val) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "optimizer", o->optimizer == AE_OPT_ADAM ? "adam" : "sgd");
  cJSON_AddNumberToObject(j, "lr", o->lr);
  if (o->optimizer == AE_OPT_ADAM) {
    cJSON_AddNumberToObject(j, "beta1", o->beta1);
    cJSON_AddNumberToObject(j, "beta2", o->beta2);
    cJSON_AddNumberToObject(j, "eps", o->eps);
  } else {
    cJSON_AddNumberToObject(j, "momentum", o->momentum);
    cJSON_AddBoolToObject(j, "nesterov", o->nesterov);
  }
  cJSON_AddNumberToObject(j, "weight_decay", o->weight_decay);
  cJSON_AddNumberToObject(j, "epochs", o->epochs);
  cJSON_AddNumberToObject(j, "batch_size", o->batch_size);
  cJSON_AddNumberToObject(j, "patience", o->patience);
  if (o->kl_warmup > 0.0f) cJSON_AddNumberToObject(j, "kl_warmup", o->kl_warmup);
  if (o->noise) cJSON_AddStringToObject(j, "noise", o->noise);
  cJSON_AddNumberToObject(j, "train_samples", (double)n_train);
  cJSON_AddNumberToObject(j, "val_samples", (double)n_val);
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);
  cJSON_AddStringToObject(j, "seed", seed);
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return s;
}

/* History so far as JSON: epochs run, best epoch, losses. */
static char *history_json(const ae_history *h) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddNumberToObject(j, "epochs", h->epochs);
  cJSON_AddNumberToObject(j, "best_epoch", h->best + 1);
  cJSON_AddItemToObject(j, "train_loss", cJSON_CreateDoubleArray(h->train, h->epochs));
  if (h->epochs && !isnan(h->val[0]))
    cJSON_AddItemToObject(j, "val_loss", cJSON_CreateDoubleArray(h->val, h->epochs));
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return s;
}

static ae_status record_meta(ae_model *m, const ae_train_options *o, const ae_history *h,
                             size_t n_train, size_t n_val) {
  char *tj = options_json(o, n_train, n_val), *hj = history_json(h);
  ae_status st = tj && hj ? AE_OK : ae_set_error(AE_ERR_NOMEM, "out of memory");
  if (!st) st = ae_model_set_meta(&m->training_json, tj);
  if (!st) st = ae_model_set_meta(&m->history_json, hj);
  free(tj);
  free(hj);
  return st;
}

static ae_status history_alloc(ae_history **out, int epochs) {
  ae_history *h = calloc(1, sizeof *h);
  if (h) {
    h->train = calloc((size_t)epochs, sizeof(double));
    h->val = calloc((size_t)epochs, sizeof(double));
    h->secs = calloc((size_t)epochs, sizeof(double));
  }
  if (!h || !h->train || !h->val || !h->secs) {
    ae_history_free(h);
    return ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
  *out = h;
  return AE_OK;
}

/* One optimizer step on the batch of samples idx[0, b). The batch is split
 * into contiguous slices, one per worker thread; each worker gathers its
 * slice, runs forward and backward into its own gradient block (scaled by
 * the whole batch's element count, so the blocks add up to the batch
 * gradient), then, after a barrier, sums the blocks over its own range of
 * parameters and updates that range. The same thread count gives the same
 * bits. Returns the batch's loss sum. */
static double train_step(ae_model *m, const ae_dataset *train, const uint32_t *idx, int b,
                         int workers, const ae_train_options *o, const ae_noise *noise,
                         float *mom, float *vel, long step) {
  double sums[AE_MAX_WORKERS] = {0};
  size_t d = (size_t)m->input_dim, P = m->n_params;
  double denom = ae_model_denom(m, b);
  int size = workers < b ? workers : b; /* the last batch may be small */
  #pragma omp parallel num_threads(size) if (size > 1)
  {
    /* every worker gets at least one sample (workers <= b) and runs every
     * layer: batch norm meets the others at its barriers */
    int w = omp_get_thread_num(), team = omp_get_num_threads();
    int lo = (int)((long)b * w / team), cnt = (int)((long)b * (w + 1) / team) - lo;
    ae_workspace *ws = &m->ws[w];
    ws->worker = w, ws->team = team, ws->n_total = b;
    float *x = ws->acts[0]; /* (N, D) gathered slice */
    float *target = x;
    ae_dataset_rows(x, train, idx + lo, 0, (size_t)cnt);
    if (noise && noise->kind != AE_NOISE_NONE) { /* corrupt the input, keep the target */
      target = ws->target;
      memcpy(target, x, (size_t)cnt * d * sizeof(float));
      ae_noise_apply(noise, x, (size_t)cnt * d, 0.0f, 1.0f, &ws->rng);
    }
    ae_model_forward(m, ws, cnt, 1);
    sums[w] = ae_model_loss_step(m, ws, target, cnt, 1, denom);
    #pragma omp barrier
    size_t p0 = P * (size_t)w / (size_t)team, p1 = P * (size_t)(w + 1) / (size_t)team;
    for (int j = 1; j < team; j++) ae_add_into(m->grads + p0, m->ws[j].grads + p0, p1 - p0);
    if (o->optimizer == AE_OPT_ADAM)
      ae_adam_step(m->params + p0, mom + p0, vel + p0, m->grads + p0, o->lr, o->beta1,
                   o->beta2, o->eps, o->weight_decay, step, p1 - p0);
    else
      ae_sgd_step(m->params + p0, mom + p0, m->grads + p0, o->lr, o->momentum, o->nesterov,
                  o->weight_decay, step == 1, p1 - p0);
  }
  double sum = 0.0;
  for (int w = 0; w < workers; w++) sum += sums[w];
  return sum;
}

ae_status ae_train(ae_model *m, const ae_dataset *train, const ae_dataset *val,
                   const ae_train_options *o, ae_history **history) {
  if (history) *history = NULL;
  ae_status st = check_options(o);
  if (st) return st;
  size_t d = (size_t)m->input_dim, n = train->n, P = m->n_params;
  if (train->dim != d || (val && val->dim != d))
    return ae_set_error(AE_ERR_SHAPE, "data has %zu features per sample, the model %s takes %zu",
                        train->dim != d ? train->dim : val->dim, m->spec, d);
  if (n == 0) return ae_set_error(AE_ERR_ARG, "no training samples");
  if (n > UINT32_MAX) return ae_set_error(AE_ERR_ARG, "too many training samples (%zu)", n);
  if (val && val->n == 0) val = NULL;
  int bs = o->batch_size < (int)n ? o->batch_size : (int)n;
  /* our threads split the batch; each calls single-threaded BLAS */
  int workers = o->threads > 0 ? o->threads : omp_get_max_threads();
  if (workers > AE_MAX_WORKERS) workers = AE_MAX_WORKERS;
  if (workers > bs) workers = bs;
  openblas_set_num_threads(1);
  ae_noise noise = {AE_NOISE_NONE, 0.0f, 0.0f};
  if (o->noise && (st = ae_noise_parse(&noise, o->noise))) return st;
  if ((st = ae_model_plan_workers(m, workers, (bs + workers - 1) / workers,
                                  noise.kind != AE_NOISE_NONE)))
    return st;
  for (int w = 0; w < workers; w++) /* worker w's stream: seed, then w jumps */
    ae_rng_seed(&m->ws[w].rng, o->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(w + 1)));

  ae_history *h = NULL;
  uint32_t *idx = malloc(n * sizeof *idx);
  size_t S = m->n_state;
  /* Adam m, v (or the SGD buffer), then the best epoch's parameters and state */
  float *state = calloc(P * 3 + S + 1, sizeof(float));
  if (!idx || !state || (st = history_alloc(&h, o->epochs))) {
    free(idx);
    free(state);
    return st ? st : ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
  float *mom = state, *vel = state + P, *best = state + 2 * P, *best_state = state + 3 * P;
  for (size_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
  ae_rng rng;
  ae_rng_seed(&rng, o->seed);
  double best_val = INFINITY;
  long step = 0;
  int wait = 0;
  for (int e = 0; e < o->epochs; e++) {
    double t0 = now_s(), loss_sum = 0.0;
    ae_rng_shuffle(&rng, idx, n);
    for (size_t i = 0; i < n; i += (size_t)bs) {
      int b = (int)(n - i < (size_t)bs ? n - i : (size_t)bs);
      step++;
      if (m->sampler >= 0) { /* KL warm-up: beta rises linearly over kl_warmup epochs */
        double at = e + (double)i / (double)n;
        m->layers[m->sampler].u.sample.beta =
            o->kl_warmup > 0.0f && at < o->kl_warmup ? (float)(m->obj.beta * at / o->kl_warmup)
                                                     : m->obj.beta;
      }
      double loss = train_step(m, train, idx + i, b, workers, o, &noise, mom, vel, step);
      if (!isfinite(loss)) {
        st = ae_set_error(AE_ERR_NUMERIC, "training diverged in epoch %d: the loss is %g (try a smaller learning rate)",
                          e + 1, loss);
        goto done;
      }
      loss_sum += loss * b;
      if (o->progress) {
        double el = now_s() - t0;
        ae_progress p = {e + 1, o->epochs, i + b, n, loss_sum / (double)(i + b), NAN,
                         el > 0 ? (double)(i + b) / el : 0.0, el, 0, 0};
        o->progress(&p, o->user);
      }
    }
    h->train[e] = loss_sum / (double)n;
    h->val[e] = NAN;
    if (val) { /* a denoiser is judged on corrupted inputs against clean ones,
                  with the same corruption every epoch */
      ae_eval_result r, corrupted;
      st = noise.kind == AE_NOISE_NONE
               ? ae_model_evaluate(m, &r, val)
               : ae_model_evaluate_denoising(m, &corrupted, &r, val, o->noise, o->seed + 1);
      if (st) goto done;
      h->val[e] = r.loss;
    }
    h->secs[e] = now_s() - t0;
    h->epochs = e + 1;
    double score = val ? h->val[e] : h->train[e];
    int improved = score < best_val - o->min_delta;
    if (improved) {
      best_val = score;
      h->best = e;
      wait = 0;
      if (val) {
        memcpy(best, m->params, P * sizeof(float));
        memcpy(best_state, m->state, S * sizeof(float));
      }
    } else {
      wait++;
    }
    if ((st = record_meta(m, o, h, n, val ? val->n : 0))) goto done;
    if (o->checkpoint_path && (st = ae_model_save(m, o->checkpoint_path))) goto done;
    if (o->progress) {
      double el = h->secs[e];
      ae_progress p = {e + 1, o->epochs, n, n, h->train[e], h->val[e],
                       el > 0 ? (double)n / el : 0.0, el, 1, improved};
      o->progress(&p, o->user);
    }
    if (val && o->patience > 0 && wait >= o->patience) break;
  }
  /* with early stopping, keep the best weights (Keras restore_best_weights) */
  if (val && o->patience > 0 && h->best != h->epochs - 1) {
    memcpy(m->params, best, P * sizeof(float));
    memcpy(m->state, best_state, S * sizeof(float));
  }
done:
  if (m->sampler >= 0) m->layers[m->sampler].u.sample.beta = m->obj.beta;
  free(idx);
  free(state);
  if (st == AE_OK && history) *history = h;
  else ae_history_free(h);
  return st;
}

int ae_history_epochs(const ae_history *h) { return h ? h->epochs : 0; }
double ae_history_train_loss(const ae_history *h, int e) {
  return h && e >= 0 && e < h->epochs ? h->train[e] : NAN;
}
double ae_history_val_loss(const ae_history *h, int e) {
  return h && e >= 0 && e < h->epochs ? h->val[e] : NAN;
}
double ae_history_seconds(const ae_history *h, int e) {
  return h && e >= 0 && e < h->epochs ? h->secs[e] : NAN;
}
int ae_history_best_epoch(const ae_history *h) { return h ? h->best : -1; }

void ae_history_free(ae_history *h) {
  if (!h) return;
  free(h->train);
  free(h->val);
  free(h->secs);
  free(h);
}

typedef struct { const ae_history *h; } csv_ctx;

static ae_status write_history(FILE *f, void *ctx) {
  const ae_history *h = ((csv_ctx *)ctx)->h;
  fprintf(f, "epoch,train_loss,val_loss,seconds\n");
  for (int e = 0; e < h->epochs; e++) {
    if (isnan(h->val[e])) fprintf(f, "%d,%.9g,,%.3f\n", e + 1, h->train[e], h->secs[e]);
    else fprintf(f, "%d,%.9g,%.9g,%.3f\n", e + 1, h->train[e], h->val[e], h->secs[e]);
  }
  return AE_OK;
}

ae_status ae_history_save_csv(const ae_history *h, const char *path) {
  csv_ctx c = {h};
  return ae_write_atomic(path, write_history, &c);
}
