/* SPDX-License-Identifier: MIT */
/* objective.h — what training minimises: a list of terms over the model's
 * activations, each a value and a gradient computed by kernels (kernels.h,
 * k_loss.c and k_penalty.c).
 *
 *   reconstruction   recon(output, target) / denom       at the output
 *   VAE KL           w_kl KL(q(z|x) || N(0, I)) / B      at the sampler's input
 *   contractive      lambda |d code / d x|_F^2 / B       at the code (dense layer)
 *   L2               lambda / 2 sum of squared weights   on the parameters
 *   L1               lambda sum |code| / B               at the code
 *   KL sparsity      beta sum_j KL(rho || batch mean code_j)   at the code
 *
 * B is the whole batch's size, denom ae_objective_denom (B D, or B for a
 * VAE: the negative ELBO in nats). Terms are per sample and averaged over
 * the batch, except KL sparsity (one per batch, on the mean code) and L2
 * (one per step); worker 0 carries those two. The KL weight w_kl is the
 * objective's own (beta, or less during warm-up: ae_objective_set_kl_weight);
 * no layer carries a piece of the objective.
 *
 * Loss and backward are separate calls: ae_objective_loss (values; the
 * reconstruction kernel can leave d recon / d output in the same pass), then
 * the model's backward, which asks ae_objective_backward for the parameter
 * terms and ae_objective_grad_at for the terms on each activation it passes.
 * Legend: N this worker's samples, D input features, Z code size. */
#ifndef AE_OBJECTIVE_H
#define AE_OBJECTIVE_H

#include "aekit.h"
#include "layer.h"

#include <stddef.h>

#define AE_MAX_TERMS 8

struct ae_model;
struct ae_workspace;

typedef enum ae_term_kind {
  AE_TERM_RECON,
  AE_TERM_KL,
  AE_TERM_CONTRACTIVE,
  AE_TERM_L2,
  AE_TERM_L1,
  AE_TERM_SPARSITY
} ae_term_kind;

/* One term: what it is, and the activation it reads (acts[at]; the
 * reconstruction: the output; L2: none, -1). */
typedef struct ae_term {
  ae_term_kind kind;
  int at;
} ae_term;

/* The raw sums of one ae_objective_loss over its n samples. */
typedef struct ae_terms {
  double recon;       /* reconstruction loss summed over elements (VAE with
                         MSE: Gaussian negative log-likelihood, unit variance) */
  double kl;          /* VAE: sum over samples of KL(q(z|x) || N(0, I)) */
  double l1;          /* sum |code| */
  double sparsity;    /* sum_j KL(rho || batch mean of code_j) (whole batch) */
  double contractive; /* sum over samples of |J|_F^2 */
  double l2;          /* 1/2 sum of squared weights (worker 0 only) */
} ae_terms;

typedef struct ae_objective {
  /* the options (spec text after ';', parsed by spec.c) */
  float beta;          /* "beta=": weight of the VAE's KL term (default 1) */
  float l1;            /* "l1=": lambda * sum |code| */
  float rho, sparsity; /* "sparsity=RHO:BETA": BETA * sum_j KL(RHO || mean code_j) */
  float contractive;   /* "contractive=": lambda * |d code / d input of the code layer|_F^2 */
  float l2;            /* "l2=": lambda / 2 * sum of squared weights (not biases) */
  /* built by ae_objective_build */
  int n_terms;
  ae_term terms[AE_MAX_TERMS]; /* in the order their values are added */
  float kl_weight;     /* the KL term's weight now: beta, or less in warm-up */
  size_t wranges[AE_MAX_LAYERS * AE_MAX_LAYER_TENSORS][2]; /* L2: (offset, count) of each weight tensor */
  int n_wranges;
  double *means;       /* KL sparsity: per worker the batch's mean code (Z) */
} ae_objective;

/* Place the terms the options ask for on model m (its layers built, its
 * parameter offsets set): the sampler last in the encoder (its index into
 * m->sampler, or -1), the contractive penalty on a dense code layer, the KL
 * sparsity on a sigmoid code. Errors name `spec`. */
ae_status ae_objective_build(ae_objective *o, struct ae_model *m, const char *spec);
/* Room for every worker's batch means (KL sparsity: AE_MAX_WORKERS x Z). */
ae_status ae_objective_plan(ae_objective *o, const struct ae_model *m);
void ae_objective_free(ae_objective *o);
/* The KL term's weight from now on (warm-up); beta restores it. */
void ae_objective_set_kl_weight(ae_objective *o, float w);
/* The most doubles one ae_team_sum of the objective asks for. */
size_t ae_objective_sync_count(const ae_objective *o, const struct ae_model *m);

/* This worker's share of the batch objective after a forward of its n
 * samples against targets t (N, D); raw sums into ws->terms. denom:
 * ae_objective_denom of the whole batch. With dout (N, D), the
 * reconstruction's gradient d(recon / denom)/d output goes there in the same
 * pass. The workers of a team meet in it when the KL sparsity needs the
 * batch's mean code. */
double ae_objective_loss(struct ae_model *m, struct ae_workspace *ws, const float *t, int n,
                         double denom, float *dout);
/* The terms on the parameters alone, added into ws->grads: L2 (the batch's
 * first chunk: ws->follower 0).
 * (The contractive penalty's d/dW comes with its activation term, in
 * ae_objective_grad_at.) After ae_objective_loss. */
void ae_objective_backward(struct ae_model *m, struct ae_workspace *ws, int n);
/* The terms on activation `at` (ws->acts[at]): their gradient added into
 * d (N, width of acts[at]), the gradient of the objective there so far.
 * After ae_objective_loss. */
void ae_objective_grad_at(struct ae_model *m, struct ae_workspace *ws, int at, float *d, int n);

/* The reconstruction normaliser of a batch of b: b*D (mean per element) or,
 * for a VAE, b (per sample: the negative ELBO in nats). */
double ae_objective_denom(const struct ae_model *m, int b);
/* Reconstruction loss sum of n samples y against t; gradient (scaled) into g
 * unless NULL. A VAE with MSE uses the Gaussian negative log-likelihood with
 * unit variance: SSE / 2 + D/2 log(2 pi) per sample. */
double ae_objective_recon_sum(const struct ae_model *m, float *g, const float *y, const float *t,
                              float scale, size_t n);
/* The VAE's KL summed over n samples of the sampler's input x (N, 2Z). */
double ae_objective_kl_sum(const struct ae_model *m, const float *x, int n);
/* Each of n samples' |d code / d input|_F of a dense code layer, from its
 * codes h (N, Z), into norms (N); returns 0, or -1 when the code layer is
 * not dense. */
int ae_objective_jacobian_norms(const struct ae_model *m, const float *h, int n, double *norms);

#endif
