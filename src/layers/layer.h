/* SPDX-License-Identifier: MIT */
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
#include "error.h"
#include "kernels.h"
#include "rng.h"
#include "team.h"

#include <stddef.h>
#include <stdint.h>

#define AE_MAX_LAYERS 64 /* in a model, over its nets */
#define AE_MAX_LAYER_TENSORS 8 /* stored tensors of one layer (a bidirectional LSTM's) */

typedef struct ae_shape {
  int c, h, w;
} ae_shape;

typedef struct ae_layer ae_layer;
typedef struct ae_onnx ae_onnx; /* an ONNX graph being built (layer_onnx.h) */

/* What one worker passes to a layer for one batch slice. */
typedef struct ae_layer_ctx {
  float *scratch;  /* this layer's scratch_count(l, n) floats, this worker's;
                      kept from forward to backward of the same batch */
  ae_rng *rng;     /* this worker's generator (dropout masks) */
  double *sync;    /* this worker's sync_count doubles, for ae_team_sum */
  struct ae_team *tm; /* the team this worker runs in (NULL: alone) */
  int worker, team;/* this worker's index and the number of workers */
  int n_total;     /* samples in the whole batch, over all workers */
  int first;       /* this worker's first sample in the batch */
  int sample;      /* the sampler draws z even outside training (ELBO) */
} ae_layer_ctx;

/* A tensor of the layer as stored in the model file. */
typedef struct ae_tensor_view {
  const char *suffix;  /* "weight", "bias", "running_mean", "running_var" */
  int ndim;
  int64_t shape[4];
  int state;           /* 0: in the parameter block, 1: in the state block */
  size_t offset;       /* floats from the layer's params (or state) */
  int decay;           /* 1: a weight the L2 penalty acts on (not biases) */
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
  /* The activation the layer runs last, which the model may fuse into the
   * loss (a sigmoid output under BCE runs linear); NULL: none. */
  ae_act *(*run_act)(ae_layer *l);
  /* Add the layer's nodes to an ONNX graph being built (layer_onnx.h), in
   * evaluation mode. NULL: the kind has no ONNX form (the export says so). */
  ae_status (*onnx)(const ae_layer *l, ae_onnx *g);
  /* Multiply-adds of the forward pass per sample in the layer's weight
   * products (GEMMs and convolutions; element-wise work is not counted).
   * NULL: none. */
  double (*macs)(const ae_layer *l);
} ae_layer_ops;

typedef struct ae_dense_params {
  int units;
  ae_act act;      /* as written in the spec */
  ae_act run_act;  /* as run: identity where the loss takes logits */
  float slope;     /* leaky relu negative slope */
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

typedef struct ae_reshape_params {
  ae_shape to;
} ae_reshape_params;

typedef struct ae_sample_params { /* the VAE sampler */
  const float *fixed_eps;   /* tests: take eps (N_total, Z) of the whole batch from
                               here (a worker its own rows), not the rng */
} ae_sample_params;

struct ae_layer {
  const struct ae_layer_desc *desc; /* its kind, from the registry */
  const ae_layer_ops *ops;
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
    ae_reshape_params reshape;
    ae_sample_params sample;
    double raw[16];  /* a kind with parameters of its own keeps them here, in
                        a struct of its file (which should _Static_assert
                        that it fits), so adding a kind edits no header */
  } u;
};

/* ---- the layer registry (registry.c) ----
 * A layer kind is one file exporting one descriptor, and one line in the
 * registry's table (with its extern declaration there); nothing else names
 * it, except dense and sample, on which the objective places terms. The spec syntax is common to
 * all kinds: KIND { ":" FIELD }, FIELD = NUMBER | KEY "=" VALUE | ACTIVATION.
 * The spec parser splits a layer's text into fields by that syntax (checking
 * only what the descriptor declares: how many numbers, which keys, whether
 * an activation), and the descriptor's build turns them into its own
 * parameters and output shape. */

/* A layer's fields as written, split by the common syntax. */
typedef struct ae_layer_fields {
  int npos;
  char pos[3][24];           /* the numbers, as written */
  int has_act;
  ae_act act;
  float slope;               /* leaky_relu's */
  int nkv;
  char key[8][16], val[8][24]; /* KEY=VALUE pairs in order (later ones win) */
} ae_layer_fields;

/* What error messages name: the spec, the layer's 1-based index, its kind. */
typedef struct ae_build_ctx {
  const char *spec;
  int index;
  const char *kind;
} ae_build_ctx;

typedef struct ae_layer_desc {
  const char *name;          /* in specs: "dense" */
  const ae_layer_ops *ops;
  int n_pos;                 /* numbers it takes (all required) */
  int act_ok;                /* takes an activation */
  const char *keys;          /* KEY=VALUE names it takes, comma-separated */
  /* From the fields: the kind's parameters into l->u, and the output shape
   * for an input of shape `in` (checked: errors name c). */
  ae_status (*build)(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                     const ae_build_ctx *c);
  int float_pos;             /* its numbers are fractions (else positive integers) */
} ae_layer_desc;

/* One layer as the spec describes it, before it is built. */
typedef struct ae_spec_layer {
  const ae_layer_desc *desc;
  ae_layer_fields f;
} ae_spec_layer;

/* An activation by its spec name (relu, leaky_relu, sigmoid, tanh,
 * identity or linear): 0, or -1 for another name. */
int ae_act_parse(const char *s, ae_act *act);

/* The registry: every kind, NULL-terminated. */
extern const ae_layer_desc *const ae_layer_registry[];
/* The kind named `name`, or NULL. */
const ae_layer_desc *ae_layer_find(const char *name);
/* Split a layer's text (modified) into s by the common syntax; errors name
 * spec and the 1-based index. */
ae_status ae_layer_parse(ae_spec_layer *s, char *text, const char *spec, int index);
/* Fill l (desc, ops, shapes, kind parameters) from s for inputs of shape
 * `in`; errors say why the shape does not fit. */
ae_status ae_layer_build(ae_layer *l, const ae_spec_layer *s, ae_shape in, int index,
                         const char *spec);
/* Parse and build one layer from its text ("dense:5:sigmoid") for inputs
 * of shape `in` (tests, tools). */
ae_status ae_layer_from_text(ae_layer *l, const char *text, ae_shape in);

/* For kinds without parameters or stored tensors (ops entries). */
size_t ae_layer_no_params(const ae_layer *l);
int ae_layer_no_tensors(const ae_layer *l, ae_tensor_view *t);

/* "layer N (KIND): input of shape (C, H, W) is too small for it". */
ae_status ae_layer_too_small(const ae_build_ctx *c, ae_shape in);
/* "layer N (KIND): needs a sequence (1, T, F) as input, not (C, H, W)": the
 * sequence kinds take T steps of F values, row-major, channels last. */
ae_status ae_layer_need_sequence(const ae_build_ctx *c, ae_shape in);
/* Helpers for builds: an integer field in [lo, hi]; a KEY=VALUE value or
 * NULL; a float in [lo, hi]. Errors name c. */
ae_status ae_field_int(const ae_build_ctx *c, const char *text, long lo, long hi, int *out);
ae_status ae_field_float(const ae_build_ctx *c, const char *what, const char *text, double lo,
                         double hi, float *out);
const char *ae_field_key(const ae_layer_fields *f, const char *key);
ae_status ae_field_key_int(const ae_build_ctx *c, const ae_layer_fields *f, const char *key,
                           long lo, long hi, int *out);

/* Draw nw weights and nb biases: AE_INIT_KERAS: He uniform (relu family)
 * or Glorot uniform over fan_in/fan_out, biases 0; AE_INIT_TORCH: weights
 * and biases U(+-1/sqrt(fan_in)). */
void ae_init_weights(float *w, size_t nw, float *b, size_t nb, ae_init scheme, ae_act act,
                     double fan_in, double fan_out, ae_rng *rng);

/* A convolution's spec text, KIND:FILTERS:KERNEL then the fields that
 * differ from their defaults (stride=, pad=same or pad=, dil=, outpad=) and
 * the activation; returns chars written. */
int ae_conv_spec_text(char *buf, size_t len, const char *kind, int filters, int kernel, int stride,
                      int same, int pad, int dil, int outpad, ae_act act, float slope);

/* A max pooling's spec text, KIND:K then stride= (when not K) and pad= (when
 * not 0); returns chars written. */
int ae_pool_spec_text(char *buf, size_t len, const char *kind, int kernel, int stride, int pad);

/* The activation as spec text ("relu", "leaky_relu:0.2"). */
int ae_act_spec(ae_act act, float slope, char *buf, size_t len);

/* The kinds the objective places terms on (the others are named only in
 * registry.c's table). */
extern const ae_layer_desc ae_dense_desc, ae_sample_desc;

#endif
