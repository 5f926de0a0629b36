/* SPDX-License-Identifier: MIT */
/* net.h — a stack of layers: its parameter and state blocks (contiguous
 * views into the owner's), the layers' views into them, and forward and
 * backward over a batch slice through activation memory the owner planned.
 * The model's encoder and decoder are nets (model.h); a discriminator will
 * be one too.
 *
 * A net does not own memory: a run (ae_net_run) names one worker's buffers
 * for it — activations (acts[0] the net's input, acts[i + 1] layer i's
 * output), each layer's scratch and sync doubles, the worker's gradient
 * block for the net, two ping-pong gradient buffers — and where the
 * objective adds its terms while the backward passes an activation.
 * Legend: N this worker's samples. */
#ifndef AE_NET_H
#define AE_NET_H

#include "layer.h"

typedef struct ae_net {
  ae_layer *layers;  /* its layers (a view) */
  int n_layers;
  int first;         /* index of layers[0] in the owner's layer list */
  float *params;     /* (n_params) its block, the layers' views inside it */
  size_t offset;     /* of params in the owner's parameter (and gradient) block */
  size_t n_params;
  float *state;      /* (n_state) non-trainable, saved (batch-norm statistics) */
  size_t n_state;
} ae_net;

/* The terms of an objective on activation `at` (the net's acts index,
 * 1..n_layers): their gradient added into d. */
typedef void (*ae_net_grad_hook)(void *ctx, const ae_net *net, int at, float *d, int n);

typedef struct ae_net_run {
  float **acts;          /* (n_layers + 1) activation buffers */
  float **scratch;       /* (n_layers) each layer's scratch */
  double **sync;         /* (n_layers) each layer's sync doubles, or NULL */
  float *grads;          /* this worker's gradient block for the net (n_params) */
  float *grad_a, *grad_b;/* ping-pong gradient buffers, each as wide as the widest act */
  ae_rng *rng;
  ae_team *tm;           /* the team, or NULL: alone */
  int worker, team, n_total, first, sample; /* as ae_layer_ctx */
  ae_net_grad_hook hook; /* may be NULL */
  void *hook_ctx;
} ae_net_run;

/* Lay the layers out in one block: each layer's params/state views and
 * offsets (from `offset` of the owner's blocks params and state, at the
 * floats already taken soff). Sizes come from the layers' ops. */
void ae_net_init(ae_net *net, ae_layer *layers, int n_layers, int first, float *params,
                 size_t offset, float *state, size_t soff);
/* The floats the layers of the net need (counts before ae_net_init). */
size_t ae_net_param_count(const ae_layer *layers, int n_layers);
size_t ae_net_state_count(const ae_layer *layers, int n_layers);

/* The activation plan for slices of up to n samples: the floats of every
 * layer's output (acts[1..n_layers]), of every layer's scratch, and the
 * widest layer output (per sample), for sizing the gradient buffers. */
size_t ae_net_act_count(const ae_net *net, int n);
size_t ae_net_scratch_count(const ae_net *net, int n);
size_t ae_net_widest(const ae_net *net);
/* Lay the plan out: acts[1..n_layers] from *act_mem on, scratch[0..n_layers)
 * from *scratch_mem on; both cursors advance past what was taken. acts[0],
 * the input, is the caller's. */
void ae_net_plan(const ae_net *net, int n, float **acts, float **scratch, float **act_mem,
                 float **scratch_mem);

/* Run layers [from, to) of the net: acts[from] -> acts[to]. */
void ae_net_forward(const ae_net *net, const ae_net_run *r, int from, int to, int n, int train);
/* Backward over all layers from dy (N, width of acts[n_layers]) in r->grad_a
 * or r->grad_b (the one `dy` points at), the hook adding its terms at each
 * activation first; gradients accumulate into r->grads. Returns the buffer
 * holding dL/d acts[0], or NULL when need_dx is 0 (layer 0 then skips it). */
float *ae_net_backward(const ae_net *net, const ae_net_run *r, float *dy, int n, int need_dx);

#endif
