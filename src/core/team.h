/* SPDX-License-Identifier: MIT */
/* team.h — the one place where workers meet.
 *
 * A team is a fixed set of workers (threads of this process today; MPI ranks
 * x threads when that lands). Worker 0 is the calling thread; the others are
 * persistent threads that sleep between runs. Two kinds of run:
 *   - ae_team_run: every worker runs one function; inside it, the only way
 *     workers meet is a sum: every worker hands a buffer, every worker gets
 *     back the sum over the team, added in worker order, so the same team
 *     size gives the same bits;
 *   - ae_team_for: items that do not meet, taken by whichever worker is free,
 *     so a worker that the system holds back does not hold the others.
 * No other file holds a barrier.
 *
 * Waiting: a worker that arrives first spins for a few microseconds, then
 * sleeps on a condition variable, so a team never burns a core that another
 * program (or a slower worker) needs. */
#ifndef AE_TEAM_H
#define AE_TEAM_H

#include "aekit.h"

#include <stddef.h>

#define AE_MAX_WORKERS 64

typedef struct ae_team ae_team;

/* A team of `workers` (1..AE_MAX_WORKERS); threads start on the first run. */
ae_status ae_team_create(ae_team **out, int workers);
void ae_team_free(ae_team *t);
int ae_team_size(const ae_team *t);

/* Make room for sums of up to `count` values (doubles or floats). Not
 * during a run. */
ae_status ae_team_reserve(ae_team *t, size_t count);

/* Run fn(arg, worker, size) on workers 0..size-1 (size <= the team's size)
 * and return when all are done; worker 0 runs on the calling thread. */
void ae_team_run(ae_team *t, int size, void (*fn)(void *arg, int worker, int size), void *arg);

/* Run fn(arg, item, worker) for items 0..items-1, each once, on up to `size`
 * workers, and return when every item is done. Workers take the next item
 * as they come free, so a worker that the system holds back (a core busy
 * with another program) delays the run by at most the item it holds, and
 * one that wakes late finds nothing left and goes back to sleep. Which
 * worker runs an item must not change its result: items do not meet (no
 * ae_team_sum inside); `worker` only names the scratch to use. */
void ae_team_for(ae_team *t, int size, size_t items,
                 void (*fn)(void *arg, size_t item, int worker), void *arg);

/* The same over items 0..first+then-1, where the `then` items start only
 * after all `first` items are done (a worker that finds only later items
 * waits, briefly spinning, then asleep): two phases for one wake-up. */
void ae_team_for_then(ae_team *t, int size, size_t first, size_t then,
                      void (*fn)(void *arg, size_t item, int worker), void *arg);

/* Inside a run: buf (count doubles, this worker's) becomes the sum over the
 * running workers of their buf, and over the ranks of an MPI job (dist.h),
 * added as a balanced tree over ranks x workers. count <= reserved. With t
 * NULL, or one worker and one rank, it returns at once. */
void ae_team_sum(ae_team *t, int worker, double *buf, size_t count);

/* Inside a run: blocks[w] is worker w's block of n floats. On return,
 * blocks[0][*lo, *hi) holds the sum over the workers (and the ranks) of that
 * range, added as a balanced tree; the ranges of the workers cover [0, n) without overlap, so
 * each worker can go on to use its own range (the optimizer's update). */
void ae_team_reduce_blocks(ae_team *t, int worker, float *const *blocks, size_t n, size_t *lo,
                           size_t *hi);

/* blocks[0][p0, p1) += blocks[1..k-1] over that range, added as a balanced
 * tree (pairs first; the other blocks' ranges are overwritten), the order
 * every sum of the team follows. */
void ae_team_tree_add(float *const *blocks, int k, size_t p0, size_t p1);

/* v[0..k-1] added as the same balanced tree (v is overwritten); 0 when k is
 * 0. */
double ae_team_tree_sum(double *v, int k);

#endif
