import { InternalError } from "../../errors.js";
import { hostIsLittleEndian } from "../../tensor/float-bits.js";
import { instantiateSimdKernels, type SimdExports } from "../simd/instantiate-simd-kernels.js";
import { loadNativeKernels, type NativeKernels } from "../native/load-native-kernels.js";

/** C (m × n) = A (m × k) · B (k × n); offsets and leading dimensions in float32 elements of the kernels' heap. */
export interface GemmOptions {
  a: number;
  lda: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
  m: number;
  k: number;
  /** A multiple of 4 (pad with zero columns). */
  n: number;
}

/**
 * The products of the truncated SVD, on a heap of float32 values the caller lays matrices out in. Every element
 * of a product is the chain `c = fround(c + fround(a·b))` over p = 0 … k − 1 from +0, whatever the implementation,
 * so the WebAssembly kernels and this file's JavaScript give the same bits (checked in matrix-kernels.spec.ts).
 */
export interface MatrixKernels {
  readonly implementation: "native" | "wasm" | "js";
  /** Makes the heap hold at least `floats` values; views from `floats()` taken before may be detached. */
  reserve(floats: number): void;
  /** The heap. */
  floats(): Float32Array;
  gemm(options: GemmOptions): void;
  /** Σ x[a+i]² over i < n in float64, one chain in index order. */
  sumOfSquares(a: number, n: number): number;
  /** Σ (x[a+i] − x[b+i])² over i < n in float64, element i into running sum i mod 4, then (s0 + s1) + (s2 + s3). */
  squaredDistance(a: number, b: number, n: number): number;
  /** The heap as float64: float32 offset `o` (even) is float64 index o / 2. */
  doubles(): Float64Array;
  /**
   * G (cols × cols, row-major float64 at `g`) = XᵀX for X column-major float64 at `x` (rows per column): each entry
   * the sum over rows in order in two chains, even rows and odd rows, then even + odd. Offsets are float32 offsets,
   * even.
   */
  gram(x: number, rows: number, cols: number, g: number): void;
  /**
   * X ← X·R⁻¹ (X column-major float64, R upper triangular cols × cols row-major float64); a zero pivot zeroes its
   * column.
   */
  solveUpper(x: number, rows: number, cols: number, r: number): void;
}

export interface CreateMatrixKernelsOptions {
  /**
   * `auto`: the native AVX2 kernels where they were built and the CPU has AVX2 (native-matrix-kernels.ts), else
   * WebAssembly SIMD where it runs, else JavaScript. All three give the same bits. @default "auto"
   */
  implementation?: "auto" | "native" | "wasm" | "js";
  /**
   * Threads the native products may use, each computing whole elements of C (so the bits do not depend on it); the
   * other implementations use one. @default 1
   */
  threads?: number;
}

export function createMatrixKernels(options: CreateMatrixKernelsOptions = {}): MatrixKernels {
  const wanted = options.implementation ?? "auto";
  if (wanted !== "js" && hostIsLittleEndian) {
    const simd = instantiateSimdKernels();
    if (simd) {
      const native = wanted === "auto" || wanted === "native" ? loadNativeKernels() : undefined;
      if (native) return new NativeMatrixKernels(simd, native, Math.max(1, Math.floor(options.threads ?? 1)));
      if (wanted !== "native") return new WasmMatrixKernels(simd);
    }
  }
  if (wanted === "wasm" || wanted === "native")
    throw new InternalError(`The ${wanted} matrix kernels are not available here.`, { code: "SIMD_UNAVAILABLE" });
  return new JsMatrixKernels();
}

const pageBytes = 65536;
/** Multiply-adds per call of the wasm product (a few milliseconds). */
const callMultiplyAdds = 1 << 25;
/** wasm32 memory ends at 4 GiB. */
const maxWasmBytes = 65536 * pageBytes;

class WasmMatrixKernels implements MatrixKernels {
  readonly implementation: "native" | "wasm" = "wasm";
  protected readonly start: number;
  private view: Float32Array;

  constructor(protected readonly simd: SimdExports) {
    this.start = Math.ceil(simd.heapBase() / 64) * 64;
    this.view = new Float32Array(simd.memory.buffer, this.start, (simd.memory.buffer.byteLength - this.start) >> 2);
  }

  reserve(floats: number): void {
    const needed = this.start + floats * 4;
    if (needed > maxWasmBytes) {
      throw new InternalError(`A matrix of ${floats} float32 values does not fit the 4 GiB of WebAssembly memory.`, {
        code: "MATRIX_TOO_LARGE",
      });
    }
    const current = this.simd.memory.buffer.byteLength;
    if (needed > current) this.simd.memory.grow(Math.ceil((needed - current) / pageBytes));
    if (this.view.buffer !== this.simd.memory.buffer || this.view.byteLength === 0) {
      this.view = new Float32Array(
        this.simd.memory.buffer,
        this.start,
        (this.simd.memory.buffer.byteLength - this.start) >> 2,
      );
    }
  }

  floats(): Float32Array {
    if (this.view.buffer !== this.simd.memory.buffer) this.reserve(0);
    return this.view;
  }

  gemm(o: GemmOptions): void {
    checkGemm(o, this.view.length);
    const at = (offset: number) => this.start + offset * 4;
    // In steps (the elements of C are independent, so the bits do not change): V8 first runs a wasm function as
    // baseline code and swaps in optimized code only on a later call, so one long call would run unoptimized. Each
    // call packs the part of B it uses, so a step is large enough to amortize that: at least 128 rows of A (τ·Ω), or
    // for few rows of A (Qᵀ·τ) at least 512 columns of B, each call still passing every row of A over its panel of B.
    if (o.m < 256) {
      const step = Math.max(512, Math.floor(callMultiplyAdds / Math.max(1, o.k * o.m) / 8) * 8);
      for (let j = 0; j < o.n; j += step) {
        this.simd.gemmF32(at(o.a), o.lda, at(o.b + j), o.ldb, at(o.c + j), o.ldc, o.m, o.k, Math.min(step, o.n - j));
      }
      return;
    }
    const step = Math.max(128, Math.floor(callMultiplyAdds / Math.max(1, o.k * o.n) / 4) * 4);
    for (let i = 0; i < o.m; i += step) {
      const rows = Math.min(step, o.m - i);
      this.simd.gemmF32(at(o.a + i * o.lda), o.lda, at(o.b), o.ldb, at(o.c + i * o.ldc), o.ldc, rows, o.k, o.n);
    }
  }

  sumOfSquares(a: number, n: number): number {
    return this.simd.sumOfSquaresF32(this.start + a * 4, n, 0);
  }

  squaredDistance(a: number, b: number, n: number): number {
    return this.simd.squaredDistanceF32(this.start + a * 4, this.start + b * 4, n);
  }

  doubles(): Float64Array {
    const floats = this.floats();
    return new Float64Array(floats.buffer, floats.byteOffset, floats.length >> 1);
  }

  gram(x: number, rows: number, cols: number, g: number): void {
    this.simd.gramF64(this.start + x * 4, rows, cols, this.start + g * 4);
  }

  solveUpper(x: number, rows: number, cols: number, r: number): void {
    this.simd.solveUpperF64(this.start + x * 4, rows, cols, this.start + r * 4);
  }
}

/**
 * The WebAssembly kernels' heap with the native kernels' gemm, Gram matrix, triangular solve and squared distance on
 * it (the same bits, 256-bit vectors); the rest stays WebAssembly.
 */
class NativeMatrixKernels extends WasmMatrixKernels {
  override readonly implementation = "native";

  constructor(
    simd: SimdExports,
    private readonly native: NativeKernels,
    private readonly threads: number,
  ) {
    super(simd);
  }

  override gemm(o: GemmOptions): void {
    checkGemm(o, this.floats().length);
    const at = (offset: number) => this.start + offset * 4;
    this.native.gemmF32(
      this.simd.memory.buffer,
      at(o.a),
      o.lda,
      at(o.b),
      o.ldb,
      at(o.c),
      o.ldc,
      o.m,
      o.k,
      o.n,
      this.threads,
    );
  }

  override squaredDistance(a: number, b: number, n: number): number {
    return this.native.squaredDistanceF32(this.simd.memory.buffer, this.start + a * 4, this.start + b * 4, n);
  }

  override gram(x: number, rows: number, cols: number, g: number): void {
    this.native.gramF64(this.simd.memory.buffer, this.start + x * 4, rows, cols, this.start + g * 4, this.threads);
  }

  override solveUpper(x: number, rows: number, cols: number, r: number): void {
    this.native.solveUpperF64(
      this.simd.memory.buffer,
      this.start + x * 4,
      rows,
      cols,
      this.start + r * 4,
      this.threads,
    );
  }
}

/** The reference: the same chains, in loops a JavaScript engine runs well (row of C += a·row of B, p in order). */
class JsMatrixKernels implements MatrixKernels {
  readonly implementation = "js";
  private heap = new Float32Array(0);

  reserve(floats: number): void {
    if (floats <= this.heap.length) return;
    const grown = new Float32Array(Math.max(floats, Math.ceil(this.heap.length * 1.5)));
    grown.set(this.heap);
    this.heap = grown;
  }

  floats(): Float32Array {
    return this.heap;
  }

  gemm(o: GemmOptions): void {
    checkGemm(o, this.heap.length);
    gemmReference(this.heap, o);
  }

  sumOfSquares(a: number, n: number): number {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (this.heap[a + i] as number) * (this.heap[a + i] as number);
    return sum;
  }

  squaredDistance(a: number, b: number, n: number): number {
    return squaredDistanceReference(this.heap, a, b, n);
  }

  doubles(): Float64Array {
    return new Float64Array(this.heap.buffer, this.heap.byteOffset, this.heap.length >> 1);
  }

  gram(x: number, rows: number, cols: number, g: number): void {
    gramReference(this.doubles(), x / 2, rows, cols, g / 2);
  }

  solveUpper(x: number, rows: number, cols: number, r: number): void {
    solveUpperReference(this.doubles(), x / 2, rows, cols, r / 2);
  }
}

/** gram's order on a Float64Array (offsets in float64 elements). */
export function gramReference(d: Float64Array, x: number, rows: number, cols: number, g: number): void {
  for (let i = 0; i < cols; i++) {
    for (let j = i; j < cols; j++) {
      let even = 0;
      let odd = 0;
      const xi = x + i * rows;
      const xj = x + j * rows;
      const pairs = rows >> 1;
      for (let r = 0; r < pairs; r++) {
        even += (d[xi + 2 * r] as number) * (d[xj + 2 * r] as number);
        odd += (d[xi + 2 * r + 1] as number) * (d[xj + 2 * r + 1] as number);
      }
      if (rows & 1) even += (d[xi + rows - 1] as number) * (d[xj + rows - 1] as number);
      d[g + i * cols + j] = even + odd;
      d[g + j * cols + i] = even + odd;
    }
  }
}

/** solveUpper's arithmetic on a Float64Array (offsets in float64 elements). */
export function solveUpperReference(d: Float64Array, x: number, rows: number, cols: number, r: number): void {
  for (let j = 0; j < cols; j++) {
    const yj = x + j * rows;
    for (let k = 0; k < j; k++) {
      const rkj = d[r + k * cols + j] as number;
      if (rkj === 0) continue;
      const yk = x + k * rows;
      for (let i = 0; i < rows; i++) d[yj + i] = (d[yj + i] as number) - rkj * (d[yk + i] as number);
    }
    const pivot = d[r + j * cols + j] as number;
    for (let i = 0; i < rows; i++) d[yj + i] = pivot === 0 ? 0 : (d[yj + i] as number) / pivot;
  }
}

/**
 * C = A·B in the contract's order, on one Float32Array (a Float32Array store rounds a float64 sum of two float32s
 * correctly).
 */
export function gemmReference(x: Float32Array, o: GemmOptions): void {
  if (o.k === 0) return;
  for (let i = 0; i < o.m; i++) {
    const c = o.c + i * o.ldc;
    x.fill(0, c, c + o.n);
    for (let p = 0; p < o.k; p++) {
      const a = x[o.a + i * o.lda + p] as number;
      const b = o.b + p * o.ldb;
      for (let j = 0; j < o.n; j++) x[c + j] = (x[c + j] as number) + Math.fround(a * (x[b + j] as number));
    }
  }
}

export function squaredDistanceReference(x: Float32Array, a: number, b: number, n: number): number {
  const sums = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const d = (x[a + i] as number) - (x[b + i] as number);
    sums[i & 3] = (sums[i & 3] as number) + d * d;
  }
  return sums[0]! + sums[1]! + (sums[2]! + sums[3]!);
}

function checkGemm(o: GemmOptions, heapFloats: number): void {
  const fits = (offset: number, rows: number, cols: number, ld: number) =>
    rows === 0 || cols === 0 || offset + (rows - 1) * ld + cols <= heapFloats;
  if (o.n % 4 !== 0 || !fits(o.a, o.m, o.k, o.lda) || !fits(o.b, o.k, o.n, o.ldb) || !fits(o.c, o.m, o.n, o.ldc)) {
    throw new InternalError(
      `A matrix product of ${o.m}×${o.k} by ${o.k}×${o.n} does not fit its heap or its padding; this is a bug in ` +
        "tvhub.",
      { code: "GEMM_BAD_SHAPE" },
    );
  }
}
