/* SPDX-License-Identifier: MIT */
/* train.h — the trainer behind ae_train: one optimizer step on a batch, the
 * fit loop around it, and checkpoints that hold everything the loop needs
 * to go on. Internal; tests run the real step through it.
 * Legend: N batch, D input features, P parameters, S state values. */
#ifndef AE_TRAIN_H
#define AE_TRAIN_H

#include "dataset.h"
#include "model.h"
#include "noise.h"
#include "optim.h"
#include "team.h"

/* A batch is cut into one chunk per worker (more, smaller chunks were
 * measured: 4 per worker cost `deep` 18% on an idle machine and gained
 * nothing on a busy one). */
#define AE_MAX_CHUNKS AE_MAX_WORKERS
/* Parameters per range of the balanced step's sum and update (at least,
 * unless there are fewer in all). */
#define AE_RANGE_FLOATS 16384
/* The pace (ae_trainer.width): steps timed per comparison, the first and
 * the longest gap between comparisons (the gap grows 4 times while the
 * width stays), the margin the other width must win by, and how much slower
 * it may be before its probe ends early. */
#define AE_PACE_WINDOW 8
#define AE_PACE_FIRST 32
#define AE_PACE_MAX 4096
#define AE_PACE_MARGIN 0.97
#define AE_PACE_LOSING 1.25

struct ae_history {
  int epochs, best;
  double *train, *val, *secs; /* (epochs) each */
};

typedef struct ae_trainer {
  ae_model *m;
  const ae_dataset *train, *val;
  const ae_train_options *o;
  ae_noise noise;
  ae_team *team;
  ae_optim *opt;
  int workers, bs;
  size_t n;              /* training samples */
  uint32_t *idx;         /* (n) the shuffle order */
  ae_rng shuffle;        /* shuffles idx at every epoch start */
  float *best, *best_state; /* (P), (S): the best epoch's weights (early stopping) */
  ae_history *h;
  double best_val;
  int wait;
  /* the cursor */
  int epoch;             /* current epoch, 0-based */
  size_t done;           /* samples of this epoch done */
  double loss_sum;       /* this epoch's loss sum so far (per sample x b) */
  double elapsed;        /* seconds of this epoch before a resume */
  /* How a batch is cut (see step_worker and step_item in train.c): into
   * one piece per worker, each with its own generator, loss and gradient block,
   * the blocks added in chunk order over `ranges` pieces of the parameters.
   * Worker w runs chunk w when the model's workers meet inside the step (as
   * batch norm makes them); else the step is `balanced`: workers take chunks
   * as they come free. */
  int balanced, ranges;
  ae_rng rngs[AE_MAX_CHUNKS];
  float *blocks[AE_MAX_CHUNKS];
  /* The pace of balanced steps: how many workers take part. The result does
   * not depend on it, so it follows what is fastest now: every `interval`
   * full batches, up to AE_PACE_WINDOW steps run at the other width and the
   * faster width is kept (a core that another program keeps busy makes fewer
   * workers faster), as OpenMP's dynamic threads adjust to the load. */
  int width, alt_width, interval, until_probe, probe_left;
  double cur_secs, alt_secs;
  /* the batch of the last step, for the worker function */
  const uint32_t *batch;
  int b, k;              /* its size and this rank's chunks */
  int k_all, g0;         /* the job's chunks of it, and this rank's first */
  int rank, ranks;       /* this process in an MPI job (dist.h) */
  double sums[AE_MAX_CHUNKS];
  ae_terms terms[AE_MAX_CHUNKS]; /* each chunk's parts of the objective */
  /* the divergence guard (ae_train's documentation says the rule) */
  double ref_loss;       /* the first step's loss in this run, at least AE_DIVERGE_FLOOR */
  float weight_limit;    /* AE_DIVERGE_WEIGHTS x the data's largest |value| (at least 1) */
} ae_trainer;

/* Training has diverged when a step's loss is NaN or infinite, or more than
 * AE_DIVERGE_RATIO times the first step's (taken as at least
 * AE_DIVERGE_FLOOR), or when a parameter's magnitude passes AE_DIVERGE_WEIGHTS
 * times the data's largest magnitude (checked at every epoch's end and
 * before every checkpoint). */
#define AE_DIVERGE_RATIO 1e4
#define AE_DIVERGE_FLOOR 1e-2
#define AE_DIVERGE_WEIGHTS 1e6f

/* Set up a trainer for m on train (val may be NULL) with options o: check
 * them, plan the workers, create the optimizer, seed the generators. */
ae_status ae_trainer_init(ae_trainer *t, ae_model *m, const ae_dataset *train,
                          const ae_dataset *val, const ae_train_options *o);
void ae_trainer_free(ae_trainer *t);
/* One optimizer step on samples idx[0, b) of the training data, at
 * fractional epoch `at` (schedules, KL warm-up): gather, corrupt, forward,
 * objective, backward, reduce over the team, update. Returns the batch's
 * mean loss. */
double ae_trainer_step(ae_trainer *t, const uint32_t *idx, int b, double at);

#endif
