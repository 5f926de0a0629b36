/* model.c — building a model from its spec, the parameter block, planned
 * activation memory, forward, loss and backward, inference.
 * Legend: N batch, D input features, Z code size, P parameters, W widest
 * layer. */
#include "model.h"

#include "dataset.h"

#include "error.h"
#include "fastmath.h"
#include "noise.h"

#include <cJSON.h>
#include <omp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

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

/* Where the objective's pieces sit: the sampler last in the encoder, the
 * contractive penalty on a dense code layer, the KL sparsity on a sigmoid
 * code. */
static ae_status check_objective(ae_model *m, const char *text) {
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].kind == AE_LAYER_SAMPLE) {
      if (i != m->n_enc - 1 || m->sampler >= 0)
        return ae_set_error(AE_ERR_ARG, "spec '%s': 'sample' must be the last layer of the encoder, once",
                            text);
      m->sampler = i;
      m->layers[i].u.sample.beta = m->obj.beta;
    }
  ae_layer *code = &m->layers[m->n_enc - 1];
  const ae_objective *o = &m->obj;
  if (o->contractive > 0.0f) {
    if (code->kind != AE_LAYER_DENSE)
      return ae_set_error(AE_ERR_ARG, "spec '%s': the contractive penalty needs a dense code layer "
                          "(the last encoder layer)", text);
    code->u.dense.contractive = o->contractive;
  }
  if (o->sparsity > 0.0f &&
      (code->kind != AE_LAYER_DENSE || code->u.dense.run_act != AE_ACT_SIGMOID))
    return ae_set_error(AE_ERR_ARG, "spec '%s': the KL sparsity penalty needs a sigmoid code "
                        "(a dense:UNITS:sigmoid last encoder layer)", text);
  if (m->n_enc >= m->n_layers)
    return ae_set_error(AE_ERR_ARG, "spec '%s': the decoder is empty", text);
  return AE_OK;
}

ae_status ae_model_create(ae_model **out, const char *spec, int c, int h,
                          int w, uint64_t seed) {
  *out = NULL;
  if (c <= 0 || h <= 0 || w <= 0 || (long long)c * h * w > (1 << 24))
    return ae_set_error(AE_ERR_ARG, "input shape (%d, %d, %d) is not a valid image size", c, h, w);
  int d = c * h * w;
  ae_spec sp;
  ae_status st = ae_spec_parse(&sp, spec, d);
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
    if ((st = ae_layer_build(l, &sp.layers[i], shape, i + 1))) {
      ae_error_prefix(text);
      goto fail;
    }
    l->n_params = l->ops->param_count(l);
    l->n_state = l->ops->state_count ? l->ops->state_count(l) : 0;
    m->n_params += l->n_params;
    m->n_state += l->n_state;
    shape = l->out;
  }
  ae_layer *last = &m->layers[m->n_layers - 1];
  if (last->kind == AE_LAYER_DENSE && last->out_dim == d)
    shape = last->out = (ae_shape){c, h, w}; /* a flat output takes the input's shape */
  if (shape.c != c || shape.h != h || shape.w != w) {
    st = ae_set_error(AE_ERR_SHAPE,
                      "spec '%s': the decoder ends in %d values of shape (%d, %d, %d) but the input has %d of shape (%d, %d, %d)",
                      text, shape.c * shape.h * shape.w, shape.c, shape.h, shape.w, d, c, h, w);
    goto fail;
  }
  ae_act *out_act = last->kind == AE_LAYER_DENSE ? &last->u.dense.run_act
                    : (last->kind == AE_LAYER_CONV2D || last->kind == AE_LAYER_CONV_TRANSPOSE2D)
                        ? &last->u.conv.run_act
                        : NULL;
  if (m->loss == AE_LOSS_BCE) {
    if (!out_act || *out_act != AE_ACT_SIGMOID) {
      st = ae_set_error(AE_ERR_ARG, "spec '%s': loss=bce needs a sigmoid output layer (use loss=mse otherwise)",
                        text);
      goto fail;
    }
    m->logits_out = 1; /* sigmoid fused into the loss */
    *out_act = AE_ACT_IDENTITY;
  }
  if ((st = check_objective(m, text))) goto fail;
  m->params = calloc(m->n_params ? m->n_params : 1, sizeof(float));
  m->grads = calloc(m->n_params ? m->n_params : 1, sizeof(float));
  m->state = calloc(m->n_state ? m->n_state : 1, sizeof(float));
  if (!m->params || !m->grads || !m->state) {
    st = ae_set_error(AE_ERR_NOMEM, "out of memory for %zu parameters", m->n_params);
    goto fail;
  }
  size_t off = 0, soff = 0;
  for (int i = 0; i < m->n_layers; i++) {
    ae_layer *l = &m->layers[i];
    l->params = m->params + off;
    l->offset = off;
    l->state = m->state + soff;
    off += l->n_params;
    soff += l->n_state;
  }
  for (int i = 0; i < m->n_layers; i++) { /* L2 acts on the weights of these */
    ae_layer *l = &m->layers[i];
    if (l->kind == AE_LAYER_DENSE || l->kind == AE_LAYER_CONV2D ||
        l->kind == AE_LAYER_CONV_TRANSPOSE2D) {
      ae_tensor_view tv[4];
      l->ops->tensors(l, tv); /* weight first */
      size_t count = 1;
      for (int k = 0; k < tv[0].ndim; k++) count *= (size_t)tv[0].shape[k];
      m->wranges[m->n_wranges][0] = l->offset + tv[0].offset;
      m->wranges[m->n_wranges++][1] = count;
    }
  }
  m->ws[0].grads = m->grads;
  m->n_workers = 1;
  ae_model_init(m, AE_INIT_KERAS, seed);
  if ((st = make_spec_string(m))) goto fail;
  *out = m;
  return AE_OK;
fail:
  ae_model_free(m);
  return st;
}

ae_status ae_model_init(ae_model *m, ae_init scheme, uint64_t seed) {
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
  free(m->code_sync);
  for (int w = 0; w < AE_MAX_WORKERS; w++) {
    free(m->ws[w].mem);
    if (w > 0) free(m->ws[w].grads);
  }
  free(m->spec);
  free(m->training_json);
  free(m->history_json);
  free(m->detector_json);
  free(m->pca_json);
  free(m->metadata);
  free(m);
}

/* Plan one workspace for slices of up to n samples (with a clean-target
 * buffer when `targets`). */
static ae_status plan_workspace(ae_model *m, ae_workspace *ws, int n, int targets) {
  if (n <= 0) return ae_set_error(AE_ERR_ARG, "batch size %d must be positive", n);
  if (ws->target) targets = 1; /* a plan only grows: keep what training asked for */
  if (n <= ws->plan_n && (!targets || ws->target)) return AE_OK;
  if (n < ws->plan_n) n = ws->plan_n;
  size_t widest = (size_t)m->input_dim, per = (size_t)m->input_dim, fixed = 0;
  for (int i = 0; i < m->n_layers; i++) {
    const ae_layer *l = &m->layers[i];
    per += (size_t)l->out_dim;
    if ((size_t)l->out_dim > widest) widest = (size_t)l->out_dim;
    if (l->ops->scratch_count) fixed += l->ops->scratch_count(l, n);
  }
  per += 2 * widest + (size_t)m->input_dim * (targets ? 2 : 1); /* grads, out, target */
  float *mem = malloc((per * (size_t)n + fixed) * sizeof(float));
  if (!mem)
    return ae_set_error(AE_ERR_NOMEM, "out of memory planning batches of %d", n);
  free(ws->mem);
  ws->mem = mem;
  ws->plan_n = n;
  float *p = mem;
  ws->acts[0] = p, p += (size_t)n * m->input_dim;
  for (int i = 0; i < m->n_layers; i++)
    ws->acts[i + 1] = p, p += (size_t)n * m->layers[i].out_dim;
  ws->grad_a = p, p += (size_t)n * widest;
  ws->grad_b = p, p += (size_t)n * widest;
  ws->out = p, p += (size_t)n * m->input_dim;
  ws->target = targets ? p : NULL;
  if (targets) p += (size_t)n * m->input_dim;
  for (int i = 0; i < m->n_layers; i++) {
    const ae_layer *l = &m->layers[i];
    ws->scratch[i] = p;
    if (l->ops->scratch_count) p += l->ops->scratch_count(l, n);
  }
  if (!ws->team) ws->team = 1;
  return AE_OK;
}

ae_status ae_model_plan(ae_model *m, int n) { return ae_model_plan_workers(m, 1, n, 0); }

ae_status ae_model_plan_workers(ae_model *m, int workers, int n, int targets) {
  if (workers < 1 || workers > AE_MAX_WORKERS)
    return ae_set_error(AE_ERR_ARG, "threads must be in 1..%d (got %d)", AE_MAX_WORKERS, workers);
  for (int w = 0; w < workers; w++) {
    ae_workspace *ws = &m->ws[w];
    ae_status st = plan_workspace(m, ws, n, targets);
    if (st) return st;
    if (!ws->grads && !(ws->grads = malloc((m->n_params ? m->n_params : 1) * sizeof(float))))
      return ae_set_error(AE_ERR_NOMEM, "out of memory for %d gradient blocks", workers);
  }
  if (workers > m->n_workers) m->n_workers = workers;
  if (m->obj.sparsity > 0.0f && !m->code_sync) {
    m->code_sync = calloc((AE_MAX_WORKERS + 1) * ae_model_code_dim(m), sizeof(double));
    if (!m->code_sync) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
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
  }
  return AE_OK;
}

/* The context layer i of workspace ws runs with. */
static ae_layer_ctx layer_ctx(ae_model *m, ae_workspace *ws, int i, int n) {
  int total = ws->n_total > 0 ? ws->n_total : n;
  ae_layer_ctx c = {ws->scratch[i], &ws->rng, m->sync ? m->sync + m->sync_off[i] : NULL,
                    ws->worker, ws->team > 0 ? ws->team : 1, total, ws->sample,
                    (float)(1.0 / total)};
  return c;
}

/* Run layers [from, to) on ws->acts[from] (N, .). */
static void forward_range(ae_model *m, ae_workspace *ws, int from, int to, int n, int train) {
  for (int i = from; i < to; i++) {
    ae_layer_ctx ctx = layer_ctx(m, ws, i, n);
    m->layers[i].ops->forward(&m->layers[i], &ctx, ws->acts[i + 1], ws->acts[i], n, train);
  }
}

void ae_model_forward(ae_model *m, ae_workspace *ws, int n, int train) {
  forward_range(m, ws, 0, m->n_layers, n, train);
}

const float *ae_model_output(ae_model *m, ae_workspace *ws, int n) {
  const float *z = ws->acts[m->n_layers]; /* (N, D) */
  if (!m->logits_out) return z;
  ae_sigmoid_forward(ws->out, z, (size_t)n * m->input_dim);
  return ws->out;
}

double ae_model_denom(const ae_model *m, int b) {
  return m->sampler >= 0 ? (double)b : (double)b * m->input_dim;
}

/* Reconstruction loss sum of n samples against t; gradient (scaled) into g
 * unless NULL. A VAE with MSE uses the Gaussian negative log-likelihood
 * with unit variance: SSE / 2 + D/2 log(2 pi) per sample. */
static double recon_sum(const ae_model *m, float *g, const float *y, const float *t, float scale,
                        size_t n) {
  size_t count = n * (size_t)m->input_dim;
  if (m->loss == AE_LOSS_BCE && m->logits_out) return ae_bce_logits(g, y, t, scale, count);
  if (m->sampler < 0) return ae_mse(g, y, t, scale, count);
  return 0.5 * ae_mse(g, y, t, 0.5f * scale, count) + 0.5 * (double)count * 1.8378770664093453 /* log(2 pi) */;
}

/* KL sparsity: the batch's mean code per unit into means (Z). Workers add
 * their column sums in slots and meet at a barrier; every worker then sums
 * the slots in the same order. */
static void batch_code_means(ae_model *m, ae_workspace *ws, const float *h, int n, int total,
                             double *means) {
  size_t z = ae_model_code_dim(m);
  double *slot = m->code_sync + (size_t)ws->worker * z; /* (Z) */
  for (size_t j = 0; j < z; j++) slot[j] = 0.0;
  for (int i = 0; i < n; i++)
    for (size_t j = 0; j < z; j++) slot[j] += h[(size_t)i * z + j];
  if (ws->team > 1) {
    #pragma omp barrier
  }
  for (size_t j = 0; j < z; j++) {
    double s = 0.0;
    for (int w = 0; w < (ws->team > 0 ? ws->team : 1); w++) s += m->code_sync[(size_t)w * z + j];
    means[j] = s / total;
  }
}

/* The code's penalties (L1, KL sparsity): their value, and with dh their
 * gradient added into dh (N, Z). */
static double code_penalties(ae_model *m, ae_workspace *ws, const float *h, float *dh, int n,
                             int total) {
  const ae_objective *o = &m->obj;
  size_t z = ae_model_code_dim(m), count = (size_t)n * z;
  double pen = 0.0;
  float scale = (float)(1.0 / total);
  if (o->l1 > 0.0f) {
    double s = 0.0;
    for (size_t k = 0; k < count; k++) {
      s += fabsf(h[k]);
      if (dh) dh[k] += o->l1 * scale * (float)((h[k] > 0.0f) - (h[k] < 0.0f));
    }
    ws->terms.l1 = s;
    pen += o->l1 * s / total;
  }
  if (o->sparsity > 0.0f) {
    double *means = m->code_sync + (size_t)AE_MAX_WORKERS * z, rho = o->rho, kl = 0.0;
    batch_code_means(m, ws, h, n, total, means); /* each worker reads what it wrote */
    for (size_t j = 0; j < z; j++) {
      double r = means[j] < 1e-6 ? 1e-6 : means[j] > 1.0 - 1e-6 ? 1.0 - 1e-6 : means[j];
      kl += rho * log(rho / r) + (1.0 - rho) * log((1.0 - rho) / (1.0 - r));
      if (dh) {
        float g = (float)(o->sparsity * (-rho / r + (1.0 - rho) / (1.0 - r))) * scale;
        for (int i = 0; i < n; i++) dh[(size_t)i * z + j] += g;
      }
    }
    ws->terms.sparsity = kl;
    if (ws->worker == 0) pen += o->sparsity * kl; /* one term per batch */
  }
  return pen;
}

double ae_model_loss_step(ae_model *m, ae_workspace *ws, const float *t, int n,
                          int backward, double denom) {
  const ae_objective *o = &m->obj;
  int total = ws->n_total > 0 ? ws->n_total : n;
  const float *y = ws->acts[m->n_layers];
  float *g = backward ? ws->grad_a : NULL; /* (N, D) */
  memset(&ws->terms, 0, sizeof ws->terms);
  ws->terms.recon = recon_sum(m, g, y, t, (float)(1.0 / denom), (size_t)n);
  double obj = ws->terms.recon / denom;
  if (m->sampler >= 0) {
    const ae_layer *s = &m->layers[m->sampler];
    ws->terms.kl = ae_sample_kl(s, ws->acts[m->sampler], n);
    obj += s->u.sample.beta * ws->terms.kl / total;
  }
  const ae_layer *code = &m->layers[m->n_enc - 1];
  if (o->contractive > 0.0f) {
    ws->terms.contractive = ae_dense_jacobian_sq(code, ws->acts[m->n_enc], n, NULL);
    obj += o->contractive * ws->terms.contractive / total;
  }
  if (o->l2 > 0.0f) {
    double s = 0.0;
    for (int r = 0; r < m->n_wranges; r++) {
      const float *w = m->params + m->wranges[r][0];
      for (size_t k = 0; k < m->wranges[r][1]; k++) s += (double)w[k] * w[k];
    }
    ws->terms.l2 = 0.5 * s;
    if (ws->worker == 0) obj += o->l2 * ws->terms.l2; /* once per batch */
  }
  int code_pen = o->l1 > 0.0f || o->sparsity > 0.0f;
  if (!backward) return code_pen ? obj + code_penalties(m, ws, ws->acts[m->n_enc], NULL, n, total) : obj;
  memset(ws->grads, 0, m->n_params * sizeof(float));
  if (o->l2 > 0.0f && ws->worker == 0) /* worker 0's block carries it */
    for (int r = 0; r < m->n_wranges; r++) {
      const float *w = m->params + m->wranges[r][0];
      float *gw = ws->grads + m->wranges[r][0];
      for (size_t k = 0; k < m->wranges[r][1]; k++) gw[k] = o->l2 * w[k];
    }
  float *dy = ws->grad_a, *dx = ws->grad_b;
  for (int i = m->n_layers - 1; i >= 0; i--) {
    ae_layer *l = &m->layers[i];
    if (i == m->n_enc - 1 && code_pen)
      obj += code_penalties(m, ws, ws->acts[m->n_enc], dy, n, total);
    ae_layer_ctx ctx = layer_ctx(m, ws, i, n);
    l->ops->backward(l, &ctx, ws->grads + l->offset, i > 0 ? dx : NULL, dy, ws->acts[i],
                     ws->acts[i + 1], n);
    float *tmp = dy;
    dy = dx, dx = tmp;
  }
  return obj;
}

/* ---- inference: chunks of up to 256 samples, spread over worker threads,
 * each with its own workspace and single-threaded BLAS. Every chunk's result
 * lands in its own place and sums are added in chunk order, so the same
 * thread count gives the same bits. ---- */

#define AE_INFER_BATCH 256

typedef enum { RUN_ENCODE, RUN_DECODE, RUN_RECONSTRUCT, RUN_EVALUATE, RUN_IW, RUN_NELBO } run_kind;

/* What evaluation adds up per chunk. */
typedef struct chunk_sums {
  double recon, se, kl;      /* reconstruction loss, squared error, VAE KL */
  double code, zero, jac;    /* sum of code values, of near-zero ones, of |J|_F */
  double iw;                 /* RUN_IW: sum of -log p(x) estimates */
} chunk_sums;

typedef struct run_job {
  run_kind kind;
  const float *in;       /* (n, width of the first layer run), or NULL: */
  const ae_dataset *ds;  /* samples come from the data set */
  float *out;            /* codes (n, Z) or outputs (n, D) */
  chunk_sums *sums;      /* RUN_EVALUATE, RUN_IW: one per chunk */
  const float *target;   /* RUN_EVALUATE: (n, D) targets, or NULL: the input */
  int iw_k;              /* RUN_IW: importance samples per input */
  uint64_t seed;         /* RUN_EVALUATE (VAE), RUN_IW: the sampler's draws */
} run_job;

/* Code statistics of b codes h (B, Z), and the code layer's Jacobian norms. */
static void code_stats(const ae_model *m, chunk_sums *s, const float *h, int b) {
  size_t z = ae_model_code_dim(m), count = (size_t)b * z;
  for (size_t k = 0; k < count; k++) s->code += h[k], s->zero += fabsf(h[k]) < 0.01f;
  const ae_layer *code = &m->layers[m->n_enc - 1];
  double *norms = code->kind == AE_LAYER_DENSE ? malloc((size_t)b * sizeof(double)) : NULL;
  if (!norms) return;
  ae_dense_jacobian_sq(code, h, b, norms);
  for (int i = 0; i < b; i++) s->jac += norms[i];
  free(norms);
}

/* Importance-weighted estimate of -log p(x) for the b inputs in
 * ws->acts[0], with k draws each: log w = log p(x|z) + log N(z; 0, I) -
 * log N(z; mu, sigma^2); -log p(x) ~ -(logsumexp_i log w_i - log k). The
 * 2 pi constants of the two Gaussians cancel. */
static double iw_chunk(ae_model *m, ae_workspace *ws, const float *t, int b, int k) {
  size_t d = (size_t)m->input_dim, z = ae_model_code_dim(m);
  double *lw = malloc((size_t)b * (size_t)k * sizeof(double)); /* (B, k) */
  if (!lw) return NAN;
  forward_range(m, ws, 0, m->sampler, b, 0); /* mu, log sigma^2 */
  const float *stats = ws->acts[m->sampler], *eps = ws->scratch[m->sampler]; /* (B, 2Z), (B, Z) */
  const float *zs = ws->acts[m->sampler + 1];
  for (int r = 0; r < k; r++) {
    forward_range(m, ws, m->sampler, m->n_layers, b, 0); /* draws eps (ws->sample) */
    const float *y = ws->acts[m->n_layers];
    for (int i = 0; i < b; i++) {
      double lp = -recon_sum(m, NULL, y + i * d, t + i * d, 0.0f, 1);
      const float *lv = stats + (size_t)i * 2 * z + z, *e = eps + i * z, *zi = zs + i * z;
      for (size_t j = 0; j < z; j++)
        lp += -0.5 * (double)zi[j] * zi[j] + 0.5 * (double)e[j] * e[j] + 0.5 * (double)lv[j];
      lw[(size_t)i * k + r] = lp;
    }
  }
  double sum = 0.0;
  for (int i = 0; i < b; i++) {
    const double *w = lw + (size_t)i * k;
    double mx = w[0], acc = 0.0;
    for (int r = 1; r < k; r++) mx = w[r] > mx ? w[r] : mx;
    for (int r = 0; r < k; r++) acc += exp(w[r] - mx);
    sum += -(mx + log(acc) - log((double)k));
  }
  free(lw);
  return sum;
}

/* One chunk of b samples starting at sample i (chunk number c). */
static void run_chunk(ae_model *m, ae_workspace *ws, const run_job *j, size_t i, int b,
                      size_t c) {
  size_t d = (size_t)m->input_dim, z = ae_model_code_dim(m);
  int from = j->kind == RUN_DECODE ? m->n_enc : 0;
  int to = j->kind == RUN_ENCODE ? m->n_enc : m->n_layers;
  size_t width = j->kind == RUN_DECODE ? z : d;
  float *first = ws->acts[from]; /* (b, width) */
  if (j->ds) ae_dataset_rows(first, j->ds, NULL, i, (size_t)b);
  else memcpy(first, j->in + i * width, (size_t)b * width * sizeof(float));
  if (j->kind == RUN_EVALUATE || j->kind == RUN_IW || j->kind == RUN_NELBO) {
    /* a VAE's objective needs draws of z: from a generator of this chunk's
     * own, so results do not depend on how chunks fall on threads */
    ae_rng saved = ws->rng;
    ae_rng_seed(&ws->rng, j->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(c + 1)));
    ws->sample = m->sampler >= 0;
    const float *t = j->target ? j->target + i * d : first;
    chunk_sums *s = &j->sums[c];
    if (j->kind == RUN_IW) {
      s->iw = iw_chunk(m, ws, t, b, j->iw_k);
    } else if (j->kind == RUN_NELBO) { /* per sample: recon + KL */
      forward_range(m, ws, 0, m->n_layers, b, 0);
      const float *y = ws->acts[m->n_layers];
      for (int k = 0; k < b; k++)
        j->out[i + (size_t)k] = (float)(
            recon_sum(m, NULL, y + (size_t)k * d, t + (size_t)k * d, 0.0f, 1) +
            ae_sample_kl(&m->layers[m->sampler], ws->acts[m->sampler] + (size_t)k * 2 * z, 1));
    } else {
      forward_range(m, ws, 0, m->n_layers, b, 0);
      s->recon = recon_sum(m, NULL, ws->acts[m->n_layers], t, 0.0f, (size_t)b);
      if (m->sampler >= 0) s->kl = ae_sample_kl(&m->layers[m->sampler], ws->acts[m->sampler], b);
      s->se = ae_mse(NULL, ae_model_output(m, ws, b), t, 0.0f, (size_t)b * d);
      code_stats(m, s, ws->acts[m->n_enc], b);
    }
    ws->sample = 0;
    ws->rng = saved;
    return;
  }
  forward_range(m, ws, from, to, b, 0);
  if (j->kind == RUN_ENCODE)
    memcpy(j->out + i * z, ws->acts[m->n_enc], (size_t)b * z * sizeof(float));
  else
    memcpy(j->out + i * d, ae_model_output(m, ws, b), (size_t)b * d * sizeof(float));
}

/* Split n samples into chunks of at most 256, at least one per thread. */
static void plan_chunks(const ae_model *m, size_t n, int *threads, size_t *size, size_t *chunks) {
  int t = m->threads > 0 ? m->threads : omp_get_max_threads();
  if (t > AE_MAX_WORKERS) t = AE_MAX_WORKERS;
  if ((size_t)t > n) t = n ? (int)n : 1;
  size_t per = (n + (size_t)t - 1) / (size_t)t;
  *size = per < AE_INFER_BATCH ? (per ? per : 1) : AE_INFER_BATCH;
  *chunks = (n + *size - 1) / *size;
  *threads = t;
}

/* Run a job over n samples. */
static ae_status run(ae_model *m, const run_job *j, size_t n) {
  if (n == 0) return AE_OK;
  int threads;
  size_t size, chunks;
  plan_chunks(m, n, &threads, &size, &chunks);
  for (int w = 0; w < threads; w++) {
    ae_status st = plan_workspace(m, &m->ws[w], (int)size, 0);
    m->ws[w].worker = 0, m->ws[w].team = 1, m->ws[w].n_total = 0; /* independent chunks */
    if (st) return st;
  }
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
  if (threads == 1) { /* no parallel region: single-sample latency */
    for (size_t c = 0; c < chunks; c++)
      run_chunk(m, &m->ws[0], j, c * size, (int)(n - c * size < size ? n - c * size : size), c);
    return AE_OK;
  }
  #pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t c = 0; c < chunks; c++) {
    size_t i = c * size;
    int b = (int)(n - i < size ? n - i : size);
    run_chunk(m, &m->ws[omp_get_thread_num()], j, i, b, c);
  }
  return AE_OK;
}

ae_status ae_model_set_threads(ae_model *m, int threads) {
  if (threads < 0 || threads > AE_MAX_WORKERS)
    return ae_set_error(AE_ERR_ARG, "threads must be in 0..%d (got %d)", AE_MAX_WORKERS, threads);
  m->threads = threads;
  return AE_OK;
}

ae_status ae_model_encode(ae_model *m, float *codes, const float *x, size_t n) {
  run_job j = {.kind = RUN_ENCODE, .in = x, .out = codes};
  return run(m, &j, n);
}

ae_status ae_model_decode(ae_model *m, float *x_hat, const float *codes, size_t n) {
  run_job j = {.kind = RUN_DECODE, .in = codes, .out = x_hat};
  return run(m, &j, n);
}

ae_status ae_model_reconstruct(ae_model *m, float *x_hat, const float *x, size_t n) {
  run_job j = {.kind = RUN_RECONSTRUCT, .in = x, .out = x_hat};
  return run(m, &j, n);
}

/* Evaluate n samples: inputs from ds (or x), targets t (or the inputs). */
static ae_status evaluate(ae_model *m, ae_eval_result *res, const ae_dataset *ds, const float *x,
                          const float *t, size_t n) {
  memset(res, 0, sizeof *res);
  size_t d = (size_t)m->input_dim, z = ae_model_code_dim(m);
  if (n == 0) return ae_set_error(AE_ERR_ARG, "empty data set");
  int threads;
  size_t size, chunks;
  plan_chunks(m, n, &threads, &size, &chunks);
  chunk_sums *sums = calloc(chunks, sizeof *sums);
  if (!sums) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  run_job j = {.kind = RUN_EVALUATE, .in = x, .ds = ds, .sums = sums, .target = t,
               .seed = m->seed + 0x5eed};
  ae_status st = run(m, &j, n);
  chunk_sums a = {0};
  for (size_t c = 0; c < chunks; c++) { /* in chunk order: the same bits */
    a.recon += sums[c].recon, a.se += sums[c].se, a.kl += sums[c].kl;
    a.code += sums[c].code, a.zero += sums[c].zero, a.jac += sums[c].jac;
  }
  free(sums);
  if (st) return st;
  double count = (double)n * (double)d, dn = (double)n;
  res->count = n;
  res->mse = a.se / count;
  res->psnr = res->mse > 0 ? 10.0 * log10(1.0 / res->mse) : INFINITY;
  res->recon = a.recon / dn;
  res->kl = a.kl / dn;
  res->nelbo = m->sampler >= 0 ? res->recon + res->kl : NAN;
  res->loss = m->sampler >= 0 ? res->nelbo : a.recon / count;
  res->code_mean = a.code / (dn * (double)z);
  res->code_zero = a.zero / (dn * (double)z);
  res->jacobian = m->layers[m->n_enc - 1].kind == AE_LAYER_DENSE ? a.jac / dn : NAN;
  if (!isfinite(res->loss))
    return ae_set_error(AE_ERR_NUMERIC, "the loss is not finite (%g): the model or data hold NaN/inf", res->loss);
  return AE_OK;
}

static ae_status check_dim(const ae_model *m, const ae_dataset *ds) {
  if (ae_dataset_dim(ds) != (size_t)m->input_dim)
    return ae_set_error(AE_ERR_SHAPE, "data has %zu features per sample, the model takes %d",
                        ae_dataset_dim(ds), m->input_dim);
  return AE_OK;
}

ae_status ae_model_evaluate(ae_model *m, ae_eval_result *res, const ae_dataset *ds) {
  ae_status st = check_dim(m, ds);
  return st ? st : evaluate(m, res, ds, NULL, NULL, ae_dataset_count(ds));
}

ae_status ae_model_evaluate_iw(ae_model *m, double *nll, const ae_dataset *ds, int k,
                               uint64_t seed) {
  *nll = NAN;
  if (m->sampler < 0)
    return ae_set_error(AE_ERR_ARG, "model %s is not variational: no importance-weighted bound",
                        m->spec);
  if (k < 1 || k > 100000)
    return ae_set_error(AE_ERR_ARG, "importance samples must be in 1..100000 (got %d)", k);
  ae_status st = check_dim(m, ds);
  size_t n = ae_dataset_count(ds);
  if (st) return st;
  if (n == 0) return ae_set_error(AE_ERR_ARG, "empty data set");
  int threads;
  size_t size, chunks;
  plan_chunks(m, n, &threads, &size, &chunks);
  chunk_sums *sums = calloc(chunks, sizeof *sums);
  if (!sums) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  run_job j = {.kind = RUN_IW, .ds = ds, .sums = sums, .iw_k = k, .seed = seed};
  st = run(m, &j, n);
  double s = 0.0;
  for (size_t c = 0; c < chunks; c++) s += sums[c].iw;
  free(sums);
  if (st) return st;
  *nll = s / (double)n;
  if (!isfinite(*nll))
    return ae_set_error(AE_ERR_NUMERIC, "the importance-weighted estimate is not finite (%g)", *nll);
  return AE_OK;
}

int ae_model_is_variational(const ae_model *m) { return m->sampler >= 0; }

ae_status ae_model_sample_nelbo(ae_model *m, float *nelbo, const float *x, size_t n) {
  if (m->sampler < 0)
    return ae_set_error(AE_ERR_ARG, "model %s is not variational: it has no ELBO", m->spec);
  run_job j = {.kind = RUN_NELBO, .in = x, .out = nelbo, .seed = m->seed + 0x5eed};
  return run(m, &j, n);
}

ae_status ae_model_generate(ae_model *m, float *x, size_t n, uint64_t seed) {
  if (m->sampler < 0)
    return ae_set_error(AE_ERR_ARG, "model %s is not variational: it has no prior to sample codes from "
                        "(decode chosen codes instead)", m->spec);
  size_t z = ae_model_code_dim(m);
  if (n > ((size_t)1 << 40) / (z ? z : 1)) return ae_set_error(AE_ERR_ARG, "too many samples");
  float *codes = malloc((n ? n : 1) * z * sizeof(float)); /* (n, Z) */
  if (!codes) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  ae_rng rng;
  ae_rng_seed(&rng, seed);
  for (size_t k = 0; k < n * z; k++) codes[k] = (float)ae_rng_normal(&rng);
  ae_status st = ae_model_decode(m, x, codes, n);
  free(codes);
  return st;
}

ae_status ae_noise_corrupt(float *x, size_t count, const char *noise, uint64_t seed) {
  ae_noise nz;
  ae_status st = ae_noise_parse(&nz, noise);
  if (st) return st;
  ae_rng rng;
  ae_rng_seed(&rng, seed);
  ae_noise_apply(&nz, x, count, 0.0f, 1.0f, &rng);
  return AE_OK;
}

ae_status ae_model_evaluate_denoising(ae_model *m, ae_eval_result *noisy,
                                      ae_eval_result *denoised, const ae_dataset *ds,
                                      const char *noise, uint64_t seed) {
  memset(noisy, 0, sizeof *noisy);
  memset(denoised, 0, sizeof *denoised);
  ae_status st = check_dim(m, ds);
  if (st) return st;
  size_t n = ae_dataset_count(ds), count = n * (size_t)m->input_dim;
  const float *clean = ae_dataset_data(ds); /* (n, D) */
  float *x = malloc(count * sizeof(float)); /* (n, D) corrupted copy */
  if (!clean || !x) {
    free(x);
    return ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
  memcpy(x, clean, count * sizeof(float));
  if (!(st = ae_noise_corrupt(x, count, noise, seed))) {
    noisy->count = n;
    noisy->mse = ae_mse(NULL, x, clean, 0.0f, count) / (double)count;
    noisy->loss = noisy->mse;
    noisy->psnr = noisy->mse > 0 ? 10.0 * log10(1.0 / noisy->mse) : INFINITY;
    st = evaluate(m, denoised, NULL, x, clean, n);
  }
  free(x);
  return st;
}

/* ---- accessors ---- */

size_t ae_model_input_dim(const ae_model *m) { return (size_t)m->input_dim; }
size_t ae_model_code_dim(const ae_model *m) {
  return (size_t)m->layers[m->n_enc - 1].out_dim;
}
size_t ae_model_param_count(const ae_model *m) { return m->n_params; }
void ae_model_input_shape(const ae_model *m, int *c, int *h, int *w) {
  *c = m->c, *h = m->h, *w = m->w;
}
ae_loss ae_model_loss(const ae_model *m) { return m->loss; }
const char *ae_model_spec(const ae_model *m) { return m->spec; }
float *ae_model_params(ae_model *m) { return m->params; }

ae_status ae_model_set_scaling(ae_model *m, float lo, float hi) {
  if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
    return ae_set_error(AE_ERR_ARG, "scaling range [%g, %g] is empty or not finite",
                        (double)lo, (double)hi);
  m->lo = lo, m->hi = hi;
  return AE_OK;
}

void ae_model_scaling(const ae_model *m, float *lo, float *hi) {
  *lo = m->lo, *hi = m->hi;
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
  char *s = cJSON_Print(o);
  cJSON_Delete(o);
  if (!s) return "{}";
  free(mm->metadata);
  mm->metadata = s;
  return s;
}
