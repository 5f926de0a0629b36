/* layer.h — one small interface for every layer kind.
 *
 * A layer owns views into the model's parameter and gradient blocks, knows
 * its input and output sizes, and runs forward/backward over a batch through
 * buffers the model planned. Each kind keeps its own small parameter struct
 * in the union; there is no catch-all struct. */
#ifndef AE_LAYER_H
#define AE_LAYER_H

#include "aekit.h"
#include "kernels.h"
#include "rng.h"

#include <stddef.h>

typedef enum ae_layer_kind { AE_LAYER_DENSE = 0 } ae_layer_kind;

typedef struct ae_layer ae_layer;

typedef struct ae_layer_ops {
  const char *name;
  /* Parameters this layer needs (floats). */
  size_t (*param_count)(const ae_layer *l);
  /* Draw initial parameters (views are bound). */
  void (*init)(ae_layer *l, ae_init scheme, ae_rng *rng);
  /* y (N, out) from x (N, in). */
  void (*forward)(ae_layer *l, float *y, const float *x, int n, int train);
  /* dy (N, out) is consumed (may be overwritten); dx (N, in) written unless
   * NULL; parameter gradients accumulated into grads (this layer's slice of
   * a gradient block: each worker thread has its own block). */
  void (*backward)(ae_layer *l, float *grads, float *dx, float *dy,
                   const float *x, const float *y, int n);
  /* Write the layer's spec ("dense:32:relu"); returns chars written. */
  int (*spec)(const ae_layer *l, char *buf, size_t len);
} ae_layer_ops;

typedef struct ae_dense_params {
  ae_act act;      /* as written in the spec */
  ae_act run_act;  /* as run: identity where the loss takes logits */
  float slope;     /* leaky relu negative slope */
} ae_dense_params;

struct ae_layer {
  const ae_layer_ops *ops;
  ae_layer_kind kind;
  int in_dim, out_dim;     /* features in and out per sample */
  float *params;           /* view into the model's parameter block */
  size_t offset;           /* of params (and of gradients) in the blocks */
  size_t n_params;
  union {
    ae_dense_params dense;
  } u;
};

extern const ae_layer_ops ae_dense_ops;

#endif
