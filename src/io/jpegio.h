/* SPDX-License-Identifier: MIT */
/* jpegio.h — aekit's JPEG reader (libjpeg-turbo inside, in jpeg.c). */
#ifndef AE_JPEGIO_H
#define AE_JPEGIO_H

#include "aekit.h"
#include "fileio.h"

#include <stddef.h>

/* Decode a baseline or progressive JPEG from `src`: with colour != 0 a
 * colour one (YCbCr or RGB) as 8-bit RGB, *pixels (*height, *width, 3) and
 * *channels 3, a gray one (and every one with colour == 0, converted by
 * libjpeg) as (*height, *width) bytes and *channels 1. The caller frees
 * *pixels. Refused: no start-of-image marker, corrupt or truncated data
 * (libjpeg's warnings count as errors), CMYK, more than max_pixels (0: 2^28)
 * or 65535 on a side (from the header, before decoding). */
ae_status ae_jpeg_decode(const ae_source *src, unsigned char **pixels, int *width, int *height,
                         int *channels, int colour, size_t max_pixels);

#endif
