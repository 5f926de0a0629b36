/* SPDX-License-Identifier: MIT */
/* test_seq.c — the sequence layers (layer_rnn.c, layer_seq.c over the
 * kernels of k_rnn.c and k_seq.c): lstm and gru (one direction and
 * bidirectional, whole sequence and last state, T = 1, stacked), conv1d and
 * convt1d (PyTorch's padding and Keras' "same" at stride 2, dilation,
 * output padding), maxpool1d and upsample1d against PyTorch fixtures
 * (tests/fixtures/seq.fx, written by tests/ref/make_seq_fixtures.py); every
 * kind (repeat and tdense too) by central finite differences of sum(r * y)
 * in its parameters and its input; backward adds into parameter gradients;
 * shapes and bad specs give errors. */
#include "check.h"
#include "fdcheck.h"
#include "fixture.h"
#include "layer.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double ATOL = 2e-5, RTOL = 2e-4;

/* A stack of up to 3 layers with everything one worker needs. */
typedef struct stack {
  int nl, n;
  ae_layer l[3];
  float *params, *grads, *acts[4], *scratch[3], *x, *r, *dx;
  size_t np;
  ae_rng rng;
} stack;

static int build(stack *s, const char *const *texts, int nl, ae_shape in, int n) {
  memset(s, 0, sizeof *s);
  s->nl = nl, s->n = n;
  for (int i = 0; i < nl; i++) {
    ae_status st = ae_layer_from_text(&s->l[i], texts[i], in);
    if (st) {
      fprintf(stderr, "%s: %s\n", texts[i], ae_last_error());
      check_failures++;
      return -1;
    }
    s->l[i].offset = s->np;
    s->np += s->l[i].ops->param_count(&s->l[i]);
    in = s->l[i].out;
  }
  s->params = calloc(s->np + 1, sizeof(float));
  s->grads = calloc(s->np + 1, sizeof(float));
  s->acts[0] = calloc((size_t)n * s->l[0].in_dim, sizeof(float));
  s->x = calloc((size_t)n * s->l[0].in_dim, sizeof(float));
  s->dx = calloc((size_t)n * s->l[0].in_dim, sizeof(float));
  for (int i = 0; i < nl; i++) {
    ae_layer *l = &s->l[i];
    l->params = s->params + l->offset;
    l->n_params = l->ops->param_count(l);
    s->acts[i + 1] = calloc((size_t)n * l->out_dim, sizeof(float));
    size_t sc = l->ops->scratch_count ? l->ops->scratch_count(l, n) : 0;
    s->scratch[i] = calloc(sc + 1, sizeof(float));
  }
  s->r = calloc((size_t)n * s->l[nl - 1].out_dim, sizeof(float));
  ae_rng_seed(&s->rng, 11);
  return 0;
}

static void release(stack *s) {
  for (int i = 0; i <= s->nl; i++) free(s->acts[i]);
  for (int i = 0; i < s->nl; i++) free(s->scratch[i]);
  free(s->params), free(s->grads), free(s->x), free(s->r), free(s->dx);
}

static ae_layer_ctx ctx_of(stack *s, int i) {
  ae_layer_ctx c = {s->scratch[i], &s->rng, NULL, NULL, 0, 1, s->n, 0, 0};
  return c;
}

static const float *forward(stack *s) {
  memcpy(s->acts[0], s->x, sizeof(float) * s->n * s->l[0].in_dim);
  for (int i = 0; i < s->nl; i++) {
    ae_layer_ctx c = ctx_of(s, i);
    s->l[i].ops->forward(&s->l[i], &c, s->acts[i + 1], s->acts[i], s->n, 1);
  }
  return s->acts[s->nl];
}

/* Backward of sum(dy * y) from the last forward: grads += , s->dx = . */
static void backward(stack *s, const float *dy) {
  int widest = 0;
  for (int i = 0; i <= s->nl; i++) {
    int d = i ? s->l[i - 1].out_dim : s->l[0].in_dim;
    if (d > widest) widest = d;
  }
  float *a = calloc((size_t)s->n * widest, sizeof(float)), *b = calloc((size_t)s->n * widest, sizeof(float));
  memcpy(a, dy, sizeof(float) * s->n * s->l[s->nl - 1].out_dim);
  for (int i = s->nl - 1; i >= 0; i--) {
    ae_layer_ctx c = ctx_of(s, i);
    ae_layer *l = &s->l[i];
    l->ops->backward(l, &c, s->grads + l->offset, b, a, s->acts[i], s->acts[i + 1], s->n);
    float *t = a;
    a = b, b = t;
  }
  memcpy(s->dx, a, sizeof(float) * s->n * s->l[0].in_dim);
  free(a), free(b);
}

static double objective(void *p) {
  stack *s = p;
  const float *y = forward(s);
  double v = 0.0;
  size_t m = (size_t)s->n * s->l[s->nl - 1].out_dim;
  for (size_t k = 0; k < m; k++) v += (double)s->r[k] * y[k];
  return v;
}

/* ---- finite differences --------------------------------------------------- */

static void fd_case(const char *const *texts, int nl, ae_shape in, int n) {
  stack s;
  if (build(&s, texts, nl, in, n)) return;
  for (int i = 0; i < nl; i++)
    if (s.l[i].ops->init) s.l[i].ops->init(&s.l[i], AE_INIT_TORCH, &s.rng);
  for (size_t k = 0; k < s.np; k++) s.params[k] *= 2.0f; /* livelier gates */
  size_t nx = (size_t)n * s.l[0].in_dim, ny = (size_t)n * s.l[nl - 1].out_dim;
  for (size_t k = 0; k < nx; k++) s.x[k] = (float)ae_rng_normal(&s.rng);
  for (size_t k = 0; k < ny; k++) s.r[k] = (float)ae_rng_normal(&s.rng);
  objective(&s);
  backward(&s, s.r);
  float *dx = malloc(sizeof(float) * nx);
  memcpy(dx, s.dx, sizeof(float) * nx);
  char what[160];
  snprintf(what, sizeof what, "%s%s%s params", texts[0], nl > 1 ? " + " : "",
           nl > 1 ? texts[nl - 1] : "");
  if (s.np) check_failures += fd_check(what, objective, &s, s.params, s.grads, s.np, 1e-2f, 0);
  snprintf(what, sizeof what, "%s%s%s input", texts[0], nl > 1 ? " + " : "",
           nl > 1 ? texts[nl - 1] : "");
  check_failures += fd_check(what, objective, &s, s.x, dx, nx, 1e-2f, 0);
  /* a second backward adds the same parameter gradients again */
  if (s.np) {
    float *g1 = malloc(sizeof(float) * s.np);
    memcpy(g1, s.grads, sizeof(float) * s.np);
    objective(&s);
    backward(&s, s.r);
    double worst = 0.0;
    for (size_t k = 0; k < s.np; k++) {
      double e = fabs(s.grads[k] - 2.0 * g1[k]) / (1e-3 + fabs(g1[k]));
      if (e > worst) worst = e;
    }
    if (worst > 1e-4) {
      fprintf(stderr, "%s: a second backward does not add (%g)\n", texts[0], worst);
      check_failures++;
    }
    free(g1);
  }
  free(dx);
  release(&s);
}

static void test_finite_differences(void) {
  const ae_shape seq = {1, 5, 3};
  static const char *one[][1] = {
      {"lstm:4"},           {"lstm:3:out=last"}, {"lstm:3:bi=1"},      {"lstm:2:bi=1:out=last"},
      {"gru:4"},            {"gru:3:out=last"},  {"gru:3:bi=1"},       {"gru:2:bi=1:out=last"},
      {"conv1d:4:3:pad=1:tanh"}, {"conv1d:2:3:stride=2:pad=same:sigmoid"},
      {"conv1d:3:2:dil=2"},  {"convt1d:2:3:stride=2:pad=1:outpad=1:tanh"},
      {"convt1d:3:4:stride=2:pad=same"}, {"maxpool1d:2"}, {"maxpool1d:3:stride=2:pad=1"},
      {"upsample1d:2"},      {"repeat:4"},        {"tdense:4:tanh"},
  };
  for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) fd_case(one[i], 1, seq, 3);
  /* T = 1, and one sample */
  fd_case((const char *const[]){"lstm:3:bi=1"}, 1, (ae_shape){1, 1, 2}, 2);
  fd_case((const char *const[]){"gru:3"}, 1, (ae_shape){1, 1, 2}, 1);
  /* stacks: the encoder-decoder shape of the presets, and conv1d -> lstm */
  fd_case((const char *const[]){"lstm:4:out=last", "repeat:5", "gru:3"}, 3, seq, 2);
  fd_case((const char *const[]){"conv1d:4:3:stride=2:pad=same:relu", "lstm:3:bi=1",
                                "tdense:2:sigmoid"},
          3, (ae_shape){1, 8, 2}, 2);
}

/* ---- PyTorch fixtures ----------------------------------------------------- */

static void check_tensor(const fx_file *f, const char *prefix, const char *name, const float *got,
                         size_t n) {
  check_failures += fx_check_in(f, prefix, name, got, n, ATOL, RTOL);
}

/* Set (or, with check = 1, compare the gradients of) every stored tensor of
 * the stack's layers from PREFIX.NAME, where a recurrent stack's layer i
 * reads PyTorch's _l<i> names (our layers are one-layer modules). */
static void tensors(stack *s, const fx_file *f, const char *prefix, int check, int torch_rnn) {
  for (int i = 0; i < s->nl; i++) {
    ae_layer *l = &s->l[i];
    ae_tensor_view v[AE_MAX_LAYER_TENSORS];
    int nv = l->ops->tensors(l, v);
    for (int k = 0; k < nv; k++) {
      char name[64];
      snprintf(name, sizeof name, "%s", v[k].suffix);
      if (torch_rnn) { /* weight_ih_l0[_reverse] -> weight_ih_l<i>[_reverse] */
        char *at = strstr(name, "_l0");
        if (at) at[2] = (char)('0' + i);
      } else if (!strcmp(name, "weight")) {
        snprintf(name, sizeof name, "w");
      } else if (!strcmp(name, "bias")) {
        snprintf(name, sizeof name, "b");
      }
      size_t count = 1;
      for (int d = 0; d < v[k].ndim; d++) count *= (size_t)v[k].shape[d];
      char full[80], probe[160];
      snprintf(probe, sizeof probe, "%s.%s", prefix, name);
      if (!fx_has(f, probe)) { /* PyTorch ran without it (bias=False): ours stays 0 */
        if (!check) memset(l->params + v[k].offset, 0, sizeof(float) * count);
        continue;
      }
      snprintf(full, sizeof full, "%s%s", check ? (torch_rnn ? "grad." : "d") : "", name);
      if (check) {
        check_tensor(f, prefix, full, s->grads + l->offset + v[k].offset, count);
      } else {
        size_t rn;
        const float *ref = fx_get_in(f, prefix, full, &rn);
        if (rn != count) {
          fprintf(stderr, "%s.%s: %zu values, layer has %zu\n", prefix, full, rn, count);
          exit(1);
        }
        memcpy(l->params + v[k].offset, ref, sizeof(float) * count);
      }
    }
  }
}

static void run_fixture(const fx_file *f, const char *prefix, const char *const *texts, int nl,
                        ae_shape in, int n, int torch_rnn, int has_params) {
  stack s;
  if (build(&s, texts, nl, in, n)) return;
  if (has_params) tensors(&s, f, prefix, 0, torch_rnn);
  size_t nx = (size_t)n * s.l[0].in_dim, ny = (size_t)n * s.l[nl - 1].out_dim, cnt;
  const float *x = fx_get_in(f, prefix, "x", &cnt);
  if (cnt != nx) {
    fprintf(stderr, "%s.x: %zu values, layer takes %zu\n", prefix, cnt, nx);
    exit(1);
  }
  memcpy(s.x, x, sizeof(float) * nx);
  check_tensor(f, prefix, "y", forward(&s), ny);
  const float *dy = fx_get_in(f, prefix, "dy", &cnt);
  if (cnt != ny) {
    fprintf(stderr, "%s.dy: %zu values, layer gives %zu\n", prefix, cnt, ny);
    exit(1);
  }
  backward(&s, dy);
  check_tensor(f, prefix, "dx", s.dx, nx);
  if (has_params) tensors(&s, f, prefix, 1, torch_rnn);
  release(&s);
}

static void test_rnn_fixtures(const fx_file *f) {
  static const char *cases[] = {"basic", "t1", "last", "bi", "bi_last", "stack2", "bi_stack2"};
  for (int kind = 0; kind < 2; kind++)
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
      char prefix[32];
      snprintf(prefix, sizeof prefix, "%s_%s", kind ? "gru" : "lstm", cases[c]);
      int g[7];
      fx_cfg(f, prefix, g, 7); /* N T F H B LAST L */
      char texts[2][48];
      const char *tp[2] = {texts[0], texts[1]};
      for (int i = 0; i < g[6]; i++)
        snprintf(texts[i], sizeof texts[i], "%s:%d%s%s", kind ? "gru" : "lstm", g[3],
                 g[4] ? ":bi=1" : "", g[5] && i == g[6] - 1 ? ":out=last" : "");
      run_fixture(f, prefix, tp, g[6], (ae_shape){1, g[1], g[2]}, g[0], 1, 1);
    }
}

static void test_conv_fixtures(const fx_file *f) {
  static const char *conv[] = {"c1_basic", "c1_s2same", "c1_dil2", "c1_s3", "c1_k1", "c1_t1"};
  for (size_t c = 0; c < sizeof conv / sizeof conv[0]; c++) {
    int g[10]; /* N T C O K stride pad_left pad_right dil has_bias */
    fx_cfg(f, conv[c], g, 10);
    char text[96];
    if (g[6] != g[7]) /* only Keras' "same" pads unevenly */
      snprintf(text, sizeof text, "conv1d:%d:%d:stride=%d:pad=same:dil=%d", g[3], g[4], g[5],
               g[8]);
    else
      snprintf(text, sizeof text, "conv1d:%d:%d:stride=%d:pad=%d:dil=%d", g[3], g[4], g[5], g[6],
               g[8]);
    const char *tp[1] = {text};
    run_fixture(f, conv[c], tp, 1, (ae_shape){1, g[1], g[2]}, g[0], 0, 1);
  }
  /* transposed: cfg N T C O K stride crop out_len dil has_bias; the cases
   * with PyTorch's padding P give crop = P; ct1_same is Keras' "same" */
  static const char *convt[] = {"ct1_s2p1", "ct1_s2p1op1", "ct1_d2", "ct1_t1", "ct1_same"};
  for (size_t c = 0; c < sizeof convt / sizeof convt[0]; c++) {
    int g[10];
    fx_cfg(f, convt[c], g, 10);
    int span = g[8] * (g[4] - 1) + 1, t = g[1], s = g[5];
    int op = g[7] - ((t - 1) * s - 2 * g[6] + span); /* output padding */
    char text[96];
    if (!strcmp(convt[c], "ct1_same"))
      snprintf(text, sizeof text, "convt1d:%d:%d:stride=%d:pad=same:dil=%d", g[3], g[4], s, g[8]);
    else
      snprintf(text, sizeof text, "convt1d:%d:%d:stride=%d:pad=%d:outpad=%d:dil=%d", g[3], g[4], s,
               g[6], op, g[8]);
    const char *tp[1] = {text};
    stack probe;
    if (build(&probe, tp, 1, (ae_shape){1, t, g[2]}, 1)) continue;
    CHECK(probe.l[0].out.h == g[7]);
    release(&probe);
    run_fixture(f, convt[c], tp, 1, (ae_shape){1, t, g[2]}, g[0], 0, 1);
  }
  static const char *pool[] = {"mp1_k2s2", "mp1_k3s2p1"};
  for (size_t c = 0; c < 2; c++) {
    int g[6]; /* N T C kernel stride pad */
    fx_cfg(f, pool[c], g, 6);
    char text[64];
    snprintf(text, sizeof text, "maxpool1d:%d:stride=%d:pad=%d", g[3], g[4], g[5]);
    const char *tp[1] = {text};
    run_fixture(f, pool[c], tp, 1, (ae_shape){1, g[1], g[2]}, g[0], 0, 0);
  }
  static const char *up[] = {"up1_x2", "up1_x3"};
  for (size_t c = 0; c < 2; c++) {
    int g[4]; /* N T C S */
    fx_cfg(f, up[c], g, 4);
    char text[64];
    snprintf(text, sizeof text, "upsample1d:%d", g[3]);
    const char *tp[1] = {text};
    run_fixture(f, up[c], tp, 1, (ae_shape){1, g[1], g[2]}, g[0], 0, 0);
  }
}

/* ---- shapes and errors ---------------------------------------------------- */

static void test_shapes(void) {
  ae_layer l;
  CHECK_OK(ae_layer_from_text(&l, "lstm:8:bi=1", (ae_shape){1, 10, 3}));
  CHECK(l.out.c == 1 && l.out.h == 10 && l.out.w == 16);
  CHECK(l.ops->param_count(&l) == 2 * (4 * 8 * 3 + 4 * 8 * 8 + 2 * 4 * 8));
  CHECK_OK(ae_layer_from_text(&l, "gru:5:out=last", (ae_shape){1, 7, 2}));
  CHECK(l.out.h == 1 && l.out.w == 5 && l.ops->param_count(&l) == 3 * 5 * 2 + 3 * 5 * 5 + 30);
  /* Keras' model: 288 steps -> 144 -> 72 and back */
  CHECK_OK(ae_layer_from_text(&l, "conv1d:32:7:stride=2:pad=same:relu", (ae_shape){1, 288, 1}));
  CHECK(l.out.h == 144 && l.out.w == 32);
  CHECK_OK(ae_layer_from_text(&l, "convt1d:16:7:stride=2:pad=same:relu", (ae_shape){1, 72, 16}));
  CHECK(l.out.h == 144 && l.out.w == 16);
  CHECK_OK(ae_layer_from_text(&l, "conv1d:4:3:pad=same", (ae_shape){1, 9, 2}));
  CHECK(l.out.h == 9);
  CHECK_OK(ae_layer_from_text(&l, "repeat:12", (ae_shape){6, 1, 1}));
  CHECK(l.out.c == 1 && l.out.h == 12 && l.out.w == 6);
  CHECK_OK(ae_layer_from_text(&l, "tdense:3", (ae_shape){1, 4, 9}));
  CHECK(l.out.h == 4 && l.out.w == 3 && l.ops->param_count(&l) == 30);
  char buf[128];
  CHECK_OK(ae_layer_from_text(&l, "convt1d:3:5:stride=2:pad=2:outpad=1:relu", (ae_shape){1, 4, 2}));
  l.ops->spec(&l, buf, sizeof buf);
  CHECK(!strcmp(buf, "convt1d:3:5:stride=2:pad=2:outpad=1:relu"));
  CHECK_OK(ae_layer_from_text(&l, "lstm:4:out=last:bi=1", (ae_shape){1, 4, 2}));
  l.ops->spec(&l, buf, sizeof buf);
  CHECK(!strcmp(buf, "lstm:4:bi=1:out=last"));
  /* errors: an image with channels, a window that does not fit, bad options */
  CHECK(ae_layer_from_text(&l, "lstm:4", (ae_shape){3, 8, 8}) == AE_ERR_SHAPE);
  CHECK(strstr(ae_last_error(), "needs a sequence (1, T, F)") != NULL);
  CHECK(ae_layer_from_text(&l, "conv1d:4:7", (ae_shape){1, 5, 2}) == AE_ERR_SHAPE);
  CHECK(ae_layer_from_text(&l, "maxpool1d:4", (ae_shape){1, 3, 2}) == AE_ERR_SHAPE);
  CHECK(ae_layer_from_text(&l, "lstm:4:out=all", (ae_shape){1, 3, 2}) == AE_ERR_ARG);
  CHECK(ae_layer_from_text(&l, "gru:4:bi=2", (ae_shape){1, 3, 2}) == AE_ERR_ARG);
  CHECK(ae_layer_from_text(&l, "lstm:4:relu", (ae_shape){1, 3, 2}) == AE_ERR_ARG);
  CHECK(ae_layer_from_text(&l, "convt1d:4:3:stride=2:outpad=2", (ae_shape){1, 3, 2}) == AE_ERR_ARG);
}

int main(void) {
  test_finite_differences();
  test_shapes();
  fx_file *f = fx_load("seq.fx");
  test_rnn_fixtures(f);
  test_conv_fixtures(f);
  fx_free(f);
  CHECK_DONE();
}
