/* SPDX-License-Identifier: MIT */
/* model_run.c — inference and evaluation: chunks of samples spread over
 * worker threads (encode, decode, reconstruct, evaluate, the VAE's
 * importance-weighted bound and per-sample ELBO, generation, denoising
 * quality). Legend: N batch, D input features, Z code size. */
#include "model.h"

#include "dataset.h"
#include "dist.h"
#include "error.h"
#include "noise.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* ---- inference: chunks of up to 256 samples, spread over worker threads,
 * each with its own workspace and single-threaded BLAS. Every chunk's result
 * lands in its own place and sums are added in chunk order, so the same
 * thread count gives the same bits. ---- */

#define AE_INFER_BATCH 256
#define AE_MAX_RANKS_SHARE 4096

typedef enum { RUN_ENCODE, RUN_DECODE, RUN_RECONSTRUCT, RUN_EVALUATE, RUN_IW, RUN_NELBO } run_kind;

/* What evaluation adds up per chunk. */
typedef struct chunk_sums {
  double recon, se, kl;      /* reconstruction loss, squared error, VAE KL */
  double code, zero, jac;    /* sum of code values, of near-zero ones, of |J|_F */
  double iw;                 /* RUN_IW: sum of -log p(x) estimates */
} chunk_sums;

typedef struct run_job {
  run_kind kind;
  const float *in;       /* (n, width of the first layer run), or NULL: */
  const ae_dataset *ds;  /* samples come from the data set */
  float *out;            /* codes (n, Z) or outputs (n, D) */
  chunk_sums *sums;      /* RUN_EVALUATE, RUN_IW: one per chunk */
  const float *target;   /* RUN_EVALUATE: (n, D) targets, or NULL: the input */
  int iw_k;              /* RUN_IW: importance samples per input */
  uint64_t seed;         /* RUN_EVALUATE (VAE), RUN_IW: the sampler's draws */
} run_job;

/* Code statistics of b codes h (B, Z), and the code layer's Jacobian norms. */
static void code_stats(const ae_model *m, chunk_sums *s, const float *h, int b) {
  size_t z = ae_model_code_dim(m), count = (size_t)b * z;
  for (size_t k = 0; k < count; k++) s->code += h[k], s->zero += fabsf(h[k]) < 0.01f;
  double *norms = m->layers[m->n_enc - 1].desc == &ae_dense_desc
                      ? malloc((size_t)b * sizeof(double)) : NULL;
  if (!norms) return;
  if (!ae_objective_jacobian_norms(m, h, b, norms))
    for (int i = 0; i < b; i++) s->jac += norms[i];
  free(norms);
}

/* Importance-weighted estimate of -log p(x) for the b inputs in
 * ws->acts[0], with k draws each: log w = log p(x|z) + log N(z; 0, I) -
 * log N(z; mu, sigma^2); -log p(x) ~ -(logsumexp_i log w_i - log k). The
 * 2 pi constants of the two Gaussians cancel. */
static double iw_chunk(ae_model *m, ae_workspace *ws, const float *t, int b, int k) {
  size_t d = (size_t)m->input_dim, z = ae_model_code_dim(m);
  double *lw = malloc((size_t)b * (size_t)k * sizeof(double)); /* (B, k) */
  if (!lw) return NAN;
  ae_model_forward_range(m, ws, 0, m->sampler, b, 0); /* mu, log sigma^2 */
  const float *stats = ws->acts[m->sampler], *eps = ws->scratch[m->sampler]; /* (B, 2Z), (B, Z) */
  const float *zs = ws->acts[m->sampler + 1];
  for (int r = 0; r < k; r++) {
    ae_model_forward_range(m, ws, m->sampler, m->n_layers, b, 0); /* draws eps (ws->sample) */
    const float *y = ws->acts[m->n_layers];
    for (int i = 0; i < b; i++) {
      double lp = -ae_objective_recon_sum(m, NULL, y + i * d, t + i * d, 0.0f, 1);
      const float *lv = stats + (size_t)i * 2 * z + z, *e = eps + i * z, *zi = zs + i * z;
      for (size_t j = 0; j < z; j++)
        lp += -0.5 * (double)zi[j] * zi[j] + 0.5 * (double)e[j] * e[j] + 0.5 * (double)lv[j];
      lw[(size_t)i * k + r] = lp;
    }
  }
  double sum = 0.0;
  for (int i = 0; i < b; i++) {
    const double *w = lw + (size_t)i * k;
    double mx = w[0], acc = 0.0;
    for (int r = 1; r < k; r++) mx = w[r] > mx ? w[r] : mx;
    for (int r = 0; r < k; r++) acc += exp(w[r] - mx);
    sum += -(mx + log(acc) - log((double)k));
  }
  free(lw);
  return sum;
}

/* One chunk of b samples starting at sample i (chunk number c). */
static void run_chunk(ae_model *m, ae_workspace *ws, const run_job *j, size_t i, int b,
                      size_t c) {
  size_t d = (size_t)m->input_dim, z = ae_model_code_dim(m);
  int from = j->kind == RUN_DECODE ? m->n_enc : 0;
  int to = j->kind == RUN_ENCODE ? m->n_enc : m->n_layers;
  size_t width = j->kind == RUN_DECODE ? z : d;
  float *first = ws->acts[from]; /* (b, width) */
  if (j->ds) ae_dataset_rows(first, j->ds, NULL, i, (size_t)b);
  else memcpy(first, j->in + i * width, (size_t)b * width * sizeof(float));
  if (j->kind == RUN_EVALUATE || j->kind == RUN_IW || j->kind == RUN_NELBO) {
    /* a VAE's objective needs draws of z: from a generator of this chunk's
     * own, so results do not depend on how chunks fall on threads */
    ae_rng saved = ws->rng;
    ae_rng_seed(&ws->rng, j->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(c + 1)));
    ws->sample = m->sampler >= 0;
    const float *t = j->target ? j->target + i * d : first;
    chunk_sums *s = &j->sums[c];
    if (j->kind == RUN_IW) {
      s->iw = iw_chunk(m, ws, t, b, j->iw_k);
    } else if (j->kind == RUN_NELBO) { /* per sample: recon + KL */
      ae_model_forward_range(m, ws, 0, m->n_layers, b, 0);
      const float *y = ws->acts[m->n_layers];
      for (int k = 0; k < b; k++)
        j->out[i + (size_t)k] = (float)(
            ae_objective_recon_sum(m, NULL, y + (size_t)k * d, t + (size_t)k * d, 0.0f, 1) +
            ae_objective_kl_sum(m, ws->acts[m->sampler] + (size_t)k * 2 * z, 1));
    } else {
      ae_model_forward_range(m, ws, 0, m->n_layers, b, 0);
      s->recon = ae_objective_recon_sum(m, NULL, ws->acts[m->n_layers], t, 0.0f, (size_t)b);
      if (m->sampler >= 0) s->kl = ae_objective_kl_sum(m, ws->acts[m->sampler], b);
      s->se = ae_mse(NULL, ae_model_output(m, ws, b), t, 0.0f, (size_t)b * d);
      code_stats(m, s, ws->acts[m->n_enc], b);
    }
    ws->sample = 0;
    ws->rng = saved;
    return;
  }
  ae_model_forward_range(m, ws, from, to, b, 0);
  if (j->kind == RUN_ENCODE)
    memcpy(j->out + i * z, ws->acts[m->n_enc], (size_t)b * z * sizeof(float));
  else
    memcpy(j->out + i * d, ae_model_output(m, ws, b), (size_t)b * d * sizeof(float));
}

/* The ranks that share a distributed model's runs (1 when it is not). */
static int run_ranks(const ae_model *m) { return m->distributed ? ae_dist_size() : 1; }

/* The most samples a chunk of a job of `kind` takes: 256, or for encoding,
 * decoding and reconstructing with a model whose activations and scratch
 * take many floats per sample (convolutions), as many as keep those of the
 * nets the job runs within about 8 MiB, at least 4: each layer's pass
 * then finds the previous one's output still in cache (conv encode at 1 thread: 12-14k -> 17-18k samples/s
 * at 8 to 32 a chunk, while dense and deep lose at 64 and below). A
 * sample's outputs do not depend on the chunk it is in beyond rounding: the
 * BLAS blocks the same inner sums whatever the columns. Evaluation keeps
 * 256: its sums and its draws go by chunk. */
static size_t chunk_cap(const ae_model *m, run_kind kind) {
  if (kind != RUN_ENCODE && kind != RUN_DECODE && kind != RUN_RECONSTRUCT) return AE_INFER_BATCH;
  size_t one = (size_t)m->input_dim; /* the input's or the output's copy */
  if (kind != RUN_DECODE) /* the encoder's activations and scratch */
    one += ae_net_act_count(&m->enc, 1) + ae_net_scratch_count(&m->enc, 2) -
           ae_net_scratch_count(&m->enc, 1);
  if (kind != RUN_ENCODE)
    one += ae_net_act_count(&m->dec, 1) + ae_net_scratch_count(&m->dec, 2) -
           ae_net_scratch_count(&m->dec, 1);
  size_t cap = ((size_t)2 << 20) / one;
  return cap < 4 ? 4 : cap > AE_INFER_BATCH ? AE_INFER_BATCH : cap;
}

/* Split n samples into chunks of at most chunk_cap, at least one per thread
 * of the job (threads x ranks for a distributed model). */
static void plan_chunks(const ae_model *m, run_kind kind, size_t n, int *threads, size_t *size,
                        size_t *chunks) {
  int t = m->threads > 0 ? m->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (t < 1) t = 1;
  if (t > AE_MAX_WORKERS) t = AE_MAX_WORKERS;
  if ((size_t)t > n) t = n ? (int)n : 1;
  size_t all = (size_t)t * (size_t)run_ranks(m);
  if (all > n) all = n ? n : 1;
  size_t per = (n + all - 1) / all;
  size_t cap = chunk_cap(m, kind);
  *size = per < cap ? (per ? per : 1) : cap;
  *chunks = (n + *size - 1) / *size;
  *threads = t;
}

typedef struct {
  ae_model *m;
  const run_job *j;
  size_t n, size, chunks, c0; /* this rank's chunks: c0 .. c0 + chunks - 1 */
  atomic_size_t done;         /* samples of finished chunks (progress) */
  size_t total;               /* this rank's samples */
} run_args;

/* Chunk c, on worker w's workspace: workers take chunks as they come free
 * (a chunk's result does not depend on which worker runs it). */
static void run_item(void *arg, size_t c, int w) {
  run_args *a = arg;
  c += a->c0;
  size_t i = c * a->size;
  int b = (int)(a->n - i < a->size ? a->n - i : a->size);
  run_chunk(a->m, &a->m->ws[w], a->j, i, b, c);
  size_t done = atomic_fetch_add(&a->done, (size_t)b) + (size_t)b;
  if (w == 0 && a->m->run_progress) /* the calling thread */
    a->m->run_progress(done, a->total, a->m->run_progress_user);
}

/* The arguments every batch function of the API takes: a model, its input
 * and output buffers, and a count whose buffers can exist. */
static ae_status check_batch(const ae_model *m, const void *out, const void *in, size_t n,
                             size_t in_dim, size_t out_dim, const char *fn) {
  AE_ARG(m, fn, "model is NULL");
  AE_ARG(out && in, fn, "a buffer is NULL");
  if (!ae_fits(n, in_dim, sizeof(float)) || !ae_fits(n, out_dim, sizeof(float)) ||
      n > (size_t)INT32_MAX * 64)
    return ae_set_error(AE_ERR_ARG, "%s: %zu samples cannot be in memory", fn, n);
  return AE_OK;
}

static ae_status run_local(ae_model *m, const run_job *j, size_t n, int threads, size_t size,
                           size_t c0, size_t chunks);

/* This rank's chunks of a distributed run: [c0, c1). */
static void rank_chunks(const ae_model *m, size_t chunks, int r, size_t *c0, size_t *c1) {
  size_t R = (size_t)run_ranks(m);
  *c0 = chunks * (size_t)r / R, *c1 = chunks * ((size_t)r + 1) / R;
}

/* After a distributed run: every rank's rows of the output (and its chunks'
 * sums) to every rank. */
static ae_status share_results(ae_model *m, const run_job *j, size_t n, size_t size,
                               size_t chunks) {
  size_t z = ae_model_code_dim(m), d = (size_t)m->input_dim, R = (size_t)run_ranks(m);
  size_t width = j->kind == RUN_ENCODE ? z : j->kind == RUN_NELBO ? 1 : d;
  size_t rows[AE_MAX_RANKS_SHARE + 1], cb[AE_MAX_RANKS_SHARE + 1];
  if (R > AE_MAX_RANKS_SHARE)
    return ae_set_error(AE_ERR_ARG, "more than %d ranks", AE_MAX_RANKS_SHARE);
  for (size_t r = 0; r <= R; r++) { /* rank r's first chunk (rank_chunks), and row */
    cb[r] = chunks * r / R;
    rows[r] = cb[r] * size < n ? cb[r] * size : n;
  }
  int bad = 0;
  if (j->out && j->kind != RUN_EVALUATE && j->kind != RUN_IW)
    bad |= ae_dist_share(j->out, width * sizeof(float), rows);
  if (j->sums) bad |= ae_dist_share(j->sums, sizeof(chunk_sums), cb);
  return bad ? ae_set_error(AE_ERR_NOMEM, "out of memory sharing results across ranks") : AE_OK;
}

/* Run a job over n samples (a distributed model: this rank's chunks, then
 * every rank's results to every rank). */
static ae_status run(ae_model *m, const run_job *j, size_t n) {
  if (n == 0) return AE_OK;
  int threads;
  size_t size, all_chunks, c0 = 0, c1;
  plan_chunks(m, j->kind, n, &threads, &size, &all_chunks);
  rank_chunks(m, all_chunks, run_ranks(m) > 1 ? ae_dist_rank() : 0, &c0, &c1);
  size_t chunks = c1 - c0;
  ae_status st = run_local(m, j, n, threads, size, c0, chunks);
  if (!st && run_ranks(m) > 1) st = share_results(m, j, n, size, all_chunks);
  return st;
}

static ae_status run_local(ae_model *m, const run_job *j, size_t n, int threads, size_t size,
                           size_t c0, size_t chunks) {
  for (int w = 0; w < threads; w++) {
    ae_status st = ae_model_plan_workspace(m, &m->ws[w], (int)size, 0);
    m->ws[w].worker = 0, m->ws[w].team = 1, m->ws[w].n_total = 0; /* independent chunks */
    if (st) return st;
  }
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
  size_t first = c0 * size, end = (c0 + chunks) * size < n ? (c0 + chunks) * size : n;
  size_t total = end > first ? end - first : 0; /* this rank's samples */
  if (threads == 1) { /* no parallel region: single-sample latency */
    for (size_t c = c0; c < c0 + chunks; c++) {
      run_chunk(m, &m->ws[0], j, c * size, (int)(n - c * size < size ? n - c * size : size), c);
      if (m->run_progress) m->run_progress((c + 1) * size < end ? (c + 1) * size - first : total,
                                           total, m->run_progress_user);
    }
    return AE_OK;
  }
  if (!m->infer_team || ae_team_size(m->infer_team) < threads) {
    ae_team_free(m->infer_team);
    m->infer_team = NULL;
    ae_status st = ae_team_create(&m->infer_team, threads);
    if (st) return st;
  }
  run_args a = {m, j, n, size, chunks, c0, 0, total};
  ae_team_for(m->infer_team, threads, chunks, run_item, &a);
  if (m->run_progress) m->run_progress(total, total, m->run_progress_user); /* the end */
  return AE_OK;
}

ae_status ae_model_set_distributed(ae_model *m, int on) {
  AE_ARG(m, "ae_model_set_distributed", "model is NULL");
  m->distributed = on != 0;
  return AE_OK;
}

ae_status ae_model_set_run_progress(ae_model *m, ae_run_progress_fn fn, void *user) {
  AE_ARG(m, "ae_model_set_run_progress", "model is NULL");
  m->run_progress = fn;
  m->run_progress_user = user;
  return AE_OK;
}

ae_status ae_model_set_threads(ae_model *m, int threads) {
  AE_ARG(m, "ae_model_set_threads", "model is NULL");
  if (threads < 0 || threads > AE_MAX_WORKERS)
    return ae_set_error(AE_ERR_ARG, "threads must be in 0..%d (got %d)", AE_MAX_WORKERS, threads);
  m->threads = threads;
  return AE_OK;
}

ae_status ae_model_encode(ae_model *m, float *codes, const float *x, size_t n) {
  ae_status st = check_batch(m, codes, x, n, ae_model_input_dim(m), ae_model_code_dim(m),
                             "ae_model_encode");
  if (st) return st;
  run_job j = {.kind = RUN_ENCODE, .in = x, .out = codes};
  return run(m, &j, n);
}

ae_status ae_model_decode(ae_model *m, float *x_hat, const float *codes, size_t n) {
  ae_status st = check_batch(m, x_hat, codes, n, ae_model_code_dim(m), ae_model_input_dim(m),
                             "ae_model_decode");
  if (st) return st;
  run_job j = {.kind = RUN_DECODE, .in = codes, .out = x_hat};
  return run(m, &j, n);
}

ae_status ae_model_reconstruct(ae_model *m, float *x_hat, const float *x, size_t n) {
  ae_status st = check_batch(m, x_hat, x, n, ae_model_input_dim(m), ae_model_input_dim(m),
                             "ae_model_reconstruct");
  if (st) return st;
  run_job j = {.kind = RUN_RECONSTRUCT, .in = x, .out = x_hat};
  return run(m, &j, n);
}

/* Run job j (RUN_EVALUATE or RUN_IW) over n samples and add its per-chunk
 * sums in chunk order (the same bits for the same thread count) into *a. */
static ae_status run_sums(ae_model *m, run_job *j, size_t n, chunk_sums *a) {
  memset(a, 0, sizeof *a);
  if (n == 0) return ae_set_error(AE_ERR_ARG, "empty data set");
  int threads;
  size_t size, chunks;
  plan_chunks(m, j->kind, n, &threads, &size, &chunks);
  chunk_sums *sums = calloc(chunks, sizeof *sums);
  if (!sums) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  j->sums = sums;
  ae_status st = run(m, j, n);
  for (size_t c = 0; c < chunks; c++) {
    a->recon += sums[c].recon, a->se += sums[c].se, a->kl += sums[c].kl;
    a->code += sums[c].code, a->zero += sums[c].zero, a->jac += sums[c].jac;
    a->iw += sums[c].iw;
  }
  free(sums);
  return st;
}

/* Evaluate n samples: inputs from ds (or x), targets t (or the inputs). */
static ae_status evaluate(ae_model *m, ae_eval_result *res, const ae_dataset *ds, const float *x,
                          const float *t, size_t n) {
  memset(res, 0, sizeof *res);
  size_t d = (size_t)m->input_dim, z = ae_model_code_dim(m);
  run_job j = {.kind = RUN_EVALUATE, .in = x, .ds = ds, .target = t, .seed = m->seed + 0x5eed};
  chunk_sums a;
  ae_status st = run_sums(m, &j, n, &a);
  if (st) return st;
  double count = (double)n * (double)d, dn = (double)n;
  res->count = n;
  res->mse = a.se / count;
  res->psnr = res->mse > 0 ? 10.0 * log10(1.0 / res->mse) : INFINITY;
  res->recon = a.recon / dn;
  res->kl = a.kl / dn;
  res->nelbo = m->sampler >= 0 ? res->recon + res->kl : NAN;
  res->loss = m->sampler >= 0 ? res->nelbo : a.recon / count;
  res->code_mean = a.code / (dn * (double)z);
  res->code_zero = a.zero / (dn * (double)z);
  res->jacobian = m->layers[m->n_enc - 1].desc == &ae_dense_desc ? a.jac / dn : NAN;
  if (!isfinite(res->loss))
    return ae_set_error(AE_ERR_NUMERIC, "the loss is not finite (%g): the model or data hold NaN/inf", res->loss);
  return AE_OK;
}

static ae_status check_dim(const ae_model *m, const ae_dataset *ds) {
  if (ae_dataset_dim(ds) != (size_t)m->input_dim)
    return ae_set_error(AE_ERR_SHAPE, "data has %zu features per sample, the model takes %d",
                        ae_dataset_dim(ds), m->input_dim);
  return AE_OK;
}

ae_status ae_model_evaluate(ae_model *m, ae_eval_result *res, const ae_dataset *ds) {
  AE_ARG(m && res && ds, "ae_model_evaluate", "model, result and data must not be NULL");
  ae_status st = check_dim(m, ds);
  return st ? st : evaluate(m, res, ds, NULL, NULL, ae_dataset_count(ds));
}

ae_status ae_model_evaluate_iw(ae_model *m, double *nll, const ae_dataset *ds, int k,
                               uint64_t seed) {
  AE_ARG(m && nll && ds, "ae_model_evaluate_iw", "model, result and data must not be NULL");
  *nll = NAN;
  if (m->sampler < 0)
    return ae_set_error(AE_ERR_ARG, "model %s is not variational: no importance-weighted bound",
                        m->spec);
  if (k < 1 || k > 100000)
    return ae_set_error(AE_ERR_ARG, "importance samples must be in 1..100000 (got %d)", k);
  ae_status st = check_dim(m, ds);
  size_t n = ae_dataset_count(ds);
  if (st) return st;
  run_job j = {.kind = RUN_IW, .ds = ds, .iw_k = k, .seed = seed};
  chunk_sums a;
  if ((st = run_sums(m, &j, n, &a))) return st;
  double s = a.iw;
  *nll = s / (double)n;
  if (!isfinite(*nll))
    return ae_set_error(AE_ERR_NUMERIC, "the importance-weighted estimate is not finite (%g)", *nll);
  return AE_OK;
}

int ae_model_is_variational(const ae_model *m) { return m && m->sampler >= 0; }

ae_status ae_model_sample_nelbo(ae_model *m, float *nelbo, const float *x, size_t n) {
  ae_status st = check_batch(m, nelbo, x, n, ae_model_input_dim(m), 1, "ae_model_sample_nelbo");
  if (st) return st;
  if (m->sampler < 0)
    return ae_set_error(AE_ERR_ARG, "model %s is not variational: it has no ELBO", m->spec);
  run_job j = {.kind = RUN_NELBO, .in = x, .out = nelbo, .seed = m->seed + 0x5eed};
  return run(m, &j, n);
}

ae_status ae_model_generate(ae_model *m, float *x, size_t n, uint64_t seed) {
  AE_ARG(m && x, "ae_model_generate", "model and output must not be NULL");
  if (m->sampler < 0)
    return ae_set_error(AE_ERR_ARG, "model %s is not variational: it has no prior to sample codes from "
                        "(decode chosen codes instead)", m->spec);
  size_t z = ae_model_code_dim(m);
  if (n > ((size_t)1 << 40) / (z ? z : 1)) return ae_set_error(AE_ERR_ARG, "too many samples");
  float *codes = malloc((n ? n : 1) * z * sizeof(float)); /* (n, Z) */
  if (!codes) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  ae_rng rng;
  ae_rng_seed(&rng, seed);
  for (size_t k = 0; k < n * z; k++) codes[k] = (float)ae_rng_normal(&rng);
  ae_status st = ae_model_decode(m, x, codes, n);
  free(codes);
  return st;
}

ae_status ae_noise_corrupt(float *x, size_t count, const char *noise, uint64_t seed) {
  return ae_noise_corrupt_images(x, count, 1, 1, 1, noise, seed);
}

ae_status ae_noise_corrupt_images(float *x, size_t n, int c, int h, int w, const char *noise,
                                  uint64_t seed) {
  AE_ARG(x || !n, "ae_noise_corrupt", "values are NULL");
  AE_ARG(c > 0 && h > 0 && w > 0, "ae_noise_corrupt_images", "the shape must be positive");
  size_t plane = (size_t)h * (size_t)w;
  AE_ARG(ae_fits(n, (size_t)c, plane) && ae_fits(n * (size_t)c, plane, sizeof(float)),
         "ae_noise_corrupt", "count cannot be in memory");
  ae_noise nz;
  ae_status st = ae_noise_parse(&nz, noise);
  if (st || (st = ae_noise_check(&nz, c))) return st;
  ae_rng rng;
  ae_rng_seed(&rng, seed);
  ae_noise_apply_samples(&nz, x, n, c, plane, 0.0f, 1.0f, &rng);
  return AE_OK;
}

ae_status ae_model_evaluate_denoising(ae_model *m, ae_eval_result *noisy,
                                      ae_eval_result *denoised, const ae_dataset *ds,
                                      const char *noise, uint64_t seed) {
  AE_ARG(m && noisy && denoised && ds, "ae_model_evaluate_denoising",
         "model, results and data must not be NULL");
  memset(noisy, 0, sizeof *noisy);
  memset(denoised, 0, sizeof *denoised);
  ae_status st = check_dim(m, ds);
  if (st) return st;
  size_t n = ae_dataset_count(ds), count = n * (size_t)m->input_dim;
  const float *clean = ae_dataset_data(ds); /* (n, D) */
  float *x = malloc(count * sizeof(float)); /* (n, D) corrupted copy */
  if (!clean || !x) {
    free(x);
    return ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
  memcpy(x, clean, count * sizeof(float));
  if (!(st = ae_noise_corrupt_images(x, n, m->c, m->h, m->w, noise, seed))) {
    noisy->count = n;
    noisy->mse = ae_mse(NULL, x, clean, 0.0f, count) / (double)count;
    noisy->loss = noisy->mse;
    noisy->psnr = noisy->mse > 0 ? 10.0 * log10(1.0 / noisy->mse) : INFINITY;
    st = evaluate(m, denoised, NULL, x, clean, n);
  }
  free(x);
  return st;
}

