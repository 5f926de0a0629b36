/* SPDX-License-Identifier: MIT */
/* k_gemm.c — single-precision GEMM for the layers' large products.
 *
 * On a CPU with AVX-512 (F and VL) the product runs here, as in BLIS and
 * OpenBLAS: op(A) is packed in blocks of MC x KC and a transposed op(B) in
 * blocks of KC x NC, both into the caller's `pack` buffer (an untransposed
 * B is read in place), and an 8 x 32 register tile (16 zmm accumulators:
 * 8 broadcasts of A times 2 vectors of B per step of k) walks over them.
 * Transposed operands are packed with 8 x 8 in-register transposes.
 * Elsewhere (or with pack == NULL) it is
 * cblas_sgemm (-DAE_NO_NATIVE_GEMM builds without the own kernel). The
 * OpenBLAS this builds against runs its Haswell (AVX2) kernels on such
 * CPUs, which is half of what they can do.
 *
 * Legend: M, N rows and columns of C; K the inner size; MR x NR the
 * register tile; MC, KC, NC the cache blocks. Row-major throughout. The
 * same shapes give the same bits: blocking depends on the shapes alone. */
#include "kernels.h"

#include <cblas.h>
#include <string.h>

#define MR 8
#define NR 32
#define MC 64  /* rows of op(A) per packed block: 8 slivers, 64 KiB at KC */
#define KC 256 /* inner size per block: a sliver of A is 8 KiB, stays in L1 */
#define NC 256 /* columns of op(B) per packed block: 256 KiB, in L2 */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(AE_NO_NATIVE_GEMM)
#define AE_GEMM_X86 1
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f,avx512vl")))
#endif

size_t ae_gemm_pack_floats(void) { return (size_t)MC * KC + (size_t)KC * NC; }

static void blas(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m,
              n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#ifdef AE_GEMM_X86

int ae_gemm_native(void) {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
}

/* dst (8, 8), rows ldd apart = the transpose of src (8, 8), rows lds apart. */
AVX512 static inline void transpose8(float *dst, size_t ldd, const float *src, size_t lds) {
  __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + lds);
  __m256 r2 = _mm256_loadu_ps(src + 2 * lds), r3 = _mm256_loadu_ps(src + 3 * lds);
  __m256 r4 = _mm256_loadu_ps(src + 4 * lds), r5 = _mm256_loadu_ps(src + 5 * lds);
  __m256 r6 = _mm256_loadu_ps(src + 6 * lds), r7 = _mm256_loadu_ps(src + 7 * lds);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/* dst (KC', W) rows W apart, columns [0, w) = the transpose of src (w, kc)
 * rows lds apart; columns [w, W) are zero. W is a multiple of 8. */
AVX512 static void pack_transposed(float *dst, int width, const float *src, size_t lds, int w,
                                   int kc) {
  int j = 0;
  for (; j + 8 <= w; j += 8) {
    const float *s = src + (size_t)j * lds;
    int p = 0;
    for (; p + 8 <= kc; p += 8) transpose8(dst + (size_t)p * width + j, (size_t)width, s + p, lds);
    for (; p < kc; p++)
      for (int q = 0; q < 8; q++) dst[(size_t)p * width + j + q] = s[(size_t)q * lds + p];
  }
  for (int p = 0; p < kc; p++) {
    float *d = dst + (size_t)p * width;
    for (int q = j; q < w; q++) d[q] = src[(size_t)q * lds + p];
    for (int q = w; q < width; q++) d[q] = 0.0f;
  }
}

/* dst (kc, W) = rows [0, kc) of src, columns [0, w), rows lds apart; the
 * columns [w, W) zero. W is 8 or 32. */
AVX512 static void pack_rows(float *dst, int width, const float *src, size_t lds, int w, int kc) {
  if (width == NR) {
    __mmask16 m0 = (__mmask16)(w >= 16 ? 0xFFFF : (1u << w) - 1);
    __mmask16 m1 = (__mmask16)(w >= 32 ? 0xFFFF : w > 16 ? (1u << (w - 16)) - 1 : 0);
    for (int p = 0; p < kc; p++) {
      const float *s = src + (size_t)p * lds;
      _mm512_storeu_ps(dst + (size_t)p * NR, _mm512_maskz_loadu_ps(m0, s));
      _mm512_storeu_ps(dst + (size_t)p * NR + 16, _mm512_maskz_loadu_ps(m1, s + 16));
    }
  } else {
    __mmask8 m = (__mmask8)(w >= 8 ? 0xFF : (1u << w) - 1);
    for (int p = 0; p < kc; p++)
      _mm256_storeu_ps(dst + (size_t)p * MR, _mm256_maskz_loadu_ps(m, src + (size_t)p * lds));
  }
}

/* The MC x KC block of op(A) at (i0, p0), as slivers of MR rows, each
 * (kc, MR): element (i, p) at sliver i / MR, [p][i % MR]. */
AVX512 static void pack_a(float *pa, int ta, const float *a, int lda, int i0, int p0, int mc,
                          int kc) {
  for (int i = 0; i < mc; i += MR) {
    int w = mc - i < MR ? mc - i : MR;
    float *d = pa + (size_t)i * kc;
    if (ta) pack_rows(d, MR, a + (size_t)p0 * lda + i0 + i, (size_t)lda, w, kc);
    else pack_transposed(d, MR, a + (size_t)(i0 + i) * lda + p0, (size_t)lda, w, kc);
  }
}

/* The KC x NC block of op(B) at (p0, j0), as slivers of NR columns, each
 * (kc, NR). Untransposed, full slivers are read in place (copying them
 * would cost as much memory traffic as the product saves): only a last,
 * narrower one is packed. */
AVX512 static void pack_b(float *pb, int tb, const float *b, int ldb, int p0, int j0, int kc,
                          int nc) {
  for (int j = tb ? 0 : nc / NR * NR; j < nc; j += NR) {
    int w = nc - j < NR ? nc - j : NR;
    float *d = pb + (size_t)j * kc;
    if (tb) pack_transposed(d, NR, b + (size_t)(j0 + j) * ldb + p0, (size_t)ldb, w, kc);
    else pack_rows(d, NR, b + (size_t)p0 * ldb + j0 + j, (size_t)ldb, w, kc);
  }
}

/* C (mr, nr) = alpha A~ B~ + beta C, from a sliver A~ (kc, MR) and a sliver
 * B~ (kc, NR) whose rows are ldb floats apart (NR when packed); beta == 0
 * never reads C. */
AVX512 static void tile(int kc, const float *pa, const float *pb, size_t ldb, float *c, int ldc,
                        int mr, int nr, float alpha, float beta) {
  __m512 c0[MR], c1[MR];
  for (int i = 0; i < MR; i++) c0[i] = _mm512_setzero_ps(), c1[i] = _mm512_setzero_ps();
  for (int p = 0; p < kc; p++) {
    __m512 b0 = _mm512_loadu_ps(pb), b1 = _mm512_loadu_ps(pb + 16);
    for (int i = 0; i < MR; i++) {
      __m512 av = _mm512_set1_ps(pa[i]);
      c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);
    }
    pa += MR, pb += ldb;
  }
  __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xFFFF : (1u << nr) - 1);
  __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xFFFF : nr > 16 ? (1u << (nr - 16)) - 1 : 0);
  __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  for (int i = 0; i < mr; i++) {
    float *row = c + (size_t)i * ldc;
    __m512 r0 = _mm512_mul_ps(va, c0[i]), r1 = _mm512_mul_ps(va, c1[i]);
    if (beta != 0.0f) {
      r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, row), r0);
      r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, row + 16), r1);
    }
    _mm512_mask_storeu_ps(row, m0, r0);
    _mm512_mask_storeu_ps(row + 16, m1, r1);
  }
}

AVX512 static void gemm_native(int ta, int tb, int m, int n, int k, float alpha, const float *a,
                               int lda, const float *b, int ldb, float beta, float *c, int ldc,
                               float *pack) {
  float *pa = pack, *pb = pack + (size_t)MC * KC; /* (MC, KC) and (KC, NC), as slivers */
  for (int j0 = 0; j0 < n; j0 += NC) {
    int nc = n - j0 < NC ? n - j0 : NC;
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = k - p0 < KC ? k - p0 : KC;
      float bt = p0 ? 1.0f : beta; /* later blocks add to the first */
      pack_b(pb, tb, b, ldb, p0, j0, kc, nc);
      for (int i0 = 0; i0 < m; i0 += MC) {
        int mc = m - i0 < MC ? m - i0 : MC;
        pack_a(pa, ta, a, lda, i0, p0, mc, kc);
        for (int j = 0; j < nc; j += NR) { /* one sliver of B against the block of A */
          int nr = nc - j < NR ? nc - j : NR, direct = !tb && nr == NR;
          const float *sb = direct ? b + (size_t)p0 * ldb + j0 + j : pb + (size_t)j * kc;
          for (int i = 0; i < mc; i += MR)
            tile(kc, pa + (size_t)i * kc, sb, direct ? (size_t)ldb : NR,
                 c + (size_t)(i0 + i) * ldc + j0 + j, ldc, mc - i < MR ? mc - i : MR, nr, alpha, bt);
        }
      }
    }
  }
}

#else

int ae_gemm_native(void) { return 0; }

#endif

void ae_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc, float *pack) {
  if (m <= 0 || n <= 0) return;
  (void)pack; /* unused where there is no own kernel */
#ifdef AE_GEMM_X86
  /* to OpenBLAS: a C narrower than half a tile (it would waste most of
   * the tile), and alpha = 0 (BLAS skips the product: no NaN from inf * 0) */
  if (pack && k > 0 && n >= NR / 2 && alpha != 0.0f && ae_gemm_native()) {
    gemm_native(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pack);
    return;
  }
#endif
  blas(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
