/* SPDX-License-Identifier: MIT */
/* train.c — the fit loop: shuffle, mini-batches, the optimizer step over a
 * team of workers, validation, early stopping (keeping the best weights),
 * history, and checkpoints that let a run resume as if never stopped.
 *
 * A checkpoint is a model file (ae_model_load reads it) with more tensors:
 *   optim.exp_avg, optim.exp_avg_sq   Adam/AdamW moments (P each)
 *   optim.momentum_buffer             SGD (P)
 *   train.best_params, train.best_state  the best epoch's weights (early stopping)
 * and a metadata entry "checkpoint" (JSON) with the cursor (epoch, samples
 * done, loss so far), the optimizer's step and schedule state, the shuffle
 * generator's and every chunk's generator state, the history and the
 * early-stopping state; doubles are written as the hex of their bits, so
 * they come back exactly. The shuffle order is not stored: it is rebuilt by
 * replaying the epochs' shuffles from the seed (n integers each, cheap), which
 * leaves the shuffle generator where it was.
 * Legend: N batch, D input features, P parameters, S state values. */
#define _POSIX_C_SOURCE 200809L
#include "train.h"

#include "dist.h"
#include "error.h"
#include "fileio.h"
#include "safetensors.h"

#include <cJSON.h>
#include <cblas.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void openblas_set_num_threads(int num_threads);

#define AE_CHECKPOINT_VERSION 1

void ae_train_options_defaults(ae_train_options *o) {
  if (!o) return;
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

static const char *optimizer_name(ae_optimizer k) {
  return k == AE_OPT_SGD ? "sgd" : k == AE_OPT_ADAMW ? "adamw" : "adam";
}

static ae_status check_options(const ae_train_options *o) {
  if (o->epochs < 1) return ae_set_error(AE_ERR_ARG, "epochs must be at least 1 (got %d)", o->epochs);
  if (o->batch_size < 1 || o->batch_size > (1 << 20))
    return ae_set_error(AE_ERR_ARG, "batch size must be in 1..%d (got %d)", 1 << 20, o->batch_size);
  if (!(o->lr > 0.0f) || !isfinite(o->lr))
    return ae_set_error(AE_ERR_ARG, "learning rate must be positive (got %g)", (double)o->lr);
  if (o->optimizer != AE_OPT_ADAM && o->optimizer != AE_OPT_SGD && o->optimizer != AE_OPT_ADAMW)
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
  if (!isfinite(o->min_delta))
    return ae_set_error(AE_ERR_ARG, "min_delta must be finite (got %g)", (double)o->min_delta);
  if (!(o->kl_warmup >= 0.0f) || !isfinite(o->kl_warmup))
    return ae_set_error(AE_ERR_ARG, "KL warm-up must be >= 0 epochs (got %g)", (double)o->kl_warmup);
  if (!(o->lr_warmup >= 0.0f) || !isfinite(o->lr_warmup))
    return ae_set_error(AE_ERR_ARG, "learning-rate warm-up must be >= 0 epochs (got %g)",
                        (double)o->lr_warmup);
  if (o->threads < 0 || o->threads > 1024) return ae_set_error(AE_ERR_ARG, "threads must be in 0..1024");
  if (o->checkpoint_every < 0)
    return ae_set_error(AE_ERR_ARG, "checkpoint interval must be >= 0 steps (got %d)",
                        o->checkpoint_every);
  if (o->checkpoint_every > 0 && !o->checkpoint_path)
    return ae_set_error(AE_ERR_ARG, "a checkpoint interval needs a checkpoint path");
  if (o->stop_after < 0) return ae_set_error(AE_ERR_ARG, "stop-after must be >= 0 steps");
  ae_schedule s = {0};
  return ae_schedule_parse(&s, o->lr_schedule);
}

/* Training settings as JSON, for the model's metadata. */
static char *options_json(const ae_train_options *o, size_t n_train, size_t n_val) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "optimizer", optimizer_name(o->optimizer));
  cJSON_AddNumberToObject(j, "lr", o->lr);
  if (o->optimizer != AE_OPT_SGD) {
    cJSON_AddNumberToObject(j, "beta1", o->beta1);
    cJSON_AddNumberToObject(j, "beta2", o->beta2);
    cJSON_AddNumberToObject(j, "eps", o->eps);
  } else {
    cJSON_AddNumberToObject(j, "momentum", o->momentum);
    cJSON_AddBoolToObject(j, "nesterov", o->nesterov);
  }
  cJSON_AddNumberToObject(j, "weight_decay", o->weight_decay);
  if (o->lr_schedule && strcmp(o->lr_schedule, "none"))
    cJSON_AddStringToObject(j, "lr_schedule", o->lr_schedule);
  if (o->lr_warmup > 0.0f) cJSON_AddNumberToObject(j, "lr_warmup", o->lr_warmup);
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

static ae_status record_meta(ae_trainer *t) {
  char *tj = options_json(t->o, t->n, t->val ? t->val->n : 0), *hj = history_json(t->h);
  ae_status st = tj && hj ? AE_OK : ae_set_error(AE_ERR_NOMEM, "out of memory");
  if (!st) st = ae_model_set_meta(&t->m->training_json, tj);
  if (!st) st = ae_model_set_meta(&t->m->history_json, hj);
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

/* ---- the step ---- */

/* One chunk's work: gather its rows of the batch, corrupt them (denoising),
 * forward, objective and backward into the chunk's gradient block (scaled
 * by the whole batch, so the blocks add up to the batch gradient), all with
 * the chunk's own generator. */
static void run_chunk(ae_trainer *t, ae_workspace *ws, int c) {
  ae_model *m = t->m;
  int b = t->b, K = t->k_all, g = t->g0 + c; /* chunk g of the K of the job */
  size_t d = (size_t)m->input_dim;
  int lo = (int)((long)b * g / K), cnt = (int)((long)b * (g + 1) / K) - lo;
  float *own = ws->grads;
  ws->grads = t->blocks[c], ws->rng = t->rngs[c];
  ws->n_total = b, ws->first = lo, ws->follower = g != 0;
  float *x = ws->acts[0]; /* (N, D) gathered rows */
  float *target = x;
  ae_dataset_rows(x, t->train, t->batch + lo, 0, (size_t)cnt);
  if (t->noise.kind != AE_NOISE_NONE) { /* corrupt the input, keep the target */
    target = ws->target;
    memcpy(target, x, (size_t)cnt * d * sizeof(float));
    ae_noise_apply_samples(&t->noise, x, (size_t)cnt, m->c, d / (size_t)m->c,
                           0.0f, 1.0f, &ws->rng);
  }
  ae_model_forward(m, ws, cnt, 1);
  t->sums[c] = ae_objective_loss(m, ws, target, cnt, ae_objective_denom(m, b), ws->grad_a);
  ae_model_backward(m, ws, cnt);
  t->rngs[c] = ws->rng, ws->grads = own, t->terms[c] = ws->terms;
}

/* Range r of the parameters: the chunks' blocks added into block 0 (as the
 * team adds: a balanced tree), then, in one process, the optimizer's update
 * (across ranks it comes after the sum over the ranks). */
static void range_bounds(const ae_trainer *t, size_t r, size_t *p0, size_t *p1) {
  size_t P = t->m->n_params, R = (size_t)t->ranges;
  *p0 = P * r / R, *p1 = P * (r + 1) / R;
}

static void sum_range(ae_trainer *t, size_t r) {
  size_t p0, p1;
  range_bounds(t, r, &p0, &p1);
  ae_team_tree_add(t->blocks, t->k, p0, p1);
  if (t->ranks == 1) ae_optim_update(t->opt, t->m->params, t->blocks[0], p0, p1);
}

static void update_item(void *arg, size_t r, int w) {
  (void)w;
  ae_trainer *t = arg;
  size_t p0, p1;
  range_bounds(t, r, &p0, &p1);
  ae_optim_update(t->opt, t->m->params, t->blocks[0], p0, p1);
}

/* A step whose workers meet (batch norm's statistics, the code's batch
 * means): worker w takes chunk w, the team sums inside the forward pass,
 * then each worker adds and updates its own range of the parameters. */
static void step_worker(void *arg, int w, int team) {
  ae_trainer *t = arg;
  ae_workspace *ws = &t->m->ws[w];
  ws->worker = w, ws->team = team, ws->tm = t->team;
  run_chunk(t, ws, w);
  size_t p0, p1;
  ae_team_reduce_blocks(t->team, w, t->blocks, t->m->n_params, &p0, &p1);
  ae_optim_update(t->opt, t->m->params, t->blocks[0], p0, p1);
}

/* A balanced step (nothing meets inside the forward pass): the chunks, and
 * then the parameter ranges, are items that workers take as they come free,
 * so a worker held back by a busy core delays the step by one chunk at most.
 * The result does not depend on who ran what: each chunk has its own
 * generator and block, and the blocks are added in chunk order. */
static void step_item(void *arg, size_t i, int w) {
  ae_trainer *t = arg;
  if (i < (size_t)t->k) {
    ae_workspace *ws = &t->m->ws[w];
    /* no sums inside: each chunk is on its own (ws->follower: run_chunk) */
    ws->worker = (int)i, ws->team = t->k, ws->tm = NULL;
    run_chunk(t, ws, (int)i);
    return;
  }
  sum_range(t, i - (size_t)t->k);
}

/* After a full batch of `secs` at the width this step ran: time the
 * AE_PACE_WINDOW steps before a comparison at the current width and up to
 * as many at the other, then keep the faster. A probe that is already
 * AE_PACE_LOSING times slower ends at once (an idle machine pays about one
 * slow step per probe). */
static void pace_record(ae_trainer *t, double secs) {
  if (t->probe_left > 0) {
    int n = AE_PACE_WINDOW - --t->probe_left; /* probe steps so far */
    t->alt_secs += secs;
    double cur = t->cur_secs / AE_PACE_WINDOW, alt = t->alt_secs / n;
    if (t->probe_left > 0 && alt < cur * AE_PACE_LOSING) return;
    if (t->probe_left == 0 && alt < cur * AE_PACE_MARGIN) { /* the other width wins */
      int w = t->width;
      t->width = t->alt_width, t->alt_width = w, t->interval = AE_PACE_FIRST;
    } else if ((t->interval *= 4) > AE_PACE_MAX) {
      t->interval = AE_PACE_MAX;
    }
    t->probe_left = 0, t->until_probe = t->interval, t->cur_secs = 0.0;
    return;
  }
  if (t->until_probe <= AE_PACE_WINDOW) t->cur_secs += secs;
  if (--t->until_probe <= 0) t->probe_left = AE_PACE_WINDOW, t->alt_secs = 0.0;
}

double ae_trainer_step(ae_trainer *t, const uint32_t *idx, int b, double at) {
  ae_model *m = t->m;
  if (m->sampler >= 0) { /* KL warm-up: beta rises linearly over kl_warmup epochs */
    const ae_train_options *o = t->o;
    ae_objective_set_kl_weight(&m->obj, o->kl_warmup > 0.0f && at < o->kl_warmup
                                            ? (float)(m->obj.beta * at / o->kl_warmup)
                                            : m->obj.beta);
  }
  ae_optim_begin_step(t->opt, at);
  t->batch = idx, t->b = b;
  /* K chunks over the job (the last batch may be small, but every rank has
   * at least one, maybe empty); this rank's are g0 .. g0 + k - 1 */
  int all = t->workers * t->ranks, K = all < b ? all : b;
  if (K < t->ranks) K = t->ranks;
  t->k_all = K, t->g0 = (int)((long)K * t->rank / t->ranks);
  t->k = (int)((long)K * (t->rank + 1) / t->ranks) - t->g0;
  memset(t->sums, 0, sizeof t->sums);
  if (t->balanced) {
    int width = t->probe_left > 0 ? t->alt_width : t->width;
    double t0 = now_s();
    ae_team_for_then(t->team, width, (size_t)t->k, (size_t)t->ranges, step_item, t);
    if (t->ranks > 1) { /* over the ranks, then the update */
      ae_dist_sum_floats(t->blocks[0], m->n_params);
      ae_team_for(t->team, width, (size_t)t->ranges, update_item, t);
    }
    if (b == t->bs) pace_record(t, now_s() - t0);
  } else {
    ae_team_run(t->team, t->k, step_worker, t);
  }
  /* the loss as the gradient: a balanced tree over the chunks, then ranks */
  double sums[AE_MAX_CHUNKS];
  memcpy(sums, t->sums, (size_t)t->k * sizeof(double));
  double sum = ae_team_tree_sum(sums, t->k);
  ae_dist_sum_doubles(&sum, 1);
  return sum;
}

/* ---- set-up ---- */

ae_status ae_trainer_init(ae_trainer *t, ae_model *m, const ae_dataset *train,
                          const ae_dataset *val, const ae_train_options *o) {
  memset(t, 0, sizeof *t);
  ae_status st = check_options(o);
  if (st) return st;
  size_t d = (size_t)m->input_dim, n = train->n, P = m->n_params, S = m->n_state;
  if (train->dim != d || (val && val->dim != d))
    return ae_set_error(AE_ERR_SHAPE, "data has %zu features per sample, the model %s takes %zu",
                        train->dim != d ? train->dim : val->dim, m->spec, d);
  if (n == 0) return ae_set_error(AE_ERR_ARG, "no training samples");
  if (n > UINT32_MAX) return ae_set_error(AE_ERR_ARG, "too many training samples (%zu)", n);
  if (m->loss == AE_LOSS_BCE) { /* binary cross-entropy is a loss for targets in [0, 1] */
    float lo, hi;
    ae_dataset_extremes(train, &lo, &hi);
    if (!(lo >= -1e-6f && hi <= 1.0f + 1e-6f))
      return ae_set_error(AE_ERR_ARG, "the loss is binary cross-entropy, which needs targets in "
                          "[0, 1], and the scaled training data lie in [%g, %g]: use loss=mse "
                          "(with a linear output), or scale to [0, 1] (min-max)",
                          (double)lo, (double)hi);
  }
  if (val && val->n == 0) val = NULL;
  t->m = m, t->train = train, t->val = val, t->o = o, t->n = n;
  t->bs = o->batch_size < (int)n ? o->batch_size : (int)n;
  /* our threads split the batch; each calls single-threaded BLAS */
  /* by default the cores, shared among this machine's ranks */
  int workers = o->threads > 0 ? o->threads
                               : (int)sysconf(_SC_NPROCESSORS_ONLN) / ae_dist_local_size();
  if (workers < 1) workers = 1;
  if (workers > AE_MAX_WORKERS) workers = AE_MAX_WORKERS;
  if (workers > t->bs) workers = t->bs;
  t->workers = workers;
  t->rank = ae_dist_rank(), t->ranks = ae_dist_size();
  t->balanced = 0, t->ranges = 1;
  if (workers > 1 && ae_model_sync_count(m) == 0) { /* nothing meets in the forward pass */
    size_t r = P / AE_RANGE_FLOATS;
    t->balanced = 1;
    t->ranges = r < 1 ? 1 : r > (size_t)(4 * workers) ? 4 * workers : (int)r;
    t->width = workers, t->alt_width = workers / 2;
    t->interval = t->until_probe = AE_PACE_FIRST;
  }
  openblas_set_num_threads(1);
  t->noise = (ae_noise){AE_NOISE_NONE, 0.0f, 0.0f};
  if (o->noise && ((st = ae_noise_parse(&t->noise, o->noise)) ||
                   (st = ae_noise_check(&t->noise, m->c))))
    return st;
  if ((st = ae_model_plan_workers(m, workers, (t->bs + workers - 1) / workers,
                                  t->noise.kind != AE_NOISE_NONE)) ||
      (st = ae_team_create(&t->team, workers)) ||
      (st = ae_team_reserve(t->team, ae_model_sync_count(m))) ||
      (st = ae_optim_create(&t->opt, o, P)) || (st = history_alloc(&t->h, o->epochs)))
    goto fail;
  for (int c = 0; c < workers; c++) { /* chunk c's stream: chunk rank x workers + c of the job */
    uint64_t g = (uint64_t)t->rank * (uint64_t)workers + (uint64_t)c;
    ae_rng_seed(&t->rngs[c], o->seed ^ (0x9e3779b97f4a7c15ULL * (g + 1)));
  }
  for (int c = 0; c < workers; c++) t->blocks[c] = m->ws[c].grads; /* block 0: m->grads */
  t->idx = malloc(n * sizeof *t->idx);
  t->best = malloc((P + S + 1) * sizeof(float));
  if (!t->idx || !t->best) {
    st = ae_set_error(AE_ERR_NOMEM, "out of memory");
    goto fail;
  }
  t->best_state = t->best + P;
  for (size_t i = 0; i < n; i++) t->idx[i] = (uint32_t)i;
  ae_rng_seed(&t->shuffle, o->seed);
  t->best_val = INFINITY;
  float lo, hi;
  ae_dataset_range(train, &lo, &hi);
  t->weight_limit = AE_DIVERGE_WEIGHTS * fmaxf(1.0f, fmaxf(fabsf(lo), fabsf(hi)));
  t->ref_loss = 0.0;
  return AE_OK;
fail:
  ae_trainer_free(t);
  return st;
}

void ae_trainer_free(ae_trainer *t) {
  if (t->m) ae_objective_set_kl_weight(&t->m->obj, t->m->obj.beta);
  if (t->m)
    for (int w = 0; w < AE_MAX_WORKERS; w++)
      t->m->ws[w].tm = NULL, t->m->ws[w].first = 0, t->m->ws[w].follower = 0;
  ae_team_free(t->team);
  ae_optim_free(t->opt);
  ae_history_free(t->h);
  free(t->idx);
  free(t->best);
  memset(t, 0, sizeof *t);
}

/* ---- checkpoints ---- */

static void put_f64(cJSON *o, const char *key, double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  char s[24];
  snprintf(s, sizeof s, "%016" PRIx64, u);
  cJSON_AddStringToObject(o, key, s);
}

static int get_u64s(const cJSON *o, const char *key, uint64_t *v, int n) {
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
  if (n == 1 && cJSON_IsString(a)) {
    char *end;
    *v = strtoull(a->valuestring, &end, 16);
    return *end || strlen(a->valuestring) != 16 ? -1 : 0;
  }
  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) return -1;
  for (int i = 0; i < n; i++) {
    const cJSON *e = cJSON_GetArrayItem(a, i);
    char *end;
    if (!cJSON_IsString(e) || strlen(e->valuestring) != 16) return -1;
    v[i] = strtoull(e->valuestring, &end, 16);
    if (*end) return -1;
  }
  return 0;
}

static int get_f64(const cJSON *o, const char *key, double *v) {
  uint64_t u;
  if (get_u64s(o, key, &u, 1)) return -1;
  memcpy(v, &u, sizeof u);
  return 0;
}

static void put_u64s(cJSON *o, const char *key, const uint64_t *v, int n) {
  cJSON *a = cJSON_AddArrayToObject(o, key);
  for (int i = 0; i < n; i++) {
    char s[24];
    snprintf(s, sizeof s, "%016" PRIx64, v[i]);
    cJSON_AddItemToArray(a, cJSON_CreateString(s));
  }
}

static void put_f64s(cJSON *o, const char *key, const double *v, int n) {
  uint64_t u[1];
  cJSON *a = cJSON_AddArrayToObject(o, key);
  for (int i = 0; i < n; i++) {
    memcpy(u, &v[i], sizeof u[0]);
    char s[24];
    snprintf(s, sizeof s, "%016" PRIx64, u[0]);
    cJSON_AddItemToArray(a, cJSON_CreateString(s));
  }
}

static int get_f64s(const cJSON *o, const char *key, double *v, int n) {
  uint64_t u[1];
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) return -1;
  for (int i = 0; i < n; i++) {
    const cJSON *e = cJSON_GetArrayItem(a, i);
    char *end;
    if (!cJSON_IsString(e) || strlen(e->valuestring) != 16) return -1;
    u[0] = strtoull(e->valuestring, &end, 16);
    if (*end) return -1;
    memcpy(&v[i], u, sizeof u[0]);
  }
  return 0;
}

/* The options a checkpoint must share with the run that resumes it. */
static void put_compat(cJSON *j, const ae_trainer *t) {
  const ae_train_options *o = t->o;
  cJSON_AddStringToObject(j, "optimizer", optimizer_name(o->optimizer));
  cJSON_AddNumberToObject(j, "batch_size", o->batch_size);
  cJSON_AddNumberToObject(j, "train_samples", (double)t->n);
  cJSON_AddStringToObject(j, "noise", o->noise ? o->noise : "none");
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);
  cJSON_AddStringToObject(j, "seed", seed);
}

/* Every rank's chunk generators to rank 0, which alone writes; its status
 * goes to every rank, so that all stop together when the write fails. */
static ae_status write_checkpoint(ae_trainer *t, const uint64_t *rngs);

static ae_status save_checkpoint(ae_trainer *t) {
  size_t nw = 4 * (size_t)t->workers;
  uint64_t mine[4 * AE_MAX_CHUNKS], code[1];
  for (int c = 0; c < t->workers; c++) memcpy(mine + 4 * c, t->rngs[c].s, 4 * sizeof(uint64_t));
  /* the gather's buffer matters on rank 0 only; the others' few bytes go
   * out eagerly even if rank 0 could not take part */
  uint64_t *all = t->rank == 0 ? malloc(nw * (size_t)t->ranks * sizeof(uint64_t)) : mine;
  if (all) ae_dist_gather_u64(mine, nw, all);
  ae_status st = AE_OK;
  if (t->rank == 0) st = all ? write_checkpoint(t, all) : ae_set_error(AE_ERR_NOMEM, "out of memory");
  if (t->rank != 0) all = NULL;
  free(all);
  code[0] = (uint64_t)st;
  ae_dist_bcast_u64(code, 1);
  if (t->rank != 0 && code[0])
    return ae_set_error((ae_status)code[0], "rank 0 could not write the checkpoint %s",
                        t->o->checkpoint_path);
  return st;
}

static ae_status write_checkpoint(ae_trainer *t, const uint64_t *rngs) {
  ae_model *m = t->m;
  const ae_train_options *o = t->o;
  size_t P = m->n_params, S = m->n_state;
  ae_status st = record_meta(t);
  if (st) return st;
  cJSON *j = cJSON_CreateObject();
  if (!j) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  cJSON_AddNumberToObject(j, "version", AE_CHECKPOINT_VERSION);
  put_compat(j, t);
  cJSON_AddNumberToObject(j, "epoch", t->epoch);
  cJSON_AddNumberToObject(j, "done", (double)t->done);
  put_f64(j, "loss_sum", t->loss_sum);
  put_f64(j, "elapsed", t->elapsed);
  cJSON_AddNumberToObject(j, "workers", t->workers);
  cJSON_AddNumberToObject(j, "ranks", t->ranks);
  put_u64s(j, "shuffle_rng", t->shuffle.s, 4);
  cJSON *wr = cJSON_AddArrayToObject(j, "chunk_rngs"); /* rank x workers + chunk */
  for (int c = 0; c < t->workers * t->ranks; c++) {
    cJSON *e = cJSON_CreateObject();
    put_u64s(e, "s", rngs + 4 * (size_t)c, 4);
    cJSON_AddItemToArray(wr, e);
  }
  double sc[6];
  ae_optim_scalars(t->opt, sc);
  put_f64s(j, "optim", sc, 6);
  put_f64(j, "best_val", t->best_val);
  cJSON_AddNumberToObject(j, "wait", t->wait);
  cJSON_AddNumberToObject(j, "best_epoch", t->h->best);
  cJSON_AddNumberToObject(j, "epochs_done", t->h->epochs);
  put_f64s(j, "train_loss", t->h->train, t->h->epochs);
  put_f64s(j, "val_loss", t->h->val, t->h->epochs);
  put_f64s(j, "seconds", t->h->secs, t->h->epochs);
  char *meta = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (!meta) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  ae_st_tensor x[4];
  int nx = 0;
  if (o->optimizer == AE_OPT_SGD) {
    x[nx++] = (ae_st_tensor){"optim.momentum_buffer", 1, {(int64_t)P}, t->opt->block};
  } else {
    x[nx++] = (ae_st_tensor){"optim.exp_avg", 1, {(int64_t)P}, t->opt->block};
    x[nx++] = (ae_st_tensor){"optim.exp_avg_sq", 1, {(int64_t)P}, t->opt->block + P};
  }
  if (t->val && o->patience > 0) {
    x[nx++] = (ae_st_tensor){"train.best_params", 1, {(int64_t)P}, t->best};
    if (S) x[nx++] = (ae_st_tensor){"train.best_state", 1, {(int64_t)S}, t->best_state};
  }
  st = ae_model_save_with(m, o->checkpoint_path, x, nx, "checkpoint", meta);
  free(meta);
  return st;
}

#define CK_BAD(what) \
  ae_set_error(AE_ERR_FORMAT, "%s: checkpoint %s is missing or malformed", path, what)

/* Compare the options that must match; name the first that does not. */
static ae_status check_compat(const cJSON *j, const ae_trainer *t, const char *path) {
  cJSON *now = cJSON_CreateObject();
  if (!now) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  put_compat(now, t);
  ae_status st = AE_OK;
  for (cJSON *e = now->child; e && !st; e = e->next) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, e->string);
    if (!v || !cJSON_Compare(v, e, 1)) {
      char *have = v ? cJSON_PrintUnformatted(v) : NULL, *want = cJSON_PrintUnformatted(e);
      st = ae_set_error(AE_ERR_ARG,
                        "%s: checkpoint was written with %s %s, this run has %s: resume with "
                        "the same %s",
                        path, e->string, have ? have : "(none)", want ? want : "?", e->string);
      free(have);
      free(want);
    }
  }
  cJSON_Delete(now);
  return st;
}

static ae_status copy_tensor(const ae_st_file *f, const char *name, float *dst, size_t count,
                             const char *path) {
  const ae_st_tensor *x = ae_st_find(f, name);
  if (!x || x->ndim != 1 || (size_t)x->shape[0] != count)
    return ae_set_error(AE_ERR_FORMAT, "%s: checkpoint tensor '%s' (%zu floats) is missing or "
                        "has the wrong shape", path, name, count);
  memcpy(dst, x->data, count * sizeof(float));
  for (size_t k = 0; k < count; k++)
    if (!isfinite(dst[k]))
      return ae_set_error(AE_ERR_NUMERIC, "%s: checkpoint tensor '%s' holds a non-finite value",
                          path, name);
  return AE_OK;
}

/* Restore the trainer from a checkpoint of the model m already holds. */
static ae_status load_checkpoint(ae_trainer *t, const char *path) {
  ae_model *m = t->m;
  size_t P = m->n_params, S = m->n_state;
  ae_st_file *f = NULL;
  ae_status st = ae_st_read(&f, path);
  if (st) return st;
  const char *meta = ae_st_meta(f, "checkpoint"), *spec = ae_st_meta(f, "spec");
  cJSON *j = NULL;
  if (!meta) {
    st = ae_set_error(AE_ERR_FORMAT, "%s: a model file, not a checkpoint (no training state; "
                      "write one with a checkpoint path)", path);
    goto out;
  }
  if (!spec || strcmp(spec, m->spec)) {
    st = ae_set_error(AE_ERR_SHAPE, "%s: checkpoint of architecture '%.200s', the model is '%.200s'",
                      path, spec ? spec : "?", m->spec);
    goto out;
  }
  if (!(j = cJSON_Parse(meta))) {
    st = CK_BAD("metadata");
    goto out;
  }
  const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "version");
  if (!cJSON_IsNumber(ver) || ver->valuedouble != AE_CHECKPOINT_VERSION) {
    st = ae_set_error(AE_ERR_FORMAT, "%s: checkpoint version is not %d", path,
                      AE_CHECKPOINT_VERSION);
    goto out;
  }
  if ((st = check_compat(j, t, path))) goto out;
  const cJSON *ep = cJSON_GetObjectItemCaseSensitive(j, "epoch");
  const cJSON *dn = cJSON_GetObjectItemCaseSensitive(j, "done");
  const cJSON *wk = cJSON_GetObjectItemCaseSensitive(j, "workers");
  const cJSON *wt = cJSON_GetObjectItemCaseSensitive(j, "wait");
  const cJSON *be = cJSON_GetObjectItemCaseSensitive(j, "best_epoch");
  const cJSON *ed = cJSON_GetObjectItemCaseSensitive(j, "epochs_done");
  if (!cJSON_IsNumber(ep) || !cJSON_IsNumber(dn) || !cJSON_IsNumber(wk) || !cJSON_IsNumber(wt) ||
      !cJSON_IsNumber(be) || !cJSON_IsNumber(ed) || ep->valuedouble < 0 || ep->valuedouble > 1e7 ||
      dn->valuedouble < 0 || dn->valuedouble >= (double)t->n || wk->valuedouble < 1 ||
      wk->valuedouble > AE_MAX_WORKERS || ed->valuedouble != ep->valuedouble ||
      be->valuedouble < 0 || be->valuedouble > ep->valuedouble || wt->valuedouble < 0) {
    st = CK_BAD("cursor");
    goto out;
  }
  int epoch = (int)ep->valuedouble;
  if (epoch + (dn->valuedouble > 0) > t->o->epochs) {
    st = ae_set_error(AE_ERR_ARG, "%s: checkpoint is in epoch %d; ask for at least %d epochs "
                      "(not %d)", path, epoch + 1, epoch + (dn->valuedouble > 0), t->o->epochs);
    goto out;
  }
  t->epoch = epoch, t->done = (size_t)dn->valuedouble;
  t->wait = (int)wt->valuedouble;
  t->h->best = (int)be->valuedouble, t->h->epochs = epoch;
  double sc[6];
  if (get_f64(j, "loss_sum", &t->loss_sum) || get_f64(j, "elapsed", &t->elapsed) ||
      get_f64(j, "best_val", &t->best_val) || get_f64s(j, "optim", sc, 6) ||
      get_u64s(j, "shuffle_rng", t->shuffle.s, 4) ||
      (epoch && (get_f64s(j, "train_loss", t->h->train, epoch) ||
                 get_f64s(j, "val_loss", t->h->val, epoch) ||
                 get_f64s(j, "seconds", t->h->secs, epoch)))) {
    st = CK_BAD("state");
    goto out;
  }
  ae_optim_set_scalars(t->opt, sc);
  /* one generator per chunk ("worker_rngs" in checkpoints written before
   * balanced steps, one per worker, which was one per chunk) */
  const cJSON *wr = cJSON_GetObjectItemCaseSensitive(j, "chunk_rngs");
  if (!wr) wr = cJSON_GetObjectItemCaseSensitive(j, "worker_rngs");
  int saved_chunks = cJSON_IsArray(wr) ? cJSON_GetArraySize(wr) : 0;
  if (saved_chunks < 1 || saved_chunks > AE_MAX_CHUNKS * 4096) {
    st = CK_BAD("chunk generators");
    goto out;
  }
  /* the same threads and ranks give the same bits; with others, chunks past
   * the saved ones keep their fresh streams (this rank's chunks come after
   * rank x workers of the job's) */
  int first = t->rank * t->workers;
  for (int c = 0; first + c < saved_chunks && c < t->workers; c++)
    if (get_u64s(cJSON_GetArrayItem(wr, first + c), "s", t->rngs[c].s, 4)) {
      st = CK_BAD("chunk generators");
      goto out;
    }
  if (t->o->optimizer == AE_OPT_SGD) st = copy_tensor(f, "optim.momentum_buffer", t->opt->block, P, path);
  else if (!(st = copy_tensor(f, "optim.exp_avg", t->opt->block, P, path)))
    st = copy_tensor(f, "optim.exp_avg_sq", t->opt->block + P, P, path);
  if (!st && ae_st_find(f, "train.best_params")) {
    st = copy_tensor(f, "train.best_params", t->best, P, path);
    if (!st && S) st = copy_tensor(f, "train.best_state", t->best_state, S, path);
  }
  if (st) goto out;
  /* the order: replay the shuffles of the epochs begun, from the seed */
  ae_rng r;
  ae_rng_seed(&r, t->o->seed);
  int begun = epoch + (t->done > 0);
  for (int e = 0; e < begun; e++) ae_rng_shuffle(&r, t->idx, t->n);
  if (memcmp(r.s, t->shuffle.s, sizeof r.s))
    st = ae_set_error(AE_ERR_FORMAT, "%s: checkpoint's shuffle generator does not follow from "
                      "its seed", path);
out:
  cJSON_Delete(j);
  ae_st_free(f);
  return st;
}

/* ---- the loop ---- */

/* The weights half of the divergence guard (train.h). */
static ae_status check_weights(const ae_trainer *t, int e, long steps) {
  float big = ae_max_abs(t->m->params, t->m->n_params);
  if (big <= t->weight_limit) return AE_OK;
  return ae_set_error(AE_ERR_NUMERIC,
                      "training diverged in epoch %d, step %ld: a weight is %s, beyond the "
                      "bound of %.3g (try a smaller learning rate)", e + 1, steps,
                      isfinite(big) ? "huge" : "non-finite", (double)t->weight_limit);
}

ae_status ae_train(ae_model *m, const ae_dataset *train, const ae_dataset *val,
                   const ae_train_options *o, ae_history **history) {
  if (history) *history = NULL;
  if (!m || !train || !o) return ae_set_error(AE_ERR_ARG, "ae_train: model, data and options must not be NULL");
  ae_trainer tr, *t = &tr;
  ae_status st = ae_trainer_init(t, m, train, val, o);
  if (st) return st;
  val = t->val;
  size_t n = t->n, P = m->n_params, S = m->n_state;
  int bs = t->bs, threads = m->threads, distributed = m->distributed;
  m->threads = t->workers; /* validation runs on the training's threads, */
  m->distributed = t->ranks > 1; /* split over the ranks */
  if (o->resume_path && (st = load_checkpoint(t, o->resume_path))) goto done;
  ae_history *h = t->h;
  long steps = t->opt->step;
  int resumed_mid = t->done > 0;
  for (; t->epoch < o->epochs; t->epoch++) {
    int e = t->epoch;
    double t0 = now_s() - t->elapsed;
    if (!resumed_mid) {
      ae_rng_shuffle(&t->shuffle, t->idx, n);
      t->done = 0, t->loss_sum = 0.0;
    }
    resumed_mid = 0;
    t->elapsed = 0.0;
    for (size_t i = t->done; i < n; i += (size_t)bs) {
      if (o->stop_after > 0 && steps >= o->stop_after) goto stopped;
      int b = (int)(n - i < (size_t)bs ? n - i : (size_t)bs);
      double loss = ae_trainer_step(t, t->idx + i, b, e + (double)i / (double)n);
      steps++;
      if (!isfinite(loss)) {
        st = ae_set_error(AE_ERR_NUMERIC,
                          "training diverged in epoch %d, step %ld: the loss is %s (try a smaller "
                          "learning rate)", e + 1, steps, isnan(loss) ? "NaN" : "infinite");
        goto done;
      }
      if (t->ref_loss == 0.0) t->ref_loss = fmax(loss, AE_DIVERGE_FLOOR);
      if (loss > AE_DIVERGE_RATIO * t->ref_loss) {
        st = ae_set_error(AE_ERR_NUMERIC,
                          "training diverged in epoch %d, step %ld: the loss %.3g is more than "
                          "%g times the first step's %.3g (try a smaller learning rate)",
                          e + 1, steps, loss, AE_DIVERGE_RATIO, t->ref_loss);
        goto done;
      }
      t->loss_sum += loss * b;
      t->done = i + (size_t)b;
      if (o->progress) {
        double el = now_s() - t0;
        ae_progress p = {e + 1, o->epochs, i + b, n, t->loss_sum / (double)(i + b), NAN,
                         el > 0 ? (double)(i + b) / el : 0.0, el, 0, 0};
        o->progress(&p, o->user);
      }
      if (o->checkpoint_every > 0 && steps % o->checkpoint_every == 0 && t->done < n) {
        t->elapsed = now_s() - t0;
        if ((st = check_weights(t, e, steps)) || (st = save_checkpoint(t))) goto done;
      }
    }
    if ((st = check_weights(t, e, steps))) goto done;
    h->train[e] = t->loss_sum / (double)n;
    h->val[e] = NAN;
    if (val) { /* a denoiser is judged on corrupted inputs against clean ones,
                  with the same corruption every epoch */
      ae_eval_result r, corrupted;
      st = t->noise.kind == AE_NOISE_NONE
               ? ae_model_evaluate(m, &r, val)
               : ae_model_evaluate_denoising(m, &corrupted, &r, val, o->noise, o->seed + 1);
      if (st) goto done;
      h->val[e] = r.loss;
    }
    h->secs[e] = now_s() - t0;
    h->epochs = e + 1;
    double score = val ? h->val[e] : h->train[e];
    int improved = score < t->best_val - o->min_delta;
    if (improved) {
      t->best_val = score;
      h->best = e;
      t->wait = 0;
      if (val) {
        memcpy(t->best, m->params, P * sizeof(float));
        memcpy(t->best_state, m->state, S * sizeof(float));
      }
    } else {
      t->wait++;
    }
    ae_optim_epoch_end(t->opt, e, score);
    if ((st = record_meta(t))) goto done;
    int stop = val && o->patience > 0 && t->wait >= o->patience;
    if (o->checkpoint_path) {
      t->epoch = e + 1, t->done = 0, t->loss_sum = 0.0;
      st = save_checkpoint(t);
      t->epoch = e;
      if (st) goto done;
    }
    if (o->progress) {
      double el = h->secs[e];
      ae_progress p = {e + 1, o->epochs, n, n, h->train[e], h->val[e],
                       el > 0 ? (double)n / el : 0.0, el, 1, improved};
      o->progress(&p, o->user);
    }
    if (stop) break;
  }
  /* with early stopping, keep the best weights (Keras restore_best_weights) */
  if (val && o->patience > 0 && h->best != h->epochs - 1) {
    memcpy(m->params, t->best, P * sizeof(float));
    memcpy(m->state, t->best_state, S * sizeof(float));
  }
  goto done;
stopped: /* as an interruption: the last checkpoint is where to go on from */
  if (o->checkpoint_path && t->done > 0) {
    if ((st = save_checkpoint(t))) goto done;
  } else if ((st = record_meta(t))) {
    goto done;
  }
done:
  m->threads = threads, m->distributed = distributed;
  if (st == AE_OK && history) {
    *history = t->h;
    t->h = NULL;
  }
  ae_trainer_free(t);
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
  if (!h || !path) return ae_set_error(AE_ERR_ARG, "history and path must not be NULL");
  csv_ctx c = {h};
  return ae_write_atomic(path, write_history, &c);
}
