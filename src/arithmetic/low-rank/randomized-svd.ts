import type { RandomStream } from "../../util/rng.js";
import { fillGaussian } from "./gaussian-matrix.js";
import type { MatrixKernels } from "./matrix-kernels.js";
import { orthonormalize } from "./orthonormalize.js";
import { symmetricEigen } from "./symmetric-eigen.js";

export interface RandomizedSvdOptions {
  kernels: MatrixKernels;
  /**
   * τ in the kernels' heap from offset 0: rows × cols, row-major, leading dimension `ld` (a multiple of 4, padding
   * zero).
   */
  rows: number;
  cols: number;
  ld: number;
  /** Columns of the sketch, rank + oversampling, at most min(rows, cols). */
  width: number;
  /** Power iterations (each one product with τᵀ and one with τ, each followed by an orthonormalization). */
  iterations: number;
  /** The Gaussian test matrix's stream (one per tensor). */
  stream: RandomStream;
}

/** The `width` leading singular triplets found: τ ≈ U·diag(S)·Vᵀ. */
export interface TruncatedSvd {
  /** Decreasing, ≥ 0. */
  values: Float64Array;
  /** Uᵀ: width × rows, row-major (row k is the k-th left singular vector). */
  ut: Float32Array;
  /** Vᵀ: width × cols, row-major. */
  vt: Float32Array;
}

/**
 * Randomized SVD (Halko, Martinsson & Tropp, "Finding structure with randomness", SIAM Review 2011, Algorithms 4.4
 * and 5.1), the steps of torch.svd_lowrank: Y = τΩ with a Gaussian Ω (cols × width); Q = orth(Y); `iterations`
 * times Q = orth(τᵀQ), Q = orth(τQ); then B = Qᵀτ (width × cols) and the SVD of B through B·Bᵀ = W·Λ·Wᵀ, U = Q·W.
 * The products run on the float32 kernels; the orthonormalizations and B·Bᵀ in float64 (orthonormalize.ts), the
 * small eigenproblem in float64 (symmetricEigen). Every step has a fixed order: the same τ and stream give the same
 * bits on every run.
 */
export function randomizedSvd(options: RandomizedSvdOptions): TruncatedSvd {
  const { kernels, rows: m, cols: n, ld, width: l, iterations } = options;
  const lp = roundUp4(l);
  const mp = roundUp4(m);
  // Heap layout (float32 offsets): τ, the n-side basis (n × lp), the m-side sketch (m × lp), Qᵀ (l × mp), B (l × ld),
  // then float64: the m-side and n-side matrices being orthonormalized (column-major) and l × l scratch; last, Wᵀ (l ×
  // l) and the results.
  const tau = 0;
  const basisN = even(m * ld);
  const sketchM = basisN + n * lp;
  const qt = sketchM + m * lp;
  const small = qt + l * mp;
  const xm = even(small + l * ld);
  const xn = xm + 2 * m * l;
  const scratch = xn + 2 * n * l;
  const wt = scratch + 2 * l * l;
  const utAt = even(wt + l * l);
  const vtAt = utAt + l * mp;
  kernels.reserve(vtAt + l * ld);
  let heap = kernels.floats();
  heap.fill(0, basisN, small + l * ld);
  fillGaussian(heap, basisN, n, l, lp, options.stream);

  // Y = τ·(n-side basis), orthonormalized into Qᵀ.
  const sketchToQ = () => {
    kernels.gemm({ a: tau, lda: ld, b: basisN, ldb: lp, c: sketchM, ldc: lp, m, k: n, n: lp });
    heap = kernels.floats();
    const d = kernels.doubles();
    const x = xm / 2;
    for (let i = 0; i < m; i++) {
      const row = sketchM + i * lp;
      for (let j = 0; j < l; j++) d[x + j * m + i] = heap[row + j] as number;
    }
    orthonormalize({ kernels, x: xm, rows: m, cols: l, scratch });
    for (let j = 0; j < l; j++) heap.set(d.subarray(x + j * m, x + (j + 1) * m), qt + j * mp);
  };
  // B = Qᵀ·τ (l × ld), its rows copied to the n-side float64 columns.
  const projectRows = () => {
    kernels.gemm({ a: qt, lda: mp, b: tau, ldb: ld, c: small, ldc: ld, m: l, k: m, n: ld });
    heap = kernels.floats();
    const d = kernels.doubles();
    for (let j = 0; j < l; j++) d.set(heap.subarray(small + j * ld, small + j * ld + n), xn / 2 + j * n);
  };

  sketchToQ();
  for (let it = 0; it < iterations; it++) {
    projectRows();
    orthonormalize({ kernels, x: xn, rows: n, cols: l, scratch });
    const d = kernels.doubles();
    const x = xn / 2;
    for (let i = 0; i < n; i++) {
      const row = basisN + i * lp;
      for (let j = 0; j < l; j++) heap[row + j] = d[x + j * n + i] as number;
    }
    sketchToQ();
  }
  projectRows();

  // B·Bᵀ = W·Λ·Wᵀ; the rows of Wᵀ·B are σₖ·vₖᵀ, so σₖ is their norm (more accurate for the small ones than √λₖ), and Uᵀ
  // = Wᵀ·Qᵀ.
  kernels.gram(xn, n, l, scratch);
  const d = kernels.doubles();
  const gram = d.slice(scratch / 2, scratch / 2 + l * l);
  const { vectors: w } = symmetricEigen(gram, l);
  heap = kernels.floats();
  for (let k = 0; k < l; k++) for (let j = 0; j < l; j++) heap[wt + k * l + j] = w[j * l + k] as number;
  kernels.gemm({ a: wt, lda: l, b: small, ldb: ld, c: vtAt, ldc: ld, m: l, k: l, n: ld });
  kernels.gemm({ a: wt, lda: l, b: qt, ldb: mp, c: utAt, ldc: mp, m: l, k: l, n: mp });
  heap = kernels.floats();
  const raw = new Float64Array(l);
  for (let k = 0; k < l; k++) {
    let norm = 0;
    for (let c = 0; c < n; c++) norm += (heap[vtAt + k * ld + c] as number) ** 2;
    raw[k] = Math.sqrt(norm);
  }
  // Eigenvalues equal to within rounding can come out of order once measured as norms; sort by the norms.
  const order = Array.from({ length: l }, (_, k) => k).sort((i, j) => (raw[j] as number) - (raw[i] as number) || i - j);
  const values = new Float64Array(l);
  const vt = new Float32Array(l * n);
  const ut = new Float32Array(l * m);
  order.forEach((from, to) => {
    const sigma = raw[from] as number;
    values[to] = sigma;
    if (sigma > 0) for (let c = 0; c < n; c++) vt[to * n + c] = (heap[vtAt + from * ld + c] as number) / sigma;
    ut.set(heap.subarray(utAt + from * mp, utAt + from * mp + m), to * m);
  });
  return { values, ut, vt };
}

export function roundUp4(value: number): number {
  return Math.ceil(value / 4) * 4;
}

function even(value: number): number {
  return value + (value & 1);
}
