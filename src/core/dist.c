/* SPDX-License-Identifier: MIT */
/* dist.c — the ranks of an MPI job (dist.h): start-up, sums over ranks by
 * Rabenseifner's all-reduce, gathers. Without AE_HAVE_MPI, one rank. */
#include "dist.h"

#include "aekit.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

#ifdef AE_HAVE_MPI
#include <mpi.h>

/* Pieces of at most this many bytes go through the scratch. */
#define PIECE (1u << 22)

static int rank_, size_ = 1, started;
static void *scratch;

/* Started by a launcher that set up a job (Open MPI, or a PMI one). */
static int under_launcher(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

ae_status ae_mpi_init(int *argc, char ***argv) {
  if (started || !under_launcher()) return AE_OK;
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return ae_set_error(AE_ERR_IO, "MPI_Init_thread failed");
  started = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  /* the sums' buffer, now: a rank without it later would call another
   * collective than the others */
  if (!(scratch = malloc(PIECE))) return ae_set_error(AE_ERR_NOMEM, "out of memory for MPI sums");
  return AE_OK;
}

void ae_mpi_finalize(void) {
  if (!started) return;
  started = 0;
  free(scratch);
  scratch = NULL;
  MPI_Finalize();
}

void ae_mpi_abort(int code) {
  if (started) MPI_Abort(MPI_COMM_WORLD, code);
}

int ae_dist_rank(void) { return rank_; }
int ae_dist_size(void) { return size_; }


/* a[0..n) += b[0..n) (a + b and b + a are the same bits) */
static void add_into(void *a, const void *b, size_t n, int is_double) {
  if (is_double) {
    double *x = a;
    const double *y = b;
    for (size_t k = 0; k < n; k++) x[k] += y[k];
  } else {
    float *x = a;
    const float *y = b;
    for (size_t k = 0; k < n; k++) x[k] += y[k];
  }
}

/* A power-of-two number of ranks: Rabenseifner's all-reduce. Reduce-scatter
 * by recursive halving (at step s the ranks r and r ^ 2^s each keep one half
 * of their range and add the partner's copy of it), then all-gather by
 * recursive doubling the other way. Every element is added in the order of
 * recursive doubling (pairs differing in bit 0 first, then bit 1, ...): a
 * balanced tree over the ranks; each rank adds only 1/size of it, and sends
 * and receives about the block once. */
static void sum_pow2(void *buf, size_t n, size_t elem, MPI_Datatype type, int is_double) {
  char *p = buf, *tmp = scratch;
  size_t per = PIECE / elem, lo[32], hi[32];
  for (size_t at = 0; at < n; at += per) {
    size_t m = n - at < per ? n - at : per, a = 0, b = m;
    char *q = p + at * elem;
    int steps = 0;
    for (int s = 1; s < size_; s <<= 1, steps++) { /* reduce-scatter */
      int partner = rank_ ^ s, low = !(rank_ & s);
      size_t mid = a + (b - a) / 2, k0 = low ? a : mid, k1 = low ? mid : b;
      size_t g0 = low ? mid : a, g1 = low ? b : mid; /* the half given away */
      lo[steps] = a, hi[steps] = b;
      MPI_Sendrecv(q + g0 * elem, (int)(g1 - g0), type, partner, s, tmp, (int)(k1 - k0), type,
                   partner, s, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      add_into(q + k0 * elem, tmp, k1 - k0, is_double);
      a = k0, b = k1;
    }
    for (int k = steps - 1; k >= 0; k--) { /* all-gather */
      int s = 1 << k, partner = rank_ ^ s;
      size_t o0 = lo[k], o1 = hi[k]; /* the range before step k: ours [a, b), the rest theirs */
      size_t t0 = a == o0 ? b : o0, t1 = a == o0 ? o1 : a;
      MPI_Sendrecv(q + a * elem, (int)(b - a), type, partner, size_ + s, q + t0 * elem,
                   (int)(t1 - t0), type, partner, size_ + s, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      a = o0, b = o1;
    }
  }
}

static void sum_any(void *buf, size_t n, size_t elem, MPI_Datatype type, int is_double) {
  if (ae_dist_size() == 1 || n == 0) return;
  if ((size_ & (size_ - 1)) == 0) {
    sum_pow2(buf, n, elem, type, is_double);
    return;
  }
  size_t per = (size_t)1 << 30;
  for (size_t at = 0; at < n; at += per)
    MPI_Allreduce(MPI_IN_PLACE, (char *)buf + at * elem, (int)(n - at < per ? n - at : per), type,
                  MPI_SUM, MPI_COMM_WORLD);
}

void ae_dist_sum_floats(float *buf, size_t n) { sum_any(buf, n, sizeof(float), MPI_FLOAT, 0); }
void ae_dist_sum_doubles(double *buf, size_t n) {
  sum_any(buf, n, sizeof(double), MPI_DOUBLE, 1);
}

void ae_dist_gather_u64(const uint64_t *mine, size_t n, uint64_t *all) {
  if (ae_dist_size() == 1) {
    memcpy(all, mine, n * sizeof *mine);
    return;
  }
  MPI_Gather(mine, (int)n, MPI_UINT64_T, all, (int)n, MPI_UINT64_T, 0, MPI_COMM_WORLD);
}

void ae_dist_bcast_u64(uint64_t *buf, size_t n) {
  if (ae_dist_size() > 1) MPI_Bcast(buf, (int)n, MPI_UINT64_T, 0, MPI_COMM_WORLD);
}

int ae_dist_share(void *buf, size_t unit, const size_t *bounds) {
  int n = ae_dist_size();
  if (n == 1) return 0;
  int *counts = malloc(2 * (size_t)n * sizeof(int)), *displs = counts ? counts + n : NULL;
  MPI_Datatype t;
  if (!counts || MPI_Type_contiguous((int)unit, MPI_BYTE, &t) != MPI_SUCCESS) {
    free(counts);
    return -1;
  }
  MPI_Type_commit(&t);
  for (int r = 0; r < n; r++) counts[r] = (int)(bounds[r + 1] - bounds[r]), displs[r] = (int)bounds[r];
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs, t, MPI_COMM_WORLD);
  MPI_Type_free(&t);
  free(counts);
  return 0;
}

#else /* one rank */

ae_status ae_mpi_init(int *argc, char ***argv) {
  (void)argc, (void)argv;
  return AE_OK;
}
void ae_mpi_finalize(void) {}
void ae_mpi_abort(int code) { (void)code; }
int ae_dist_rank(void) { return 0; }
int ae_dist_size(void) { return 1; }
void ae_dist_sum_floats(float *buf, size_t n) { (void)buf, (void)n; }
void ae_dist_sum_doubles(double *buf, size_t n) { (void)buf, (void)n; }
void ae_dist_gather_u64(const uint64_t *mine, size_t n, uint64_t *all) {
  memcpy(all, mine, n * sizeof *mine);
}
void ae_dist_bcast_u64(uint64_t *buf, size_t n) { (void)buf, (void)n; }
int ae_dist_share(void *buf, size_t unit, const size_t *bounds) {
  (void)buf, (void)unit, (void)bounds;
  return 0;
}

#endif

int ae_dist_local_size(void) {
  const char *v = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  int n = v && ae_dist_size() > 1 ? atoi(v) : 1;
  return n > 0 ? n : 1;
}

int ae_mpi_available(void) {
#ifdef AE_HAVE_MPI
  return 1;
#else
  return 0;
#endif
}

int ae_mpi_rank(void) { return ae_dist_rank(); }
int ae_mpi_size(void) { return ae_dist_size(); }
