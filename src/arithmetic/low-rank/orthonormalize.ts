/**
 * An orthonormal basis of the columns of a tall matrix X (rows × cols, row-major float64, rows ≥ cols), in place:
 * shifted Cholesky QR followed by one Cholesky QR (Fukaya et al., "Shifted Cholesky QR for computing the QR
 * factorization of ill-conditioned matrices", SIAM J. Sci. Comput. 2020). The shift makes the first pass succeed
 * however ill-conditioned X is (a τ of rank below the sketch's width gives columns that are float32 noise); the
 * second restores orthogonality to float64 accuracy. Both passes are float64 sums over rows in order, so the result
 * is the same on every run. Columns of an exactly zero X stay zero.
 */
export function orthonormalize(x: Float64Array, rows: number, cols: number): void {
  const gram = new Float64Array(cols * cols);
  choleskyPass(x, rows, cols, gram, true);
  choleskyPass(x, rows, cols, gram, false);
}

function choleskyPass(x: Float64Array, rows: number, cols: number, g: Float64Array, shifted: boolean): void {
  g.fill(0);
  // Upper triangle of XᵀX, row by row.
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let i = 0; i < cols; i++) {
      const xi = x[o + i] as number;
      if (xi === 0) continue;
      const gi = i * cols;
      for (let j = i; j < cols; j++) g[gi + j] = (g[gi + j] as number) + xi * (x[o + j] as number);
    }
  }
  if (shifted) {
    let trace = 0;
    for (let i = 0; i < cols; i++) trace += g[i * cols + i] as number;
    // Fukaya et al.'s shift 11(mn + n(n+1))·u·‖X‖₂², with the trace as a bound of ‖X‖₂².
    const shift = 11 * (rows * cols + cols * (cols + 1)) * 2 ** -53 * trace;
    for (let i = 0; i < cols; i++) g[i * cols + i] = (g[i * cols + i] as number) + shift;
  }
  // Cholesky G = RᵀR, R upper triangular, in place; a column with no weight left gets a zero column of R⁻¹.
  for (let j = 0; j < cols; j++) {
    let d = g[j * cols + j] as number;
    for (let k = 0; k < j; k++) d -= (g[k * cols + j] as number) ** 2;
    const pivot = d > 0 ? Math.sqrt(d) : 0;
    g[j * cols + j] = pivot;
    for (let i = j + 1; i < cols; i++) {
      let s = g[j * cols + i] as number;
      for (let k = 0; k < j; k++) s -= (g[k * cols + j] as number) * (g[k * cols + i] as number);
      g[j * cols + i] = pivot > 0 ? s / pivot : 0;
    }
  }
  // X ← X R⁻¹: each row y solves y R = x by forward substitution.
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) {
      const pivot = g[j * cols + j] as number;
      if (pivot === 0) {
        x[o + j] = 0;
        continue;
      }
      let s = x[o + j] as number;
      for (let k = 0; k < j; k++) s -= (x[o + k] as number) * (g[k * cols + j] as number);
      x[o + j] = s / pivot;
    }
  }
}
