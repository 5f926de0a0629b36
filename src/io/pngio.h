/* SPDX-License-Identifier: MIT */
/* pngio.h — aekit's own 8-bit grayscale PNG reader and writer (libpng
 * inside, in png.c). Named pngio.h so it never shadows libpng's <png.h>. */
#ifndef AE_PNG_H
#define AE_PNG_H

#include "aekit.h"
#include "fileio.h"

/* Largest side, in pixels, that the writers accept. */
#define AE_PNG_MAX_SIDE 16384

/* Write width*height gray pixels (row after row, 0 = black) to path as an
 * 8-bit grayscale PNG, atomically (temporary file, flush, rename).
 * 1 <= width, height <= AE_PNG_MAX_SIDE. */
ae_status ae_png_write_gray(const char *path, const unsigned char *pixels,
                            int width, int height);

/* Read any PNG (palette, gray, RGB, with or without alpha, 1..16 bits,
 * interlaced or not) as 8-bit gray: colour is converted with libpng's
 * default luminance weights, 16-bit samples are scaled to 8 bits and alpha
 * is dropped. On success *pixels holds (*height, *width) bytes that the
 * caller frees with free(); on failure *pixels is NULL and the status is
 * AE_ERR_IO (cannot open/read), AE_ERR_FORMAT (not a PNG, corrupt, or
 * larger than 65536 on a side / 2^28 pixels) or AE_ERR_NOMEM. */
ae_status ae_png_read_gray(const char *path, unsigned char **pixels,
                           int *width, int *height);

/* The same from a source (a file or memory), refusing an image of more
 * than max_pixels (0: 2^28) from its header, before decoding it. */
ae_status ae_png_decode_gray(const ae_source *src, unsigned char **pixels, int *width,
                             int *height, size_t max_pixels);

/* ae_png_decode_gray, but with colour != 0 (and channels given) an image
 * that has colour (RGB, palette, with or without alpha) comes as 8-bit RGB,
 * *pixels (*height, *width, 3) and *channels 3; a gray one as before,
 * *channels 1. Alpha is dropped either way. */
ae_status ae_png_decode(const ae_source *src, unsigned char **pixels, int *width, int *height,
                        int *channels, int colour, size_t max_pixels);

/* Write width*height RGB pixels ((height, width, 3) bytes) as an 8-bit RGB
 * PNG, atomically, as ae_png_write_gray. */
ae_status ae_png_write_rgb(const char *path, const unsigned char *pixels, int width,
                           int height);

#endif
