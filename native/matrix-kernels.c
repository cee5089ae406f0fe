// The LoRA extraction's float32 products (and the orthonormalization's float64 kernels) in AVX2 and AVX-512, for
// src/arithmetic/low-rank/matrix-kernels.ts. Each function has the signature of the WebAssembly kernel of the same
// name (src/arithmetic/simd/assembly/kernels.ts) with the heap's ArrayBuffer first, byte offsets into it, and gives
// the same bits: every element of C is the chain c = fround(c + fround(a·b)) over p in order from +0, and the float64
// kernels keep the WebAssembly kernels' chains. Only the width of a vector differs (8 or 16 lanes, not 4), and lanes
// are independent elements, so it cannot change a result. Built with -ffp-contract=off (no fused multiply-add, whose
// single rounding would change the bits) and without -ffast-math (denormals and the order of adds are kept).
#include <immintrin.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define KC 256
#define NC 512
#define MC 96

// The rows of C one micro-kernel call computes: 16 with AVX-512 (sixteen 512-bit accumulators, one per row), 6 with
// AVX2 (twelve 256-bit accumulators); chosen once at load (setVectorBits can force the narrower one, for the specs).
// Either way a tile is 16 columns and each element's chain is the same, so the choice never changes a bit.
#define MAX_TILE_ROWS 16
static int tile_rows = 6;  // a process's worker threads share it (one copy of the module)

// Packed blocks, per thread: B's kc × nc block in slivers of 16 columns, A's mc × kc block in slivers of tile_rows
// rows (MC is a multiple of both tile heights).
static _Thread_local float pack_b[KC * NC] __attribute__((aligned(64)));
static _Thread_local float pack_a[KC * MC] __attribute__((aligned(64)));

// A 6 × 16 tile of C continued over kc steps of packed A ([p][6]) and packed B ([p][16]): twelve accumulators.
__attribute__((target("avx2"))) static void micro_6x16(const float* pa, const float* pb, float* c, size_t ldc,
                                                       int kc, int first) {
  __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
  if (first) {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
  } else {
    c00 = _mm256_loadu_ps(c), c01 = _mm256_loadu_ps(c + 8);
    c10 = _mm256_loadu_ps(c + ldc), c11 = _mm256_loadu_ps(c + ldc + 8);
    c20 = _mm256_loadu_ps(c + 2 * ldc), c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
    c30 = _mm256_loadu_ps(c + 3 * ldc), c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
    c40 = _mm256_loadu_ps(c + 4 * ldc), c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
    c50 = _mm256_loadu_ps(c + 5 * ldc), c51 = _mm256_loadu_ps(c + 5 * ldc + 8);
  }
  for (int p = 0; p < kc; p++, pa += 6, pb += 16) {
    const __m256 b0 = _mm256_load_ps(pb);
    const __m256 b1 = _mm256_load_ps(pb + 8);
    __m256 a = _mm256_broadcast_ss(pa);
    c00 = _mm256_add_ps(c00, _mm256_mul_ps(a, b0)), c01 = _mm256_add_ps(c01, _mm256_mul_ps(a, b1));
    a = _mm256_broadcast_ss(pa + 1);
    c10 = _mm256_add_ps(c10, _mm256_mul_ps(a, b0)), c11 = _mm256_add_ps(c11, _mm256_mul_ps(a, b1));
    a = _mm256_broadcast_ss(pa + 2);
    c20 = _mm256_add_ps(c20, _mm256_mul_ps(a, b0)), c21 = _mm256_add_ps(c21, _mm256_mul_ps(a, b1));
    a = _mm256_broadcast_ss(pa + 3);
    c30 = _mm256_add_ps(c30, _mm256_mul_ps(a, b0)), c31 = _mm256_add_ps(c31, _mm256_mul_ps(a, b1));
    a = _mm256_broadcast_ss(pa + 4);
    c40 = _mm256_add_ps(c40, _mm256_mul_ps(a, b0)), c41 = _mm256_add_ps(c41, _mm256_mul_ps(a, b1));
    a = _mm256_broadcast_ss(pa + 5);
    c50 = _mm256_add_ps(c50, _mm256_mul_ps(a, b0)), c51 = _mm256_add_ps(c51, _mm256_mul_ps(a, b1));
  }
  _mm256_storeu_ps(c, c00), _mm256_storeu_ps(c + 8, c01);
  _mm256_storeu_ps(c + ldc, c10), _mm256_storeu_ps(c + ldc + 8, c11);
  _mm256_storeu_ps(c + 2 * ldc, c20), _mm256_storeu_ps(c + 2 * ldc + 8, c21);
  _mm256_storeu_ps(c + 3 * ldc, c30), _mm256_storeu_ps(c + 3 * ldc + 8, c31);
  _mm256_storeu_ps(c + 4 * ldc, c40), _mm256_storeu_ps(c + 4 * ldc + 8, c41);
  _mm256_storeu_ps(c + 5 * ldc, c50), _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}

// A 16 × 16 tile of C over kc steps of packed A ([p][16]) and packed B ([p][16]): one 512-bit accumulator per row,
// each lane the same chain as micro_6x16's (a multiply rounded, then an add rounded; never fused).
__attribute__((target("avx512f"))) static void micro_16x16(const float* pa, const float* pb, float* c, size_t ldc,
                                                           int kc, int first) {
  __m512 acc[16];
  for (int r = 0; r < 16; r++) acc[r] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(c + (size_t)r * ldc);
  for (int p = 0; p < kc; p++, pa += 16, pb += 16) {
    const __m512 b = _mm512_load_ps(pb);
#pragma GCC unroll 16
    for (int r = 0; r < 16; r++) acc[r] = _mm512_add_ps(acc[r], _mm512_mul_ps(_mm512_set1_ps(pa[r]), b));
  }
  for (int r = 0; r < 16; r++) _mm512_storeu_ps(c + (size_t)r * ldc, acc[r]);
}

// Packs 16 full rows of A (kc values each, row stride lda) as [p][16]: 8 × 8 blocks transposed in registers (moves
// only, so the values are the same bits), the tail of kc one value at a time.
__attribute__((target("avx2"))) static void pack_a_16(const float* src, size_t lda, float* dst, int kc) {
  int p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (int h = 0; h < 16; h += 8) {
      __m256 r[8], t[8];
      for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + (size_t)(h + i) * lda + p);
      for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
      }
      for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
      }
      // r[j] (j < 4) holds value j of rows 0–3 in its low half and value j + 4 in its high half; r[j + 4] the same
      // for rows 4–7.
      for (int j = 0; j < 4; j++) {
        _mm256_store_ps(dst + (size_t)(p + j) * 16 + h, _mm256_permute2f128_ps(r[j], r[j + 4], 0x20));
        _mm256_store_ps(dst + (size_t)(p + j + 4) * 16 + h, _mm256_permute2f128_ps(r[j], r[j + 4], 0x31));
      }
    }
  }
  for (; p < kc; p++)
    for (int i = 0; i < 16; i++) dst[(size_t)p * 16 + i] = src[(size_t)i * lda + p];
}

static void micro_tile(int tr, const float* pa, const float* pb, float* c, size_t ldc, int kc, int first) {
  if (tr == 16) micro_16x16(pa, pb, c, ldc, kc, first);
  else micro_6x16(pa, pb, c, ldc, kc, first);
}

// C (m × n) = A (m × k) · B (k × n), row-major, n a multiple of 4, leading dimensions in elements; k = 0 leaves C as
// it was. Blocked as GotoBLAS does, as the WebAssembly gemmF32 is: a tile's chain continues across the kc blocks (C
// is loaded back after the first), so blocking reorders elements, never the terms of one element's sum.
__attribute__((target("avx2"))) static void gemm_f32(int tr, const float* a, size_t lda, const float* b, size_t ldb,
                                                     float* c, size_t ldc, int m, int k, int n) {
  float edge[MAX_TILE_ROWS * 16] __attribute__((aligned(64)));
  for (int j0 = 0; j0 < n; j0 += NC) {
    const int nc = n - j0 < NC ? n - j0 : NC;
    const int slivers = (nc + 15) / 16;
    for (int p0 = 0; p0 < k; p0 += KC) {
      const int kc = k - p0 < KC ? k - p0 : KC;
      const int first = p0 == 0;
      for (int s = 0; s < slivers; s++) {
        const int cols = nc - s * 16 < 16 ? nc - s * 16 : 16;
        const float* src = b + (size_t)p0 * ldb + j0 + s * 16;
        float* dst = pack_b + (size_t)s * kc * 16;
        for (int p = 0; p < kc; p++, src += ldb, dst += 16) {
          if (cols == 16) {
            _mm256_store_ps(dst, _mm256_loadu_ps(src));
            _mm256_store_ps(dst + 8, _mm256_loadu_ps(src + 8));
          } else {
            for (int x = 0; x < 16; x++) dst[x] = x < cols ? src[x] : 0.0f;
          }
        }
      }
      for (int i0 = 0; i0 < m; i0 += MC) {
        const int mc = m - i0 < MC ? m - i0 : MC;
        const int panels = (mc + tr - 1) / tr;
        for (int q = 0; q < panels; q++) {
          const int rows = mc - q * tr < tr ? mc - q * tr : tr;
          const float* src = a + (size_t)(i0 + q * tr) * lda + p0;
          float* dst = pack_a + (size_t)q * kc * tr;
          if (tr == 16 && rows == 16) {
            pack_a_16(src, lda, dst, kc);
            continue;
          }
          for (int p = 0; p < kc; p++, dst += tr) {
            for (int r = 0; r < tr; r++) dst[r] = r < rows ? src[(size_t)r * lda + p] : 0.0f;
          }
        }
        float* block = c + (size_t)i0 * ldc + j0;
        for (int s = 0; s < slivers; s++) {
          const int cols = nc - s * 16 < 16 ? nc - s * 16 : 16;
          const float* pb = pack_b + (size_t)s * kc * 16;
          for (int q = 0; q < panels; q++) {
            const int rows = mc - q * tr < tr ? mc - q * tr : tr;
            const float* pa = pack_a + (size_t)q * kc * tr;
            float* at = block + (size_t)q * tr * ldc + s * 16;
            if (rows == tr && cols == 16) {
              micro_tile(tr, pa, pb, at, ldc, kc, first);
            } else {
              if (!first)
                for (int r = 0; r < rows; r++) memcpy(edge + r * 16, at + (size_t)r * ldc, cols * sizeof(float));
              micro_tile(tr, pa, pb, edge, 16, kc, first);
              for (int r = 0; r < rows; r++) memcpy(at + (size_t)r * ldc, edge + r * 16, cols * sizeof(float));
            }
          }
        }
      }
    }
  }
}

struct gemm_part {
  const float *a, *b;
  float* c;
  size_t lda, ldb, ldc;
  int m, k, n, tr;
};

static void* gemm_part_run(void* arg) {
  const struct gemm_part* p = arg;
  gemm_f32(p->tr, p->a, p->lda, p->b, p->ldb, p->c, p->ldc, p->m, p->k, p->n);
  return NULL;
}

// C = A·B on up to `threads` threads, each computing whole elements of C (a band of rows, or for a wide C a band of
// columns, in multiples of the micro-kernel's tile), so the bits are those of one thread. A part gets at least 2²²
// multiply-adds, so small products stay on the calling thread.
static void gemm_threads(const float* a, size_t lda, const float* b, size_t ldb, float* c, size_t ldc, int m, int k,
                         int n, int threads) {
  enum { max_threads = 16 };
  const double work = (double)m * k * n;
  int parts = threads < max_threads ? threads : max_threads;
  while (parts > 1 && work / parts < (double)(1 << 22)) parts--;
  const int by_rows = m >= n;
  // Read once: a call packs and multiplies with one tile height even if setVectorBits runs meanwhile on another thread.
  const int tr = tile_rows;
  const int unit = by_rows ? tr : 16;
  const int total = by_rows ? m : n;
  const int units = (total + unit - 1) / unit;
  if (parts > units) parts = units;
  if (parts <= 1) {
    gemm_f32(tr, a, lda, b, ldb, c, ldc, m, k, n);
    return;
  }
  struct gemm_part part[max_threads];
  pthread_t thread[max_threads];
  int started[max_threads] = {0};
  int from = 0;
  for (int t = 0; t < parts; t++) {
    const int to = (int)((long long)units * (t + 1) / parts) * unit;
    const int end = to < total ? to : total;
    part[t] = (struct gemm_part){a, b, c, lda, ldb, ldc, m, k, n, tr};
    if (by_rows) {
      part[t].a = a + (size_t)from * lda, part[t].c = c + (size_t)from * ldc, part[t].m = end - from;
    } else {
      part[t].b = b + from, part[t].c = c + from, part[t].n = end - from;
    }
    from = end;
  }
  // Part 0 runs here; a thread that cannot start leaves its part to this thread too.
  for (int t = 1; t < parts; t++) started[t] = pthread_create(&thread[t], NULL, gemm_part_run, &part[t]) == 0;
  gemm_part_run(&part[0]);
  for (int t = 1; t < parts; t++) {
    if (started[t]) pthread_join(thread[t], NULL);
    else gemm_part_run(&part[t]);
  }
}

// Σ (a[i] − b[i])² in float64 over n elements, element i into running sum i mod 4, then (s0 + s1) + (s2 + s3): the
// WebAssembly squaredDistanceF32's four sums are the four lanes here.
__attribute__((target("avx2"))) static double squared_distance_f32(const float* a, const float* b, size_t n) {
  __m256d sums = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i)), _mm256_cvtps_pd(_mm_loadu_ps(b + i)));
    sums = _mm256_add_pd(sums, _mm256_mul_pd(d, d));
  }
  double s[4];
  _mm256_storeu_pd(s, sums);
  for (; i < n; i++) {
    const double d = (double)a[i] - (double)b[i];
    s[i & 3] += d * d;
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// G (cols × cols, row-major) = XᵀX for X column-major float64: G[i][j] is the sum over rows in order in two chains,
// even rows and odd rows, then even + odd (gramF64's order). Four columns j at a time, one lane each.
__attribute__((target("avx2"))) static void gram_f64(const double* x, size_t rows, int cols, double* g, int first,
                                                     int step) {
  const size_t pairs = rows >> 1;
  for (int i = first; i < cols; i += step) {
    const double* xi = x + (size_t)i * rows;
    int j = i;
    for (; j + 4 <= cols; j += 4) {
      const double* x0 = x + (size_t)j * rows;
      const double* x1 = x0 + rows;
      const double* x2 = x1 + rows;
      const double* x3 = x2 + rows;
      __m256d even = _mm256_setzero_pd();
      __m256d odd = _mm256_setzero_pd();
      for (size_t r = 0; r < pairs; r++) {
        const size_t e = 2 * r;
        const __m256d ve = _mm256_set_pd(x3[e], x2[e], x1[e], x0[e]);
        const __m256d vo = _mm256_set_pd(x3[e + 1], x2[e + 1], x1[e + 1], x0[e + 1]);
        even = _mm256_add_pd(even, _mm256_mul_pd(_mm256_set1_pd(xi[e]), ve));
        odd = _mm256_add_pd(odd, _mm256_mul_pd(_mm256_set1_pd(xi[e + 1]), vo));
      }
      if (rows & 1) {
        const size_t e = rows - 1;
        const __m256d ve = _mm256_set_pd(x3[e], x2[e], x1[e], x0[e]);
        even = _mm256_add_pd(even, _mm256_mul_pd(_mm256_set1_pd(xi[e]), ve));
      }
      double sum[4];
      _mm256_storeu_pd(sum, _mm256_add_pd(even, odd));
      for (int t = 0; t < 4; t++) g[(size_t)i * cols + j + t] = g[(size_t)(j + t) * cols + i] = sum[t];
    }
    for (; j < cols; j++) {
      const double* xj = x + (size_t)j * rows;
      double even = 0, odd = 0;
      for (size_t r = 0; r < pairs; r++) {
        even += xi[2 * r] * xj[2 * r];
        odd += xi[2 * r + 1] * xj[2 * r + 1];
      }
      if (rows & 1) even += xi[rows - 1] * xj[rows - 1];
      g[(size_t)i * cols + j] = g[(size_t)j * cols + i] = even + odd;
    }
  }
}

// X ← X·R⁻¹ for X column-major float64 and R upper triangular row-major: column j minus R[k][j]·column k for k < j
// in order (a zero R[k][j] skipped), then divided by the pivot, a zero pivot zeroing the column (solveUpperF64's
// arithmetic, element by element).
__attribute__((target("avx2"))) static void solve_upper_f64(double* x, size_t rows, int cols, const double* r,
                                                            size_t from, size_t to) {
  x += from;
  const size_t stride = rows;
  rows = to - from;
  for (int j = 0; j < cols; j++) {
    double* yj = x + (size_t)j * stride;
    for (int k = 0; k < j; k++) {
      const double rkj = r[(size_t)k * cols + j];
      if (rkj == 0) continue;
      const double* yk = x + (size_t)k * stride;
      const __m256d vr = _mm256_set1_pd(rkj);
      size_t i = 0;
      for (; i + 4 <= rows; i += 4)
        _mm256_storeu_pd(yj + i, _mm256_sub_pd(_mm256_loadu_pd(yj + i), _mm256_mul_pd(vr, _mm256_loadu_pd(yk + i))));
      for (; i < rows; i++) yj[i] = yj[i] - rkj * yk[i];
    }
    const double pivot = r[(size_t)j * cols + j];
    for (size_t i = 0; i < rows; i++) yj[i] = pivot == 0 ? 0 : yj[i] / pivot;
  }
}

// The float64 kernels on threads, each computing whole results (the Gram matrix's rows i ≡ t mod threads, or a band of
// X's rows for the solve), so the bits are those of one thread.
struct f64_part {
  double* x;
  const double* r;
  double* g;
  size_t rows, from, to;
  int cols, first, step, gram;
};

static void* f64_part_run(void* arg) {
  const struct f64_part* p = arg;
  if (p->gram) gram_f64(p->x, p->rows, p->cols, p->g, p->first, p->step);
  else solve_upper_f64(p->x, p->rows, p->cols, p->r, p->from, p->to);
  return NULL;
}

static void f64_threads(struct f64_part base, int threads) {
  enum { max_threads = 16 };
  const double work = (double)base.rows * base.cols * base.cols / 2;
  int parts = threads < max_threads ? threads : max_threads;
  while (parts > 1 && work / parts < (double)(1 << 18)) parts--;
  struct f64_part part[max_threads];
  pthread_t thread[max_threads];
  int started[max_threads] = {0};
  for (int t = 0; t < parts; t++) {
    part[t] = base;
    part[t].first = t, part[t].step = parts;
    part[t].from = base.rows * t / parts / 4 * 4;
    part[t].to = t + 1 == parts ? base.rows : base.rows * (t + 1) / parts / 4 * 4;
  }
  for (int t = 1; t < parts; t++) started[t] = pthread_create(&thread[t], NULL, f64_part_run, &part[t]) == 0;
  f64_part_run(&part[0]);
  for (int t = 1; t < parts; t++) {
    if (started[t]) pthread_join(thread[t], NULL);
    else f64_part_run(&part[t]);
  }
}

// ---- N-API glue: (heap ArrayBuffer, then the WebAssembly kernel's arguments, offsets in bytes) ----

static int read_args(napi_env env, napi_callback_info info, size_t count, uint8_t** heap, size_t* heap_bytes,
                     double* numbers) {
  napi_value argv[12];
  size_t argc = 12;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count + 1) {
    napi_throw_type_error(env, NULL, "wrong number of arguments");
    return 0;
  }
  void* data;
  if (napi_get_arraybuffer_info(env, argv[0], &data, heap_bytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "the first argument must be an ArrayBuffer");
    return 0;
  }
  *heap = (uint8_t*)data;
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_double(env, argv[i + 1], &numbers[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "arguments after the first must be numbers");
      return 0;
    }
  }
  return 1;
}

// Whether [at, at + bytes) lies in the heap: the TypeScript side checks shapes, this keeps a wrong call from
// writing outside the buffer.
static int inside(napi_env env, double at, double bytes, size_t heap_bytes) {
  if (at < 0 || bytes < 0 || at + bytes > (double)heap_bytes) {
    napi_throw_range_error(env, NULL, "a matrix lies outside the heap");
    return 0;
  }
  return 1;
}

static napi_value gemm(napi_env env, napi_callback_info info) {
  uint8_t* heap;
  size_t bytes;
  double v[10];
  if (!read_args(env, info, 10, &heap, &bytes, v)) return NULL;
  const double m = v[6], k = v[7], n = v[8];
  if (m > 0 && k > 0 && n > 0) {
    if (!inside(env, v[0], ((m - 1) * v[1] + k) * 4, bytes) || !inside(env, v[2], ((k - 1) * v[3] + n) * 4, bytes) ||
        !inside(env, v[4], ((m - 1) * v[5] + n) * 4, bytes))
      return NULL;
    gemm_threads((const float*)(heap + (size_t)v[0]), (size_t)v[1], (const float*)(heap + (size_t)v[2]),
                 (size_t)v[3], (float*)(heap + (size_t)v[4]), (size_t)v[5], (int)m, (int)k, (int)n,
                 v[9] >= 1 ? (int)v[9] : 1);
  }
  return NULL;
}

// A LoRA module's dense rows, loraRowsF32's arithmetic (docs/adapters.md, "The exact formula and its order"): out =
// fround(s · acc) with acc the chain over k of B[i, k] · A[k, j], a NaN written as the canonical 0x7fc00000.
__attribute__((target("avx2"))) static void lora_rows_f32(const float* left, const float* right, float* out, int rows,
                                                          int rank, int columns, float scale, int threads) {
  const size_t n = (size_t)rows * columns;
  if (rank == 0) memset(out, 0, n * sizeof(float));
  else gemm_threads(left, rank, right, columns, out, columns, rows, rank, columns, threads);
  const __m256 s = _mm256_set1_ps(scale);
  const __m256 nan = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fc00000));
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_mul_ps(s, _mm256_loadu_ps(out + i));
    _mm256_storeu_ps(out + i, _mm256_blendv_ps(nan, v, _mm256_cmp_ps(v, v, _CMP_ORD_Q)));
  }
  for (; i < n; i++) {
    const float v = scale * out[i];
    if (v == v) out[i] = v;
    else {
      const uint32_t canonical = 0x7fc00000;
      memcpy(out + i, &canonical, sizeof canonical);
    }
  }
}

// (left, right, out: Float32Arrays of rows × rank, rank × columns and rows × columns; rows, rank, columns, scale,
// threads)
static napi_value lora_rows(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  size_t argc = 8;
  double v[5];
  float* arrays[3];
  size_t lengths[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 8) {
    napi_throw_type_error(env, NULL, "wrong number of arguments");
    return NULL;
  }
  for (int t = 0; t < 3; t++) {
    napi_typedarray_type type;
    void* data;
    if (napi_get_typedarray_info(env, argv[t], &type, &lengths[t], &data, NULL, NULL) != napi_ok ||
        type != napi_float32_array) {
      napi_throw_type_error(env, NULL, "left, right and out must be Float32Arrays");
      return NULL;
    }
    arrays[t] = data;
  }
  for (int t = 0; t < 5; t++) {
    if (napi_get_value_double(env, argv[t + 3], &v[t]) != napi_ok) {
      napi_throw_type_error(env, NULL, "rows, rank, columns, scale and threads must be numbers");
      return NULL;
    }
  }
  const double rows = v[0], rank = v[1], columns = v[2];
  if (rows < 0 || rank < 0 || columns < 0 || (double)lengths[0] < rows * rank || (double)lengths[1] < rank * columns ||
      (double)lengths[2] < rows * columns) {
    napi_throw_range_error(env, NULL, "a matrix lies outside its array");
    return NULL;
  }
  lora_rows_f32(arrays[0], arrays[1], arrays[2], (int)rows, (int)rank, (int)columns, (float)v[3],
                v[4] >= 1 ? (int)v[4] : 1);
  return NULL;
}

static napi_value squared_distance(napi_env env, napi_callback_info info) {
  uint8_t* heap;
  size_t bytes;
  double v[3];
  if (!read_args(env, info, 3, &heap, &bytes, v)) return NULL;
  if (!inside(env, v[0], v[2] * 4, bytes) || !inside(env, v[1], v[2] * 4, bytes)) return NULL;
  napi_value result;
  napi_create_double(env,
                     squared_distance_f32((const float*)(heap + (size_t)v[0]), (const float*)(heap + (size_t)v[1]),
                                          (size_t)v[2]),
                     &result);
  return result;
}

// gramF64 and solveUpperF64 take the same arguments (X, rows, cols, then G or R, threads).
static napi_value f64_kernel(napi_env env, napi_callback_info info, int is_gram) {
  uint8_t* heap;
  size_t bytes;
  double v[5];
  if (!read_args(env, info, 5, &heap, &bytes, v)) return NULL;
  if (!inside(env, v[0], v[1] * v[2] * 8, bytes) || !inside(env, v[3], v[2] * v[2] * 8, bytes)) return NULL;
  double* square = (double*)(heap + (size_t)v[3]);
  f64_threads((struct f64_part){.x = (double*)(heap + (size_t)v[0]), .rows = (size_t)v[1], .cols = (int)v[2],
                                .g = is_gram ? square : NULL, .r = is_gram ? NULL : square, .gram = is_gram},
              v[4] >= 1 ? (int)v[4] : 1);
  return NULL;
}

static napi_value gram(napi_env env, napi_callback_info info) { return f64_kernel(env, info, 1); }

static napi_value solve_upper(napi_env env, napi_callback_info info) { return f64_kernel(env, info, 0); }

static int avx512_usable(void) { return __builtin_cpu_supports("avx512f"); }

// setVectorBits(bits): the products' vector width, 512 where the CPU (and its OS) has AVX-512, else 256; a request
// for 512 on a CPU without it keeps 256. Returns the width in use.
static napi_value set_vector_bits(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  double bits = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_double(env, argv[0], &bits) != napi_ok) {
    napi_throw_type_error(env, NULL, "setVectorBits takes one number, 256 or 512");
    return NULL;
  }
  tile_rows = bits >= 512 && avx512_usable() ? 16 : 6;
  napi_value result;
  napi_create_double(env, tile_rows == 16 ? 512 : 256, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  __builtin_cpu_init();
  tile_rows = avx512_usable() ? 16 : 6;
  napi_value available;
  napi_get_boolean(env, __builtin_cpu_supports("avx2"), &available);
  napi_set_named_property(env, exports, "available", available);
  const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {
      {"gemmF32", gemm}, {"squaredDistanceF32", squared_distance}, {"gramF64", gram}, {"solveUpperF64", solve_upper},
      {"loraRowsF32", lora_rows}, {"setVectorBits", set_vector_bits}};
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
