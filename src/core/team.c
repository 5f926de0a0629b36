/* SPDX-License-Identifier: MIT */
/* team.c — workers that run one function together and meet only in sums
 * (team.h): persistent POSIX threads, a barrier that spins briefly and then
 * sleeps, and sums staged in two alternating areas so that one barrier per
 * sum is enough (a worker can only write area k & 1 again after every
 * worker has passed the barrier of sum k + 1, that is, after all have read
 * sum k). */
#define _POSIX_C_SOURCE 200809L
#include "team.h"

#include "dist.h"
#include "error.h"
#include "kernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* Pauses before a waiting worker sleeps: a few microseconds, about what a
 * wake-up through the kernel costs. */
#define AE_TEAM_SPIN 400

struct ae_team {
  int size;
  int started;     /* threads 1..size-1 running */
  pthread_t th[AE_MAX_WORKERS];
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_done, cv_bar, cv_first;
  /* the current run */
  void (*fn)(void *arg, int worker, int size);
  void *arg;
  int run_size;
  /* a run of items (ae_team_for): its function, count and the claim word,
   * (generation << 32) | next item, so a worker late from an earlier run
   * can never take an item of this one. A new run first closes the word
   * (CLAIM_CLOSED as the next item), then sets the fields, then opens it: a
   * late worker that reads the new count fails its claim on the old word. */
  void (*item_fn)(void *arg, size_t item, int worker);
  atomic_size_t items, first; /* items [0, first) are done before any later starts */
  atomic_ullong claim;
  atomic_size_t items_done;
  int for_run, for_size;
  atomic_ulong run_gen;
  atomic_int pending;
  int quit;
  /* the barrier */
  atomic_int bar_count;
  atomic_uint bar_gen;
  /* sums: two areas of size x cap doubles, and each worker's sum count */
  double *stage[2];
  double *total; /* (cap): worker 0's sum over the ranks */
  size_t cap;
  unsigned seq[AE_MAX_WORKERS];
};

typedef struct {
  ae_team *t;
  int w;
} worker_arg;

static void barrier(ae_team *t, int size) {
  unsigned gen = atomic_load_explicit(&t->bar_gen, memory_order_acquire);
  if (atomic_fetch_add_explicit(&t->bar_count, 1, memory_order_acq_rel) == size - 1) {
    atomic_store_explicit(&t->bar_count, 0, memory_order_relaxed);
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add_explicit(&t->bar_gen, 1, memory_order_release);
    pthread_cond_broadcast(&t->cv_bar);
    pthread_mutex_unlock(&t->mu);
    return;
  }
  for (int k = 0; k < AE_TEAM_SPIN; k++) {
    if (atomic_load_explicit(&t->bar_gen, memory_order_acquire) != gen) return;
    cpu_relax();
  }
  pthread_mutex_lock(&t->mu);
  while (atomic_load_explicit(&t->bar_gen, memory_order_acquire) == gen)
    pthread_cond_wait(&t->cv_bar, &t->mu);
  pthread_mutex_unlock(&t->mu);
}

#define CLAIM_CLOSED 0xffffffffu

/* A run on the caller alone: its sums return at once. (Under the lock: a
 * late worker reads the field.) */
static void set_run_size_1(ae_team *t) {
  pthread_mutex_lock(&t->mu);
  t->run_size = 1;
  pthread_mutex_unlock(&t->mu);
}

/* Wait until `count` items of the run of generation `gen` are done, or that
 * run is over: spin briefly, then sleep on cv (signalled by whoever finishes
 * the count-th item, and by the start of every run). */
static int waited_enough(ae_team *t, unsigned gen, size_t count) {
  return (unsigned)atomic_load_explicit(&t->run_gen, memory_order_acquire) != gen ||
         atomic_load_explicit(&t->items_done, memory_order_acquire) >= count;
}

static void wait_done(ae_team *t, unsigned gen, size_t count, pthread_cond_t *cv) {
  for (int k = 0; k < AE_TEAM_SPIN; k++) {
    if (waited_enough(t, gen, count)) return;
    cpu_relax();
  }
  pthread_mutex_lock(&t->mu);
  while (!waited_enough(t, gen, count)) pthread_cond_wait(cv, &t->mu);
  pthread_mutex_unlock(&t->mu);
}

/* Take and run items of the run of generation `gen` until none is left (or
 * that run is over); the worker that finishes the last item wakes the
 * caller. */
static void take_items(ae_team *t, unsigned gen, int w) {
  for (;;) {
    unsigned long long c = atomic_load_explicit(&t->claim, memory_order_acquire);
    for (;;) {
      size_t i = (size_t)(c & 0xffffffffu);
      if ((unsigned)(c >> 32) != gen ||
          i >= atomic_load_explicit(&t->items, memory_order_acquire))
        return;
      size_t first = atomic_load_explicit(&t->first, memory_order_acquire);
      if (i >= first && atomic_load_explicit(&t->items_done, memory_order_acquire) < first) {
        /* only later items are left: wait for the first ones before taking
         * one, so that a worker asleep here holds nothing */
        wait_done(t, gen, first, &t->cv_first);
        c = atomic_load_explicit(&t->claim, memory_order_acquire);
        continue;
      }
      if (atomic_compare_exchange_weak_explicit(&t->claim, &c, c + 1, memory_order_seq_cst,
                                                memory_order_seq_cst))
        break;
    }
    /* the claim succeeded on this run's open word: its fields are this run's
     * until every item, this one too, is done */
    size_t n = atomic_load_explicit(&t->items, memory_order_relaxed);
    size_t first = atomic_load_explicit(&t->first, memory_order_relaxed);
    size_t i = (size_t)(c & 0xffffffffu);
    t->item_fn(t->arg, i, w);
    size_t done = atomic_fetch_add_explicit(&t->items_done, 1, memory_order_acq_rel) + 1;
    if (done == first && first < n) { /* the later items may start */
      pthread_mutex_lock(&t->mu);
      pthread_cond_broadcast(&t->cv_first);
      pthread_mutex_unlock(&t->mu);
    }
    if (done == n) {
      pthread_mutex_lock(&t->mu);
      pthread_cond_signal(&t->cv_done);
      pthread_mutex_unlock(&t->mu);
      return;
    }
  }
}

static void *worker_main(void *p) {
  ae_team *t = ((worker_arg *)p)->t;
  int w = ((worker_arg *)p)->w;
  free(p);
  unsigned long seen = 0;
  for (;;) {
    int k = 0;
    while (atomic_load_explicit(&t->run_gen, memory_order_acquire) == seen && k < AE_TEAM_SPIN)
      cpu_relax(), k++;
    pthread_mutex_lock(&t->mu);
    while (atomic_load_explicit(&t->run_gen, memory_order_acquire) == seen && !t->quit)
      pthread_cond_wait(&t->cv_work, &t->mu);
    /* what this run is, read with its generation: a worker that is not
     * part of a run must not read the next run's fields as this one's */
    int quit = t->quit, for_run = t->for_run, take = for_run && w < t->for_size;
    int size = t->run_size;
    void (*fn)(void *, int, int) = t->fn;
    void *arg = t->arg;
    seen = atomic_load_explicit(&t->run_gen, memory_order_acquire);
    pthread_mutex_unlock(&t->mu);
    if (quit) return NULL;
    if (take) take_items(t, (unsigned)seen, w);
    if (for_run || w >= size) continue;
    fn(arg, w, size);
    if (atomic_fetch_sub_explicit(&t->pending, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&t->mu);
      pthread_cond_signal(&t->cv_done);
      pthread_mutex_unlock(&t->mu);
    }
  }
}

ae_status ae_team_create(ae_team **out, int workers) {
  *out = NULL;
  if (workers < 1 || workers > AE_MAX_WORKERS)
    return ae_set_error(AE_ERR_ARG, "threads must be in 1..%d (got %d)", AE_MAX_WORKERS, workers);
  ae_team *t = calloc(1, sizeof *t);
  if (!t) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  t->size = workers;
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->cv_work, NULL);
  pthread_cond_init(&t->cv_done, NULL);
  pthread_cond_init(&t->cv_bar, NULL);
  pthread_cond_init(&t->cv_first, NULL);
  *out = t;
  return AE_OK;
}

static ae_status start_threads(ae_team *t) {
  for (int w = t->started + 1; w < t->size; w++) {
    worker_arg *a = malloc(sizeof *a);
    if (!a) return ae_set_error(AE_ERR_NOMEM, "out of memory");
    a->t = t, a->w = w;
    if (pthread_create(&t->th[w], NULL, worker_main, a)) {
      free(a);
      return ae_set_error(AE_ERR_NOMEM, "cannot start worker thread %d", w);
    }
    t->started = w;
  }
  return AE_OK;
}

void ae_team_free(ae_team *t) {
  if (!t) return;
  pthread_mutex_lock(&t->mu);
  t->quit = 1;
  pthread_cond_broadcast(&t->cv_work);
  pthread_mutex_unlock(&t->mu);
  for (int w = 1; w <= t->started; w++) pthread_join(t->th[w], NULL);
  pthread_mutex_destroy(&t->mu);
  pthread_cond_destroy(&t->cv_work);
  pthread_cond_destroy(&t->cv_done);
  pthread_cond_destroy(&t->cv_bar);
  pthread_cond_destroy(&t->cv_first);
  free(t->stage[0]);
  free(t->stage[1]);
  free(t->total);
  free(t);
}

int ae_team_size(const ae_team *t) { return t ? t->size : 1; }

ae_status ae_team_reserve(ae_team *t, size_t count) {
  if (!t || t->size == 1 || count <= t->cap) return AE_OK;
  for (int k = 0; k < 2; k++) {
    double *s = realloc(t->stage[k], count * (size_t)t->size * sizeof(double));
    if (!s) return ae_set_error(AE_ERR_NOMEM, "out of memory");
    t->stage[k] = s;
  }
  double *tot = realloc(t->total, count * sizeof(double));
  if (!tot) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  t->total = tot;
  t->cap = count;
  return AE_OK;
}

void ae_team_run(ae_team *t, int size, void (*fn)(void *arg, int worker, int size), void *arg) {
  if (t && size > t->size) size = t->size;
  if (t && size > 1 && t->started < t->size - 1 && start_threads(t))
    size = t->started + 1; /* fewer threads than asked: the work is the same */
  if (!t || size <= 1) {
    if (t) set_run_size_1(t);
    fn(arg, 0, 1);
    return;
  }
  memset(t->seq, 0, sizeof t->seq);
  pthread_mutex_lock(&t->mu);
  t->for_run = 0;
  t->fn = fn, t->arg = arg, t->run_size = size;
  atomic_store_explicit(&t->pending, size - 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&t->run_gen, 1, memory_order_release);
  pthread_cond_broadcast(&t->cv_work);
  pthread_cond_broadcast(&t->cv_first); /* a worker late from a run before */
  pthread_mutex_unlock(&t->mu);
  fn(arg, 0, size);
  for (int k = 0; k < AE_TEAM_SPIN; k++) {
    if (atomic_load_explicit(&t->pending, memory_order_acquire) == 0) return;
    cpu_relax();
  }
  pthread_mutex_lock(&t->mu);
  while (atomic_load_explicit(&t->pending, memory_order_acquire) != 0)
    pthread_cond_wait(&t->cv_done, &t->mu);
  pthread_mutex_unlock(&t->mu);
}

void ae_team_for(ae_team *t, int size, size_t items,
                 void (*fn)(void *arg, size_t item, int worker), void *arg) {
  ae_team_for_then(t, size, items, 0, fn, arg);
}

void ae_team_for_then(ae_team *t, int size, size_t first, size_t then,
                      void (*fn)(void *arg, size_t item, int worker), void *arg) {
  size_t items = first + then;
  if (!then) first = items;
  if (t && size > t->size) size = t->size;
  if ((size_t)size > items) size = (int)items;
  if (t && size > 1 && t->started < t->size - 1 && start_threads(t))
    size = t->started + 1;
  if (!t || size <= 1 || items >= CLAIM_CLOSED) {
    if (t) set_run_size_1(t);
    for (size_t i = 0; i < items; i++) fn(arg, i, 0);
    return;
  }
  pthread_mutex_lock(&t->mu);
  unsigned long gen = atomic_load_explicit(&t->run_gen, memory_order_relaxed) + 1;
  t->for_run = 1, t->for_size = size;
  t->run_size = 1; /* an item is one worker's: no sums inside */
  unsigned long long open = (unsigned long long)(unsigned)gen << 32;
  atomic_store_explicit(&t->claim, open | CLAIM_CLOSED, memory_order_seq_cst);
  t->item_fn = fn, t->arg = arg;
  atomic_store_explicit(&t->items, items, memory_order_release);
  atomic_store_explicit(&t->first, first, memory_order_release);
  atomic_store_explicit(&t->items_done, 0, memory_order_relaxed);
  atomic_store_explicit(&t->claim, open, memory_order_seq_cst);
  atomic_store_explicit(&t->run_gen, gen, memory_order_release);
  pthread_cond_broadcast(&t->cv_work);
  pthread_cond_broadcast(&t->cv_first); /* a worker late from a run before */
  pthread_mutex_unlock(&t->mu);
  take_items(t, (unsigned)gen, 0);
  wait_done(t, (unsigned)gen, items, &t->cv_done);
}

/* v[0..k-1] added as a balanced tree (pairs, then pairs of pairs, ...):
 * the order that a sum over ranks of such sums continues (dist.h). */
double ae_team_tree_sum(double *v, int k) {
  for (int s = 1; s < k; s <<= 1)
    for (int j = 0; j + s < k; j += 2 * s) v[j] += v[j + s];
  return k > 0 ? v[0] : 0.0;
}

void ae_team_tree_add(float *const *blocks, int k, size_t p0, size_t p1) {
  for (size_t a = p0; a < p1; a += 4096) { /* a stretch at a time, in cache */
    size_t n = p1 - a < 4096 ? p1 - a : 4096;
    for (int s = 1; s < k; s <<= 1)
      for (int j = 0; j + s < k; j += 2 * s) ae_add_into(blocks[j] + a, blocks[j + s] + a, n);
  }
}

void ae_team_sum(ae_team *t, int worker, double *buf, size_t count) {
  if (!t || count == 0) return;
  int size = t->run_size, ranks = ae_dist_size();
  if (size <= 1) {
    if (ranks > 1) ae_dist_sum_doubles(buf, count);
    return;
  }
  double *stage = t->stage[t->seq[worker]++ & 1]; /* (size, cap) */
  memcpy(stage + (size_t)worker * t->cap, buf, count * sizeof(double));
  barrier(t, size);
  double v[AE_MAX_WORKERS];
  if (ranks == 1) { /* every worker adds up the stage itself */
    for (size_t k = 0; k < count; k++) {
      for (int w = 0; w < size; w++) v[w] = stage[(size_t)w * t->cap + k];
      buf[k] = ae_team_tree_sum(v, size);
    }
    return;
  }
  /* worker 0 adds up the stage, the ranks sum that, the others copy it; t->total
   * is written again only after every worker has passed the first barrier of
   * the next sum, that is, has read this one */
  if (worker == 0) {
    for (size_t k = 0; k < count; k++) {
      for (int w = 0; w < size; w++) v[w] = stage[(size_t)w * t->cap + k];
      t->total[k] = ae_team_tree_sum(v, size);
    }
    ae_dist_sum_doubles(t->total, count);
  }
  barrier(t, size);
  memcpy(buf, t->total, count * sizeof(double));
}

void ae_team_reduce_blocks(ae_team *t, int worker, float *const *blocks, size_t n, size_t *lo,
                           size_t *hi) {
  int size = t ? t->run_size : 1, ranks = ae_dist_size();
  if (size <= 1) {
    if (t && ranks > 1) ae_dist_sum_floats(blocks[0], n);
    *lo = 0, *hi = n;
    return;
  }
  barrier(t, size);
  size_t p0 = n * (size_t)worker / (size_t)size, p1 = n * (size_t)(worker + 1) / (size_t)size;
  ae_team_tree_add(blocks, size, p0, p1);
  if (ranks > 1) { /* the whole block 0 over the ranks, by worker 0 */
    barrier(t, size);
    if (worker == 0) ae_dist_sum_floats(blocks[0], n);
    barrier(t, size);
  }
  *lo = p0, *hi = p1;
}
