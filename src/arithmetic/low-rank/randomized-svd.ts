import type { RandomStream } from "../../util/rng.js";
import { fillGaussian } from "./gaussian-matrix.js";
import type { MatrixKernels } from "./matrix-kernels.js";
import { orthonormalize } from "./orthonormalize.js";
import { symmetricEigen } from "./symmetric-eigen.js";

export interface RandomizedSvdOptions {
  kernels: MatrixKernels;
  /** τ in the kernels' heap from offset 0: rows × cols, row-major, leading dimension `ld` (a multiple of 4, padding zero). */
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
  /** rows × width, row-major. */
  u: Float64Array;
  /** width × cols, row-major (the rows of Vᵀ). */
  vt: Float64Array;
}

/**
 * Randomized SVD (Halko, Martinsson & Tropp, "Finding structure with randomness", SIAM Review 2011, Algorithms 4.4
 * and 5.1), the steps of torch.svd_lowrank: Y = τΩ with a Gaussian Ω (cols × width); Q = orth(Y); `iterations`
 * times Q = orth(τᵀQ), Q = orth(τQ); then B = Qᵀτ (width × cols) and the SVD of B, U = Q·U_B. The products run on
 * the float32 kernels (the time), the orthonormalizations and the small SVD in float64 (see orthonormalize.ts and
 * symmetricEigen); every step has a fixed order, so the same τ and stream give the same bits on every run.
 */
export function randomizedSvd(options: RandomizedSvdOptions): TruncatedSvd {
  const { kernels, rows: m, cols: n, ld, width: l, iterations } = options;
  const lp = roundUp4(l);
  // Heap layout (float32 elements): τ, the n-side basis (n × lp), the m-side sketch (m × lp), Qᵀ (l × m), B (l × ld).
  const tau = 0;
  const basisN = m * ld;
  const sketchM = basisN + n * lp;
  const qt = sketchM + m * lp;
  const small = qt + l * m;
  kernels.reserve(small + l * ld);
  let heap = kernels.floats();
  heap.fill(0, basisN, small + l * ld);
  fillGaussian(heap, basisN, n, l, lp, options.stream);

  const q = new Float64Array(m * l);
  const qn = new Float64Array(n * l);
  const sketchToQ = () => {
    kernels.gemm({ a: tau, lda: ld, b: basisN, ldb: lp, c: sketchM, ldc: lp, m, k: n, n: lp });
    heap = kernels.floats();
    for (let i = 0; i < m; i++) for (let j = 0; j < l; j++) q[i * l + j] = heap[sketchM + i * lp + j] as number;
    orthonormalize(q, m, l);
    for (let i = 0; i < m; i++) for (let j = 0; j < l; j++) heap[qt + j * m + i] = q[i * l + j] as number;
  };
  const projectRows = () => {
    kernels.gemm({ a: qt, lda: m, b: tau, ldb: ld, c: small, ldc: ld, m: l, k: m, n: ld });
    heap = kernels.floats();
  };

  sketchToQ();
  for (let it = 0; it < iterations; it++) {
    projectRows();
    for (let j = 0; j < l; j++) for (let i = 0; i < n; i++) qn[i * l + j] = heap[small + j * ld + i] as number;
    orthonormalize(qn, n, l);
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) heap[basisN + i * lp + j] = qn[i * l + j] as number;
    sketchToQ();
  }
  projectRows();

  // SVD of B (l × n) through its Gram matrix B·Bᵀ = W·Λ·Wᵀ: the rows of Wᵀ·B are σᵢ·vᵢᵀ, so σᵢ is their norm
  // (more accurate for the small ones than √λᵢ) and U = Q·W.
  const b = new Float64Array(l * n);
  for (let j = 0; j < l; j++) for (let i = 0; i < n; i++) b[j * n + i] = heap[small + j * ld + i] as number;
  const gram = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    for (let j = i; j < l; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += (b[i * n + c] as number) * (b[j * n + c] as number);
      gram[i * l + j] = s;
      gram[j * l + i] = s;
    }
  }
  const { vectors: w } = symmetricEigen(gram, l);
  const vt = new Float64Array(l * n);
  const raw = new Float64Array(l);
  for (let k = 0; k < l; k++) {
    let norm = 0;
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let j = 0; j < l; j++) s += (w[j * l + k] as number) * (b[j * n + c] as number);
      vt[k * n + c] = s;
      norm += s * s;
    }
    raw[k] = Math.sqrt(norm);
  }
  // Eigenvalues equal to within rounding can come out of order once measured as norms; sort by the norms.
  const order = Array.from({ length: l }, (_, k) => k).sort((i, j) => (raw[j] as number) - (raw[i] as number) || i - j);
  const values = new Float64Array(l);
  const vOut = new Float64Array(l * n);
  const u = new Float64Array(m * l);
  order.forEach((from, to) => {
    const sigma = raw[from] as number;
    values[to] = sigma;
    if (sigma > 0) for (let c = 0; c < n; c++) vOut[to * n + c] = (vt[from * n + c] as number) / sigma;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < l; j++) s += (q[i * l + j] as number) * (w[j * l + from] as number);
      u[i * l + to] = s;
    }
  });
  return { values, u, vt: vOut };
}

export function roundUp4(value: number): number {
  return Math.ceil(value / 4) * 4;
}
