/* SPDX-License-Identifier: MIT */
/* jpeg.c — JPEG files in (libjpeg-turbo's libjpeg API), as 8-bit gray or RGB.
 *
 * libjpeg reports errors through error_exit, which must not return: ours
 * formats libjpeg's message and longjmps back to the setjmp of the decode,
 * which turns it into an ae_status. Warnings (a corrupt but readable
 * stream) are errors too: a data set should not be silently damaged. The
 * library never prints. */
#include "jpegio.h"

#include "error.h"

#include <jpeglib.h>

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The same per-image bounds as the PNG reader's. */
#define READ_MAX_SIDE 65535u
#define READ_MAX_PIXELS (1ull << 28)

typedef struct jpeg_err {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  char msg[JMSG_LENGTH_MAX];
} jpeg_err;

static void on_error(j_common_ptr j) {
  jpeg_err *e = (jpeg_err *)j->err;
  e->pub.format_message(j, e->msg);
  longjmp(e->jump, 1);
}

/* A warning (level -1: corrupt data libjpeg could read past) is an error. */
static void on_message(j_common_ptr j, int level) {
  if (level < 0) on_error(j);
}

ae_status ae_jpeg_decode(const ae_source *src, unsigned char **pixels, int *width, int *height,
                         int *channels, int colour, size_t max_pixels) {
  if (!pixels || !width || !height || !channels)
    return ae_set_error(AE_ERR_ARG, "ae_jpeg_decode: NULL output argument");
  *pixels = NULL;
  *width = *height = *channels = 0;
  if (!src || !src->name || !src->name[0])
    return ae_set_error(AE_ERR_ARG, "ae_jpeg_decode: no file name");
  const char *path = src->name;
  unsigned char *buf = NULL;
  size_t size = 0;
  ae_status st = ae_source_read(src, &buf, &size, 0);
  if (st) return st;
  if (size < 3 || buf[0] != 0xff || buf[1] != 0xd8 || buf[2] != 0xff) {
    free(buf);
    return ae_set_error(AE_ERR_FORMAT, "%s: not a JPEG file (no start-of-image marker)", path);
  }
  const volatile size_t limit =
      !max_pixels || max_pixels > READ_MAX_PIXELS ? READ_MAX_PIXELS : max_pixels;
  struct jpeg_decompress_struct d;
  jpeg_err e;
  memset(&e, 0, sizeof e);
  d.err = jpeg_std_error(&e.pub);
  e.pub.error_exit = on_error;
  e.pub.emit_message = on_message;
  /* what longjmp may skip over lives in volatile locals */
  unsigned char *volatile out = NULL;
  if (setjmp(e.jump)) {
    jpeg_destroy_decompress(&d);
    free(out);
    free(buf);
    return ae_set_error(AE_ERR_FORMAT, "%s: not a valid JPEG file: %s", path, e.msg);
  }
  jpeg_create_decompress(&d);
  jpeg_mem_src(&d, buf, (unsigned long)size);
  jpeg_read_header(&d, TRUE);
  if (d.image_width > READ_MAX_SIDE || d.image_height > READ_MAX_SIDE ||
      (unsigned long long)d.image_width * d.image_height > limit) {
    unsigned long w = d.image_width, h = d.image_height;
    jpeg_destroy_decompress(&d);
    free(buf);
    return ae_set_error(AE_ERR_FORMAT, "%s: image of %lux%lu pixels: more than the %zu pixels "
                        "allowed", path, w, h, (size_t)limit);
  }
  int rgb = colour && d.num_components != 1; /* YCbCr, RGB, CMYK: colour */
  if (d.jpeg_color_space == JCS_CMYK || d.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&d);
    free(buf);
    return ae_set_error(AE_ERR_FORMAT, "%s: a CMYK JPEG: aekit reads gray and RGB ones", path);
  }
  d.out_color_space = rgb ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_start_decompress(&d);
  size_t w = d.output_width, h = d.output_height, ch = (size_t)d.output_components;
  if (ch != (rgb ? 3u : 1u)) {
    jpeg_destroy_decompress(&d);
    free(buf);
    return ae_set_error(AE_ERR_FORMAT, "%s: cannot convert this JPEG to 8-bit %s", path,
                        rgb ? "RGB" : "gray");
  }
  out = malloc(w * h * ch);
  if (!out) {
    jpeg_destroy_decompress(&d);
    free(buf);
    return ae_set_error(AE_ERR_NOMEM, "%s: out of memory for %zux%zu pixels", path, w, h);
  }
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = out + (size_t)d.output_scanline * w * ch;
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  jpeg_destroy_decompress(&d);
  free(buf);
  *pixels = out;
  *width = (int)w;
  *height = (int)h;
  *channels = (int)ch;
  return AE_OK;
}
