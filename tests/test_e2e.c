/* test_e2e.c — whole models against PyTorch: from the fixture's initial
 * parameters, the loss and every gradient at step 0, the losses of 5 Adam
 * steps (lr 1e-3) on a fixed batch within 1e-4 relative, and the parameters
 * after them. */
#include "check.h"
#include "fixture.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void run(const char *fixture, const char *preset) {
  fx_file *f = fx_load(fixture);
  size_t nx, np;
  const float *x = fx_get(f, "x", &nx);
  const float *p0 = fx_get(f, "params0", &np);
  const float *losses = fx_get(f, "losses", NULL);
  int n = (int)(nx / 784);
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, preset, 1, 28, 28, 1));
  if (!m) return;
  CHECK(ae_model_param_count(m) == np);
  memcpy(ae_model_params(m), p0, np * sizeof(float));
  float *mom = calloc(np, sizeof(float)), *vel = calloc(np, sizeof(float));
  CHECK_OK(ae_model_plan(m, n));
  ae_workspace *ws = &m->ws[0];
  for (int step = 0; step < 5; step++) {
    memcpy(ws->acts[0], x, nx * sizeof(float));
    ae_model_forward(m, ws, n, 1);
    double loss = ae_model_loss_step(m, ws, x, n, 1, (double)nx) / (double)nx;
    if (fabs(loss - losses[step]) > 1e-4 * fabs(losses[step])) {
      fprintf(stderr, "%s step %d: loss %.9g, PyTorch %.9g\n", preset, step, loss,
              (double)losses[step]);
      check_failures++;
    }
    if (step == 0)
      check_failures += fx_check_close(preset, m->grads, fx_get(f, "grads0", NULL), np, 1e-7, 1e-3);
    ae_adam_step(m->params, mom, vel, m->grads, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, step + 1, np);
  }
  /* Adam divides by sqrt(v): float32 rounding in tiny gradients moves a
   * parameter by up to ~2e-6 after 5 steps (PyTorch float32 vs float64 too) */
  if (fx_has(f, "params5"))
    check_failures += fx_check_close("params after 5 steps", m->params,
                                     fx_get(f, "params5", NULL), np, 2e-5, 1e-4);
  free(mom);
  free(vel);
  ae_model_free(m);
  fx_free(f);
}

/* The conv preset (conv, leaky relu, batch norm, dense code, transposed
 * conv, sigmoid, MSE) from PyTorch's initial parameters: gradients at step
 * 0, 5 Adam losses, batch-norm running statistics after the first and the
 * fifth training forward, and the evaluation-mode output after 5 steps. */
static void run_conv(void) {
  fx_file *f = fx_load("e2e_conv.fx");
  size_t nx, np, nr;
  const float *x = fx_get(f, "x", &nx);
  const float *p0 = fx_get(f, "params0", &np);
  const float *losses = fx_get(f, "losses", NULL);
  fx_get(f, "running0", &nr);
  int n = (int)(nx / 784);
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "conv", 1, 28, 28, 1));
  if (!m) return;
  CHECK(ae_model_param_count(m) == np);
  CHECK(m->n_state == nr);
  if (ae_model_param_count(m) != np || m->n_state != nr) return;
  memcpy(ae_model_params(m), p0, np * sizeof(float));
  float *mom = calloc(np, sizeof(float)), *vel = calloc(np, sizeof(float));
  CHECK_OK(ae_model_plan(m, n));
  ae_workspace *ws = &m->ws[0];
  for (int step = 0; step < 5; step++) {
    memcpy(ws->acts[0], x, nx * sizeof(float));
    ae_model_forward(m, ws, n, 1);
    double loss = ae_model_loss_step(m, ws, x, n, 1, (double)nx) / (double)nx;
    printf("conv step %d: loss %.7f (PyTorch %.7f)\n", step, loss, (double)losses[step]);
    if (fabs(loss - losses[step]) > 1e-4 * fabs(losses[step])) {
      fprintf(stderr, "conv step %d: loss %.9g, PyTorch %.9g\n", step, loss, (double)losses[step]);
      check_failures++;
    }
    if (step == 0) {
      check_failures += fx_check_close("conv grads0", m->grads, fx_get(f, "grads0", NULL), np,
                                       1e-6, 1e-3);
      check_failures += fx_check_close("conv running0", m->state, fx_get(f, "running0", NULL), nr,
                                       1e-6, 1e-4);
    }
    ae_adam_step(m->params, mom, vel, m->grads, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, step + 1, np);
  }
  /* after 5 Adam steps float32 rounding has moved the parameters by ~1e-6
   * (as for the dense models), which moves batch means by up to ~2e-5 */
  check_failures += fx_check_close("conv running5", m->state, fx_get(f, "running5", NULL), nr,
                                   5e-5, 1e-3);
  float *y = malloc(nx * sizeof(float));
  CHECK_OK(ae_model_reconstruct(m, y, x, (size_t)n));
  check_failures += fx_check_close("conv eval output", y, fx_get(f, "eval_y", NULL), nx, 1e-5, 1e-3);
  free(y);
  free(mom);
  free(vel);
  ae_model_free(m);
  fx_free(f);
}

int main(void) {
  run("e2e_dense.fx", "dense");
  run("e2e_deep.fx", "deep");
  run_conv();
  CHECK_DONE();
}
