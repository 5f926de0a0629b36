/* SPDX-License-Identifier: MIT */
/* progress.c — the progress bar of the commands that run a model over a
 * data set (eval, score, encode, probe, search): on stderr, only when it is
 * a terminal and only once the command has run half a second, redrawn at
 * most ten times a second, erased when a phase ends, so short commands
 * and pipes never see it. The model's batch functions report through
 * ae_model_set_run_progress; other phases (k-NN, the linear probe) report
 * here themselves. AEKIT_PROGRESS=never turns it off; =always draws it at
 * once, terminal or not (what the tests use). The program is one thread:
 * the state is this file's. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 30
#define BAR_DELAY_S 0.5  /* a command shorter than this shows no bar */
#define BAR_PERIOD_S 0.1 /* redraws at most this often */

static struct {
  int on;            /* draw at all */
  double delay;      /* seconds from the start before the first draw */
  double start;      /* the command's start */
  double phase_start;
  double last;       /* the last draw */
  char phase[64];    /* what is being done: "eval: reconstructing" */
  int drawn;         /* a bar is on the line now */
} bar;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_begin(void) {
  const char *env = getenv("AEKIT_PROGRESS");
  int always = env && !strcmp(env, "always"), never = env && !strcmp(env, "never");
  bar.on = !never && (always || isatty(2));
  bar.delay = always ? 0.0 : BAR_DELAY_S;
  bar.start = bar.phase_start = now_s();
  bar.last = -1.0;
  bar.phase[0] = 0;
  bar.drawn = 0;
}

void cli_progress_end(void) {
  if (bar.drawn) fputs("\r\033[K", stderr), fflush(stderr);
  bar.drawn = 0;
}

void cli_progress_phase(const char *phase) {
  if (strncmp(bar.phase, phase, sizeof bar.phase - 1))
    bar.phase_start = now_s(), bar.last = -1.0; /* a new phase is drawn at once */
  snprintf(bar.phase, sizeof bar.phase, "%s", phase);
}

void cli_progress_update(size_t done, size_t total) {
  if (!bar.on) return;
  if (total && done >= total) { /* the phase is over: the line is free */
    cli_progress_end();
    return;
  }
  double t = now_s();
  if (t - bar.start < bar.delay || (bar.last >= 0.0 && t - bar.last < BAR_PERIOD_S)) return;
  bar.last = t;
  if (!total) { /* no count: what is being done and for how long */
    fprintf(stderr, "\r\033[K%s ... %.0fs", bar.phase, t - bar.phase_start);
  } else {
    int fill = (int)(BAR_WIDTH * (double)done / (double)total);
    double spent = t - bar.phase_start;
    double eta = done ? spent * (double)(total - done) / (double)done : 0.0;
    fprintf(stderr, "\r\033[K%s [%.*s%*s] %zu/%zu  ETA %.0fs", bar.phase, fill,
            "==============================", BAR_WIDTH - fill, "", done, total, eta);
  }
  fflush(stderr);
  bar.drawn = 1;
}

static void on_run(size_t done, size_t total, void *user) {
  (void)user;
  cli_progress_update(done, total);
}

void cli_progress_model(ae_model *m, const char *phase) {
  cli_progress_phase(phase);
  ae_model_set_run_progress(m, on_run, NULL);
}
