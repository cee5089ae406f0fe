import type { MatrixKernels } from "./matrix-kernels.js";

export interface OrthonormalizeOptions {
  kernels: MatrixKernels;
  /** X: column-major float64 in the kernels' heap at this float32 offset (even), `rows` values per column. */
  x: number;
  rows: number;
  cols: number;
  /** cols × cols float64 of scratch (float32 offset, even). */
  scratch: number;
}

/**
 * An orthonormal basis of the columns of a tall matrix X (rows ≥ cols), in place: shifted Cholesky QR followed by
 * one Cholesky QR (Fukaya et al., "Shifted Cholesky QR for computing the QR factorization of ill-conditioned
 * matrices", SIAM J. Sci. Comput. 2020). The shift makes the first pass succeed however ill-conditioned X is (a τ of
 * rank below the sketch's width gives columns that are float32 noise); the second restores orthogonality to float64
 * accuracy. The Gram matrix and the triangular solve are the kernels' (fixed order); the small Cholesky is here.
 */
export function orthonormalize(options: OrthonormalizeOptions): void {
  choleskyPass(options, true);
  choleskyPass(options, false);
}

function choleskyPass(options: OrthonormalizeOptions, shifted: boolean): void {
  const { kernels, x, rows, cols, scratch } = options;
  kernels.gram(x, rows, cols, scratch);
  const d = kernels.doubles();
  const g = scratch / 2;
  if (shifted) {
    let trace = 0;
    for (let i = 0; i < cols; i++) trace += d[g + i * cols + i] as number;
    // Fukaya et al.'s shift 11(mn + n(n+1))·u·‖X‖₂², with the trace as a bound of ‖X‖₂².
    const shift = 11 * (rows * cols + cols * (cols + 1)) * 2 ** -53 * trace;
    for (let i = 0; i < cols; i++) d[g + i * cols + i] = (d[g + i * cols + i] as number) + shift;
  }
  // Cholesky G = RᵀR in place (R in the upper triangle; the lower one is zeroed); a column with no weight left gets a
  // zero pivot.
  for (let j = 0; j < cols; j++) {
    let s = d[g + j * cols + j] as number;
    for (let k = 0; k < j; k++) s -= (d[g + k * cols + j] as number) ** 2;
    const pivot = s > 0 ? Math.sqrt(s) : 0;
    d[g + j * cols + j] = pivot;
    for (let i = j + 1; i < cols; i++) {
      let t = d[g + j * cols + i] as number;
      for (let k = 0; k < j; k++) t -= (d[g + k * cols + j] as number) * (d[g + k * cols + i] as number);
      d[g + j * cols + i] = pivot > 0 ? t / pivot : 0;
      d[g + i * cols + j] = 0;
    }
  }
  kernels.solveUpper(x, rows, cols, scratch);
}
