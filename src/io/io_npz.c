/* SPDX-License-Identifier: MIT */
/* io_npz.c — NumPy's .npz: a zip archive of .npy files, stored (np.savez)
 * or deflated (np.savez_compressed). The archive is read whole; its central
 * directory (found from the end-of-central-directory record, zip64 sizes and
 * offsets included) lists the members; the one asked for is checked against
 * its local header, inflated with zlib where deflated, and its CRC-32
 * verified. The member's bytes then go to the NPY reader. Encrypted members,
 * other compression methods and multi-disk archives are refused. */
#include "dataset.h"

#include "error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define EOCD_SIG 0x06054b50u
#define EOCD64_LOC_SIG 0x07064b50u
#define EOCD64_SIG 0x06064b50u
#define CDIR_SIG 0x02014b50u
#define LOCAL_SIG 0x04034b50u
#define MAX_MEMBERS 65536 /* members looked at */

static uint32_t u16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t u32(const unsigned char *p) { return u16(p) | u16(p + 2) << 16; }
static uint64_t u64(const unsigned char *p) { return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32; }

/* One member as the central directory lists it. */
typedef struct member {
  const unsigned char *name;
  size_t name_len;
  unsigned method, flags;
  uint32_t crc;
  uint64_t csize, usize, offset;
} member;

/* The central directory's place and entry count; an error naming path. */
static ae_status find_directory(const char *path, const unsigned char *buf, size_t size,
                                uint64_t *offset, uint64_t *count) {
  if (size < 22) return ae_set_error(AE_ERR_FORMAT, "%s: not an NPZ archive (too short for a zip)", path);
  size_t stop = size - 22, lo = stop > 65535 ? stop - 65535 : 0, at = SIZE_MAX;
  for (size_t i = stop + 1; i-- > lo;)
    if (u32(buf + i) == EOCD_SIG) {
      at = i;
      break;
    }
  if (at == SIZE_MAX)
    return ae_set_error(AE_ERR_FORMAT, "%s: not an NPZ archive (no zip end-of-directory record)", path);
  const unsigned char *e = buf + at;
  if (u16(e + 4) != 0 || u16(e + 6) != 0)
    return ae_set_error(AE_ERR_FORMAT, "%s: a zip archive spanning several disks", path);
  *count = u16(e + 10);
  *offset = u32(e + 16);
  if (*count == 0xFFFF || *offset == 0xFFFFFFFFu) { /* zip64: the locator just before */
    if (at < 20 || u32(e - 20) != EOCD64_LOC_SIG)
      return ae_set_error(AE_ERR_FORMAT, "%s: zip64 archive without its end-record locator", path);
    uint64_t z = u64(e - 20 + 8);
    if (z > size || size - z < 56 || u32(buf + z) != EOCD64_SIG)
      return ae_set_error(AE_ERR_FORMAT, "%s: zip64 end record missing or truncated", path);
    *count = u64(buf + z + 32);
    *offset = u64(buf + z + 48);
  }
  if (*offset > size)
    return ae_set_error(AE_ERR_FORMAT, "%s: the zip directory lies past the end of the file", path);
  return AE_OK;
}

/* The entry at *pos of the central directory into m; advances *pos. */
static ae_status read_entry(const char *path, const unsigned char *buf, size_t size, size_t *pos,
                            member *m) {
  size_t p = *pos;
  if (size - p < 46 || u32(buf + p) != CDIR_SIG)
    return ae_set_error(AE_ERR_FORMAT, "%s: zip directory entry truncated or malformed", path);
  const unsigned char *c = buf + p;
  size_t n = u16(c + 28), x = u16(c + 30), k = u16(c + 32);
  if (size - p - 46 < n + x + k)
    return ae_set_error(AE_ERR_FORMAT, "%s: zip directory entry runs past the end of the file", path);
  *m = (member){c + 46, n, u16(c + 10), u16(c + 8), u32(c + 16), u32(c + 20), u32(c + 24), u32(c + 42)};
  /* zip64 extra field: the sizes and offset that did not fit, in order */
  for (const unsigned char *f = c + 46 + n, *end = f + x; end - f >= 4;) {
    size_t id = u16(f), len = u16(f + 2);
    if ((size_t)(end - f - 4) < len) break;
    if (id == 1) {
      const unsigned char *v = f + 4, *ve = v + len;
      uint64_t *want[3] = {&m->usize, &m->csize, &m->offset};
      for (int i = 0; i < 3; i++)
        if (*want[i] == 0xFFFFFFFFu) {
          if (ve - v < 8) return ae_set_error(AE_ERR_FORMAT, "%s: zip64 field truncated", path);
          *want[i] = u64(v);
          v += 8;
        }
    }
    f += 4 + len;
  }
  *pos = p + 46 + n + x + k;
  return AE_OK;
}

/* The member's key: its name without ".npy"; 0 when it is no .npy. */
static int member_key(const member *m, const char **key, size_t *len) {
  if (m->name_len < 4 || memcmp(m->name + m->name_len - 4, ".npy", 4)) return 0;
  *key = (const char *)m->name;
  *len = m->name_len - 4;
  return 1;
}

/* Inflate or copy the member's data into a fresh buffer, checked. */
static ae_status extract(const char *path, const unsigned char *buf, size_t size, const member *m,
                         size_t limit, unsigned char **out) {
  int klen = (int)(m->name_len - 4);
  const char *key = (const char *)m->name;
  if (m->flags & 1) return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s' is encrypted", path, klen, key);
  if (m->method != 0 && m->method != 8)
    return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s' is compressed with zip method %u "
                        "(aekit reads stored and deflated arrays)", path, klen, key, m->method);
  if (m->offset > size || size - m->offset < 30 || u32(buf + m->offset) != LOCAL_SIG)
    return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s': local zip header missing", path, klen, key);
  const unsigned char *h = buf + m->offset;
  uint64_t start = m->offset + 30 + u16(h + 26) + u16(h + 28);
  if (start > size || m->csize > size - start)
    return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s' is truncated (%llu bytes claimed)", path,
                        klen, key, (unsigned long long)m->csize);
  if (m->usize > limit)
    return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s' is %llu bytes, more than the %zu-byte "
                        "limit on what aekit reads", path, klen, key, (unsigned long long)m->usize,
                        limit);
  if (m->method == 0 && m->csize != m->usize)
    return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s': stored sizes disagree", path, klen, key);
  unsigned char *d = malloc(m->usize ? (size_t)m->usize : 1);
  if (!d) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  if (m->method == 0) {
    memcpy(d, buf + start, (size_t)m->usize);
  } else {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
      free(d);
      return ae_set_error(AE_ERR_NOMEM, "%s: cannot start zlib", path);
    }
    const unsigned char *in = buf + start;
    uint64_t left_in = m->csize, done = 0;
    int r = Z_OK;
    while (r == Z_OK) { /* in pieces: zlib counts in 32 bits */
      if (zs.avail_in == 0 && left_in) {
        zs.next_in = (unsigned char *)in;
        zs.avail_in = (uInt)(left_in < (1u << 30) ? left_in : (1u << 30));
        in += zs.avail_in;
        left_in -= zs.avail_in;
      }
      uint64_t room = m->usize - done;
      zs.next_out = d + done;
      zs.avail_out = (uInt)(room < (1u << 30) ? room : (1u << 30));
      uInt before = zs.avail_out;
      r = inflate(&zs, Z_NO_FLUSH);
      done += before - zs.avail_out;
      if (r == Z_BUF_ERROR && (zs.avail_in || left_in) && done < m->usize) r = Z_OK;
    }
    inflateEnd(&zs);
    if (r != Z_STREAM_END || done != m->usize) {
      free(d);
      return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s': the deflated data is corrupt or "
                          "truncated", path, klen, key);
    }
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  for (uint64_t i = 0; i < m->usize;) { /* crc32 takes 32-bit lengths */
    uInt step = (uInt)(m->usize - i < (1u << 30) ? m->usize - i : (1u << 30));
    crc = crc32(crc, d + i, step);
    i += step;
  }
  if ((uint32_t)crc != m->crc) {
    free(d);
    return ae_set_error(AE_ERR_FORMAT, "%s: array '%.*s' fails its CRC-32 check", path, klen, key);
  }
  *out = d;
  return AE_OK;
}

ae_status ae_npz_member(const ae_source *src, const char *key, size_t limit, unsigned char **data,
                        size_t *size, char *chosen, size_t cap, int *found) {
  const char *path = src->name;
  unsigned char *buf = NULL;
  size_t n = 0;
  *data = NULL, *size = 0;
  if (found) *found = 1;
  if (!limit) limit = AE_LOAD_LIMIT;
  ae_status s = ae_source_read(src, &buf, &n, limit);
  if (s) return s;
  uint64_t off = 0, count = 0;
  if ((s = find_directory(path, buf, n, &off, &count))) goto out;
  if (count > MAX_MEMBERS) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: %llu zip members, at most %d", path,
                     (unsigned long long)count, MAX_MEMBERS);
    goto out;
  }
  /* the member: named, else the only array, else x, X, data or arr_0 */
  static const char *const usual[] = {"x", "X", "data", "arr_0"};
  member pick = {0}, m;
  int have = 0, rank = 99, arrays = 0;
  char listed[160] = "";
  size_t pos = (size_t)off, used = 0;
  for (uint64_t i = 0; i < count; i++) {
    if ((s = read_entry(path, buf, n, &pos, &m))) goto out;
    const char *k;
    size_t kl;
    if (!member_key(&m, &k, &kl)) continue;
    arrays++;
    if (used + kl + 3 < sizeof listed)
      used += (size_t)snprintf(listed + used, sizeof listed - used, "%s%.*s", used ? ", " : "", (int)kl, k);
    if (key) {
      if (strlen(key) == kl && !memcmp(key, k, kl)) pick = m, have = 1;
      continue;
    }
    for (int u = 0; u < 4; u++)
      if (u < rank && strlen(usual[u]) == kl && !memcmp(usual[u], k, kl)) pick = m, rank = u, have = 1;
    if (arrays == 1 && !have) pick = m;
  }
  if (!key && arrays == 1) have = 1;
  if (!arrays) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: the archive holds no .npy arrays", path);
    goto out;
  }
  if (!have && key && found) {
    *found = 0;
    goto out;
  }
  if (!have) {
    s = key ? ae_set_error(AE_ERR_ARG, "%s: no array '%s' in the archive (it holds %s)", path, key, listed)
            : ae_set_error(AE_ERR_ARG, "%s: %d arrays (%s): name one, as %s:NAME", path, arrays,
                           listed, path);
    goto out;
  }
  if ((s = extract(path, buf, n, &pick, limit, data))) goto out;
  *size = (size_t)pick.usize;
  if (chosen && cap) snprintf(chosen, cap, "%.*s", (int)(pick.name_len - 4), (const char *)pick.name);
out:
  free(buf);
  return s;
}
