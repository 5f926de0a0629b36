/* SPDX-License-Identifier: MIT */
/* optim.h — an optimizer: the update rule, its hyper-parameters, the
 * learning-rate schedule, the step count and the moments in one block beside
 * the parameters it updates. Everything it holds can be saved and restored
 * (ae_optim_state / ae_optim_restore), so a resumed run takes the same steps.
 *
 * Schedules (the learning rate of each step, from the base rate lr):
 *   none                  lr
 *   step:S:G              lr * G^floor(epoch / S)           (PyTorch StepLR)
 *   cosine[:MIN]          MIN + (lr - MIN) (1 + cos(pi e / E)) / 2 over the
 *                         run's E epochs, per epoch          (CosineAnnealingLR)
 *   plateau:P:F[:MIN]     lr times F each time the monitored loss has not
 *                         improved for P epochs, not below MIN (ReduceLROnPlateau,
 *                         threshold 1e-4 relative, cooldown 0)
 * and, with any of them, a linear warm-up over the first W epochs (per batch:
 * lr * (e + i/n) / W), as Keras and timm do.
 * Legend: P parameters. */
#ifndef AE_OPTIM_H
#define AE_OPTIM_H

#include "aekit.h"

#include <stddef.h>

typedef enum ae_sched_kind {
  AE_SCHED_NONE = 0,
  AE_SCHED_STEP,
  AE_SCHED_COSINE,
  AE_SCHED_PLATEAU
} ae_sched_kind;

typedef struct ae_schedule {
  ae_sched_kind kind;
  int every;        /* step: S epochs; plateau: patience P */
  float factor;     /* step: G; plateau: F */
  float min_lr;     /* cosine, plateau */
  float warmup;     /* epochs of linear warm-up, 0 = none */
} ae_schedule;

typedef struct ae_optim {
  ae_optimizer kind;
  float lr, beta1, beta2, eps, momentum, weight_decay;
  int nesterov;
  ae_schedule sched;
  int epochs;       /* of the run (cosine) */
  size_t n;         /* parameters updated */
  float *block;     /* (2P): Adam m then v; SGD: its momentum buffer then unused */
  /* what changes as training goes (saved in checkpoints) */
  long step;        /* updates done */
  float lr_now;     /* the rate of the current step */
  float lr_base;    /* plateau: the rate after reductions so far */
  double best;      /* plateau: best monitored loss so far (inf at start) */
  int wait;         /* plateau: epochs without improvement */
} ae_optim;

/* Parse a schedule ("none", "step:S:G", "cosine[:MIN]", "plateau:P:F[:MIN]");
 * warm-up stays as it is in out. */
ae_status ae_schedule_parse(ae_schedule *out, const char *text);
/* The schedule as text (the same syntax); returns chars written. */
int ae_schedule_format(const ae_schedule *s, char *buf, size_t len);

/* An optimizer over n parameters from the training options. */
ae_status ae_optim_create(ae_optim **out, const ae_train_options *o, size_t n);
void ae_optim_free(ae_optim *opt);

/* Before a step at fractional epoch `at` (epoch + done / per epoch): count
 * the step and set lr_now. */
void ae_optim_begin_step(ae_optim *opt, double at);
/* Update params[lo, hi) from grads[lo, hi) (one worker's range). */
void ae_optim_update(ae_optim *opt, float *params, const float *grads, size_t lo, size_t hi);
/* At the end of epoch e (0-based) with the monitored loss (plateau). */
void ae_optim_epoch_end(ae_optim *opt, int epoch, double loss);

/* The scalars that change in training, as 6 doubles, and back. */
void ae_optim_scalars(const ae_optim *opt, double out[6]);
void ae_optim_set_scalars(ae_optim *opt, const double in[6]);

#endif
