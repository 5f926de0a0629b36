/* SPDX-License-Identifier: MIT */
/* test_objective.c — the objective's terms beyond reconstruction: the VAE
 * sampler and KL, L1 and KL-sparsity penalties on the code, the contractive
 * penalty, L2 on the weights. Whole-model gradients against central finite
 * differences, the terms against PyTorch (tests/fixtures/regularizers.fx),
 * the importance-weighted bound, training runs that must reach their
 * target, and bad input. */
#include "check.h"
#include "dataset.h"
#include "fdcheck.h"
#include "fixture.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 6  /* samples in the finite-difference batch */
#define D 12 /* input features: 1 x 3 x 4 */

typedef struct fd_model {
  ae_model *m;
  float x[N * D];   /* inputs, also the targets */
  float eps[N * D]; /* the sampler's fixed draws */
} fd_model;

/* The model's whole training objective for the fixed batch (train mode). */
static double model_objective(void *ctx) {
  fd_model *q = ctx;
  ae_workspace *ws = &q->m->ws[0];
  memcpy(ws->acts[0], q->x, sizeof q->x);
  ae_model_forward(q->m, ws, N, 1);
  return ae_model_loss_step(q->m, ws, q->x, N, 0, ae_objective_denom(q->m, N));
}

/* Every parameter's gradient of `spec`'s objective against finite
 * differences (step h). */
static void fd_spec(const char *spec, float h) {
  fd_model q;
  CHECK_OK(ae_model_create(&q.m, spec, 1, 3, 4, 7));
  if (!q.m) return;
  ae_model_init(q.m, AE_INIT_TORCH, 3); /* biases too: pre-activations spread */
  ae_rng r;
  ae_rng_seed(&r, 5);
  for (int k = 0; k < N * D; k++) q.x[k] = 0.05f + 0.9f * ae_rng_uniform(&r);
  for (int k = 0; k < N * D; k++) q.eps[k] = (float)ae_rng_normal(&r);
  if (q.m->sampler >= 0) q.m->layers[q.m->sampler].u.sample.fixed_eps = q.eps;
  CHECK_OK(ae_model_plan(q.m, N));
  ae_workspace *ws = &q.m->ws[0];
  memcpy(ws->acts[0], q.x, sizeof q.x);
  ae_model_forward(q.m, ws, N, 1);
  double with_grad = ae_model_loss_step(q.m, ws, q.x, N, 1, ae_objective_denom(q.m, N));
  CHECK_NEAR(with_grad, model_objective(&q), 1e-6 * fabs(with_grad)); /* same value both ways */
  size_t p = ae_model_param_count(q.m);
  float *g = malloc(p * sizeof(float));
  memcpy(g, q.m->grads, p * sizeof(float));
  if (fd_check(spec, model_objective, &q, q.m->params, g, p, h, 0)) check_failures++;
  else printf("finite differences ok: %s (%zu parameters)\n", spec, p);
  free(g);
  ae_model_free(q.m);
}

static void test_finite_differences(void) {
  /* VAE: BCE and Gaussian reconstruction, beta, tanh and relu inside */
  fd_spec("dense:6:tanh,dense:8,sample|dense:6:tanh,dense:12:sigmoid;loss=bce;beta=0.7", 1e-2f);
  fd_spec("dense:6:tanh,dense:8,sample|dense:6:tanh,dense:12:sigmoid;loss=mse", 1e-2f);
  /* contractive, behind another layer (its dx path), and L2 */
  fd_spec("dense:7:tanh,dense:5:sigmoid|dense:12:sigmoid;loss=mse;contractive=0.3;l2=0.01", 1e-2f);
  fd_spec("dense:5:tanh|dense:12:sigmoid;contractive=0.5", 1e-2f);
  fd_spec("dense:5:leaky_relu:0.1|dense:12:sigmoid;contractive=0.5", 1e-3f);
  /* L1 activity and KL sparsity on the code */
  fd_spec("dense:6:tanh,dense:5|dense:12:sigmoid;l1=0.05", 1e-3f);
  fd_spec("dense:5:sigmoid|dense:12:sigmoid;sparsity=0.1:2", 1e-2f);
  fd_spec("dense:5:sigmoid|dense:12:sigmoid;loss=mse;l1=0.02;sparsity=0.3:0.5;contractive=0.1", 1e-2f);
}

/* ---- against PyTorch: regularizers.fx ---- */

/* A lone dense code layer (12 -> 5, activation act) over the fixture's
 * parameters. */
static void fixture_layer(ae_layer *l, float *params, const fx_file *f, ae_act act) {
  const char *text = act == AE_ACT_SIGMOID ? "dense:5:sigmoid"
                     : act == AE_ACT_TANH  ? "dense:5:tanh"
                                           : "dense:5:relu";
  CHECK_OK(ae_layer_from_text(l, text, (ae_shape){12, 1, 1}));
  memcpy(params, fx_get(f, "W", NULL), 60 * sizeof(float));
  memcpy(params + 60, fx_get(f, "b", NULL), 5 * sizeof(float));
  l->params = params;
}

static void test_fixture_penalties(void) {
  fx_file *f = fx_load("regularizers.fx");
  const float *x = fx_get(f, "x", NULL); /* (7, 12) */
  const char *names[3] = {"sigmoid", "tanh", "relu"};
  ae_act acts[3] = {AE_ACT_SIGMOID, AE_ACT_TANH, AE_ACT_RELU};
  for (int a = 0; a < 3; a++) {
    ae_layer l;
    float params[65], grads[65] = {0}, h[35], dh[35] = {0}, dx[84];
    char key[64];
    fixture_layer(&l, params, f, acts[a]);
    l.ops->forward(&l, NULL, h, x, 7, 1);
    snprintf(key, sizeof key, "%s.h", names[a]);
    check_failures += fx_check_close(key, h, fx_get(f, key, NULL), 35, 1e-6, 1e-5);
    double l1 = ae_l1_penalty(NULL, h, 0.0f, 0.0f, 35);
    snprintf(key, sizeof key, "%s.l1", names[a]);
    CHECK_NEAR(l1, fx_get(f, key, NULL)[0], 1e-5 * l1);
    snprintf(key, sizeof key, "%s.contractive", names[a]);
    ae_act run = l.u.dense.run_act;
    double c = ae_dense_jacobian_sq(NULL, h, params, run, l.u.dense.slope, 7, 12, 5);
    CHECK_NEAR(c, fx_get(f, key, NULL)[0], 1e-5 * fabs(c));
    /* with dy = 0, the kernel's two parts and the layer's backward leave
     * exactly the penalty's gradients (weight 1) */
    ae_contractive_backward(grads, dh, h, params, run, l.u.dense.slope, 1.0f, 7, 12, 5);
    ae_layer_ctx ctx = {.n_total = 7};
    l.ops->backward(&l, &ctx, grads, dx, dh, x, h, 7);
    snprintf(key, sizeof key, "%s.contractive.dW", names[a]);
    check_failures += fx_check_close(key, grads, fx_get(f, key, NULL), 60, 1e-5, 1e-4);
    snprintf(key, sizeof key, "%s.contractive.db", names[a]);
    check_failures += fx_check_close(key, grads + 60, fx_get(f, key, NULL), 5, 1e-5, 1e-4);
    snprintf(key, sizeof key, "%s.contractive.dx", names[a]);
    check_failures += fx_check_close(key, dx, fx_get(f, key, NULL), 84, 1e-5, 1e-4);
  }
  /* the VAE's KL and the sampler's gradients */
  size_t nm;
  const float *mu = fx_get(f, "vkl.mu", &nm), *lv = fx_get(f, "vkl.logvar", NULL);
  int z = 4, n = (int)nm / z;
  float *in = malloc(2 * nm * sizeof(float)), *dx = malloc(2 * nm * sizeof(float));
  float *zout = malloc(nm * sizeof(float)), *dz = malloc(nm * sizeof(float));
  float *eps = malloc(nm * sizeof(float));
  for (int i = 0; i < n; i++) {
    memcpy(in + (size_t)i * 2 * z, mu + (size_t)i * z, (size_t)z * sizeof(float));
    memcpy(in + (size_t)i * 2 * z + z, lv + (size_t)i * z, (size_t)z * sizeof(float));
  }
  ae_layer s;
  CHECK_OK(ae_layer_from_text(&s, "sample", (ae_shape){2 * z, 1, 1}));
  CHECK_NEAR(ae_gauss_kl(in, n, z), fx_get(f, "vkl.value", NULL)[0], 1e-5);
  s.u.sample.fixed_eps = fx_get(f, "vkl.eps", NULL);
  ae_layer_ctx ctx = {.scratch = eps, .n_total = n};
  s.ops->forward(&s, &ctx, zout, in, n, 1);
  memcpy(dz, fx_get(f, "vkl.dz", NULL), nm * sizeof(float));
  s.ops->backward(&s, &ctx, NULL, dx, dz, in, zout, n); /* the reparameterisation */
  ae_gauss_kl_backward(dx, in, 1.0f, n, z);             /* and the KL term, weight 1 */
  float *dmu = malloc(nm * sizeof(float)), *dlv = malloc(nm * sizeof(float));
  for (int i = 0; i < n; i++) {
    memcpy(dmu + (size_t)i * z, dx + (size_t)i * 2 * z, (size_t)z * sizeof(float));
    memcpy(dlv + (size_t)i * z, dx + (size_t)i * 2 * z + z, (size_t)z * sizeof(float));
  }
  check_failures += fx_check_close("vkl.total.dmu", dmu, fx_get(f, "vkl.total.dmu", NULL), nm, 1e-5, 1e-4);
  check_failures += fx_check_close("vkl.total.dlogvar", dlv, fx_get(f, "vkl.total.dlogvar", NULL), nm,
                                   1e-5, 1e-4);
  free(in), free(dx), free(zout), free(dz), free(eps), free(dmu), free(dlv);

  /* KL sparsity: the model's term on the fixture's sigmoid codes */
  ae_model *m = NULL;
  char spec[128];
  snprintf(spec, sizeof spec, "dense:5:sigmoid|dense:12:identity;loss=mse;sparsity=%g:%g",
           (double)fx_get(f, "kls.rho", NULL)[0], (double)fx_get(f, "kls.beta", NULL)[0]);
  CHECK_OK(ae_model_create(&m, spec, 1, 3, 4, 1));
  if (m) {
    memcpy(m->params, fx_get(f, "W", NULL), 60 * sizeof(float));
    memcpy(m->params + 60, fx_get(f, "b", NULL), 5 * sizeof(float));
    CHECK_OK(ae_model_plan(m, 7));
    ae_workspace *ws = &m->ws[0];
    memcpy(ws->acts[0], x, 84 * sizeof(float));
    ae_model_forward(m, ws, 7, 1);
    ae_model_loss_step(m, ws, x, 7, 1, ae_objective_denom(m, 7));
    CHECK_NEAR(m->obj.sparsity * ws->terms.sparsity, fx_get(f, "kls.value", NULL)[0], 1e-5);
    ae_model_free(m);
  }
  fx_free(f);
}

/* ---- evaluation: the VAE's terms and the importance-weighted bound ---- */

static ae_dataset *fashion(const char *file, size_t start, size_t count) {
  ae_dataset *all = NULL, *part = NULL;
  char path[512];
  snprintf(path, sizeof path, "%s/%s", AE_FASHION_DIR, file);
  CHECK_OK(ae_dataset_load(&all, path, NULL));
  if (!all) return NULL;
  CHECK_OK(ae_dataset_scale(all, 0.0f, 255.0f));
  CHECK_OK(ae_dataset_slice(&part, all, start, count));
  ae_dataset_free(all);
  return part;
}

static void test_vae_training_and_bounds(void) {
  ae_dataset *train = fashion("train-images-idx3-ubyte.gz", 0, 10000);
  ae_dataset *test = fashion("t10k-images-idx3-ubyte.gz", 0, 1000);
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "vae", 1, 28, 28, 1));
  if (!train || !test || !m) return;
  CHECK(ae_model_is_variational(m) && ae_model_code_dim(m) == 20);
  ae_eval_result before, after;
  CHECK_OK(ae_model_evaluate(m, &before, test));
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 2, o.batch_size = 128, o.kl_warmup = 0.5f;
  CHECK_OK(ae_train(m, train, NULL, &o, NULL));
  CHECK_OK(ae_model_evaluate(m, &after, test));
  printf("vae on 10000 images, 2 epochs: test -ELBO %.2f -> %.2f nats (recon %.2f, KL %.2f)\n",
         before.nelbo, after.nelbo, after.recon, after.kl);
  CHECK(after.nelbo < 300.0 && after.kl > 5.0); /* PyTorch's model: ~270 here */
  CHECK_NEAR(after.nelbo, after.recon + after.kl, 1e-9 * after.nelbo);
  CHECK(m->obj.kl_weight == 1.0f); /* warm-up over, beta back */
  /* the same draws on every evaluation */
  ae_eval_result again;
  CHECK_OK(ae_model_evaluate(m, &again, test));
  CHECK(again.nelbo == after.nelbo);
  /* IW: k = 1 is a one-draw ELBO (Monte Carlo KL): equal in expectation.
   * Over 1000 images the per-image spread of the one-draw estimate (a few
   * nats) gives a standard error well under 0.5 nats; allow 1.5. Larger k
   * may not increase it beyond that noise. */
  double iw1, iw10, iw100;
  CHECK_OK(ae_model_evaluate_iw(m, &iw1, test, 1, 9));
  CHECK_OK(ae_model_evaluate_iw(m, &iw10, test, 10, 9));
  CHECK_OK(ae_model_evaluate_iw(m, &iw100, test, 100, 9));
  printf("iw nll: k=1 %.3f, k=10 %.3f, k=100 %.3f (ELBO %.3f)\n", iw1, iw10, iw100, after.nelbo);
  CHECK_NEAR(iw1, after.nelbo, 1.5);
  CHECK(iw10 < iw1 + 0.5 && iw100 < iw10 + 0.5 && iw100 < after.nelbo);
  /* per-sample -ELBO (the VAE's anomaly score) averages to the ELBO */
  size_t nt = ae_dataset_count(test);
  float *per = malloc(nt * sizeof(float)), *scores = malloc(nt * sizeof(float));
  CHECK_OK(ae_model_sample_nelbo(m, per, ae_dataset_data(test), nt));
  CHECK_OK(ae_detector_scores(m, scores, ae_dataset_data(test), nt));
  double mean = 0.0;
  for (size_t i = 0; i < nt; i++) mean += per[i];
  CHECK_NEAR(mean / (double)nt, after.nelbo, 1e-5 * after.nelbo);
  CHECK(memcmp(per, scores, nt * sizeof(float)) == 0);
  free(per);
  free(scores);
  /* generation: decodings of prior draws are images in [0, 1] */
  float *gen = malloc(16 * 784 * sizeof(float));
  CHECK_OK(ae_model_generate(m, gen, 16, 3));
  int in_range = 1;
  for (int k = 0; k < 16 * 784; k++) in_range &= gen[k] >= 0.0f && gen[k] <= 1.0f;
  CHECK(in_range);
  free(gen);
  ae_model_free(m);
  ae_dataset_free(train);
  ae_dataset_free(test);
}

/* The convolutional VAE: a 2-d code of means, trains, evaluates. */
static void test_conv_vae(void) {
  ae_dataset *train = fashion("train-images-idx3-ubyte.gz", 0, 1024);
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "conv-vae", 1, 28, 28, 1));
  if (!train || !m) return;
  CHECK(ae_model_is_variational(m) && ae_model_code_dim(m) == 2);
  ae_eval_result before, after;
  CHECK_OK(ae_model_evaluate(m, &before, train));
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 2, o.batch_size = 64;
  CHECK_OK(ae_train(m, train, NULL, &o, NULL));
  CHECK_OK(ae_model_evaluate(m, &after, train));
  printf("conv-vae, 1024 images, 2 epochs: -ELBO %.1f -> %.1f nats\n", before.nelbo, after.nelbo);
  CHECK(after.nelbo < before.nelbo - 50.0 && isfinite(after.kl));
  ae_model_free(m);
  ae_dataset_free(train);
}

/* ---- the sparse and contractive kinds reach what they promise ---- */

static void test_sparse_reaches_rho(void) {
  ae_dataset *train = fashion("train-images-idx3-ubyte.gz", 0, 10000);
  ae_dataset *test = fashion("t10k-images-idx3-ubyte.gz", 0, 1000);
  ae_model *m = NULL;
  CHECK_OK(ae_model_create(&m, "dense:64:sigmoid;sparsity=0.05:3", 1, 28, 28, 1));
  if (!train || !test || !m) return;
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 3, o.threads = 2; /* KL sparsity sums the batch over both workers */
  CHECK_OK(ae_train(m, train, NULL, &o, NULL));
  ae_eval_result r;
  CHECK_OK(ae_model_evaluate(m, &r, test));
  printf("sparse rho 0.05: mean code activation %.4f, near zero %.3f, BCE %.4f\n", r.code_mean,
         r.code_zero, r.loss);
  CHECK(fabs(r.code_mean - 0.05) <= 0.2 * 0.05);
  ae_model_free(m);
  ae_dataset_free(train);
  ae_dataset_free(test);
}

static void test_contractive_shrinks_jacobian(void) {
  ae_dataset *train = fashion("train-images-idx3-ubyte.gz", 0, 5000);
  ae_dataset *test = fashion("t10k-images-idx3-ubyte.gz", 0, 1000);
  double norms[2];
  const char *specs[2] = {"dense:32:sigmoid", "dense:32:sigmoid;contractive=0.1"};
  for (int k = 0; k < 2 && train && test; k++) {
    ae_model *m = NULL;
    CHECK_OK(ae_model_create(&m, specs[k], 1, 28, 28, 1));
    if (!m) return;
    ae_train_options o;
    ae_train_options_defaults(&o);
    o.epochs = 2;
    CHECK_OK(ae_train(m, train, NULL, &o, NULL));
    ae_eval_result r;
    CHECK_OK(ae_model_evaluate(m, &r, test));
    norms[k] = r.jacobian;
    printf("%s: mean |J|_F %.4f, BCE %.4f\n", specs[k], r.jacobian, r.loss);
    ae_model_free(m);
  }
  CHECK(norms[1] < 0.7 * norms[0]);
  ae_dataset_free(train);
  ae_dataset_free(test);
}

/* Two workers give the batch's gradient: the same step as one worker. */
static void test_threads_agree(void) {
  ae_dataset *train = fashion("train-images-idx3-ubyte.gz", 0, 512);
  const char *spec = "dense:16:sigmoid;sparsity=0.1:1;l1=0.001;contractive=0.01;l2=0.001";
  ae_model *a = NULL, *b = NULL;
  CHECK_OK(ae_model_create(&a, spec, 1, 28, 28, 1));
  CHECK_OK(ae_model_create(&b, spec, 1, 28, 28, 1));
  if (!train || !a || !b) return;
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 1, o.batch_size = 64, o.threads = 1;
  CHECK_OK(ae_train(a, train, NULL, &o, NULL));
  o.threads = 2;
  CHECK_OK(ae_train(b, train, NULL, &o, NULL));
  double worst = 0.0;
  for (size_t k = 0; k < ae_model_param_count(a); k++)
    worst = fmax(worst, fabs(a->params[k] - b->params[k]));
  printf("1 vs 2 workers after 8 steps: max parameter difference %.2g\n", worst);
  CHECK(worst < 1e-4);
  ae_model_free(a);
  ae_model_free(b);
  ae_dataset_free(train);
}

/* ---- bad input ---- */

static void test_bad_input(void) {
  ae_model *m = NULL;
  CHECK_FAILS(ae_model_create(&m, "vae;beta=-1", 1, 28, 28, 1), AE_ERR_ARG, "beta");
  CHECK_FAILS(ae_model_create(&m, "dense:8:sigmoid;sparsity=1.5:3", 1, 28, 28, 1), AE_ERR_ARG,
              "must be in (0, 1)");
  CHECK_FAILS(ae_model_create(&m, "dense:8:sigmoid;sparsity=0:3", 1, 28, 28, 1), AE_ERR_ARG,
              "must be in (0, 1)");
  CHECK_FAILS(ae_model_create(&m, "dense:8:relu;sparsity=0.05:3", 1, 28, 28, 1), AE_ERR_ARG,
              "sigmoid code");
  CHECK_FAILS(ae_model_create(&m, "conv:4:3,flatten|dense:784:sigmoid;contractive=0.1", 1, 28, 28, 1),
              AE_ERR_ARG, "dense code layer");
  CHECK_FAILS(ae_model_create(&m, "dense:10,sample,dense:5|dense:784:sigmoid", 1, 28, 28, 1),
              AE_ERR_ARG, "last layer of the encoder");
  CHECK_FAILS(ae_model_create(&m, "dense:9,sample|dense:784:sigmoid", 1, 28, 28, 1), AE_ERR_SHAPE,
              "even number");
  CHECK_FAILS(ae_model_create(&m, "dense:8;l1=x", 1, 28, 28, 1), AE_ERR_ARG, "l1");
  CHECK_FAILS(ae_model_create(&m, "dense:8;wobble=1", 1, 28, 28, 1), AE_ERR_ARG, "unknown option");
  CHECK(m == NULL);
  /* a plain autoencoder has no prior to sample from, no IW bound */
  CHECK_OK(ae_model_create(&m, "dense", 1, 28, 28, 1));
  float x[784] = {0};
  double nll;
  CHECK_FAILS(ae_model_generate(m, x, 1, 1), AE_ERR_ARG, "not variational");
  ae_dataset *one = NULL;
  CHECK_OK(ae_dataset_from_array(&one, x, 1, 784, NULL));
  CHECK_FAILS(ae_model_evaluate_iw(m, &nll, one, 5, 1), AE_ERR_ARG, "not variational");
  ae_model_free(m);
  CHECK_OK(ae_model_create(&m, "vae", 1, 28, 28, 1));
  CHECK_FAILS(ae_model_evaluate_iw(m, &nll, one, 0, 1), AE_ERR_ARG, "1..");
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.kl_warmup = -1.0f;
  CHECK_FAILS(ae_train(m, one, NULL, &o, NULL), AE_ERR_ARG, "warm-up");
  /* the objective survives save and load through the spec */
  ae_model_free(m);
  CHECK_OK(ae_model_create(&m, "vae;beta=0.5;l2=0.001", 1, 28, 28, 1));
  CHECK(strstr(ae_model_spec(m), ";beta=0.5;l2=0.001") != NULL);
  ae_model_free(m);
  ae_dataset_free(one);
}

int main(void) {
  test_finite_differences();
  test_bad_input();
  test_fixture_penalties();
  test_threads_agree();
  test_vae_training_and_bounds();
  test_conv_vae();
  test_sparse_reaches_rho();
  test_contractive_shrinks_jacobian();
  CHECK_DONE();
}
