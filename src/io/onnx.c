/* SPDX-License-Identifier: MIT */
/* onnx.c — an ONNX graph in protobuf's wire format, by hand (onnx.h).
 *
 * The wire format, as far as ONNX needs it: each field is a key, varint
 * (field number << 3 | wire type), then a varint (type 0), a little-endian
 * 32-bit value (type 5), or a length and bytes (type 2: strings, bytes,
 * nested messages). Field numbers are onnx.proto's (ONNX 1.12):
 *   ModelProto     ir_version 1, producer_name 2, producer_version 3,
 *                  graph 7, opset_import 8, metadata_props 14
 *   OperatorSetIdProto domain 1, version 2;  StringStringEntryProto key 1, value 2
 *   GraphProto     node 1, name 2, initializer 5, input 11, output 12
 *   NodeProto      input 1, output 2, name 3, op_type 4, attribute 5
 *   AttributeProto name 1, f 2, i 3, s 4, ints 8, type 20
 *                  (FLOAT 1, INT 2, STRING 3, INTS 7)
 *   TensorProto    dims 1, data_type 2 (FLOAT 1, INT64 7), name 8, raw_data 9
 *   ValueInfoProto name 1, type 2; TypeProto tensor_type 1;
 *   TypeProto.Tensor elem_type 1, shape 2; TensorShapeProto dim 1;
 *   Dimension dim_value 1, dim_param 2
 * Repeated numbers are written unpacked, which every parser accepts. */
#include "onnx.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_LEN 128
#define RING 16

/* ---- a growing byte buffer and the wire format --------------------------- */

typedef struct pb {
  unsigned char *p;
  size_t n, cap;
  int bad; /* an allocation failed */
} pb;

static void pb_raw(pb *b, const void *d, size_t n) {
  if (b->bad) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + n) cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) {
      b->bad = 1;
      return;
    }
    b->p = p, b->cap = cap;
  }
  if (n) memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void pb_varint(pb *b, uint64_t v) {
  unsigned char t[10];
  int k = 0;
  do {
    t[k] = (unsigned char)(v & 0x7f);
    v >>= 7;
    if (v) t[k] |= 0x80;
    k++;
  } while (v);
  pb_raw(b, t, (size_t)k);
}

static void pb_key(pb *b, int field, int wire) { pb_varint(b, (uint64_t)field << 3 | (uint64_t)wire); }

/* int64 fields: a negative value is its two's complement (ten bytes) */
static void pb_int(pb *b, int field, int64_t v) {
  pb_key(b, field, 0);
  pb_varint(b, (uint64_t)v);
}

static void pb_bytes(pb *b, int field, const void *d, size_t n) {
  pb_key(b, field, 2);
  pb_varint(b, n);
  pb_raw(b, d, n);
}

static void pb_str(pb *b, int field, const char *s) { pb_bytes(b, field, s, strlen(s)); }

static void pb_u32(pb *b, uint32_t u) {
  unsigned char t[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                        (unsigned char)(u >> 24)};
  pb_raw(b, t, 4);
}

static void pb_float(pb *b, int field, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  pb_key(b, field, 5);
  pb_u32(b, u);
}

static void pb_msg(pb *b, int field, pb *m) {
  if (m->bad) b->bad = 1;
  pb_bytes(b, field, m->p, m->n);
}

static void pb_free(pb *b) {
  free(b->p);
  *b = (pb){0};
}

/* ---- the graph ------------------------------------------------------------ */

struct ae_onnx {
  pb nodes, inits; /* GraphProto fields 1 and 5, encoded */
  pb node;         /* the node being written (attributes may follow) */
  int open;        /* `node` holds one */
  ae_status st;
  char prefix[64];
  int count;       /* for fresh names */
  char ring[RING][NAME_LEN];
  int ring_i;
  /* the current tensor: its name, per-sample shape, actual form and dims
   * (without N). Its values are in aekit's order (row-major s) unless its
   * form is AE_ONNX_SEQ_CF, whose dims then always match s. */
  char cur[NAME_LEN];
  ae_shape s;
  ae_onnx_form form;
  int64_t dims[3];
  int ndim;
  /* the graph input */
  char in_name[NAME_LEN];
  ae_shape in_s;
  ae_onnx_form in_form;
  int pending;     /* its form not decided yet */
};

/* Per-sample dims of shape s in a form. */
static int form_dims(ae_onnx_form form, ae_shape s, int64_t *d) {
  switch (form) {
  case AE_ONNX_FLAT: d[0] = (int64_t)s.c * s.h * s.w; return 1;
  case AE_ONNX_IMAGE: d[0] = s.c, d[1] = s.h, d[2] = s.w; return 3;
  case AE_ONNX_SEQ: d[0] = (int64_t)s.c * s.h, d[1] = s.w; return 2;
  case AE_ONNX_SEQ_CF: d[0] = s.w, d[1] = (int64_t)s.c * s.h; return 2;
  }
  return 0;
}

void ae_onnx_fail(ae_onnx *g, ae_status st) {
  if (!g->st) g->st = st;
}

ae_status ae_onnx_status(const ae_onnx *g) {
  if (g->st) return g->st;
  if (g->nodes.bad || g->inits.bad || g->node.bad)
    return ae_set_error(AE_ERR_NOMEM, "out of memory building the ONNX graph");
  return AE_OK;
}

static char *ring_next(ae_onnx *g) {
  char *r = g->ring[g->ring_i];
  g->ring_i = (g->ring_i + 1) % RING;
  return r;
}

const char *ae_onnx_fresh(ae_onnx *g, const char *what) {
  char *r = ring_next(g);
  snprintf(r, NAME_LEN, "%s/%s_%d", g->prefix, what, g->count++);
  return r;
}

static void flush_node(ae_onnx *g) {
  if (!g->open) return;
  pb_msg(&g->nodes, 1, &g->node);
  g->node.n = 0;
  g->open = 0;
}

void ae_onnx_node(ae_onnx *g, const char *op, const char *outputs, int n_in, ...) {
  flush_node(g);
  pb *b = &g->node;
  va_list ap;
  va_start(ap, n_in);
  for (int k = 0; k < n_in; k++) {
    const char *in = va_arg(ap, const char *);
    pb_str(b, 1, in ? in : "");
  }
  va_end(ap);
  for (const char *o = outputs;;) {
    const char *comma = strchr(o, ',');
    size_t len = comma ? (size_t)(comma - o) : strlen(o);
    pb_bytes(b, 2, o, len);
    if (!comma) break;
    o = comma + 1;
  }
  char name[NAME_LEN];
  snprintf(name, sizeof name, "%s/%s_%d", g->prefix, op, g->count++);
  pb_str(b, 3, name);
  pb_str(b, 4, op);
  g->open = 1;
}

/* An attribute: its name and type, then `fill` writes the value. */
static void attr_begin(pb *a, const char *name, int type) {
  *a = (pb){0};
  pb_str(a, 1, name);
  pb_int(a, 20, type);
}

static void attr_end(ae_onnx *g, pb *a) {
  if (!g->open) ae_onnx_fail(g, ae_set_error(AE_ERR_INTERNAL, "ONNX attribute without a node"));
  pb_msg(&g->node, 5, a);
  pb_free(a);
}

void ae_onnx_attr_int(ae_onnx *g, const char *name, int64_t v) {
  pb a;
  attr_begin(&a, name, 2);
  pb_int(&a, 3, v);
  attr_end(g, &a);
}

void ae_onnx_attr_ints(ae_onnx *g, const char *name, const int64_t *v, int n) {
  pb a;
  attr_begin(&a, name, 7);
  for (int k = 0; k < n; k++) pb_int(&a, 8, v[k]);
  attr_end(g, &a);
}

void ae_onnx_attr_float(ae_onnx *g, const char *name, float v) {
  pb a;
  attr_begin(&a, name, 1);
  pb_float(&a, 2, v);
  attr_end(g, &a);
}

void ae_onnx_attr_str(ae_onnx *g, const char *name, const char *v) {
  pb a;
  attr_begin(&a, name, 3);
  pb_str(&a, 4, v);
  attr_end(g, &a);
}

/* An initializer of n elements of `size` bytes (data_type FLOAT or INT64). */
static void initializer(ae_onnx *g, const char *name, int type, const int64_t *dims, int ndim,
                        const void *data, size_t n, size_t size) {
  pb t = {0};
  for (int d = 0; d < ndim; d++) pb_int(&t, 1, dims[d]);
  pb_int(&t, 2, type);
  pb_str(&t, 8, name);
  pb_key(&t, 9, 2);
  pb_varint(&t, n * size);
  const unsigned char *p = data;
  for (size_t k = 0; k < n; k++, p += size) { /* little-endian, whatever the host */
    if (size == 4) {
      uint32_t u;
      memcpy(&u, p, 4);
      pb_u32(&t, u);
    } else {
      uint64_t u;
      memcpy(&u, p, 8);
      pb_u32(&t, (uint32_t)u);
      pb_u32(&t, (uint32_t)(u >> 32));
    }
  }
  pb_msg(&g->inits, 5, &t);
  pb_free(&t);
}

const char *ae_onnx_weight(ae_onnx *g, const char *suffix, const int64_t *dims, int ndim,
                           const float *data) {
  char *r = ring_next(g);
  snprintf(r, NAME_LEN, "%s.%s", g->prefix, suffix);
  size_t n = 1;
  for (int d = 0; d < ndim; d++) n *= (size_t)dims[d];
  initializer(g, r, 1, dims, ndim, data, n, 4);
  return r;
}

const char *ae_onnx_stored(ae_onnx *g, const ae_layer *l, const char *suffix) {
  ae_tensor_view v[AE_MAX_LAYER_TENSORS];
  int nv = l->ops->tensors(l, v);
  for (int k = 0; k < nv; k++)
    if (!strcmp(v[k].suffix, suffix)) {
      const float *data = (v[k].state ? l->state : l->params) + v[k].offset;
      return ae_onnx_weight(g, suffix, v[k].shape, v[k].ndim, data);
    }
  ae_onnx_fail(g, ae_set_error(AE_ERR_INTERNAL, "%s: no stored tensor '%s'", g->prefix, suffix));
  return "";
}

const char *ae_onnx_int64s(ae_onnx *g, const int64_t *v, int n) {
  const char *r = ae_onnx_fresh(g, "const");
  int64_t d = n;
  initializer(g, r, 7, &d, 1, v, (size_t)n, 8);
  return r;
}

const char *ae_onnx_floats(ae_onnx *g, const float *v, int n) {
  const char *r = ae_onnx_fresh(g, "const");
  int64_t d = n;
  initializer(g, r, 1, &d, 1, v, (size_t)n, 4);
  return r;
}

const char *ae_onnx_act(ae_onnx *g, const char *x, ae_act act, float slope) {
  static const char *ops[] = {[AE_ACT_RELU] = "Relu", [AE_ACT_LEAKY_RELU] = "LeakyRelu",
                              [AE_ACT_SIGMOID] = "Sigmoid", [AE_ACT_TANH] = "Tanh"};
  if (act == AE_ACT_IDENTITY) return x;
  const char *y = ae_onnx_fresh(g, ops[act]);
  ae_onnx_node(g, ops[act], y, 1, x);
  if (act == AE_ACT_LEAKY_RELU) ae_onnx_attr_float(g, "alpha", slope);
  return y;
}

const char *ae_onnx_reshape(ae_onnx *g, const char *x, const int64_t *dims, int ndim) {
  int64_t shape[4] = {0}; /* 0: N, copied from the input */
  for (int d = 0; d < ndim; d++) shape[d + 1] = dims[d];
  const char *s = ae_onnx_int64s(g, shape, ndim + 1);
  const char *y = ae_onnx_fresh(g, "reshape");
  ae_onnx_node(g, "Reshape", y, 2, x, s);
  return y;
}

const char *ae_onnx_transpose(ae_onnx *g, const char *x, const int64_t *perm, int n) {
  const char *y = ae_onnx_fresh(g, "transpose");
  ae_onnx_node(g, "Transpose", y, 1, x);
  ae_onnx_attr_ints(g, "perm", perm, n);
  return y;
}

const char *ae_onnx_upsample(ae_onnx *g, const char *x, const float *scales, int n) {
  const char *s = ae_onnx_floats(g, scales, n), *y = ae_onnx_fresh(g, "upsample");
  ae_onnx_node(g, "Resize", y, 3, x, "", s);
  ae_onnx_attr_str(g, "mode", "nearest");
  ae_onnx_attr_str(g, "coordinate_transformation_mode", "asymmetric");
  ae_onnx_attr_str(g, "nearest_mode", "floor");
  return y;
}

static void set_cur(ae_onnx *g, const char *name, ae_onnx_form form, ae_shape s) {
  if (name != g->cur) snprintf(g->cur, sizeof g->cur, "%s", name);
  g->s = s;
  g->form = form;
  g->ndim = form_dims(form, s, g->dims);
}

static void resolve(ae_onnx *g, ae_onnx_form form) {
  g->pending = 0;
  g->in_form = form;
  set_cur(g, g->in_name, form, g->in_s);
}

/* Without a layer's say: an image where it has rows, else flat. */
static ae_onnx_form default_form(ae_shape s) {
  return s.h > 1 || s.w > 1 ? AE_ONNX_IMAGE : AE_ONNX_FLAT;
}

static const int64_t swap_last[3] = {0, 2, 1};

/* Back to aekit's order from channels first. */
static void unswap(ae_onnx *g) {
  if (g->form != AE_ONNX_SEQ_CF) return;
  const char *y = ae_onnx_transpose(g, g->cur, swap_last, 3);
  set_cur(g, y, AE_ONNX_SEQ, g->s);
}

static int same_dims(const int64_t *a, int na, const int64_t *b, int nb) {
  if (na != nb) return 0;
  for (int d = 0; d < na; d++)
    if (a[d] != b[d]) return 0;
  return 1;
}

/* Make the current tensor `form` with dims of its shape. */
static void convert(ae_onnx *g, ae_onnx_form form) {
  if (g->form == AE_ONNX_SEQ_CF && form == AE_ONNX_SEQ_CF) return;
  unswap(g);
  int64_t want[3];
  ae_onnx_form row = form == AE_ONNX_SEQ_CF ? AE_ONNX_SEQ : form;
  int nw = form_dims(row, g->s, want);
  if (!same_dims(g->dims, g->ndim, want, nw)) {
    const char *y = ae_onnx_reshape(g, g->cur, want, nw);
    set_cur(g, y, row, g->s);
  }
  g->form = row;
  if (form == AE_ONNX_SEQ_CF) {
    const char *y = ae_onnx_transpose(g, g->cur, swap_last, 3);
    set_cur(g, y, AE_ONNX_SEQ_CF, g->s);
  }
}

const char *ae_onnx_take(ae_onnx *g, ae_onnx_form form) {
  if (g->pending) resolve(g, form == AE_ONNX_SEQ_CF ? AE_ONNX_SEQ : form);
  convert(g, form);
  return g->cur;
}

void ae_onnx_give(ae_onnx *g, const char *name, ae_onnx_form form, ae_shape s) {
  if (g->pending) resolve(g, default_form(g->in_s));
  set_cur(g, name, form, s);
}

void ae_onnx_same(ae_onnx *g, ae_shape s) {
  if (g->pending) resolve(g, default_form(g->in_s));
  unswap(g);
  g->s = s; /* the dims stay until a layer takes another shape */
}

ae_status ae_onnx_pass(const ae_layer *l, ae_onnx *g) {
  ae_onnx_same(g, l->out);
  return AE_OK;
}

ae_onnx *ae_onnx_new(void) { return calloc(1, sizeof(ae_onnx)); }

void ae_onnx_free(ae_onnx *g) {
  if (!g) return;
  pb_free(&g->nodes);
  pb_free(&g->inits);
  pb_free(&g->node);
  free(g);
}

void ae_onnx_begin(ae_onnx *g, const char *name, ae_shape s, int fixed, ae_onnx_form form) {
  snprintf(g->in_name, sizeof g->in_name, "%s", name);
  g->in_s = s;
  g->pending = 1;
  snprintf(g->prefix, sizeof g->prefix, "input");
  if (fixed) resolve(g, form);
}

ae_onnx_form ae_onnx_input_form(ae_onnx *g) {
  if (g->pending) resolve(g, default_form(g->in_s));
  return g->in_form;
}

void ae_onnx_layer(ae_onnx *g, const char *prefix) {
  snprintf(g->prefix, sizeof g->prefix, "%s", prefix);
}

/* A ValueInfoProto: float tensor (N, dims...). */
static void value_info(pb *out, int field, const char *name, const int64_t *dims, int ndim) {
  pb shape = {0}, tensor = {0}, type = {0}, vi = {0}, dim = {0};
  pb_str(&dim, 2, "N");
  pb_msg(&shape, 1, &dim);
  for (int d = 0; d < ndim; d++) {
    dim.n = 0;
    pb_int(&dim, 1, dims[d]);
    pb_msg(&shape, 1, &dim);
  }
  pb_int(&tensor, 1, 1); /* FLOAT */
  pb_msg(&tensor, 2, &shape);
  pb_msg(&type, 1, &tensor);
  pb_str(&vi, 1, name);
  pb_msg(&vi, 2, &type);
  pb_msg(out, field, &vi);
  if (dim.bad || shape.bad || tensor.bad || type.bad || vi.bad) out->bad = 1;
  pb_free(&dim), pb_free(&shape), pb_free(&tensor), pb_free(&type), pb_free(&vi);
}

ae_status ae_onnx_finish(ae_onnx *g, const char *name, ae_onnx_form form,
                         const char *const *meta, int n_meta, unsigned char **out, size_t *size) {
  *out = NULL, *size = 0;
  if (g->pending) resolve(g, default_form(g->in_s));
  snprintf(g->prefix, sizeof g->prefix, "output");
  convert(g, form);
  ae_onnx_node(g, "Identity", name, 1, g->cur);
  flush_node(g);
  ae_status st = ae_onnx_status(g);
  if (st) return st;

  pb graph = {0}, model = {0}, sub = {0};
  pb_raw(&graph, g->nodes.p, g->nodes.n);
  pb_str(&graph, 2, "aekit");
  pb_raw(&graph, g->inits.p, g->inits.n);
  int64_t d[3];
  int nd = form_dims(g->in_form, g->in_s, d);
  value_info(&graph, 11, g->in_name, d, nd);
  nd = form_dims(form, g->s, d);
  value_info(&graph, 12, name, d, nd);

  pb_int(&model, 1, 8); /* IR version 8 (ONNX 1.10 and later) */
  pb_str(&model, 2, "aekit");
  pb_str(&model, 3, AE_VERSION_STRING);
  pb_msg(&model, 7, &graph);
  pb_str(&sub, 1, "");
  pb_int(&sub, 2, 17);
  pb_msg(&model, 8, &sub);
  for (int k = 0; k < n_meta; k++) {
    sub.n = 0;
    pb_str(&sub, 1, meta[2 * k]);
    pb_str(&sub, 2, meta[2 * k + 1]);
    pb_msg(&model, 14, &sub);
  }
  int bad = graph.bad || sub.bad || model.bad;
  pb_free(&graph), pb_free(&sub);
  if (bad) {
    pb_free(&model);
    return ae_set_error(AE_ERR_NOMEM, "out of memory writing the ONNX model");
  }
  *out = model.p, *size = model.n;
  return AE_OK;
}
