/* SPDX-License-Identifier: MIT */
/* png.c — PNG files: image grids out (gray or RGB), any PNG in as 8-bit gray
 * or, asked for, as RGB where it has colour.
 *
 * libpng reports errors by calling an error function that must not return;
 * ours records libpng's message and longjmps back to the setjmp in the
 * function that started the work, which turns it into an ae_status. Warnings
 * are dropped: the library never prints. */
#include "pngio.h"

#include "error.h"
#include "fileio.h"

#include <png.h>

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PNG_MSG_LEN 200

/* The gray between the images of a grid: dark images stay readable. */
#define GRID_BACKGROUND 128

/* Reading limits: libpng's own per-side limit, and a pixel count bound so
 * a hostile header cannot ask for gigabytes. */
#define READ_MAX_SIDE 65536u
#define READ_MAX_PIXELS (1ull << 28)

static void on_png_error(png_structp png, png_const_charp msg) {
  char *buf = png_get_error_ptr(png);
  if (buf) snprintf(buf, PNG_MSG_LEN, "%s", msg ? msg : "unknown error");
  png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct gray_job {
  const char *path;
  const unsigned char *pixels; /* (height, width, channels) */
  int width, height, channels; /* channels 1 (gray) or 3 (RGB) */
  char msg[PNG_MSG_LEN];
} gray_job;

static ae_status write_gray(FILE *f, void *ctx) {
  gray_job *job = ctx;
  job->msg[0] = 0;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job->msg,
                                            on_png_error, on_png_warning);
  if (!png) return ae_set_error(AE_ERR_NOMEM, "%s: cannot start libpng", job->path);
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, NULL);
    return ae_set_error(AE_ERR_NOMEM, "%s: cannot start libpng", job->path);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return ae_set_error(AE_ERR_IO, "%s: cannot write PNG: %s", job->path, job->msg);
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)job->width, (png_uint_32)job->height, 8,
               job->channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < job->height; y++)
    png_write_row(png, job->pixels + (size_t)y * (size_t)job->width * (size_t)job->channels);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return AE_OK;
}

ae_status ae_png_write_gray(const char *path, const unsigned char *pixels,
                            int width, int height) {
  if (!path || !path[0])
    return ae_set_error(AE_ERR_ARG, "ae_png_write_gray: no file name");
  if (!pixels) return ae_set_error(AE_ERR_ARG, "%s: no pixels to write", path);
  if (width < 1 || height < 1 || width > AE_PNG_MAX_SIDE || height > AE_PNG_MAX_SIDE)
    return ae_set_error(AE_ERR_ARG, "%s: image of %dx%d pixels: each side must be 1..%d",
                        path, width, height, AE_PNG_MAX_SIDE);
  gray_job job = {path, pixels, width, height, 1, {0}};
  return ae_write_atomic(path, write_gray, &job);
}

ae_status ae_png_write_rgb(const char *path, const unsigned char *pixels, int width,
                           int height) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "ae_png_write_rgb: no file name");
  if (!pixels) return ae_set_error(AE_ERR_ARG, "%s: no pixels to write", path);
  if (width < 1 || height < 1 || width > AE_PNG_MAX_SIDE || height > AE_PNG_MAX_SIDE)
    return ae_set_error(AE_ERR_ARG, "%s: image of %dx%d pixels: each side must be 1..%d",
                        path, width, height, AE_PNG_MAX_SIDE);
  gray_job job = {path, pixels, width, height, 3, {0}};
  return ae_write_atomic(path, write_gray, &job);
}

static unsigned char to_byte(float v) {
  if (!(v > 0.0f)) return 0; /* also NaN */
  if (v >= 1.0f) return 255;
  return (unsigned char)(v * 255.0f + 0.5f);
}

ae_status ae_png_write_grid(const char *path, const float *images, int rows,
                            int cols, int h, int w, int zoom, int pad) {
  return ae_png_write_grid_c(path, images, 1, rows, cols, h, w, zoom, pad);
}

ae_status ae_png_write_grid_c(const char *path, const float *images, int c, int rows, int cols,
                              int h, int w, int zoom, int pad) {
  if (!path || !path[0])
    return ae_set_error(AE_ERR_ARG, "ae_png_write_grid: no file name");
  if (!images) return ae_set_error(AE_ERR_ARG, "%s: no images to draw", path);
  if (c != 1 && c != 3)
    return ae_set_error(AE_ERR_ARG, "%s: images of %d channels: a picture takes 1 (gray) or "
                        "3 (RGB)", path, c);
  if (rows < 1 || cols < 1 || h < 1 || w < 1 || zoom < 1 || pad < 0)
    return ae_set_error(AE_ERR_ARG,
                        "%s: invalid grid: %d x %d images of %dx%d, zoom %d, pad %d "
                        "(need rows, cols, sizes, zoom >= 1 and pad >= 0)",
                        path, rows, cols, h, w, zoom, pad);
  /* Each factor alone is bounded first, so the products below cannot overflow. */
  long long W = -1, H = -1;
  if (rows <= AE_PNG_MAX_SIDE && cols <= AE_PNG_MAX_SIDE && h <= AE_PNG_MAX_SIDE &&
      w <= AE_PNG_MAX_SIDE && zoom <= AE_PNG_MAX_SIDE && pad <= AE_PNG_MAX_SIDE) {
    W = (long long)cols * w * zoom + (long long)(cols - 1) * pad;
    H = (long long)rows * h * zoom + (long long)(rows - 1) * pad;
  }
  if (W < 0 || H < 0 || W > AE_PNG_MAX_SIDE || H > AE_PNG_MAX_SIDE)
    return ae_set_error(AE_ERR_ARG,
                        "%s: grid of %d x %d images of %dx%d at zoom %d, pad %d is "
                        "larger than %d pixels on a side",
                        path, rows, cols, h, w, zoom, pad, AE_PNG_MAX_SIDE);
  size_t width = (size_t)W, height = (size_t)H, hw = (size_t)h * (size_t)w, C = (size_t)c;
  unsigned char *pix = malloc(width * height * C); /* (height, width, c) */
  if (!pix)
    return ae_set_error(AE_ERR_NOMEM, "%s: out of memory for %zux%zu pixels", path,
                        width, height);
  memset(pix, GRID_BACKGROUND, width * height * C);
  for (int r = 0; r < rows; r++) {
    for (int k = 0; k < cols; k++) {
      const float *img = images + ((size_t)r * (size_t)cols + (size_t)k) * C * hw; /* (c, h, w) */
      size_t x0 = (size_t)k * (size_t)(w * zoom + pad);
      size_t y0 = (size_t)r * (size_t)(h * zoom + pad);
      for (int y = 0; y < h; y++) {
        unsigned char *dst = pix + ((y0 + (size_t)y * (size_t)zoom) * width + x0) * C;
        for (int x = 0; x < w; x++)
          for (int z = 0; z < zoom; z++)
            for (size_t ch = 0; ch < C; ch++)
              dst[((size_t)x * (size_t)zoom + (size_t)z) * C + ch] =
                  to_byte(img[ch * hw + (size_t)y * (size_t)w + (size_t)x]);
        for (int z = 1; z < zoom; z++)
          memcpy(dst + (size_t)z * width * C, dst, (size_t)w * (size_t)zoom * C);
      }
    }
  }
  ae_status st = c == 3 ? ae_png_write_rgb(path, pix, (int)width, (int)height)
                        : ae_png_write_gray(path, pix, (int)width, (int)height);
  free(pix);
  return st;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct read_job {
  const char *path;
  const unsigned char *data; /* the whole file, after the signature */
  size_t left;
  size_t max_pixels;
  unsigned char *pixels; /* (height, width, channels) */
  png_bytep *rows;       /* (height) pointers into pixels */
  int width, height;
  int colour;            /* in: keep RGB (1) or convert to gray (0) */
  int channels;          /* out: 1 or 3 */
  char msg[PNG_MSG_LEN];
} read_job;

/* Everything between libpng's setjmp and its cleanup; what it allocates
 * lives in `job`, so the caller frees it whatever happened. */
/* libpng's reads, from memory; past the end is a libpng error. */
static void read_mem(png_structp png, png_bytep out, size_t len) {
  read_job *job = png_get_io_ptr(png);
  if (len > job->left) png_error(png, "file ends in the middle of the PNG data");
  memcpy(out, job->data, len);
  job->data += len;
  job->left -= len;
}

static ae_status read_gray(read_job *job) {
  job->msg[0] = 0;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job->msg,
                                           on_png_error, on_png_warning);
  if (!png) return ae_set_error(AE_ERR_NOMEM, "%s: cannot start libpng", job->path);
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    return ae_set_error(AE_ERR_NOMEM, "%s: cannot start libpng", job->path);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, NULL);
    return ae_set_error(AE_ERR_FORMAT, "%s: not a valid PNG file: %s", job->path,
                        job->msg);
  }
  png_set_read_fn(png, job, read_mem);
  png_set_sig_bytes(png, 8);
  png_set_user_limits(png, READ_MAX_SIDE, READ_MAX_SIDE);
  png_read_info(png, info);
  png_uint_32 w = png_get_image_width(png, info);
  png_uint_32 h = png_get_image_height(png, info);
  int depth = png_get_bit_depth(png, info);
  int type = png_get_color_type(png, info);
  /* the header's size, checked against the limit and against what the
   * compressed data left in the file can hold, before anything is made */
  if ((unsigned long long)w * h > job->max_pixels) {
    png_destroy_read_struct(&png, &info, NULL);
    return ae_set_error(AE_ERR_FORMAT, "%s: image of %lux%lu pixels: more than the %zu "
                        "pixels allowed", job->path, (unsigned long)w, (unsigned long)h,
                        job->max_pixels);
  }
  if ((unsigned long long)(w / 8 + 1) * h > 1032ull * job->left + 1032) {
    png_destroy_read_struct(&png, &info, NULL);
    return ae_set_error(AE_ERR_FORMAT, "%s: truncated: image of %lux%lu pixels cannot fit "
                        "in the %zu bytes of data left", job->path, (unsigned long)w,
                        (unsigned long)h, job->left);
  }
  if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16) png_set_scale_16(png);
  int rgb = job->colour && (type & PNG_COLOR_MASK_COLOR);
  if ((type & PNG_COLOR_MASK_COLOR) && !rgb)
    png_set_rgb_to_gray(png, PNG_ERROR_ACTION_NONE, PNG_RGB_TO_GRAY_DEFAULT,
                        PNG_RGB_TO_GRAY_DEFAULT);
  png_set_strip_alpha(png); /* also the alpha a palette's tRNS expands to */
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t ch = rgb ? 3 : 1;
  if (png_get_channels(png, info) != ch || png_get_bit_depth(png, info) != 8 ||
      png_get_rowbytes(png, info) != w * ch) {
    png_destroy_read_struct(&png, &info, NULL);
    return ae_set_error(AE_ERR_FORMAT, "%s: cannot convert this PNG (colour type %d, "
                        "%d bits) to 8-bit %s", job->path, type, depth, rgb ? "RGB" : "gray");
  }
  job->channels = (int)ch;
  job->pixels = malloc((size_t)w * h * ch);
  job->rows = malloc((size_t)h * sizeof *job->rows);
  if (!job->pixels || !job->rows) {
    png_destroy_read_struct(&png, &info, NULL);
    return ae_set_error(AE_ERR_NOMEM, "%s: out of memory for %lux%lu pixels",
                        job->path, (unsigned long)w, (unsigned long)h);
  }
  for (png_uint_32 y = 0; y < h; y++) job->rows[y] = job->pixels + (size_t)y * w * ch;
  png_read_image(png, job->rows);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  job->width = (int)w;
  job->height = (int)h;
  return AE_OK;
}

ae_status ae_png_decode(const ae_source *src, unsigned char **pixels, int *width, int *height,
                        int *channels, int colour, size_t max_pixels) {
  if (!pixels || !width || !height)
    return ae_set_error(AE_ERR_ARG, "ae_png_decode: NULL output argument");
  *pixels = NULL;
  *width = *height = 0;
  if (channels) *channels = 0;
  if (!src || !src->name || !src->name[0])
    return ae_set_error(AE_ERR_ARG, "ae_png_decode: no file name");
  const char *path = src->name;
  unsigned char *buf = NULL;
  size_t size = 0;
  ae_status st = ae_source_read(src, &buf, &size, 0);
  if (st) return st;
  if (size < 8 || png_sig_cmp(buf, 0, 8) != 0) {
    free(buf);
    return ae_set_error(AE_ERR_FORMAT, "%s: not a PNG file (bad signature)", path);
  }
  read_job job = {path, buf + 8, size - 8, max_pixels && max_pixels < READ_MAX_PIXELS
                  ? max_pixels : READ_MAX_PIXELS, NULL, NULL, 0, 0, colour && channels, 1, {0}};
  st = read_gray(&job);
  free(buf);
  free(job.rows);
  if (st != AE_OK) {
    free(job.pixels);
    return st;
  }
  *pixels = job.pixels;
  *width = job.width;
  *height = job.height;
  if (channels) *channels = job.channels;
  return AE_OK;
}

ae_status ae_png_decode_gray(const ae_source *src, unsigned char **pixels, int *width,
                             int *height, size_t max_pixels) {
  return ae_png_decode(src, pixels, width, height, NULL, 0, max_pixels);
}

ae_status ae_png_read_gray(const char *path, unsigned char **pixels, int *width,
                           int *height) {
  ae_source src = {path, NULL, 0};
  return ae_png_decode_gray(&src, pixels, width, height, 0);
}
