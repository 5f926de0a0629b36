/* SPDX-License-Identifier: MIT */
/* model.h — the model behind the opaque ae_model.
 *
 * Legend: N batch, D input features (c*h*w), Z code size, P parameters.
 * layers[0, n_enc) are the encoder, layers[n_enc, n_layers) the decoder.
 * Parameters live in one block (P floats), gradients in another; activation
 * memory is planned once per batch size (ae_model_plan). */
#ifndef AE_MODEL_H
#define AE_MODEL_H

#include "aekit.h"
#include "names.h"
#include "layer.h"
#include "net.h"
#include "objective.h"
#include "safetensors.h"
#include "team.h"

typedef struct ae_spec {
  ae_spec_layer layers[AE_MAX_LAYERS];
  int n_enc, n_layers;
  ae_loss loss;
  ae_objective obj;
  int has_output;  /* output=ACT given: the last layer's activation */
  ae_act output;
} ae_spec;

/* Parse a spec or preset name for inputs of shape (c, h, w). Errors
 * name the spec and the offending layer. */
ae_status ae_spec_parse(ae_spec *out, const char *spec, int c, int h, int w);

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
  double *sync[AE_MAX_LAYERS];   /* each layer's sync doubles for this worker, or NULL */
  float *grads;            /* (P) */
  ae_rng rng;              /* this worker's generator (noise, dropout, sampler) */
  int worker, team, n_total; /* set by the trainer for each batch */
  int follower;            /* not the batch's first chunk (of all ranks): the
                              once-per-batch terms (L2, KL sparsity) are left
                              to that one; set by the trainer, else 0 */
  ae_team *tm;             /* the team it runs in, or NULL: alone */
  int first;               /* its slice's first sample in the batch */
  int sample;              /* the sampler draws z in evaluation (ELBO) */
  ae_terms terms;          /* the last ae_objective_loss's raw sums */
} ae_workspace;

struct ae_model {
  int c, h, w, input_dim;  /* input shape (c, h, w), D = c*h*w */
  int n_enc, n_layers;
  ae_layer layers[AE_MAX_LAYERS]; /* the encoder's, then the decoder's */
  ae_net enc, dec;         /* layers [0, n_enc) and [n_enc, n_layers): nets over
                              the model's blocks (the sampler is the encoder's last) */
  ae_loss loss;
  ae_objective obj;        /* what training minimises (objective.h) */
  int sampler;             /* index of the VAE sampler layer (n_enc - 1), or -1 */
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
  int distributed;         /* batch functions split over the ranks (dist.h) */
  ae_team *infer_team;     /* their team (made on first use) */
  ae_run_progress_fn run_progress; /* batch functions' progress, or NULL */
  void *run_progress_user;
  char *training_json;     /* metadata pieces set by the trainer, or NULL */
  char *history_json;
  char *detector_json;     /* anomaly threshold (src/anomaly.c), or NULL */
  char *pca_json;          /* PCA summary (src/pca.c), or NULL */
  char *series_json;       /* how a series becomes windows (ae_model_set_series), or NULL */
  char *features_json;     /* per-feature scaling (ae_model_set_feature_scaling), or NULL */
  char *range_json;        /* the training data's range (ae_model_fit_scaling), or NULL */
  ae_names classes;        /* class names (ae_model_set_class_names), or none */
  char *classes_json;      /* the same as a JSON array, or NULL */
  char *metadata;          /* cached full metadata (ae_model_metadata) */
};

/* Make sure workspace ws[0] holds batches of n. Allocates only when n
 * grows. */
/* The most parameters plus state values a model may have: 2^30 (4 GiB a
 * block); checked before anything is allocated. */
#define AE_MAX_PARAMS ((size_t)1 << 30)

/* ae_model_create with a budget: refuse (before allocating) a model whose
 * parameters and state exceed max_values (0: AE_MAX_PARAMS); `init` 0
 * leaves the parameters zero, for a loader that fills them. */
ae_status ae_model_build(ae_model **out, const char *spec, int c, int h, int w,
                         uint64_t seed, size_t max_values, int init);

/* Check a "series" metadata text for m (channels = m->w); AE_OK or
 * AE_ERR_FORMAT. */
ae_status ae_model_check_series(const ae_model *m, const char *json);
/* The same for "features" metadata (input_dim values each). */
ae_status ae_model_check_features(const ae_model *m, const char *json);
/* The "classes" metadata (a JSON array of names) into m; checked. */
ae_status ae_model_load_classes(ae_model *m, const char *json);
/* The "range" metadata (ae_model_fit_scaling), checked. */
ae_status ae_model_check_range_meta(const ae_model *m, const char *json);

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
/* The objective of the last forward against targets t (N, D)
 * (ae_objective_loss, denom = ae_objective_denom of the whole batch) and,
 * with `backward`, ae_model_backward: the objective and its gradient in one
 * call (tests, tools). */
double ae_model_loss_step(ae_model *m, ae_workspace *ws, const float *t, int n,
                          int backward, double denom);
/* Zero ws->grads and accumulate the objective's gradient into them, from
 * d(recon)/d(output) in ws->grad_a (ae_objective_loss's dout) back through
 * the layers, adding each term where it acts; the workers' blocks add up to
 * the batch's gradient. */
void ae_model_backward(ae_model *m, ae_workspace *ws, int n);

/* Plan one workspace for slices of up to n samples (with a clean-target
 * buffer when `targets`); a plan only grows. */
ae_status ae_model_plan_workspace(ae_model *m, ae_workspace *ws, int n, int targets);
/* Run layers [from, to) on ws->acts[from] (N, .). */
void ae_model_forward_range(ae_model *m, ae_workspace *ws, int from, int to, int n, int train);
/* The most values one ae_team_sum of the model asks for (team reserve). */
size_t ae_model_sync_count(const ae_model *m);

/* Save m with extra tensors and one more metadata pair (checkpoints). The
 * loader accepts tensors named optim.* and train.* beside the model's. */
ae_status ae_model_save_with(const ae_model *m, const char *path, const ae_st_tensor *extra,
                             int n_extra, const char *key, const char *value);

/* Replace a metadata piece (copies the string). */
ae_status ae_model_set_meta(char **slot, const char *json);

#endif
