/* SPDX-License-Identifier: MIT */
/* test_team.c — the team's runs of items (ae_team_for) and the balanced
 * training step built on them:
 *   - every item of a run runs exactly once, on a worker below the size
 *     asked, a second phase's items only after the first phase's, over
 *     thousands of runs of varying size, with plain runs and
 *     their sums in between (a worker late from one run must never take an
 *     item of the next, nor miss a plain run);
 *   - the balanced step gives the same bits whatever number of workers takes
 *     part and however that number changes from step to step (the trainer's
 *     pace may change it at any step), with denoising noise drawn per chunk;
 *   - the step is balanced only where nothing meets in the forward pass
 *     (dense: yes; batch norm: no). */
#include "check.h"
#include "model.h"
#include "team.h"
#include "train.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS_MAX 64

typedef struct {
  atomic_int hits[ITEMS_MAX];
  atomic_int bad_worker, first_done, bad_order;
  int size;
  size_t first;
} items_job;

static void count_item(void *arg, size_t item, int worker) {
  items_job *j = arg;
  if (worker < 0 || worker >= j->size) atomic_fetch_add(&j->bad_worker, 1);
  if (item >= j->first && atomic_load(&j->first_done) != (int)j->first)
    atomic_fetch_add(&j->bad_order, 1); /* a later item before the first were done */
  for (volatile int k = 0; k < 200; k++) {
  }
  atomic_fetch_add(&j->hits[item], 1);
  if (item < j->first) atomic_fetch_add(&j->first_done, 1);
}

typedef struct {
  ae_team *t;
  double got[8];
} sum_job;

static void sum_worker(void *arg, int w, int size) {
  sum_job *j = arg;
  double v = (double)(w + 1);
  ae_team_sum(j->t, w, &v, 1);
  j->got[w] = v - (double)size * (size + 1) / 2.0; /* 0 when right */
}

static void test_items(void) {
  ae_team *t;
  CHECK_OK(ae_team_create(&t, 3));
  CHECK_OK(ae_team_reserve(t, 1));
  uint64_t r = 12345;
  int wrong = 0, bad_workers = 0, wrong_sums = 0, bad_order = 0;
  for (int run = 0; run < 4000; run++) {
    r = r * 6364136223846793005ULL + 1442695040888963407ULL;
    items_job j;
    memset(&j, 0, sizeof j);
    size_t items = (size_t)(r >> 33) % ITEMS_MAX;
    j.size = 1 + (int)((r >> 20) % 3);
    if (run & 1) { /* two phases: the later items after the first */
      j.first = (size_t)(r >> 50) % (items + 1);
      ae_team_for_then(t, j.size, j.first, items - j.first, count_item, &j);
    } else {
      j.first = items;
      ae_team_for(t, j.size, items, count_item, &j);
    }
    for (size_t i = 0; i < ITEMS_MAX; i++) wrong += atomic_load(&j.hits[i]) != (i < items);
    bad_workers += atomic_load(&j.bad_worker);
    bad_order += atomic_load(&j.bad_order);
    if (run % 7 == 0) { /* a plain run with a sum between runs of items */
      sum_job s = {t, {0}};
      int size = 1 + (int)((r >> 40) % 3);
      ae_team_run(t, size, sum_worker, &s);
      for (int w = 0; w < size; w++) wrong_sums += s.got[w] != 0.0;
    }
  }
  CHECK(wrong == 0);
  CHECK(bad_workers == 0);
  CHECK(wrong_sums == 0);
  CHECK(bad_order == 0);
  printf("ae_team_for(_then): 4000 runs of 0..63 items on 1..3 workers: %d items wrong, %d on "
         "a worker past the size, %d later items early, %d sums wrong\n", wrong, bad_workers,
         bad_order, wrong_sums);
  ae_team_free(t);
}

/* Train `preset` on n synthetic samples for `steps` steps of batch `bs` on
 * 3 threads; widths[s] is the number of workers of step s (0: leave the
 * trainer's pace alone). Returns the parameters (P floats, malloc'd). */
static float *train_on(const char *preset, const char *noise, int threads, const int *widths,
                       int steps, int *balanced, size_t *P, double *first_loss) {
  enum { N = 96, D = 784, BS = 40 };
  float *x = malloc((size_t)N * D * sizeof(float));
  uint64_t r = 99;
  for (size_t k = 0; k < (size_t)N * D; k++) {
    r = r * 6364136223846793005ULL + 1442695040888963407ULL;
    x[k] = (float)((r >> 40) & 0xffff) / 65535.0f;
  }
  ae_model *m = NULL;
  ae_dataset *ds = NULL;
  CHECK_OK(ae_model_create(&m, preset, 1, 28, 28, 7));
  CHECK_OK(ae_dataset_from_array(&ds, x, N, D, NULL));
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.batch_size = BS, o.epochs = 1, o.threads = threads, o.noise = noise;
  ae_trainer t;
  float *out = NULL;
  if (m && ds && !ae_trainer_init(&t, m, ds, NULL, &o)) {
    *balanced = t.balanced;
    uint32_t idx[N];
    for (int i = 0; i < N; i++) idx[i] = (uint32_t)((i * 37) % N);
    for (int s = 0; s < steps; s++) {
      if (widths[s]) t.width = t.alt_width = widths[s], t.until_probe = 1 << 30;
      int b = s % 3 == 2 ? N - 2 * BS : BS; /* the epoch's short last batch too */
      double loss = ae_trainer_step(&t, idx + (s % 3) * BS, b, s / 3.0);
      if (s == 0 && first_loss) *first_loss = loss;
    }
    *P = m->n_params;
    out = malloc(*P * sizeof(float));
    memcpy(out, m->params, *P * sizeof(float));
    ae_trainer_free(&t);
  }
  ae_dataset_free(ds);
  ae_model_free(m);
  free(x);
  return out;
}

static float *train_steps(const char *preset, const char *noise, const int *widths, int steps,
                          int *balanced, size_t *P) {
  return train_on(preset, noise, 3, widths, steps, balanced, P, NULL);
}

/* Terms counted once per batch (L2 on the weights) are counted once, not once
 * per chunk: the first step's loss on 3 threads equals that on 1 up to the
 * order of the sums. */
static void test_once_per_batch(const char *spec) {
  const int w[1] = {0};
  double l1 = 0.0, l3 = 0.0;
  size_t P;
  int balanced = 0;
  free(train_on(spec, NULL, 1, w, 1, &balanced, &P, &l1));
  free(train_on(spec, NULL, 3, w, 1, &balanced, &P, &l3));
  CHECK(balanced);
  CHECK_NEAR(l3, l1, 1e-6 * fabs(l1));
  printf("%s: first loss %.9g on 1 thread, %.9g on 3 (balanced %d)\n", spec, l1, l3, balanced);
}

static void test_balanced(const char *noise) {
  enum { STEPS = 9 };
  const int all[STEPS] = {3, 3, 3, 3, 3, 3, 3, 3, 3}, one[STEPS] = {1, 1, 1, 1, 1, 1, 1, 1, 1},
            mixed[STEPS] = {1, 3, 2, 2, 1, 3, 3, 1, 2}, paced[STEPS] = {0};
  const int *runs[] = {all, one, mixed, paced};
  const char *names[] = {"3 workers", "1 worker", "1, 3, 2, 2, 1, 3, 3, 1, 2 workers",
                         "the pace's choice"};
  size_t P = 0;
  int balanced = 0;
  float *ref = train_steps("dense", noise, runs[0], STEPS, &balanced, &P);
  CHECK(ref && balanced);
  for (int k = 1; k < 4 && ref; k++) {
    size_t P2 = 0;
    float *got = train_steps("dense", noise, runs[k], STEPS, &balanced, &P2);
    int same = got && P2 == P && memcmp(got, ref, P * sizeof(float)) == 0;
    CHECK(same);
    printf("dense%s%s, %d steps on %s: %s the bits of 3 workers\n", noise ? " with " : "",
           noise ? noise : "", STEPS, names[k], same ? "equal to" : "DIFFERENT from");
    free(got);
  }
  free(ref);
}

int main(void) {
  test_items();
  test_balanced(NULL);
  test_balanced("gaussian:0,0.3");
  test_once_per_batch("dense;l2=0.01");
  test_once_per_batch("dense;contractive=0.1;l1=0.01");
  size_t P;
  int balanced = 1;
  const int w[1] = {0};
  free(train_steps("conv", NULL, w, 1, &balanced, &P));
  CHECK(!balanced); /* batch norm: workers meet in the forward pass */
  printf("conv (batch norm): balanced %d (workers meet inside the step)\n", balanced);
  CHECK_DONE();
}
