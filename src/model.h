/* model.h — the model behind the opaque ae_model.
 *
 * Legend: N batch, D input features (c*h*w), Z code size, P parameters.
 * layers[0, n_enc) are the encoder, layers[n_enc, n_layers) the decoder.
 * Parameters live in one block (P floats), gradients in another; activation
 * memory is planned once per batch size (ae_model_plan). */
#ifndef AE_MODEL_H
#define AE_MODEL_H

#include "aekit.h"
#include "layer.h"

#define AE_MAX_LAYERS 64

/* One layer as the spec describes it, before it is built. */
typedef struct ae_spec_layer {
  ae_layer_kind kind;
  int units;
  ae_act act;
  float slope;
} ae_spec_layer;

typedef struct ae_spec {
  ae_spec_layer layers[AE_MAX_LAYERS];
  int n_enc, n_layers;
  ae_loss loss;
} ae_spec;

/* Parse a spec or preset name for inputs of `input_dim` features. Errors
 * name the spec and the offending layer. */
ae_status ae_spec_parse(ae_spec *out, const char *spec, int input_dim);

struct ae_model {
  int c, h, w, input_dim;
  int n_enc, n_layers;
  ae_layer layers[AE_MAX_LAYERS];
  ae_loss loss;
  int logits_out;          /* BCE on a sigmoid output: last layer runs linear */
  char *spec;              /* canonical spec string */
  uint64_t seed;
  ae_init init;            /* how the parameters were first drawn */
  size_t n_params;
  float *params, *grads;   /* (P), (P) */
  float lo, hi;            /* input scaling */
  /* planned activation memory for batches up to plan_n */
  int plan_n;
  float *mem;
  float *acts[AE_MAX_LAYERS + 1]; /* acts[0] input (N, D); acts[i+1] (N, out_i) */
  float *grad_a, *grad_b;  /* (N, max width) ping-pong gradient buffers */
  float *out;              /* (N, D) output probabilities when logits_out */
  char *training_json;     /* metadata pieces set by the trainer, or NULL */
  char *history_json;
  char *metadata;          /* cached full metadata (ae_model_metadata) */
};

/* Make sure activation buffers hold batches of n. Allocates only when n
 * grows. */
ae_status ae_model_plan(ae_model *m, int n);

/* Forward acts[0] (N, D) through the layers; returns the output (N, D):
 * logits when m->logits_out (see ae_model_output for probabilities). */
void ae_model_forward(ae_model *m, int n, int train);
/* The output probabilities / values (N, D) after ae_model_forward. */
const float *ae_model_output(ae_model *m, int n);
/* Loss (mean per element) of the last forward against t (N, D); when
 * `backward` is set also accumulates parameter gradients (grads are zeroed
 * first). */
double ae_model_loss_step(ae_model *m, const float *t, int n, int backward);

/* Replace a metadata piece (copies the string). */
ae_status ae_model_set_meta(char **slot, const char *json);

#endif
