/* SPDX-License-Identifier: MIT */
/* test_net.c — a net on its own: a discriminator-shaped stack (dense tanh,
 * batch norm, dense sigmoid) over blocks and an activation plan of its own,
 * not a model's; its backward gives the gradients of sum(r * y) in the
 * parameters and the input, against finite differences, with the
 * objective's hook adding a term at an inner activation. */
#include "check.h"
#include "fdcheck.h"
#include "net.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

enum { N = 6, D = 5, H = 4 };

typedef struct net_case {
  ae_layer layers[3];
  ae_net net;
  float *params, *state, *grads, *x, *r;
  float *acts[4], *scratch[3], *ga, *gb, *plan;
  double sync[3][4 * H];
  double *syncp[3];
  ae_rng rng;
} net_case;

static ae_net_run run_of(net_case *q, ae_net_grad_hook hook) {
  ae_net_run r = {q->acts, q->scratch, q->syncp, q->grads, q->ga, q->gb, &q->rng, NULL, 0, 1, N,
                  0, 0, hook, q};
  return r;
}

/* sum(r * y) + 1/2 |h|^2 of the first layer's output h (the hook's term). */
static double objective(void *p) {
  net_case *q = p;
  memcpy(q->acts[0], q->x, sizeof(float) * N * D);
  ae_net_run r = run_of(q, NULL);
  ae_net_forward(&q->net, &r, 0, 3, N, 1);
  double s = 0.0;
  for (int k = 0; k < N; k++) s += (double)q->r[k] * q->acts[3][k];
  for (int k = 0; k < N * H; k++) s += 0.5 * (double)q->acts[1][k] * q->acts[1][k];
  return s;
}

static void hook(void *ctx, const ae_net *net, int at, float *d, int n) {
  net_case *q = ctx;
  (void)net;
  if (at == 1)
    for (int k = 0; k < n * H; k++) d[k] += q->acts[1][k];
}

static void test_net_alone(void) {
  net_case q;
  memset(&q, 0, sizeof q);
  const char *texts[3] = {"dense:4:tanh", "bn", "dense:1:sigmoid"};
  ae_shape in = {D, 1, 1};
  for (int i = 0; i < 3; i++) {
    CHECK_OK(ae_layer_from_text(&q.layers[i], texts[i], in));
    in = q.layers[i].out;
  }
  size_t p = ae_net_param_count(q.layers, 3), s = ae_net_state_count(q.layers, 3);
  CHECK(p == (size_t)(D * H + H) + 2 * H + (H + 1));
  CHECK(s == 2 * H);
  q.params = calloc(p + 3, sizeof(float)), q.state = calloc(s + 1, sizeof(float));
  q.grads = calloc(p, sizeof(float));
  ae_net_init(&q.net, q.layers, 3, 0, q.params, 3, q.state, 1); /* at offsets in bigger blocks */
  CHECK(q.net.n_params == p && q.net.params == q.params + 3 && q.layers[2].offset == 3 + p - 5);
  ae_rng_seed(&q.rng, 5);
  for (int i = 0; i < 3; i++)
    if (q.layers[i].ops->init) q.layers[i].ops->init(&q.layers[i], AE_INIT_TORCH, &q.rng);
  q.x = malloc(sizeof(float) * N * D), q.r = malloc(sizeof(float) * N);
  for (int k = 0; k < N * D; k++) q.x[k] = (float)ae_rng_normal(&q.rng);
  for (int k = 0; k < N; k++) q.r[k] = (float)ae_rng_normal(&q.rng);
  /* its own activation plan: outputs (N, 4), (N, 4), (N, 1); bn's scratch */
  size_t na = ae_net_act_count(&q.net, N), ns = ae_net_scratch_count(&q.net, N);
  CHECK(na == (size_t)N * (H + H + 1) && ns == 2 * H && ae_net_widest(&q.net) == H);
  q.plan = calloc(na + ns, sizeof(float));
  float *ap = q.plan, *sp = q.plan + na;
  ae_net_plan(&q.net, N, q.acts, q.scratch, &ap, &sp);
  CHECK(ap == q.plan + na && sp == q.plan + na + ns && q.acts[3] == q.plan + 2 * N * H);
  q.acts[0] = calloc((size_t)N * D, sizeof(float));
  for (int i = 0; i < 3; i++) q.syncp[i] = q.sync[i];
  q.ga = calloc(N * D, sizeof(float)), q.gb = calloc(N * D, sizeof(float));
  objective(&q);
  memcpy(q.ga, q.r, sizeof(float) * N);
  ae_net_run r = run_of(&q, hook);
  float *dx = ae_net_backward(&q.net, &r, q.ga, N, 1);
  CHECK(dx == q.ga || dx == q.gb);
  float *dxc = malloc(sizeof(float) * N * D);
  memcpy(dxc, dx, sizeof(float) * N * D);
  check_failures += fd_check("net params", objective, &q, q.net.params, q.grads, p, 1e-2f, 0);
  check_failures += fd_check("net input", objective, &q, q.x, dxc, N * D, 1e-2f, 0);
  CHECK(ae_net_backward(&q.net, &r, q.ga, N, 0) == NULL);
  free(q.acts[0]), free(q.plan);
  free(q.params), free(q.state), free(q.grads), free(q.x), free(q.r), free(q.ga), free(q.gb);
  free(dxc);
}

int main(void) {
  test_net_alone();
  CHECK_DONE();
}
