/* SPDX-License-Identifier: MIT */
/* net.c — a stack of layers: its blocks, forward and backward (net.h). */
#include "net.h"

size_t ae_net_param_count(const ae_layer *layers, int n_layers) {
  size_t p = 0;
  for (int i = 0; i < n_layers; i++) p += layers[i].ops->param_count(&layers[i]);
  return p;
}

size_t ae_net_state_count(const ae_layer *layers, int n_layers) {
  size_t s = 0;
  for (int i = 0; i < n_layers; i++)
    if (layers[i].ops->state_count) s += layers[i].ops->state_count(&layers[i]);
  return s;
}

void ae_net_init(ae_net *net, ae_layer *layers, int n_layers, int first, float *params,
                 size_t offset, float *state, size_t soff) {
  net->layers = layers, net->n_layers = n_layers, net->first = first;
  net->params = params + offset, net->offset = offset;
  net->state = state + soff;
  size_t off = 0, so = 0;
  for (int i = 0; i < n_layers; i++) {
    ae_layer *l = &layers[i];
    l->n_params = l->ops->param_count(l);
    l->n_state = l->ops->state_count ? l->ops->state_count(l) : 0;
    l->params = net->params + off;
    l->offset = offset + off; /* in the owner's blocks: saving, L2 ranges */
    l->state = net->state + so;
    off += l->n_params;
    so += l->n_state;
  }
  net->n_params = off, net->n_state = so;
}

size_t ae_net_act_count(const ae_net *net, int n) {
  size_t c = 0;
  for (int i = 0; i < net->n_layers; i++) c += (size_t)n * net->layers[i].out_dim;
  return c;
}

size_t ae_net_scratch_count(const ae_net *net, int n) {
  size_t c = 0;
  for (int i = 0; i < net->n_layers; i++) {
    const ae_layer *l = &net->layers[i];
    if (l->ops->scratch_count) c += l->ops->scratch_count(l, n);
  }
  return c;
}

size_t ae_net_widest(const ae_net *net) {
  size_t w = 0;
  for (int i = 0; i < net->n_layers; i++)
    if ((size_t)net->layers[i].out_dim > w) w = (size_t)net->layers[i].out_dim;
  return w;
}

void ae_net_plan(const ae_net *net, int n, float **acts, float **scratch, float **act_mem,
                 float **scratch_mem) {
  for (int i = 0; i < net->n_layers; i++) {
    const ae_layer *l = &net->layers[i];
    acts[i + 1] = *act_mem, *act_mem += (size_t)n * l->out_dim;
    scratch[i] = *scratch_mem;
    if (l->ops->scratch_count) *scratch_mem += l->ops->scratch_count(l, n);
  }
}

/* The context layer i runs with in run r. */
static ae_layer_ctx layer_ctx(const ae_net_run *r, int i) {
  ae_layer_ctx c = {r->scratch[i], r->rng, r->sync ? r->sync[i] : NULL, r->tm, r->worker,
                    r->team, r->n_total, r->first, r->sample};
  return c;
}

void ae_net_forward(const ae_net *net, const ae_net_run *r, int from, int to, int n, int train) {
  for (int i = from; i < to; i++) {
    ae_layer_ctx ctx = layer_ctx(r, i);
    net->layers[i].ops->forward(&net->layers[i], &ctx, r->acts[i + 1], r->acts[i], n, train);
  }
}

float *ae_net_backward(const ae_net *net, const ae_net_run *r, float *dy, int n, int need_dx) {
  float *dx = dy == r->grad_a ? r->grad_b : r->grad_a;
  for (int i = net->n_layers - 1; i >= 0; i--) {
    ae_layer *l = &net->layers[i];
    if (r->hook) r->hook(r->hook_ctx, net, i + 1, dy, n);
    ae_layer_ctx ctx = layer_ctx(r, i);
    float *out = i > 0 || need_dx ? dx : NULL;
    l->ops->backward(l, &ctx, r->grads + (l->offset - net->offset), out, dy, r->acts[i],
                     r->acts[i + 1], n);
    float *tmp = dy;
    dy = dx, dx = tmp;
  }
  return need_dx ? dy : NULL;
}
