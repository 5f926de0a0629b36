/* layer.h — one small interface for every layer kind.
 *
 * A layer knows its input and output shapes (per sample, C x H x W), owns
 * views into the model's parameter block (trainable) and state block
 * (non-trainable, saved with the model: batch-norm running statistics), and
 * runs forward/backward over a batch through buffers the model planned. Each
 * kind keeps its own small parameter struct in the union; there is no
 * catch-all struct.
 *
 * Threads: in training, the batch is split over the workers of a team
 * (team.h); each calls forward/backward on its slice with its own context. A
 * layer whose math couples samples (batch norm) puts its slice's partial sums
 * in its `sync` doubles and has the team sum them (ae_team_sum), so every
 * worker sees statistics of the whole batch. */
#ifndef AE_LAYER_H
#define AE_LAYER_H

#include "aekit.h"
#include "kernels.h"
#include "rng.h"
#include "team.h"

#include <stddef.h>
#include <stdint.h>

typedef enum ae_layer_kind {
  AE_LAYER_DENSE = 0,
  AE_LAYER_CONV2D,
  AE_LAYER_CONV_TRANSPOSE2D,
  AE_LAYER_BATCHNORM,
  AE_LAYER_MAXPOOL2D,
  AE_LAYER_UPSAMPLE2D,
  AE_LAYER_DROPOUT,
  AE_LAYER_FLATTEN,
  AE_LAYER_RESHAPE,
  AE_LAYER_SAMPLE
} ae_layer_kind;

typedef struct ae_shape {
  int c, h, w;
} ae_shape;

typedef struct ae_layer ae_layer;

/* What one worker passes to a layer for one batch slice. */
typedef struct ae_layer_ctx {
  float *scratch;  /* this layer's scratch_count(l, n) floats, this worker's;
                      kept from forward to backward of the same batch */
  ae_rng *rng;     /* this worker's generator (dropout masks) */
  double *sync;    /* this worker's sync_count doubles, for ae_team_sum */
  struct ae_team *tm; /* the team this worker runs in (NULL: alone) */
  int worker, team;/* this worker's index and the number of workers */
  int n_total;     /* samples in the whole batch, over all workers */
  int sample;      /* the sampler draws z even outside training (ELBO) */
  float pen_scale; /* weight of per-sample penalty sums in the objective:
                      1 / n_total (penalties are averaged over the batch) */
} ae_layer_ctx;

/* A tensor of the layer as stored in the model file. */
typedef struct ae_tensor_view {
  const char *suffix;  /* "weight", "bias", "running_mean", "running_var" */
  int ndim;
  int64_t shape[4];
  int state;           /* 0: in the parameter block, 1: in the state block */
  size_t offset;       /* floats from the layer's params (or state) */
} ae_tensor_view;

typedef struct ae_layer_ops {
  const char *name;
  size_t (*param_count)(const ae_layer *l);
  size_t (*state_count)(const ae_layer *l);            /* may be NULL: 0 */
  size_t (*scratch_count)(const ae_layer *l, int n);   /* may be NULL: 0 */
  size_t (*sync_count)(const ae_layer *l);             /* may be NULL: 0 */
  /* Draw initial parameters and reset state. NULL: nothing to draw. */
  void (*init)(ae_layer *l, ae_init scheme, ae_rng *rng);
  /* y (N, out) from x (N, in). */
  void (*forward)(ae_layer *l, const ae_layer_ctx *ctx, float *y,
                  const float *x, int n, int train);
  /* dy (N, out) is consumed (may be overwritten); dx (N, in) written unless
   * NULL; parameter gradients accumulated into grads (this layer's slice of
   * the worker's gradient block). */
  void (*backward)(ae_layer *l, const ae_layer_ctx *ctx, float *grads,
                   float *dx, float *dy, const float *x, const float *y,
                   int n);
  /* Write the layer's spec text; returns chars written. */
  int (*spec)(const ae_layer *l, char *buf, size_t len);
  /* Describe the tensors stored in the model file; returns how many. */
  int (*tensors)(const ae_layer *l, ae_tensor_view *out);
} ae_layer_ops;

typedef struct ae_dense_params {
  ae_act act;      /* as written in the spec */
  ae_act run_act;  /* as run: identity where the loss takes logits */
  float slope;     /* leaky relu negative slope */
  float contractive; /* lambda of the contractive penalty on this layer's
                        Jacobian (the code layer only), 0 = off */
} ae_dense_params;

typedef struct ae_conv_params { /* conv2d and conv_transpose2d */
  int filters, kernel, stride, pad, dil, outpad;
  int same;        /* pad written as "same" */
  ae_act act, run_act;
  float slope;
} ae_conv_params;

typedef struct ae_bn_params {
  float momentum, eps;
} ae_bn_params;

typedef struct ae_pool_params { /* maxpool2d, upsample2d */
  int kernel, stride, pad;      /* maxpool; upsample uses kernel as scale */
} ae_pool_params;

typedef struct ae_dropout_params {
  float p;
} ae_dropout_params;

typedef struct ae_sample_params { /* the VAE sampler */
  float beta;               /* weight of the KL term now (after warm-up) */
  const float *fixed_eps;   /* tests: take eps (N, Z) from here, not the rng */
} ae_sample_params;

struct ae_layer {
  const ae_layer_ops *ops;
  ae_layer_kind kind;
  ae_shape in, out;        /* per sample */
  int in_dim, out_dim;     /* c * h * w of each */
  float *params;           /* view into the model's parameter block */
  size_t offset;           /* of params (and of gradients) in the blocks */
  size_t n_params;
  float *state;            /* view into the model's state block */
  size_t n_state;
  union {
    ae_dense_params dense;
    ae_conv_params conv;
    ae_bn_params bn;
    ae_pool_params pool;
    ae_dropout_params dropout;
    ae_sample_params sample;
  } u;
};

/* One layer as the spec describes it, before it is built. */
typedef struct ae_spec_layer {
  ae_layer_kind kind;
  int units;                       /* dense units, conv filters */
  int kernel, stride, pad, dil, outpad, same;
  ae_act act;
  float slope;
  float p, momentum, eps;
  ae_shape reshape;
} ae_spec_layer;

/* Fill l (ops, kind, shapes, kind parameters) from s for inputs of shape
 * `in`; errors say why the shape does not fit. */
ae_status ae_layer_build(ae_layer *l, const ae_spec_layer *s, ae_shape in,
                         int index);

/* Draw nw weights and nb biases: AE_INIT_KERAS: He uniform (relu family)
 * or Glorot uniform over fan_in/fan_out, biases 0; AE_INIT_TORCH: weights
 * and biases U(+-1/sqrt(fan_in)). */
void ae_init_weights(float *w, size_t nw, float *b, size_t nb, ae_init scheme, ae_act act,
                     double fan_in, double fan_out, ae_rng *rng);

/* The activation as spec text ("relu", "leaky_relu:0.2"). */
int ae_act_spec(ae_act act, float slope, char *buf, size_t len);

extern const ae_layer_ops ae_dense_ops, ae_conv2d_ops, ae_conv_transpose2d_ops,
    ae_batchnorm_ops, ae_maxpool2d_ops, ae_upsample2d_ops, ae_dropout_ops,
    ae_flatten_ops, ae_reshape_ops, ae_sample_ops;

/* ---- the pieces of the objective that live in layers ---- */

/* Sum over n samples of KL(N(mu, sigma^2) || N(0, I)) for the sampler's
 * input x (N, 2Z) = [mu | log sigma^2]. */
double ae_sample_kl(const ae_layer *l, const float *x, int n);
/* Sum over n samples of the squared Frobenius norm of the dense layer's
 * Jacobian dy/dx, from its output y (N, O): sum_j f'(a_j)^2 |W_j|^2. With
 * `norms` (N), each sample's (unsquared) norm goes there. */
double ae_dense_jacobian_sq(const ae_layer *l, const float *y, int n, double *norms);

#endif
