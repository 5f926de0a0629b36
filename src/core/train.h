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
  /* the batch of the last step, for the worker function */
  const uint32_t *batch;
  int b;
  double sums[AE_MAX_WORKERS];
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
