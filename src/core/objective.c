/* SPDX-License-Identifier: MIT */
/* objective.c — the objective's terms: where each acts, its value and its
 * gradient, all through kernels (see objective.h for the formulas).
 * Legend: N this worker's samples, B the whole batch, D input features, Z
 * code size. */
#include "objective.h"

#include "error.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

static void add_term(ae_objective *o, ae_term_kind kind, int at) {
  o->terms[o->n_terms++] = (ae_term){kind, at};
}

ae_status ae_objective_build(ae_objective *o, ae_model *m, const char *spec) {
  int sampler = -1;
  for (int i = 0; i < m->n_layers; i++)
    if (m->layers[i].desc == &ae_sample_desc) {
      if (i != m->n_enc - 1 || sampler >= 0)
        return ae_set_error(AE_ERR_ARG, "spec '%s': 'sample' must be the last layer of the encoder, once",
                            spec);
      sampler = i;
    }
  const ae_layer *code = &m->layers[m->n_enc - 1];
  if (o->contractive > 0.0f && code->desc != &ae_dense_desc)
    return ae_set_error(AE_ERR_ARG, "spec '%s': the contractive penalty needs a dense code layer "
                        "(the last encoder layer)", spec);
  if (o->sparsity > 0.0f &&
      (code->desc != &ae_dense_desc || code->u.dense.run_act != AE_ACT_SIGMOID))
    return ae_set_error(AE_ERR_ARG, "spec '%s': the KL sparsity penalty needs a sigmoid code "
                        "(a dense:UNITS:sigmoid last encoder layer)", spec);
  if (m->n_enc >= m->n_layers)
    return ae_set_error(AE_ERR_ARG, "spec '%s': the decoder is empty", spec);
  m->sampler = sampler;
  /* the order in which values are added (kept: it fixes the loss's bits) */
  o->n_terms = 0;
  add_term(o, AE_TERM_RECON, m->n_layers);
  if (sampler >= 0) add_term(o, AE_TERM_KL, sampler);
  if (o->contractive > 0.0f) add_term(o, AE_TERM_CONTRACTIVE, m->n_enc);
  if (o->l2 > 0.0f) add_term(o, AE_TERM_L2, -1);
  if (o->l1 > 0.0f) add_term(o, AE_TERM_L1, m->n_enc);
  if (o->sparsity > 0.0f) add_term(o, AE_TERM_SPARSITY, m->n_enc);
  o->kl_weight = o->beta;
  o->n_wranges = 0;
  for (int i = 0; i < m->n_layers; i++) { /* L2 acts on the weights the layers mark */
    const ae_layer *l = &m->layers[i];
    ae_tensor_view tv[AE_MAX_LAYER_TENSORS];
    int nv = l->ops->tensors(l, tv);
    for (int k = 0; k < nv && o->n_wranges < AE_MAX_LAYERS * AE_MAX_LAYER_TENSORS; k++) {
      if (!tv[k].decay || tv[k].state) continue;
      size_t count = 1;
      for (int j = 0; j < tv[k].ndim; j++) count *= (size_t)tv[k].shape[j];
      o->wranges[o->n_wranges][0] = l->offset + tv[k].offset;
      o->wranges[o->n_wranges++][1] = count;
    }
  }
  return AE_OK;
}

ae_status ae_objective_plan(ae_objective *o, const ae_model *m) {
  if (o->sparsity > 0.0f && !o->means) {
    o->means = calloc(AE_MAX_WORKERS * ae_model_code_dim(m), sizeof(double));
    if (!o->means) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
  return AE_OK;
}

void ae_objective_free(ae_objective *o) {
  free(o->means);
  o->means = NULL;
}

void ae_objective_set_kl_weight(ae_objective *o, float w) { o->kl_weight = w; }

size_t ae_objective_sync_count(const ae_objective *o, const ae_model *m) {
  return o->sparsity > 0.0f ? ae_model_code_dim(m) : 0;
}

double ae_objective_denom(const ae_model *m, int b) {
  return m->sampler >= 0 ? (double)b : (double)b * m->input_dim;
}

double ae_objective_recon_sum(const ae_model *m, float *g, const float *y, const float *t,
                              float scale, size_t n) {
  size_t count = n * (size_t)m->input_dim;
  if (m->loss == AE_LOSS_BCE && m->logits_out) return ae_bce_logits(g, y, t, scale, count);
  if (m->sampler < 0) return ae_mse(g, y, t, scale, count);
  return 0.5 * ae_mse(g, y, t, 0.5f * scale, count) + 0.5 * (double)count * 1.8378770664093453 /* log(2 pi) */;
}

double ae_objective_kl_sum(const ae_model *m, const float *x, int n) {
  return ae_gauss_kl(x, n, m->layers[m->sampler].out_dim);
}

/* The dense code layer's Jacobian: sum of squared norms, or per sample. */
static double jacobian_sq(const ae_model *m, const float *h, int n, double *norms) {
  const ae_layer *l = &m->layers[m->n_enc - 1];
  return ae_dense_jacobian_sq(norms, h, l->params, l->u.dense.run_act, l->u.dense.slope, n,
                              l->in_dim, l->out_dim);
}

int ae_objective_jacobian_norms(const ae_model *m, const float *h, int n, double *norms) {
  if (m->layers[m->n_enc - 1].desc != &ae_dense_desc) return -1;
  jacobian_sq(m, h, n, norms);
  return 0;
}

/* The whole batch's size (the trainer sets it; alone: this slice's). */
static int batch_total(const ae_workspace *ws, int n) { return ws->n_total > 0 ? ws->n_total : n; }

double ae_objective_loss(ae_model *m, ae_workspace *ws, const float *t, int n, double denom,
                         float *dout) {
  ae_objective *o = &m->obj;
  int total = batch_total(ws, n);
  size_t z = ae_model_code_dim(m);
  memset(&ws->terms, 0, sizeof ws->terms);
  double obj = 0.0, code = 0.0; /* code: the code's L1 and sparsity, added last */
  int code_terms = 0;
  for (int k = 0; k < o->n_terms; k++) {
    const ae_term *tm = &o->terms[k];
    const float *a = tm->at >= 0 ? ws->acts[tm->at] : NULL;
    switch (tm->kind) {
    case AE_TERM_RECON:
      ws->terms.recon = ae_objective_recon_sum(m, dout, a, t, (float)(1.0 / denom), (size_t)n);
      obj = ws->terms.recon / denom;
      break;
    case AE_TERM_KL:
      ws->terms.kl = ae_objective_kl_sum(m, a, n);
      obj += o->kl_weight * ws->terms.kl / total;
      break;
    case AE_TERM_CONTRACTIVE:
      ws->terms.contractive = jacobian_sq(m, a, n, NULL);
      obj += o->contractive * ws->terms.contractive / total;
      break;
    case AE_TERM_L2: { /* once per batch: the first chunk's */
      if (ws->follower) break;
      double s = 0.0;
      for (int r = 0; r < o->n_wranges; r++)
        s = ae_l2_penalty(NULL, m->params + o->wranges[r][0], 0.0f, s, o->wranges[r][1]);
      ws->terms.l2 = 0.5 * s;
      obj += o->l2 * ws->terms.l2;
      break;
    }
    case AE_TERM_L1:
      ws->terms.l1 = ae_l1_penalty(NULL, a, 0.0f, 0.0f, (size_t)n * z);
      code += o->l1 * ws->terms.l1 / total;
      code_terms = 1;
      break;
    case AE_TERM_SPARSITY: { /* the batch's mean code: the team's column sums */
      double *means = o->means + (size_t)ws->worker * z;
      ae_column_sums(means, a, n, (int)z);
      ae_team_sum(ws->tm, ws->worker, means, z);
      for (size_t j = 0; j < z; j++) means[j] /= total;
      ws->terms.sparsity = ae_kl_sparsity(NULL, means, o->rho, 0.0, 0.0f, n, (int)z);
      if (!ws->follower) code += o->sparsity * ws->terms.sparsity; /* one term per batch */
      code_terms = 1;
      break;
    }
    }
  }
  return code_terms ? obj + code : obj;
}

void ae_objective_backward(ae_model *m, ae_workspace *ws, int n) {
  ae_objective *o = &m->obj;
  (void)n;
  for (int k = 0; k < o->n_terms; k++) {
    const ae_term *tm = &o->terms[k];
    if (tm->kind == AE_TERM_L2 && !ws->follower)
      for (int r = 0; r < o->n_wranges; r++)
        ae_l2_penalty(ws->grads + o->wranges[r][0], m->params + o->wranges[r][0], o->l2, 0.0,
                      o->wranges[r][1]);
  }
}

void ae_objective_grad_at(ae_model *m, ae_workspace *ws, int at, float *d, int n) {
  ae_objective *o = &m->obj;
  float scale = (float)(1.0 / batch_total(ws, n));
  size_t z = ae_model_code_dim(m);
  for (int k = 0; k < o->n_terms; k++) {
    const ae_term *tm = &o->terms[k];
    if (tm->at != at || tm->kind == AE_TERM_RECON) continue;
    const float *a = ws->acts[at];
    const ae_layer *l = &m->layers[m->n_enc - 1];
    switch (tm->kind) {
    case AE_TERM_KL:
      ae_gauss_kl_backward(d, a, o->kl_weight * scale, n, m->layers[m->sampler].out_dim);
      break;
    case AE_TERM_L1: ae_l1_penalty(d, a, o->l1, scale, (size_t)n * z); break;
    case AE_TERM_SPARSITY:
      ae_kl_sparsity(d, o->means + (size_t)ws->worker * z, o->rho, o->sparsity, scale, n, (int)z);
      break;
    case AE_TERM_CONTRACTIVE: /* both parts in one pass; the direct d/dW lands before the
                                 code layer's own backward adds its gradient, as the L2 did */
      ae_contractive_backward(ws->grads + l->offset, d, a, l->params, l->u.dense.run_act,
                              l->u.dense.slope, o->contractive * scale, n, l->in_dim, l->out_dim);
      break;
    case AE_TERM_RECON:
    case AE_TERM_L2: break;
    }
  }
}
