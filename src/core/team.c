/* team.c — workers that run one function together and meet only in sums
 * (team.h): persistent POSIX threads, a barrier that spins briefly and then
 * sleeps, and sums staged in two alternating areas so that one barrier per
 * sum is enough (a worker can only write area k & 1 again after every
 * worker has passed the barrier of sum k + 1, that is, after all have read
 * sum k). */
#define _POSIX_C_SOURCE 200809L
#include "team.h"

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
  pthread_cond_t cv_work, cv_done, cv_bar;
  /* the current run */
  void (*fn)(void *arg, int worker, int size);
  void *arg;
  int run_size;
  atomic_ulong run_gen;
  atomic_int pending;
  int quit;
  /* the barrier */
  atomic_int bar_count;
  atomic_uint bar_gen;
  /* sums: two areas of size x cap doubles, and each worker's sum count */
  double *stage[2];
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
    int quit = t->quit;
    seen = atomic_load_explicit(&t->run_gen, memory_order_acquire);
    pthread_mutex_unlock(&t->mu);
    if (quit) return NULL;
    if (w >= t->run_size) continue;
    t->fn(t->arg, w, t->run_size);
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
  free(t->stage[0]);
  free(t->stage[1]);
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
  t->cap = count;
  return AE_OK;
}

void ae_team_run(ae_team *t, int size, void (*fn)(void *arg, int worker, int size), void *arg) {
  if (t && size > t->size) size = t->size;
  if (t && size > 1 && t->started < t->size - 1 && start_threads(t))
    size = t->started + 1; /* fewer threads than asked: the work is the same */
  if (!t || size <= 1) {
    if (t) t->run_size = 1;
    fn(arg, 0, 1);
    return;
  }
  memset(t->seq, 0, sizeof t->seq);
  pthread_mutex_lock(&t->mu);
  t->fn = fn, t->arg = arg, t->run_size = size;
  atomic_store_explicit(&t->pending, size - 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&t->run_gen, 1, memory_order_release);
  pthread_cond_broadcast(&t->cv_work);
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

void ae_team_sum(ae_team *t, int worker, double *buf, size_t count) {
  if (!t || t->run_size <= 1 || count == 0) return;
  int size = t->run_size;
  double *stage = t->stage[t->seq[worker]++ & 1]; /* (size, cap) */
  memcpy(stage + (size_t)worker * t->cap, buf, count * sizeof(double));
  barrier(t, size);
  for (size_t k = 0; k < count; k++) {
    double s = 0.0;
    for (int w = 0; w < size; w++) s += stage[(size_t)w * t->cap + k];
    buf[k] = s;
  }
}

void ae_team_reduce_blocks(ae_team *t, int worker, float *const *blocks, size_t n, size_t *lo,
                           size_t *hi) {
  int size = t ? t->run_size : 1;
  if (size <= 1) {
    *lo = 0, *hi = n;
    return;
  }
  barrier(t, size);
  size_t p0 = n * (size_t)worker / (size_t)size, p1 = n * (size_t)(worker + 1) / (size_t)size;
  for (int j = 1; j < size; j++) ae_add_into(blocks[0] + p0, blocks[j] + p0, p1 - p0);
  *lo = p0, *hi = p1;
}
