/* SPDX-License-Identifier: MIT */
/* test_e2e.c — whole models (dense, deep, conv) against PyTorch: from the
 * fixture's initial parameters, the loss and every gradient at step 0, the
 * losses of 5 Adam steps (lr 1e-3) on a fixed batch within 1e-4 relative, and
 * what the fixture holds after them. */
#include "check.h"
#include "fixture.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* From the fixture's initial parameters: the loss and every gradient at
 * step 0, the losses of 5 Adam steps, and where the fixture has them the
 * parameters after 5 steps, batch-norm running statistics after the first
 * and fifth training forward, and the evaluation-mode output after 5 steps. */
static void run(const char *fixture, const char *preset, double grad_atol) {
  fx_file *f = fx_load(fixture);
  size_t nx, np, nr = 0;
  const float *x = fx_get(f, "x", &nx);
  const float *p0 = fx_get(f, "params0", &np);
  const float *losses = fx_get(f, "losses", NULL);
  if (fx_has(f, "running0")) fx_get(f, "running0", &nr);
  int n = (int)(nx / 784);
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, preset, 1, 28, 28, 1));
  if (!m) return;
  CHECK(ae_model_param_count(m) == np && m->n_state == nr);
  if (ae_model_param_count(m) != np || m->n_state != nr) return;
  memcpy(ae_model_params(m), p0, np * sizeof(float));
  if (fx_has(f, "code0")) { /* the encoder alone: the LSTM's last state */
    size_t nc;
    const float *code0 = fx_get(f, "code0", &nc);
    float *code = malloc(nc * sizeof(float));
    CHECK(nc == (size_t)n * ae_model_code_dim(m));
    CHECK_OK(ae_model_encode(m, code, x, (size_t)n));
    check_failures += fx_check_close("code0", code, code0, nc, 1e-6, 1e-4);
    free(code);
  }
  float *mom = calloc(np, sizeof(float)), *vel = calloc(np, sizeof(float));
  CHECK_OK(ae_model_plan(m, n));
  ae_workspace *ws = &m->ws[0];
  for (int step = 0; step < 5; step++) {
    memcpy(ws->acts[0], x, nx * sizeof(float));
    ae_model_forward(m, ws, n, 1);
    double loss = ae_model_loss_step(m, ws, x, n, 1, (double)nx);
    printf("%s step %d: loss %.7f (PyTorch %.7f)\n", preset, step, loss, (double)losses[step]);
    if (fabs(loss - losses[step]) > 1e-4 * fabs(losses[step])) {
      fprintf(stderr, "%s step %d: loss %.9g, PyTorch %.9g\n", preset, step, loss,
              (double)losses[step]);
      check_failures++;
    }
    if (step == 0) {
      check_failures += fx_check_close(preset, m->grads, fx_get(f, "grads0", NULL), np, grad_atol,
                                       1e-3);
      if (nr)
        check_failures += fx_check_close("running0", m->state, fx_get(f, "running0", NULL), nr,
                                         1e-6, 1e-4);
    }
    ae_adam_step(m->params, mom, vel, m->grads, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, step + 1, np);
  }
  /* Adam divides by sqrt(v): float32 rounding in tiny gradients moves a
   * parameter by up to ~2e-6 after 5 steps (PyTorch float32 vs float64 too),
   * which moves batch means by up to ~2e-5 */
  if (fx_has(f, "params5"))
    check_failures += fx_check_close("params after 5 steps", m->params,
                                     fx_get(f, "params5", NULL), np, 2e-5, 1e-4);
  if (nr)
    check_failures += fx_check_close("running5", m->state, fx_get(f, "running5", NULL), nr, 5e-5,
                                     1e-3);
  if (fx_has(f, "eval_y")) {
    float *y = malloc(nx * sizeof(float));
    CHECK_OK(ae_model_reconstruct(m, y, x, (size_t)n));
    check_failures += fx_check_close("eval output", y, fx_get(f, "eval_y", NULL), nx, 1e-5, 1e-3);
    free(y);
  }
  free(mom);
  free(vel);
  ae_model_free(m);
  fx_free(f);
}

/* The pytorch/examples VAE (preset vae) with the fixture's draws of eps:
 * the objective (batch mean of BCE sums + beta KL) and its parts over 5
 * Adam steps, then the evaluation-mode code (mu) and reconstruction; and
 * beta = 0.5 from the same start. (The per-parameter checks of the other
 * models are left out here: they would triple a 2.7 MB fixture.) */
static void run_vae(void) {
  fx_file *f = fx_load("e2e_vae.fx");
  size_t nx, np, ne;
  const float *x = fx_get(f, "x", &nx), *p0 = fx_get(f, "params0", &np);
  const float *eps = fx_get(f, "eps", &ne);
  int n = (int)(nx / 784), z = (int)(ne / 5 / (size_t)n);
  for (int variant = 0; variant < 2; variant++) {
    ae_model *m = NULL;
    CHECK_OK(ae_model_create(&m, variant ? "vae;beta=0.5" : "vae", 1, 28, 28, 1));
    if (!m) break;
    CHECK(ae_model_param_count(m) == np && (int)ae_model_code_dim(m) == z);
    if (ae_model_param_count(m) != np) {
      ae_model_free(m);
      break;
    }
    const float *losses = fx_get(f, variant ? "losses_beta05" : "losses", NULL);
    const float *recon = fx_get(f, "recon", NULL), *kl = fx_get(f, "kl", NULL);
    memcpy(ae_model_params(m), p0, np * sizeof(float));
    float *mom = calloc(np, sizeof(float)), *vel = calloc(np, sizeof(float));
    CHECK_OK(ae_model_plan(m, n));
    ae_workspace *ws = &m->ws[0];
    for (int step = 0; step < 5; step++) {
      m->layers[m->sampler].u.sample.fixed_eps = eps + (size_t)step * n * z;
      memcpy(ws->acts[0], x, nx * sizeof(float));
      ae_model_forward(m, ws, n, 1);
      double loss = ae_model_loss_step(m, ws, x, n, 1, ae_objective_denom(m, n));
      printf("vae%s step %d: loss %.5f (PyTorch %.5f)\n", variant ? " beta 0.5" : "", step, loss,
             (double)losses[step]);
      CHECK_NEAR(loss, losses[step], 1e-4 * fabs(losses[step]));
      if (!variant) {
        CHECK_NEAR(ws->terms.recon / n, recon[step], 1e-4 * fabs(recon[step]));
        CHECK_NEAR(ws->terms.kl / n, kl[step], 1e-4 * fabs(kl[step]) + 1e-4);
      }
      ae_adam_step(m->params, mom, vel, m->grads, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, step + 1, np);
    }
    m->layers[m->sampler].u.sample.fixed_eps = NULL;
    if (!variant) {
      float *mu = malloc((size_t)n * z * sizeof(float)), *y = malloc(nx * sizeof(float));
      CHECK_OK(ae_model_encode(m, mu, x, (size_t)n));
      CHECK_OK(ae_model_reconstruct(m, y, x, (size_t)n));
      check_failures += fx_check_close("vae eval mu", mu, fx_get(f, "eval_mu", NULL),
                                       (size_t)n * z, 1e-4, 1e-3);
      check_failures += fx_check_close("vae eval output", y, fx_get(f, "eval_y", NULL), nx, 1e-5,
                                       1e-3);
      free(mu);
      free(y);
    }
    free(mom);
    free(vel);
    ae_model_free(m);
  }
  fx_free(f);
}

int main(void) {
  run("e2e_dense.fx", "dense", 1e-7);
  run("e2e_deep.fx", "deep", 1e-7);
  run("e2e_conv.fx", "conv", 1e-6);
  run("e2e_lstm.fx", "lstm", 1e-6); /* Sequential Fashion-MNIST: 28 steps of 28 */
  run_vae();
  CHECK_DONE();
}
