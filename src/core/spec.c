/* SPDX-License-Identifier: MIT */
/* spec.c — the model spec syntax:
 *   SPEC   = ( ENCODER [ "|" DECODER ] | PRESET ) { ";" OPTION }
 *   OPTION = "loss=" ("bce" | "mse") | "beta=" B | "l1=" L | "sparsity=" RHO ":" B
 *          | "contractive=" L | "l2=" L          (later options win)
 *   STACK  = LAYER { "," LAYER }
 *   LAYER  = KIND { ":" FIELD }    FIELD = NUMBER | KEY "=" VALUE | ACTIVATION
 *   dense:UNITS[:ACT]                       conv:FILTERS:KERNEL[:stride=S][:pad=P|same][:dil=D][:ACT]
 *   convt:FILTERS:KERNEL[:stride=S][:pad=P][:outpad=O][:dil=D][:ACT]
 *   bn[:momentum=M][:eps=E]   maxpool:K[:stride=S][:pad=P]   upsample:SCALE
 *   dropout:P   flatten   reshape:C:H:W   sample (VAE: 2Z -> Z, last in the encoder)
 *   sequences (1, T, F): lstm:H and gru:H [:bi=1][:out=seq|last]   repeat:T   tdense:UNITS[:ACT]
 *   conv1d:FILTERS:KERNEL[:stride=S][:pad=P|same][:dil=D][:ACT]   maxpool1d:K[:stride=S][:pad=P]
 *   convt1d:FILTERS:KERNEL[:stride=S][:pad=P|same][:outpad=O][:dil=D][:ACT]   upsample1d:S
 *   ACT    = relu | leaky_relu[:SLOPE] | sigmoid | tanh | identity (default)
 * or a preset name. Without a decoder, a dense-only encoder is mirrored. */
#define _POSIX_C_SOURCE 200809L
#include "error.h"
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name, *spec;
} presets[] = {
    {"dense", "dense:32:relu;loss=bce"},
    {"deep", "dense:128:relu,dense:64:relu,dense:32:relu;loss=bce"},
    /* the Keras/PyImageSearch convolutional autoencoder (code of 16) */
    {"conv", "conv:32:3:stride=2:pad=1:leaky_relu:0.2,bn,conv:64:3:stride=2:pad=1:leaky_relu:0.2,"
             "bn,flatten,dense:16|dense:3136,reshape:64:7:7,"
             "convt:64:3:stride=2:pad=1:outpad=1:leaky_relu:0.2,bn,"
             "convt:32:3:stride=2:pad=1:outpad=1:leaky_relu:0.2,bn,convt:1:3:pad=1:sigmoid;loss=mse"},
    /* the Keras blog's convolutional autoencoder: Conv 16-8-8, max pooling
     * and upsampling, code (8, 4, 4) */
    {"conv-pool", "conv:16:3:pad=1:relu,maxpool:2,conv:8:3:pad=1:relu,maxpool:2,"
                  "conv:8:3:pad=1:relu,maxpool:2:pad=1|conv:8:3:pad=1:relu,upsample:2,"
                  "conv:8:3:pad=1:relu,upsample:2,conv:16:3:relu,upsample:2,"
                  "conv:1:3:pad=1:sigmoid;loss=bce"},
    /* the pytorch/examples VAE: 784-400-(20+20)-sampler-400-784 ({D}: the
     * input size) */
    {"vae", "dense:400:relu,dense:40,sample|dense:400:relu,dense:{D}:sigmoid;loss=bce"},
    /* the Keras VAE example: 2-d latent */
    {"conv-vae", "conv:32:3:stride=2:pad=1:relu,conv:64:3:stride=2:pad=1:relu,flatten,"
                 "dense:16:relu,dense:4,sample|dense:3136:relu,reshape:64:7:7,"
                 "convt:64:3:stride=2:pad=1:outpad=1:relu,convt:32:3:stride=2:pad=1:outpad=1:relu,"
                 "convt:1:3:pad=1:sigmoid;loss=bce"},
    /* sequences (1, T, F): {T} steps of {F} values. The LSTM autoencoder of
     * Srivastava et al. 2015 and Malhotra et al.'s EncDec-AD in its usual
     * Keras form: the encoder's last state is the code, repeated over T
     * steps for the decoder, whose outputs a time-distributed dense layer
     * maps back to F values */
    {"lstm", "lstm:64:out=last|repeat:{T},lstm:64,tdense:{F};loss=mse"},
    {"gru", "gru:64:out=last|repeat:{T},gru:64,tdense:{F};loss=mse"},
    /* the Keras example "Timeseries anomaly detection using an Autoencoder"
     * (288-step windows): Conv1D 32 and 16 filters, kernel 7, stride 2,
     * "same", ReLU, dropout 0.2, mirrored Conv1DTranspose, linear output */
    {"conv1d", "conv1d:32:7:stride=2:pad=same:relu,dropout:0.2,conv1d:16:7:stride=2:pad=same:relu|"
               "convt1d:16:7:stride=2:pad=same:relu,dropout:0.2,convt1d:32:7:stride=2:pad=same:relu,"
               "convt1d:{F}:7:pad=same;loss=mse"},
};

/* Expand a preset's {D} (input size), {T} (steps) and {F} (values per step)
 * for an input of shape (c, h, w); a sequence is (1, T, F). */
static void expand(char *dst, size_t cap, const char *src, int c, int h, int w) {
  size_t k = 0;
  for (const char *p = src; *p && k + 16 < cap; p++) {
    int v = -1;
    if (p[0] == '{' && p[1] && p[2] == '}') {
      if (p[1] == 'D') v = c * h * w;
      else if (p[1] == 'T') v = h;
      else if (p[1] == 'F') v = w;
    }
    if (v >= 0) {
      k += (size_t)snprintf(dst + k, cap - k, "%d", v);
      p += 2;
    } else {
      dst[k++] = *p;
    }
  }
  dst[k] = 0;
}

/* Parse a whole-string finite float in [lo, hi]. */
static int parse_float(const char *s, double lo, double hi, float *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || end == s || !(v >= lo && v <= hi)) return -1;
  *out = (float)v;
  return 0;
}

#define BAD(...) ae_set_error(AE_ERR_ARG, __VA_ARGS__)

/* Parse a comma-separated stack into out->layers[first..]. */
static ae_status parse_stack(ae_spec *out, char *text, const char *spec, int first, int *count) {
  int n = 0;
  char *save = NULL;
  if (!*text) return BAD("spec '%s': empty layer list", spec);
  size_t len = strlen(text);
  if (text[0] == ',' || text[len - 1] == ',' || strstr(text, ",,"))
    return BAD("spec '%s': an empty layer (a comma at an end of a stack, or two together)", spec);
  for (char *tok = strtok_r(text, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (first + n >= AE_MAX_LAYERS)
      return BAD("spec '%s': more than %d layers", spec, AE_MAX_LAYERS);
    ae_status st = ae_layer_parse(&out->layers[first + n], tok, spec, first + n + 1);
    if (st) return st;
    n++;
  }
  *count = n;
  return AE_OK;
}

/* Parse one objective option (text is modified). */
static ae_status parse_option(ae_spec *out, char *opt, const char *spec) {
  char *eq = strchr(opt, '=');
  if (!eq) return BAD("spec '%s': option '%s' needs a value (NAME=VALUE)", spec, opt);
  *eq = 0;
  const char *v = eq + 1;
  ae_objective *o = &out->obj;
  int bad = 0;
  if (!strcmp(opt, "loss")) {
    if (!strcmp(v, "bce")) out->loss = AE_LOSS_BCE;
    else if (!strcmp(v, "mse")) out->loss = AE_LOSS_MSE;
    else return BAD("spec '%s': loss '%s' is unknown (bce or mse)", spec, v);
  } else if (!strcmp(opt, "beta")) {
    bad = parse_float(v, 0.0, 1e6, &o->beta);
  } else if (!strcmp(opt, "l1")) {
    bad = parse_float(v, 0.0, 1e6, &o->l1);
  } else if (!strcmp(opt, "contractive")) {
    bad = parse_float(v, 0.0, 1e6, &o->contractive);
  } else if (!strcmp(opt, "l2")) {
    bad = parse_float(v, 0.0, 1e6, &o->l2);
  } else if (!strcmp(opt, "sparsity")) {
    char rho[64];
    const char *colon = strchr(v, ':');
    size_t len = colon ? (size_t)(colon - v) : 0;
    if (!colon || len >= sizeof rho)
      return BAD("spec '%s': sparsity='%s' must be RHO:BETA", spec, v);
    memcpy(rho, v, len), rho[len] = 0;
    if (parse_float(rho, 0.0, 1.0, &o->rho) || !(o->rho > 0.0f && o->rho < 1.0f))
      return BAD("spec '%s': sparsity target rho '%s' must be in (0, 1)", spec, rho);
    if (parse_float(colon + 1, 0.0, 1e6, &o->sparsity))
      return BAD("spec '%s': sparsity weight '%s' must be >= 0", spec, colon + 1);
  } else if (!strcmp(opt, "output")) { /* the last layer's activation, e.g. a preset's */
    if (ae_act_parse(v, &out->output) || out->output == AE_ACT_LEAKY_RELU)
      return BAD("spec '%s': output '%s' is not an activation (linear, sigmoid, tanh or relu)",
                 spec, v);
    out->has_output = 1;
    return AE_OK;
  } else {
    return BAD("spec '%s': unknown option '%s' (loss, output, beta, l1, sparsity, contractive, "
               "l2)", spec, opt);
  }
  if (bad) return BAD("spec '%s': %s='%s' must be a number >= 0", spec, opt, v);
  return AE_OK;
}

ae_status ae_spec_parse(ae_spec *out, const char *spec, int c, int h, int w) {
  int input_dim = c * h * w;
  memset(out, 0, sizeof *out);
  if (!spec || !*spec) return BAD("empty model spec");
  if (strlen(spec) > 4096) return BAD("model spec too long");
  char buf[8300], user[4097];
  for (size_t i = 0, j = 0;; i++) { /* copy without spaces */
    if (!isspace((unsigned char)spec[i])) user[j++] = spec[i];
    if (!spec[i]) break;
  }
  /* a preset name, possibly followed by options: expand it */
  const char *rest = strchr(user, ';');
  size_t head = rest ? (size_t)(rest - user) : strlen(user);
  snprintf(buf, sizeof buf, "%s", user);
  for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
    if (strlen(presets[i].name) == head && !strncmp(user, presets[i].name, head)) {
      char text[4096];
      expand(text, sizeof text, presets[i].spec, c, h, w);
      snprintf(buf, sizeof buf, "%s%s", text, rest ? rest : "");
    }
  out->loss = AE_LOSS_BCE;
  out->obj.beta = 1.0f;
  char *opts = strchr(buf, ';');
  if (opts) {
    *opts++ = 0;
    char *save = NULL;
    for (char *t = strtok_r(opts, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
      ae_status st = parse_option(out, t, spec);
      if (st) return st;
    }
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
    for (int i = 0; i < n_enc; i++)
      if (out->layers[i].desc != &ae_dense_desc)
        return BAD("spec '%s': only dense encoders are mirrored; give the decoder after '|'", spec);
    if (2 * n_enc > AE_MAX_LAYERS) return BAD("spec '%s': too many layers to mirror", spec);
    for (int i = n_enc - 2; i >= 0; i--) out->layers[n_enc + n_dec++] = out->layers[i];
    ae_spec_layer last = {.desc = &ae_dense_desc};
    last.f.npos = 1, last.f.has_act = 1, last.f.act = AE_ACT_SIGMOID;
    snprintf(last.f.pos[0], sizeof last.f.pos[0], "%d", input_dim);
    out->layers[n_enc + n_dec++] = last;
  }
  out->n_enc = n_enc;
  out->n_layers = n_enc + n_dec;
  if (out->has_output) { /* output=ACT: on the last layer, which must take one */
    ae_spec_layer *l = &out->layers[out->n_layers - 1];
    if (!l->desc->act_ok)
      return BAD("spec '%s': output=: the last layer (%s) takes no activation", spec, l->desc->name);
    l->f.has_act = out->output != AE_ACT_IDENTITY;
    l->f.act = out->output;
  }
  return AE_OK;
}
