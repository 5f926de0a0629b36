/* SPDX-License-Identifier: MIT */
/* io_folder.c — a folder of images (PNG, JPEG) as a data set, as Keras'
 * image_dataset_from_directory reads one: the images directly in it
 * (unlabelled), or one sub-folder per class (labels in the sub-folders'
 * name order, their names kept as class names). Optionally each image
 * resized (bilinear) and/or cut into patches. */
#define _DEFAULT_SOURCE /* DT_DIR */
#include "dataset.h"
#include "error.h"
#include "jpegio.h"
#include "pngio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int is_image(const char *name) {
  const char *dot = strrchr(name, '.');
  return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in `dir` that are images (want 0) or folders (want 1). */
static ae_status list(const char *dir, int want, char ***names, size_t *n) {
  *names = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
  size_t cap = 0;
  ae_status s = AE_OK;
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue; /* ., .. and hidden files */
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) != 0) continue;
    if (want ? !S_ISDIR(st.st_mode) : !(S_ISREG(st.st_mode) && is_image(e->d_name))) continue;
    if (*n == cap) {
      char **g = realloc(*names, (cap = cap ? 2 * cap : 64) * sizeof *g);
      if (!g) {
        s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory listing it", dir);
        break;
      }
      *names = g;
    }
    if (!((*names)[*n] = strdup(e->d_name))) {
      s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory listing it", dir);
      break;
    }
    (*n)++;
  }
  closedir(d);
  if (*n) qsort(*names, *n, sizeof **names, by_name);
  return s;
}

static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

/* Bilinear resize of one planar channel (h, w) -> (oh, ow), pixel centres
 * aligned (PyTorch's align_corners=False, OpenCV's INTER_LINEAR). */
static void resize(unsigned char *dst, int oh, int ow, const unsigned char *src, int h, int w) {
  for (int y = 0; y < oh; y++) {
    double fy = ((double)y + 0.5) * h / oh - 0.5;
    if (fy < 0) fy = 0;
    int y0 = (int)fy, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
    double ty = fy - y0;
    for (int x = 0; x < ow; x++) {
      double fx = ((double)x + 0.5) * w / ow - 0.5;
      if (fx < 0) fx = 0;
      int x0 = (int)fx, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
      double tx = fx - x0;
      double v = (1 - ty) * ((1 - tx) * src[(size_t)y0 * w + x0] + tx * src[(size_t)y0 * w + x1]) +
                 ty * ((1 - tx) * src[(size_t)y1 * w + x0] + tx * src[(size_t)y1 * w + x1]);
      dst[(size_t)y * ow + x] = (unsigned char)(v + 0.5);
    }
  }
}

typedef struct grow {
  unsigned char *x; /* (n, dim) */
  int32_t *labels;  /* (n) or NULL */
  size_t n, cap, dim, most_bytes;
  int c, h, w;      /* every sample's shape */
} grow;

static ae_status push(grow *g, const unsigned char *sample, int32_t label, const char *name) {
  if (g->n == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 256;
    if (cap * g->dim > g->most_bytes) cap = g->most_bytes / g->dim;
    if (cap <= g->n)
      return ae_set_error(AE_ERR_NOMEM, "%s: the images take more than the %zu bytes allowed",
                          name, g->most_bytes);
    unsigned char *x = realloc(g->x, cap * g->dim);
    if (!x) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", name);
    g->x = x;
    int32_t *l = realloc(g->labels, cap * sizeof *l);
    if (!l) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", name);
    g->labels = l;
    g->cap = cap;
  }
  memcpy(g->x + g->n * g->dim, sample, g->dim);
  g->labels[g->n++] = label;
  return AE_OK;
}

/* One image file into g: decoded (as opt->image_channels, or as the first
 * image was), resized, cut into patches. */
static ae_status add_image(grow *g, const char *path, int32_t label, const ae_load_options *opt,
                           int first) {
  ae_source src = {path, NULL, 0};
  unsigned char *px = NULL, *planar = NULL, *sized = NULL, *tile = NULL;
  int w = 0, h = 0, c = 0, want = opt->image_channels ? opt->image_channels : first ? 0 : g->c;
  const char *dot = strrchr(path, '.');
  int jpeg = dot && strcasecmp(dot, ".png");
  ae_status s = jpeg ? ae_jpeg_decode(&src, &px, &w, &h, &c, want != 1, 0)
                     : ae_png_decode(&src, &px, &w, &h, &c, want != 1, 0);
  if (s) return s;
  int C = want ? want : c;
  size_t hw = (size_t)w * h;
  if (!(planar = malloc((size_t)C * hw))) goto nomem;
  ae_pixels_planar(planar, px, hw, c, C);
  int H = opt->image_height > 0 ? opt->image_height : h, W = opt->image_width > 0 ? opt->image_width : w;
  if (H != h || W != w) {
    if (!(sized = malloc((size_t)C * H * W))) goto nomem;
    for (int k = 0; k < C; k++) resize(sized + (size_t)k * H * W, H, W, planar + (size_t)k * hw, h, w);
    free(planar);
    planar = sized;
    sized = NULL;
  }
  int P = opt->patch, S = opt->patch_stride > 0 ? opt->patch_stride : P;
  int sh = P > 0 ? P : H, sw = P > 0 ? P : W;
  if (first) {
    g->c = C, g->h = sh, g->w = sw;
    g->dim = (size_t)C * sh * sw;
  } else if (C != g->c || sh != g->h || sw != g->w) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: image of %d channel%s, %dx%d, where the first was %d "
                     "channel%s, %dx%d (resize them, or read them all gray or RGB)", path, C,
                     C == 1 ? "" : "s", W, H, g->c, g->c == 1 ? "" : "s", g->w, g->h);
    goto done;
  }
  if (P > 0) {
    if (P > H || P > W) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: %dx%d pixels: smaller than a patch of %d", path, W, H, P);
      goto done;
    }
    if (!(tile = malloc(g->dim))) goto nomem;
    for (int y = 0; y + P <= H && !s; y += S)
      for (int x = 0; x + P <= W && !s; x += S) {
        for (int k = 0; k < C; k++)
          for (int r = 0; r < P; r++)
            memcpy(tile + ((size_t)k * P + r) * P, planar + ((size_t)k * H + y + r) * W + x, (size_t)P);
        s = push(g, tile, label, path);
      }
  } else {
    s = push(g, planar, label, path);
  }
  goto done;
nomem:
  s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
done:
  free(px);
  free(planar);
  free(sized);
  free(tile);
  return s;
}

ae_status ae_folder_read(ae_dataset **out, const char *dir, const ae_load_options *opt) {
  *out = NULL;
  if (opt->image_channels != 0 && opt->image_channels != 1 && opt->image_channels != 3)
    return ae_set_error(AE_ERR_ARG, "%s: image_channels must be 0, 1 or 3 (got %d)", dir,
                        opt->image_channels);
  if (opt->image_width < 0 || opt->image_height < 0 || (opt->image_width > 0) != (opt->image_height > 0) ||
      opt->image_width > 65535 || opt->image_height > 65535)
    return ae_set_error(AE_ERR_ARG, "%s: resize to %dx%d: give both sides, 1..65535", dir,
                        opt->image_width, opt->image_height);
  if (opt->patch < 0 || opt->patch_stride < 0 || opt->patch > 65535)
    return ae_set_error(AE_ERR_ARG, "%s: patches of %d every %d: must be positive", dir, opt->patch,
                        opt->patch_stride);
  char **classes = NULL, **files = NULL;
  size_t nc = 0, nf = 0;
  grow g = {NULL, NULL, 0, 0, 0, opt->max_bytes ? opt->max_bytes : AE_LOAD_LIMIT, 0, 0, 0};
  ae_status s = list(dir, 1, &classes, &nc);
  char path[4096];
  int first = 1;
  for (size_t k = 0; !s && k <= nc; k++) { /* k == nc: the images directly in dir */
    if (k < nc) snprintf(path, sizeof path, "%s/%s", dir, classes[k]);
    else snprintf(path, sizeof path, "%s", dir);
    if ((s = list(path, 0, &files, &nf))) break;
    if (k == nc && nc && nf) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: images beside class folders (%s, ...): put each "
                       "image in its class's folder", dir, files[0]);
    }
    for (size_t i = 0; !s && i < nf; i++) {
      char file[8192];
      snprintf(file, sizeof file, "%s/%s", path, files[i]);
      s = add_image(&g, file, k < nc ? (int32_t)k : -1, opt, first);
      first = 0;
      if (!s && opt->max_samples && g.n >= opt->max_samples) break;
    }
    free_names(files, nf);
    files = NULL, nf = 0;
    if (opt->max_samples && g.n >= opt->max_samples) break;
  }
  if (!s && !g.n)
    s = ae_set_error(AE_ERR_FORMAT, "%s: a folder with no PNG or JPEG images%s", dir,
                     nc ? " in its sub-folders" : "");
  ae_dataset *ds = NULL;
  size_t n = opt->max_samples && g.n > opt->max_samples ? opt->max_samples : g.n;
  if (!s && !(s = ae_dataset_alloc_u8(&ds, n, g.dim))) {
    memcpy(ds->u8, g.x, n * g.dim);
    ds->c = g.c, ds->h = g.h, ds->w = g.w;
    ds->lo = 0.0f, ds->hi = 255.0f;
    if (nc) {
      if (!(ds->labels = malloc(n * sizeof(int32_t)))) s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", dir);
      else memcpy(ds->labels, g.labels, n * sizeof(int32_t));
      if (!s) s = ae_dataset_set_class_names(ds, (const char *const *)classes, (int)nc);
    }
  }
  free(g.x);
  free(g.labels);
  free_names(classes, nc);
  if (s) {
    ae_dataset_free(ds);
    return s;
  }
  *out = ds;
  return AE_OK;
}
