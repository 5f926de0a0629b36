/* SPDX-License-Identifier: MIT */
/* model.c — building a model from its spec, the parameter block, planned
 * activation memory, forward, the objective and backward, accessors and
 * metadata (inference and evaluation: model_run.c).
 * Legend: N batch, D input features, Z code size, P parameters, W widest
 * layer. */
#include "model.h"

#include "error.h"

#include <cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ae_version(void) { return AE_VERSION_STRING; }

/* Canonical spec text of a built model. */
static ae_status make_spec_string(ae_model *m) {
  size_t cap = 64 + (size_t)m->n_layers * 96, len = 0;
  char *s = malloc(cap);
  if (!s) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  for (int i = 0; i < m->n_layers; i++) {
    if (i) s[len++] = i == m->n_enc ? '|' : ',';
    len += (size_t)m->layers[i].ops->spec(&m->layers[i], s + len, cap - len);
  }
  len += (size_t)snprintf(s + len, cap - len, ";loss=%s", m->loss == AE_LOSS_BCE ? "bce" : "mse");
  const ae_objective *o = &m->obj;
  if (m->sampler >= 0 && o->beta != 1.0f)
    len += (size_t)snprintf(s + len, cap - len, ";beta=%g", (double)o->beta);
  if (o->l1 > 0.0f) len += (size_t)snprintf(s + len, cap - len, ";l1=%g", (double)o->l1);
  if (o->sparsity > 0.0f)
    len += (size_t)snprintf(s + len, cap - len, ";sparsity=%g:%g", (double)o->rho,
                            (double)o->sparsity);
  if (o->contractive > 0.0f)
    len += (size_t)snprintf(s + len, cap - len, ";contractive=%g", (double)o->contractive);
  if (o->l2 > 0.0f) snprintf(s + len, cap - len, ";l2=%g", (double)o->l2);
  m->spec = s;
  return AE_OK;
}

ae_status ae_model_create(ae_model **out, const char *spec, int c, int h,
                          int w, uint64_t seed) {
  if (!out) return ae_set_error(AE_ERR_ARG, "ae_model_create: out is NULL");
  return ae_model_build(out, spec, c, h, w, seed, 0, 1);
}

ae_status ae_model_build(ae_model **out, const char *spec, int c, int h, int w,
                         uint64_t seed, size_t max_values, int init) {
  *out = NULL;
  if (!spec) return ae_set_error(AE_ERR_ARG, "ae_model_create: spec is NULL");
  if (!max_values || max_values > AE_MAX_PARAMS) max_values = AE_MAX_PARAMS;
  if (c <= 0 || h <= 0 || w <= 0 || (double)c * h * w > (1 << 24))
    return ae_set_error(AE_ERR_ARG, "input shape (%d, %d, %d) is not a valid image size", c, h, w);
  int d = c * h * w;
  ae_spec sp;
  ae_status st = ae_spec_parse(&sp, spec, c, h, w);
  if (st) return st;
  const char *text = spec;
  ae_model *m = calloc(1, sizeof *m);
  if (!m) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  m->c = c, m->h = h, m->w = w, m->input_dim = d;
  m->n_enc = sp.n_enc, m->n_layers = sp.n_layers, m->loss = sp.loss;
  m->obj = sp.obj, m->sampler = -1;
  m->seed = seed, m->lo = 0.0f, m->hi = 1.0f;
  ae_shape shape = {c, h, w};
  for (int i = 0; i < sp.n_layers; i++) {
    ae_layer *l = &m->layers[i];
    if ((st = ae_layer_build(l, &sp.layers[i], shape, i + 1, text))) {
      ae_error_prefix(text);
      goto fail;
    }
    shape = l->out;
  }
  ae_layer *last = &m->layers[m->n_layers - 1];
  if (last->out.h == 1 && last->out.w == 1 && last->out_dim == d)
    shape = last->out = (ae_shape){c, h, w}; /* a flat output takes the input's shape */
  if (shape.c != c || shape.h != h || shape.w != w) {
    st = ae_set_error(AE_ERR_SHAPE,
                      "spec '%s': the decoder ends in %d values of shape (%d, %d, %d) but the input has %d of shape (%d, %d, %d)",
                      text, shape.c * shape.h * shape.w, shape.c, shape.h, shape.w, d, c, h, w);
    goto fail;
  }
  ae_act *out_act = last->ops->run_act ? last->ops->run_act(last) : NULL;
  if (m->loss == AE_LOSS_BCE) {
    if (!out_act || *out_act != AE_ACT_SIGMOID) {
      st = ae_set_error(AE_ERR_ARG, "spec '%s': loss=bce needs a sigmoid output layer (use loss=mse otherwise)",
                        text);
      goto fail;
    }
    m->logits_out = 1; /* sigmoid fused into the loss */
    *out_act = AE_ACT_IDENTITY;
  }
  m->n_params = ae_net_param_count(m->layers, m->n_layers); /* the nets' blocks, together */
  m->n_state = ae_net_state_count(m->layers, m->n_layers);
  if (m->n_params > max_values || m->n_state > max_values - m->n_params) {
    st = ae_set_error(AE_ERR_SHAPE, "spec '%s': %zu parameters and %zu state values, more than %s (%zu)",
                      text, m->n_params, m->n_state,
                      max_values == AE_MAX_PARAMS ? "the limit" : "the file holds", max_values);
    goto fail;
  }
  m->params = calloc(m->n_params ? m->n_params : 1, sizeof(float));
  m->grads = calloc(m->n_params ? m->n_params : 1, sizeof(float));
  m->state = calloc(m->n_state ? m->n_state : 1, sizeof(float));
  if (!m->params || !m->grads || !m->state) {
    st = ae_set_error(AE_ERR_NOMEM, "out of memory for %zu parameters", m->n_params);
    goto fail;
  }
  ae_net_init(&m->enc, m->layers, m->n_enc, 0, m->params, 0, m->state, 0);
  ae_net_init(&m->dec, m->layers + m->n_enc, m->n_layers - m->n_enc, m->n_enc, m->params,
              m->enc.n_params, m->state, m->enc.n_state);
  if ((st = ae_objective_build(&m->obj, m, text))) goto fail;
  m->ws[0].grads = m->grads;
  m->n_workers = 1;
  if (init) ae_model_init(m, AE_INIT_KERAS, seed);
  if ((st = make_spec_string(m))) goto fail;
  *out = m;
  return AE_OK;
fail:
  ae_model_free(m);
  return st;
}

ae_status ae_model_init(ae_model *m, ae_init scheme, uint64_t seed) {
  AE_ARG(m, "ae_model_init", "model is NULL");
  if (scheme != AE_INIT_KERAS && scheme != AE_INIT_TORCH)
    return ae_set_error(AE_ERR_ARG, "unknown initialisation scheme %d", (int)scheme);
  ae_rng rng;
  ae_rng_seed(&rng, seed);
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].ops->init) m->layers[i].ops->init(&m->layers[i], scheme, &rng);
  m->seed = seed;
  m->init = scheme;
  return AE_OK;
}

void ae_model_free(ae_model *m) {
  if (!m) return;
  free(m->params);
  free(m->grads);
  free(m->state);
  free(m->sync);
  ae_objective_free(&m->obj);
  ae_team_free(m->infer_team);
  for (int w = 0; w < AE_MAX_WORKERS; w++) {
    free(m->ws[w].mem);
    if (w > 0) free(m->ws[w].grads);
  }
  free(m->spec);
  free(m->training_json);
  free(m->history_json);
  free(m->detector_json);
  free(m->pca_json);
  free(m->series_json);
  free(m->features_json);
  free(m->range_json);
  free(m->classes_json);
  ae_names_clear(&m->classes);
  free(m->metadata);
  free(m);
}

/* Plan one workspace for slices of up to n samples (with a clean-target
 * buffer when `targets`). */
ae_status ae_model_plan_workspace(ae_model *m, ae_workspace *ws, int n, int targets) {
  if (n <= 0) return ae_set_error(AE_ERR_ARG, "batch size %d must be positive", n);
  if (ws->target) targets = 1; /* a plan only grows: keep what training asked for */
  if (n <= ws->plan_n && (!targets || ws->target)) return AE_OK;
  if (n < ws->plan_n) n = ws->plan_n;
  /* the nets' plans: activations, then gradients, output, target, then scratch */
  size_t d = (size_t)m->input_dim, widest = d;
  if (ae_net_widest(&m->enc) > widest) widest = ae_net_widest(&m->enc);
  if (ae_net_widest(&m->dec) > widest) widest = ae_net_widest(&m->dec);
  size_t acts = ae_net_act_count(&m->enc, n) + ae_net_act_count(&m->dec, n);
  size_t fixed = ae_net_scratch_count(&m->enc, n) + ae_net_scratch_count(&m->dec, n);
  size_t per = d + 2 * widest + d * (targets ? 2 : 1); /* input, grads, out, target */
  float *mem = malloc((per * (size_t)n + acts + fixed) * sizeof(float));
  if (!mem)
    return ae_set_error(AE_ERR_NOMEM, "out of memory planning batches of %d", n);
  free(ws->mem);
  ws->mem = mem;
  ws->plan_n = n;
  float *p = mem, *sp = mem + (per * (size_t)n + acts); /* scratch after the rest */
  ws->acts[0] = p, p += (size_t)n * m->input_dim;
  ae_net_plan(&m->enc, n, ws->acts, ws->scratch, &p, &sp);
  ae_net_plan(&m->dec, n, ws->acts + m->n_enc, ws->scratch + m->n_enc, &p, &sp);
  ws->grad_a = p, p += (size_t)n * widest;
  ws->grad_b = p, p += (size_t)n * widest;
  ws->out = p, p += (size_t)n * m->input_dim;
  ws->target = targets ? p : NULL;
  if (!ws->team) ws->team = 1;
  return AE_OK;
}

ae_status ae_model_plan(ae_model *m, int n) { return ae_model_plan_workers(m, 1, n, 0); }

ae_status ae_model_plan_workers(ae_model *m, int workers, int n, int targets) {
  if (workers < 1 || workers > AE_MAX_WORKERS)
    return ae_set_error(AE_ERR_ARG, "threads must be in 1..%d (got %d)", AE_MAX_WORKERS, workers);
  for (int w = 0; w < workers; w++) {
    ae_workspace *ws = &m->ws[w];
    ae_status st = ae_model_plan_workspace(m, ws, n, targets);
    if (st) return st;
    if (!ws->grads && !(ws->grads = malloc((m->n_params ? m->n_params : 1) * sizeof(float))))
      return ae_set_error(AE_ERR_NOMEM, "out of memory for %d gradient blocks", workers);
  }
  if (workers > m->n_workers) m->n_workers = workers;
  ae_status st = ae_objective_plan(&m->obj, m);
  if (st) return st;
  if (workers > m->sync_team) { /* per layer: `workers` slots of sync_count */
    size_t total = 0;
    for (int i = 0; i < m->n_layers; i++) {
      const ae_layer *l = &m->layers[i];
      m->sync_off[i] = total;
      if (l->ops->sync_count) total += l->ops->sync_count(l) * (size_t)workers;
    }
    double *sync = calloc(total ? total : 1, sizeof(double));
    if (!sync) return ae_set_error(AE_ERR_NOMEM, "out of memory");
    free(m->sync);
    m->sync = sync;
    m->sync_team = workers;
    for (int w = 0; w < workers; w++) /* each worker's slots of each layer */
      for (int i = 0; i < m->n_layers; i++) {
        const ae_layer *l = &m->layers[i];
        m->ws[w].sync[i] = l->ops->sync_count
                               ? m->sync + m->sync_off[i] + (size_t)w * l->ops->sync_count(l)
                               : NULL;
      }
  }
  return AE_OK;
}

size_t ae_model_sync_count(const ae_model *m) {
  size_t most = ae_objective_sync_count(&m->obj, m);
  for (int i = 0; i < m->n_layers; i++) {
    const ae_layer *l = &m->layers[i];
    size_t k = l->ops->sync_count ? l->ops->sync_count(l) : 0;
    if (k > most) most = k;
  }
  return most;
}

/* The objective's terms on activation `at` of a net (model_hook). */
typedef struct hook_ctx {
  ae_model *m;
  ae_workspace *ws;
} hook_ctx;

static void model_hook(void *ctx, const ae_net *net, int at, float *d, int n) {
  hook_ctx *h = ctx;
  ae_objective_grad_at(h->m, h->ws, net->first + at, d, n);
}

/* Workspace ws's buffers for net `net` (the objective's hook unless h is NULL). */
static ae_net_run net_run(const ae_net *net, ae_workspace *ws, int n, hook_ctx *h) {
  ae_net_run r = {ws->acts + net->first, ws->scratch + net->first, ws->sync + net->first,
                  ws->grads ? ws->grads + net->offset : NULL, ws->grad_a, ws->grad_b, &ws->rng,
                  ws->tm, ws->worker, ws->team > 0 ? ws->team : 1,
                  ws->n_total > 0 ? ws->n_total : n, ws->first, ws->sample,
                  h ? model_hook : NULL, h};
  return r;
}

/* Run layers [from, to) on ws->acts[from] (N, .): the encoder's part, then
 * the decoder's. */
void ae_model_forward_range(ae_model *m, ae_workspace *ws, int from, int to, int n, int train) {
  const ae_net *nets[2] = {&m->enc, &m->dec};
  for (int k = 0; k < 2; k++) {
    const ae_net *net = nets[k];
    int a = from - net->first, b = to - net->first;
    if (a < 0) a = 0;
    if (b > net->n_layers) b = net->n_layers;
    if (a >= b) continue;
    ae_net_run r = net_run(net, ws, n, NULL);
    ae_net_forward(net, &r, a, b, n, train);
  }
}

void ae_model_forward(ae_model *m, ae_workspace *ws, int n, int train) {
  ae_model_forward_range(m, ws, 0, m->n_layers, n, train);
}

const float *ae_model_output(ae_model *m, ae_workspace *ws, int n) {
  const float *z = ws->acts[m->n_layers]; /* (N, D) */
  if (!m->logits_out) return z;
  ae_sigmoid_forward(ws->out, z, (size_t)n * m->input_dim);
  return ws->out;
}

void ae_model_backward(ae_model *m, ae_workspace *ws, int n) {
  memset(ws->grads, 0, m->n_params * sizeof(float));
  ae_objective_backward(m, ws, n);
  hook_ctx h = {m, ws};
  ae_net_run dr = net_run(&m->dec, ws, n, &h), er = net_run(&m->enc, ws, n, &h);
  float *dcode = ae_net_backward(&m->dec, &dr, ws->grad_a, n, 1); /* dL/d code */
  ae_net_backward(&m->enc, &er, dcode, n, 0);
}

double ae_model_loss_step(ae_model *m, ae_workspace *ws, const float *t, int n, int backward,
                          double denom) {
  double obj = ae_objective_loss(m, ws, t, n, denom, backward ? ws->grad_a : NULL);
  if (backward) ae_model_backward(m, ws, n);
  return obj;
}

/* ---- accessors ---- */

/* A NULL model gives 0, NULL or "" (the header says which). */
size_t ae_model_input_dim(const ae_model *m) { return m ? (size_t)m->input_dim : 0; }
size_t ae_model_code_dim(const ae_model *m) {
  return m ? (size_t)m->layers[m->n_enc - 1].out_dim : 0;
}
size_t ae_model_param_count(const ae_model *m) { return m ? m->n_params : 0; }
void ae_model_input_shape(const ae_model *m, int *c, int *h, int *w) {
  if (c) *c = m ? m->c : 0;
  if (h) *h = m ? m->h : 0;
  if (w) *w = m ? m->w : 0;
}
ae_loss ae_model_loss(const ae_model *m) { return m ? m->loss : AE_LOSS_MSE; }
const char *ae_model_spec(const ae_model *m) { return m ? m->spec : ""; }
float *ae_model_params(ae_model *m) { return m ? m->params : NULL; }

ae_status ae_model_set_scaling(ae_model *m, float lo, float hi) {
  AE_ARG(m, "ae_model_set_scaling", "model is NULL");
  if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
    return ae_set_error(AE_ERR_ARG, "scaling range [%g, %g] is empty or not finite",
                        (double)lo, (double)hi);
  m->lo = lo, m->hi = hi;
  return AE_OK;
}

void ae_model_scaling(const ae_model *m, float *lo, float *hi) {
  if (lo) *lo = m ? m->lo : 0.0f;
  if (hi) *hi = m ? m->hi : 0.0f;
}

ae_status ae_model_set_meta(char **slot, const char *json) {
  char *copy = NULL;
  if (json) {
    size_t len = strlen(json) + 1;
    if ((copy = malloc(len))) memcpy(copy, json, len);
  }
  if (json && !copy) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  free(*slot);
  *slot = copy;
  return AE_OK;
}

const char *ae_model_metadata(const ae_model *m) {
  if (!m) return "";
  ae_model *mm = (ae_model *)m; /* the cache is not part of the value */
  cJSON *o = cJSON_CreateObject();
  if (!o) return "{}";
  cJSON_AddStringToObject(o, "format", "aekit/1");
  cJSON_AddStringToObject(o, "aekit_version", AE_VERSION_STRING);
  cJSON_AddStringToObject(o, "spec", m->spec);
  int shape[3] = {m->c, m->h, m->w};
  cJSON_AddItemToObject(o, "input_shape", cJSON_CreateIntArray(shape, 3));
  cJSON_AddNumberToObject(o, "code_dim", (double)ae_model_code_dim(m));
  cJSON_AddNumberToObject(o, "parameters", (double)m->n_params);
  cJSON_AddStringToObject(o, "loss", m->loss == AE_LOSS_BCE ? "bce" : "mse");
  cJSON *sc = cJSON_AddObjectToObject(o, "scaling");
  cJSON_AddNumberToObject(sc, "lo", m->lo);
  cJSON_AddNumberToObject(sc, "hi", m->hi);
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
  cJSON_AddStringToObject(o, "seed", seed);
  cJSON_AddStringToObject(o, "init", m->init == AE_INIT_TORCH ? "pytorch" : "keras");
  if (m->training_json) cJSON_AddItemToObject(o, "training", cJSON_Parse(m->training_json));
  if (m->history_json) cJSON_AddItemToObject(o, "history", cJSON_Parse(m->history_json));
  if (m->detector_json) cJSON_AddItemToObject(o, "detector", cJSON_Parse(m->detector_json));
  if (m->pca_json) cJSON_AddItemToObject(o, "pca", cJSON_Parse(m->pca_json));
  if (m->series_json) cJSON_AddItemToObject(o, "series", cJSON_Parse(m->series_json));
  if (m->features_json) cJSON_AddItemToObject(o, "features", cJSON_Parse(m->features_json));
  if (m->range_json) cJSON_AddItemToObject(o, "range", cJSON_Parse(m->range_json));
  if (m->classes_json) cJSON_AddItemToObject(o, "classes", cJSON_Parse(m->classes_json));
  char *s = cJSON_Print(o);
  cJSON_Delete(o);
  if (!s) return "{}";
  free(mm->metadata);
  mm->metadata = s;
  return s;
}

/* ---- series models ---- */

static const char *const channel_kinds[] = {"none", "zscore", "minmax"};

/* {"scaling":KIND,"shift":[n],"scale":[n]} into o. */
static void add_scaling(cJSON *o, ae_channel_scaling kind, int n, const float *shift,
                        const float *scale) {
  cJSON_AddStringToObject(o, "scaling", channel_kinds[kind]);
  cJSON *a = cJSON_AddArrayToObject(o, "shift"), *b = cJSON_AddArrayToObject(o, "scale");
  for (int c = 0; c < n; c++) {
    cJSON_AddItemToArray(a, cJSON_CreateNumber(shift[c]));
    cJSON_AddItemToArray(b, cJSON_CreateNumber(scale[c]));
  }
}

/* Read add_scaling's fields of o (n values each; outs may be NULL): 0 or -1. */
static int read_scaling(const cJSON *o, int n, ae_channel_scaling *kind, float *shift,
                        float *scale) {
  cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "scaling");
  cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "shift");
  cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "scale");
  int ok = cJSON_IsString(k) && cJSON_IsArray(a) && cJSON_IsArray(b) &&
           cJSON_GetArraySize(a) == n && cJSON_GetArraySize(b) == n;
  int kk = -1;
  for (int i = 0; ok && i < 3; i++)
    if (!strcmp(k->valuestring, channel_kinds[i])) kk = i;
  ok = ok && kk >= 0;
  cJSON *x = ok ? a->child : NULL, *y = ok ? b->child : NULL;
  for (int c = 0; ok && c < n; c++, x = x->next, y = y->next) {
    ok = cJSON_IsNumber(x) && cJSON_IsNumber(y) && fabs(x->valuedouble) <= FLT_MAX &&
         y->valuedouble > 0.0 && y->valuedouble <= FLT_MAX && (float)y->valuedouble > 0.0f;
    if (ok && shift) shift[c] = (float)x->valuedouble;
    if (ok && scale) scale[c] = (float)y->valuedouble;
  }
  if (ok && kind) *kind = (ae_channel_scaling)kk;
  return ok ? 0 : -1;
}

/* Store o as the metadata in *slot after check(m, text); frees o. */
static ae_status store_json(ae_model *m, cJSON *o, char **slot,
                            ae_status (*check)(const ae_model *, const char *)) {
  char *text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  if (!text) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  ae_status st = check(m, text);
  if (!st) st = ae_model_set_meta(slot, text);
  free(text);
  return st;
}

ae_status ae_model_set_series(ae_model *m, int stride, ae_channel_scaling kind,
                              const float *shift, const float *scale) {
  AE_ARG(m && shift && scale, "ae_model_set_series", "model, shift and scale must not be NULL");
  if (stride < 1) return ae_set_error(AE_ERR_ARG, "ae_model_set_series: stride %d < 1", stride);
  if ((int)kind < 0 || (int)kind > 2)
    return ae_set_error(AE_ERR_ARG, "ae_model_set_series: unknown scaling %d", (int)kind);
  if (m->c != 1)
    return ae_set_error(AE_ERR_ARG, "ae_model_set_series: the model takes (%d, %d, %d), not "
                        "windows (1, W, F)", m->c, m->h, m->w);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "window", m->h);
  cJSON_AddNumberToObject(o, "stride", stride);
  cJSON_AddNumberToObject(o, "channels", m->w);
  add_scaling(o, kind, m->w, shift, scale);
  return store_json(m, o, &m->series_json, ae_model_check_series);
}

/* Parse json into the out values (any may be NULL); 0 or -1. */
static int parse_series(const ae_model *m, const char *json, int *stride, ae_channel_scaling *kind,
                        float *shift, float *scale) {
  cJSON *o = cJSON_Parse(json);
  cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "stride");
  cJSON *win = cJSON_GetObjectItemCaseSensitive(o, "window");
  int ok = cJSON_IsNumber(st) && st->valuedouble >= 1 && st->valuedouble <= (1 << 24) &&
           st->valuedouble == (double)(int)st->valuedouble && cJSON_IsNumber(win) &&
           win->valuedouble == m->h && m->c == 1 && !read_scaling(o, m->w, kind, shift, scale);
  if (ok && stride) *stride = (int)st->valuedouble;
  cJSON_Delete(o);
  return ok ? 0 : -1;
}

ae_status ae_model_check_series(const ae_model *m, const char *json) {
  if (parse_series(m, json, NULL, NULL, NULL, NULL))
    return ae_set_error(AE_ERR_FORMAT, "metadata 'series' is malformed or not for windows of "
                        "(1, %d, %d)", m->h, m->w);
  return AE_OK;
}

int ae_model_series(const ae_model *m, int *stride, ae_channel_scaling *kind, float *shift,
                    float *scale) {
  return m && m->series_json && !parse_series(m, m->series_json, stride, kind, shift, scale);
}

/* ---- per-feature scaling (tables) ---- */

ae_status ae_model_check_features(const ae_model *m, const char *json) {
  cJSON *o = cJSON_Parse(json);
  int bad = !o || read_scaling(o, m->input_dim, NULL, NULL, NULL);
  cJSON_Delete(o);
  if (bad)
    return ae_set_error(AE_ERR_FORMAT, "metadata 'features' is malformed or not for %d features",
                        m->input_dim);
  return AE_OK;
}

ae_status ae_model_set_feature_scaling(ae_model *m, ae_channel_scaling kind, const float *shift,
                                       const float *scale) {
  AE_ARG(m && shift && scale, "ae_model_set_feature_scaling",
         "model, shift and scale must not be NULL");
  if ((int)kind < 0 || (int)kind > 2)
    return ae_set_error(AE_ERR_ARG, "ae_model_set_feature_scaling: unknown scaling %d", (int)kind);
  cJSON *o = cJSON_CreateObject();
  add_scaling(o, kind, m->input_dim, shift, scale);
  return store_json(m, o, &m->features_json, ae_model_check_features);
}

int ae_model_feature_scaling(const ae_model *m, ae_channel_scaling *kind, float *shift,
                             float *scale) {
  if (!m || !m->features_json) return 0;
  cJSON *o = cJSON_Parse(m->features_json);
  int ok = o && !read_scaling(o, m->input_dim, kind, shift, scale);
  cJSON_Delete(o);
  return ok;
}

/* ---- class names ---- */

ae_status ae_model_set_class_names(ae_model *m, const char *const *names, int k) {
  AE_ARG(m, "ae_model_set_class_names", "model must not be NULL");
  ae_names got = {0};
  ae_status st = ae_names_set(&got, names, k, "ae_model_set_class_names");
  if (st) return st;
  char *text = NULL;
  if (k) {
    cJSON *a = cJSON_CreateStringArray(names, k);
    text = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    if (!text) {
      ae_names_clear(&got);
      return ae_set_error(AE_ERR_NOMEM, "out of memory");
    }
  }
  ae_names_clear(&m->classes);
  m->classes = got;
  free(m->classes_json);
  m->classes_json = text;
  return AE_OK;
}

ae_status ae_model_load_classes(ae_model *m, const char *json) {
  cJSON *a = cJSON_Parse(json);
  int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
  const char **names = n > 0 && n <= AE_MAX_CLASSES ? malloc((size_t)n * sizeof *names) : NULL;
  int ok = names != NULL;
  cJSON *x = ok ? a->child : NULL;
  for (int i = 0; ok && i < n; i++, x = x->next)
    if (!(ok = cJSON_IsString(x))) break;
    else names[i] = x->valuestring;
  ae_status st = ok ? ae_model_set_class_names(m, names, n)
                    : ae_set_error(AE_ERR_FORMAT, "metadata 'classes' is not a list of 1 to %d names",
                                   AE_MAX_CLASSES);
  free(names);
  cJSON_Delete(a);
  return st;
}

int ae_model_class_count(const ae_model *m) { return m ? m->classes.n : 0; }

const char *ae_model_class_name(const ae_model *m, int32_t label) {
  return m && label >= 0 && label < m->classes.n ? m->classes.v[label] : NULL;
}

/* ---- the layers, for a summary ---- */

int ae_model_layer_count(const ae_model *m) { return m ? m->n_layers : 0; }

ae_status ae_model_layer_summary(const ae_model *m, int i, ae_layer_summary *out) {
  AE_ARG(m && out, "ae_model_layer_summary", "model and out must not be NULL");
  if (i < 0 || i >= m->n_layers)
    return ae_set_error(AE_ERR_ARG, "ae_model_layer_summary: layer %d of %d", i, m->n_layers);
  const ae_layer *l = &m->layers[i];
  memset(out, 0, sizeof *out);
  l->ops->spec(l, out->spec, sizeof out->spec);
  out->c = l->out.c, out->h = l->out.h, out->w = l->out.w;
  out->params = l->ops->param_count(l);
  out->decoder = i >= m->n_enc;
  out->flops = l->ops->macs ? 2.0 * l->ops->macs(l) : 0.0;
  return AE_OK;
}

double ae_model_flops(const ae_model *m) {
  double f = 0.0;
  for (int i = 0; m && i < m->n_layers; i++)
    if (m->layers[i].ops->macs) f += 2.0 * m->layers[i].ops->macs(&m->layers[i]);
  return f;
}
