/* SPDX-License-Identifier: MIT */
/* optim.c — the optimizer object of optim.h: schedules, the step count and
 * the moments block; the update itself is a kernel (k_optim.c). */
#define _POSIX_C_SOURCE 200809L
#include "optim.h"

#include "error.h"
#include "kernels.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int num(const char *s, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !(v >= lo && v <= hi)) return -1;
  *out = v;
  return 0;
}

ae_status ae_schedule_parse(ae_schedule *out, const char *text) {
  float warmup = out->warmup;
  ae_schedule s = {AE_SCHED_NONE, 0, 1.0f, 0.0f, warmup};
  if (!text || !*text || !strcmp(text, "none")) {
    *out = s;
    return AE_OK;
  }
  char buf[128], *f[5];
  int nf = 0;
  if (strlen(text) >= sizeof buf)
    return ae_set_error(AE_ERR_ARG, "learning-rate schedule is too long");
  memcpy(buf, text, strlen(text) + 1);
  for (char *p = buf; nf < 5;) {
    f[nf++] = p;
    char *c = strchr(p, ':');
    if (!c) break;
    *c = 0, p = c + 1;
  }
  double a = 0, b = 0, c = 0;
  if (!strcmp(f[0], "step") && nf == 3 && !num(f[1], 1, 1e6, &a) && a == floor(a) &&
      !num(f[2], 0, 1, &b) && b > 0) {
    s.kind = AE_SCHED_STEP, s.every = (int)a, s.factor = (float)b;
  } else if (!strcmp(f[0], "cosine") && (nf == 1 || (nf == 2 && !num(f[1], 0, 1e3, &a)))) {
    s.kind = AE_SCHED_COSINE, s.min_lr = (float)a;
  } else if (!strcmp(f[0], "plateau") && (nf == 3 || nf == 4) && !num(f[1], 1, 1e6, &a) &&
             a == floor(a) && !num(f[2], 0, 1, &b) && b > 0 && b < 1 &&
             (nf == 3 || !num(f[3], 0, 1e3, &c))) {
    s.kind = AE_SCHED_PLATEAU, s.every = (int)a, s.factor = (float)b, s.min_lr = (float)c;
  } else {
    return ae_set_error(AE_ERR_ARG,
                        "learning-rate schedule '%.64s' is not none, step:EPOCHS:GAMMA (0 < "
                        "GAMMA <= 1), cosine[:MIN_LR] or plateau:PATIENCE:FACTOR[:MIN_LR] "
                        "(0 < FACTOR < 1)",
                        text);
  }
  *out = s;
  return AE_OK;
}

int ae_schedule_format(const ae_schedule *s, char *buf, size_t len) {
  switch (s->kind) {
  case AE_SCHED_STEP: return snprintf(buf, len, "step:%d:%g", s->every, (double)s->factor);
  case AE_SCHED_COSINE:
    return s->min_lr > 0 ? snprintf(buf, len, "cosine:%g", (double)s->min_lr)
                         : snprintf(buf, len, "cosine");
  case AE_SCHED_PLATEAU:
    return s->min_lr > 0 ? snprintf(buf, len, "plateau:%d:%g:%g", s->every, (double)s->factor,
                                    (double)s->min_lr)
                         : snprintf(buf, len, "plateau:%d:%g", s->every, (double)s->factor);
  default: return snprintf(buf, len, "none");
  }
}

ae_status ae_optim_create(ae_optim **out, const ae_train_options *o, size_t n) {
  *out = NULL;
  ae_optim *opt = calloc(1, sizeof *opt);
  float *block = calloc(2 * n + 1, sizeof(float));
  if (!opt || !block) {
    free(opt);
    free(block);
    return ae_set_error(AE_ERR_NOMEM, "out of memory for the optimizer's moments (%zu floats)",
                        2 * n);
  }
  opt->kind = o->optimizer;
  opt->lr = o->lr, opt->beta1 = o->beta1, opt->beta2 = o->beta2, opt->eps = o->eps;
  opt->momentum = o->momentum, opt->weight_decay = o->weight_decay, opt->nesterov = o->nesterov;
  opt->sched.warmup = o->lr_warmup;
  ae_status st = ae_schedule_parse(&opt->sched, o->lr_schedule);
  if (st) {
    ae_optim_free(opt);
    free(block);
    return st;
  }
  opt->epochs = o->epochs;
  opt->n = n;
  opt->block = block;
  opt->lr_now = opt->lr_base = o->lr;
  opt->best = INFINITY;
  *out = opt;
  return AE_OK;
}

void ae_optim_free(ae_optim *opt) {
  if (!opt) return;
  free(opt->block);
  free(opt);
}

void ae_optim_begin_step(ae_optim *opt, double at) {
  const ae_schedule *s = &opt->sched;
  opt->step++;
  int e = (int)floor(at);
  double lr = opt->lr;
  if (s->kind == AE_SCHED_STEP) lr = opt->lr * pow(s->factor, e / s->every);
  else if (s->kind == AE_SCHED_COSINE && opt->epochs > 0)
    lr = s->min_lr + (opt->lr - s->min_lr) * (1.0 + cos(3.14159265358979323846 * e / opt->epochs)) / 2.0;
  else if (s->kind == AE_SCHED_PLATEAU) lr = opt->lr_base;
  if (s->warmup > 0.0f && at < s->warmup) lr *= at / s->warmup;
  opt->lr_now = (float)lr;
}

void ae_optim_update(ae_optim *opt, float *params, const float *grads, size_t lo, size_t hi) {
  float *m = opt->block, *v = opt->block + opt->n;
  if (opt->kind == AE_OPT_SGD)
    ae_sgd_step(params + lo, m + lo, grads + lo, opt->lr_now, opt->momentum, opt->nesterov,
                opt->weight_decay, opt->step == 1, hi - lo);
  else /* Adam and AdamW: decoupled weight decay */
    ae_adam_step(params + lo, m + lo, v + lo, grads + lo, opt->lr_now, opt->beta1, opt->beta2,
                 opt->eps, opt->weight_decay, opt->step, hi - lo);
}

void ae_optim_epoch_end(ae_optim *opt, int epoch, double loss) {
  (void)epoch;
  if (opt->sched.kind != AE_SCHED_PLATEAU || !isfinite(loss)) return;
  if (loss < opt->best * (1.0 - 1e-4)) { /* PyTorch's default: rel threshold */
    opt->best = loss;
    opt->wait = 0;
  } else if (++opt->wait > opt->sched.every) {
    float lr = opt->lr_base * opt->sched.factor;
    opt->lr_base = lr > opt->sched.min_lr ? lr : opt->sched.min_lr;
    opt->wait = 0;
  }
}

void ae_optim_scalars(const ae_optim *opt, double out[6]) {
  out[0] = (double)opt->step, out[1] = opt->lr_now, out[2] = opt->lr_base;
  out[3] = opt->best, out[4] = opt->wait, out[5] = 0.0;
}

void ae_optim_set_scalars(ae_optim *opt, const double in[6]) {
  opt->step = (long)in[0], opt->lr_now = (float)in[1], opt->lr_base = (float)in[2];
  opt->best = in[3], opt->wait = (int)in[4];
}
