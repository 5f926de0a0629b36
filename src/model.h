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
#define AE_MAX_WORKERS 64

typedef struct ae_spec {
  ae_spec_layer layers[AE_MAX_LAYERS];
  int n_enc, n_layers;
  ae_loss loss;
} ae_spec;

/* Parse a spec or preset name for inputs of `input_dim` features. Errors
 * name the spec and the offending layer. */
ae_status ae_spec_parse(ae_spec *out, const char *spec, int input_dim);

/* What one worker thread needs for a slice of a batch: activations planned
 * for up to plan_n samples and its own gradient block. Worker 0's gradient
 * block is the model's. */
typedef struct ae_workspace {
  int plan_n;
  float *mem;
  float *acts[AE_MAX_LAYERS + 1]; /* acts[0] input (N, D); acts[i+1] (N, out_i) */
  float *grad_a, *grad_b;  /* (N, W) ping-pong gradient buffers */
  float *out;              /* (N, D) output probabilities when logits_out */
  float *target;           /* (N, D) clean target when the input is corrupted */
  float *scratch[AE_MAX_LAYERS]; /* each layer's scratch_count(l, N) */
  float *grads;            /* (P) */
  ae_rng rng;              /* this worker's generator (noise, dropout) */
  int worker, team, n_total; /* set by the trainer for each batch */
} ae_workspace;

struct ae_model {
  int c, h, w, input_dim;  /* input shape (c, h, w), D = c*h*w */
  int n_enc, n_layers;
  ae_layer layers[AE_MAX_LAYERS];
  ae_loss loss;
  int logits_out;          /* BCE on a sigmoid output: last layer runs linear */
  char *spec;              /* canonical spec string */
  uint64_t seed;
  ae_init init;            /* how the parameters were first drawn */
  size_t n_params, n_state;
  float *params, *grads;   /* (P), (P) */
  float *state;            /* non-trainable (batch-norm running statistics) */
  double *sync;            /* shared sums of batch-coupled layers: per layer */
  size_t sync_off[AE_MAX_LAYERS]; /* its slots, sync_team of them, from here */
  int sync_team;
  float lo, hi;            /* input scaling */
  ae_workspace ws[AE_MAX_WORKERS]; /* ws[0] serves inference and 1 thread */
  int n_workers;           /* workspaces with a gradient block */
  int threads;             /* inference threads, 0 = all cores */
  char *training_json;     /* metadata pieces set by the trainer, or NULL */
  char *history_json;
  char *detector_json;     /* anomaly threshold (src/anomaly.c), or NULL */
  char *pca_json;          /* PCA summary (src/pca.c), or NULL */
  char *metadata;          /* cached full metadata (ae_model_metadata) */
};

/* Make sure workspace ws[0] holds batches of n. Allocates only when n
 * grows. */
ae_status ae_model_plan(ae_model *m, int n);
/* Plan `workers` workspaces for slices of up to n samples each, with their
 * own gradient blocks (ws[0] uses m->grads), a clean-target buffer when
 * `targets` is set, and the shared sync area for `workers`. */
ae_status ae_model_plan_workers(ae_model *m, int workers, int n, int targets);

/* Forward ws->acts[0] (N, D) through the layers. The last activation holds
 * logits when m->logits_out (see ae_model_output for probabilities). */
void ae_model_forward(ae_model *m, ae_workspace *ws, int n, int train);
/* The output probabilities / values (N, D) after ae_model_forward. */
const float *ae_model_output(ae_model *m, ae_workspace *ws, int n);
/* Loss SUM over the n*D elements of the last forward against t (N, D).
 * With `backward`, zeroes ws->grads and accumulates the gradient of
 * (sum / denom) into them: denom is the element count of the whole batch
 * that this slice belongs to, so workers' gradients add up to the batch's. */
double ae_model_loss_step(ae_model *m, ae_workspace *ws, const float *t, int n,
                          int backward, double denom);

/* Replace a metadata piece (copies the string). */
ae_status ae_model_set_meta(char **slot, const char *json);

#endif
