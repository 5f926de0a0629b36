/* spec.c — the model spec syntax:
 *   SPEC   = ENCODER [ "|" DECODER ] [ ";loss=" ("bce" | "mse") ]
 *   STACK  = LAYER { "," LAYER }
 *   LAYER  = "dense:" UNITS ":" ACT
 *   ACT    = relu | leaky_relu [":" SLOPE] | sigmoid | tanh | identity
 * or a preset name. Without a decoder, the decoder mirrors the encoder. */
#define _POSIX_C_SOURCE 200809L
#include "error.h"
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name, *spec;
} presets[] = {
    {"dense", "dense:32:relu;loss=bce"},
    {"deep", "dense:128:relu,dense:64:relu,dense:32:relu;loss=bce"},
};

static int parse_act(const char *s, ae_act *act, float *slope) {
  *slope = 0.0f;
  if (!strcmp(s, "relu")) *act = AE_ACT_RELU;
  else if (!strcmp(s, "sigmoid")) *act = AE_ACT_SIGMOID;
  else if (!strcmp(s, "tanh")) *act = AE_ACT_TANH;
  else if (!strcmp(s, "identity") || !strcmp(s, "linear")) *act = AE_ACT_IDENTITY;
  else if (!strncmp(s, "leaky_relu", 10)) {
    *act = AE_ACT_LEAKY_RELU;
    *slope = 0.01f; /* PyTorch's default negative slope */
    if (s[10] == ':') {
      char *end;
      errno = 0;
      double v = strtod(s + 11, &end);
      if (errno || *end || end == s + 11 || !(v >= 0.0 && v < 1.0)) return -1;
      *slope = (float)v;
    } else if (s[10]) return -1;
  } else return -1;
  return 0;
}

/* Parse one layer "dense:UNITS:ACT" (text is modified). */
static ae_status parse_layer(ae_spec_layer *l, char *text, const char *spec,
                             int index) {
  char *kind = text, *units = strchr(text, ':');
  if (!units)
    return ae_set_error(AE_ERR_ARG, "spec '%s': layer %d '%s': expected kind:units:activation",
                        spec, index, text);
  *units++ = 0;
  if (strcmp(kind, "dense"))
    return ae_set_error(AE_ERR_ARG, "spec '%s': layer %d: unknown layer kind '%s' (known: dense)",
                        spec, index, kind);
  l->kind = AE_LAYER_DENSE;
  char *act = strchr(units, ':');
  if (act) *act++ = 0;
  char *end;
  errno = 0;
  long u = strtol(units, &end, 10);
  if (errno || *end || end == units || u <= 0 || u > (1 << 24))
    return ae_set_error(AE_ERR_ARG, "spec '%s': layer %d: units '%s' must be a positive integer",
                        spec, index, units);
  l->units = (int)u;
  if (!act || parse_act(act, &l->act, &l->slope))
    return ae_set_error(AE_ERR_ARG,
                        "spec '%s': layer %d: unknown activation '%s' (relu, leaky_relu[:SLOPE], sigmoid, tanh, identity)",
                        spec, index, act ? act : "");
  return AE_OK;
}

/* Parse a comma-separated stack into out->layers[first..]. */
static ae_status parse_stack(ae_spec *out, char *text, const char *spec,
                             int first, int *count) {
  int n = 0;
  char *save = NULL;
  if (!*text) return ae_set_error(AE_ERR_ARG, "spec '%s': empty layer list", spec);
  for (char *tok = strtok_r(text, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (first + n >= AE_MAX_LAYERS)
      return ae_set_error(AE_ERR_ARG, "spec '%s': more than %d layers", spec, AE_MAX_LAYERS);
    ae_status st = parse_layer(&out->layers[first + n], tok, spec, first + n + 1);
    if (st) return st;
    n++;
  }
  *count = n;
  return AE_OK;
}

ae_status ae_spec_parse(ae_spec *out, const char *spec, int input_dim) {
  memset(out, 0, sizeof *out);
  if (!spec || !*spec) return ae_set_error(AE_ERR_ARG, "empty model spec");
  for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
    if (!strcmp(spec, presets[i].name)) spec = presets[i].spec;
  if (strlen(spec) > 4096) return ae_set_error(AE_ERR_ARG, "model spec too long");
  char buf[4097];
  for (size_t i = 0, j = 0;; i++) { /* copy without spaces */
    if (!isspace((unsigned char)spec[i])) buf[j++] = spec[i];
    if (!spec[i]) break;
  }
  out->loss = AE_LOSS_BCE;
  char *opts = strchr(buf, ';');
  if (opts) {
    *opts++ = 0;
    if (!strcmp(opts, "loss=bce")) out->loss = AE_LOSS_BCE;
    else if (!strcmp(opts, "loss=mse")) out->loss = AE_LOSS_MSE;
    else return ae_set_error(AE_ERR_ARG, "spec '%s': unknown option '%s' (loss=bce or loss=mse)", spec, opts);
  }
  char *dec = strchr(buf, '|');
  if (dec) *dec++ = 0;
  int n_enc = 0, n_dec = 0;
  ae_status st = parse_stack(out, buf, spec, 0, &n_enc);
  if (st) return st;
  if (dec) {
    st = parse_stack(out, dec, spec, n_enc, &n_dec);
    if (st) return st;
  } else { /* mirror: hidden sizes reversed, then D units with sigmoid */
    if (2 * n_enc > AE_MAX_LAYERS)
      return ae_set_error(AE_ERR_ARG, "spec '%s': too many layers to mirror", spec);
    for (int i = n_enc - 2; i >= 0; i--) out->layers[n_enc + n_dec++] = out->layers[i];
    ae_spec_layer last = {AE_LAYER_DENSE, input_dim, AE_ACT_SIGMOID, 0.0f};
    out->layers[n_enc + n_dec++] = last;
  }
  out->n_enc = n_enc;
  out->n_layers = n_enc + n_dec;
  const ae_spec_layer *last = &out->layers[out->n_layers - 1];
  if (last->units != input_dim)
    return ae_set_error(AE_ERR_SHAPE, "spec '%s': the decoder ends in %d units but the input has %d features",
                        spec, last->units, input_dim);
  if (out->loss == AE_LOSS_BCE && last->act != AE_ACT_SIGMOID)
    return ae_set_error(AE_ERR_ARG, "spec '%s': loss=bce needs a sigmoid output layer (use loss=mse otherwise)",
                        spec);
  return AE_OK;
}
