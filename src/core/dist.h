/* SPDX-License-Identifier: MIT */
/* dist.h — the ranks of an MPI job (Open MPI), behind the team.
 *
 * Built with MPI (CMake finds it; -DAE_MPI=OFF leaves it out), a program
 * started by `mpirun` calls ae_mpi_init once and becomes one rank of the
 * job; without mpirun, or built without MPI, there is one rank and every
 * function here is a no-op. Only the team (team.c) and the trainer call
 * these, and only from worker 0, the thread that called ae_mpi_init
 * (MPI_THREAD_FUNNELED).
 *
 * Sums over ranks: for a power-of-two number of ranks, Rabenseifner's
 * all-reduce (dist.c), whose every element is added as in recursive doubling
 * (at step s, ranks r and r ^ 2^s add), so every rank ends with the same
 * bits, added as a balanced tree over the ranks: with each rank's
 * own value a balanced tree over its workers, the whole sum is the balanced
 * tree over ranks x workers, the same as one process with that many
 * workers. Other counts go through MPI_Allreduce. */
#ifndef AE_DIST_H
#define AE_DIST_H

#include <stddef.h>
#include <stdint.h>

int ae_dist_rank(void);
int ae_dist_size(void);
/* Ranks of the job on this machine (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE),
 * which share its cores. */
int ae_dist_local_size(void);

/* buf (n values) becomes the sum over the ranks. */
void ae_dist_sum_floats(float *buf, size_t n);
void ae_dist_sum_doubles(double *buf, size_t n);

/* On rank 0, all (size x n) gets every rank's n words in rank order; on the
 * others all is not touched. */
void ae_dist_gather_u64(const uint64_t *mine, size_t n, uint64_t *all);
/* In place, every rank's share of buf to every rank: rank r's share is
 * units bounds[r] .. bounds[r + 1] - 1 of `unit` bytes each. Non-zero when
 * it could not start (out of memory): the others then wait, so a program
 * must end the job (ae_mpi_abort). */
int ae_dist_share(void *buf, size_t unit, const size_t *bounds);

/* Rank 0's n words to every rank. */
void ae_dist_bcast_u64(uint64_t *buf, size_t n);

#endif
