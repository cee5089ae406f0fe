import { describe, expect, it } from "vitest";
import { createRandom } from "../../util/rng.js";
import { defaultSvdParameters, factorTaskVector, type RankPolicy } from "./factor-task-vector.js";
import { loadNativeKernels } from "../native/load-native-kernels.js";
import { createMatrixKernels, type MatrixKernels } from "./matrix-kernels.js";
import { roundUp4 } from "./randomized-svd.js";

/** τ = X·Y with X (rows × rank), Y (rank × cols) Gaussian-ish: rank exactly `rank` (almost surely). */
function lowRank(rows: number, cols: number, rank: number, seed: number): Float64Array {
  const random = createRandom({ seed, labels: ["factor-task-vector.spec"] });
  const x = Array.from({ length: rows * rank }, () => random.nextFloat() - 0.5);
  const y = Array.from({ length: rank * cols }, () => random.nextFloat() - 0.5);
  const tau = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += x[i * rank + k]! * y[k * cols + j]!;
      tau[i * cols + j] = Math.fround(s * 0.01);
    }
  return tau;
}

function load(kernels: MatrixKernels, tau: Float64Array, rows: number, cols: number): void {
  const ld = roundUp4(cols);
  kernels.reserve(rows * ld);
  const heap = kernels.floats();
  heap.fill(0, 0, rows * ld);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) heap[i * ld + j] = tau[i * cols + j]!;
}

/** ‖τ − BA‖/‖τ‖ in float64 from the factors, independent of the kernels. */
function relativeError(
  tau: Float64Array,
  rows: number,
  cols: number,
  a: Float32Array,
  b: Float32Array,
  rank: number,
): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += b[i * rank + k]! * a[k * cols + j]!;
      diff += (tau[i * cols + j]! - s) ** 2;
      norm += tau[i * cols + j]! ** 2;
    }
  return Math.sqrt(diff / norm);
}

describe("factorTaskVector", () => {
  const run = (kernels: MatrixKernels, tau: Float64Array, rows: number, cols: number, policy: RankPolicy) => {
    load(kernels, tau, rows, cols);
    return factorTaskVector({ kernels, rows, cols, name: "w", policy, svd: defaultSvdParameters, dtype: "F32" });
  };

  it.each([
    [96, 70, 8],
    [50, 130, 5],
    [33, 33, 12],
  ])("a τ of true rank r (%i × %i, r = %i) comes back within 1e-6 at --lora-rank r", (rows, cols, rank) => {
    const tau = lowRank(rows, cols, rank, rows);
    const factors = run(createMatrixKernels(), tau, rows, cols, { kind: "fixed", rank });
    expect(factors.rank).toBe(rank);
    expect(factors.a.length).toBe(rank * cols);
    expect(factors.b.length).toBe(rows * rank);
    expect(factors.relativeError).toBeLessThanOrEqual(1e-6);
    expect(relativeError(tau, rows, cols, factors.a, factors.b, rank)).toBeLessThanOrEqual(1e-6);
    expect(factors.retainedEnergy).toBeCloseTo(1, 6);
  });

  it("a lower rank loses what Eckart–Young says it must, and measures it", () => {
    const tau = lowRank(60, 40, 10, 3);
    const factors = run(createMatrixKernels(), tau, 60, 40, { kind: "fixed", rank: 4 });
    const independent = relativeError(tau, 60, 40, factors.a, factors.b, 4);
    expect(factors.relativeError).toBeCloseTo(independent, 6);
    // Retained energy and error agree: error² = 1 − retained for an exact truncation.
    expect(factors.relativeError ** 2).toBeCloseTo(1 - factors.retainedEnergy, 3);
    expect(factors.relativeError).toBeGreaterThan(0.05);
  });

  it.each([
    [45, 37, 6],
    // Large enough for the native products to split over threads (bands of 6 rows or 16 columns).
    [1200, 600, 24],
  ])(
    "native (1 and 3 threads), WebAssembly and JavaScript kernels give the same bits (%i × %i, rank %i)",
    (m, n, r) => {
      const tau = lowRank(m, n, r, 9);
      const js = run(createMatrixKernels({ implementation: "js" }), tau, m, n, { kind: "fixed", rank: r });
      const others = [createMatrixKernels({ implementation: "wasm" })];
      if (loadNativeKernels()) {
        for (const threads of [1, 3]) others.push(createMatrixKernels({ implementation: "native", threads }));
      }
      for (const kernels of others) {
        const got = run(kernels, tau, m, n, { kind: "fixed", rank: r });
        expect(Buffer.from(got.a.buffer).equals(Buffer.from(js.a.buffer)), kernels.implementation).toBe(true);
        expect(Buffer.from(got.b.buffer).equals(Buffer.from(js.b.buffer)), kernels.implementation).toBe(true);
        expect(got.relativeError).toBe(js.relativeError);
      }
    },
  );

  it("auto picks the smallest rank within the error", () => {
    // Singular values 1, 1/2, 1/4, ...: rank k leaves √(Σ_{i≥k} 4^-i)/√(Σ 4^-i) = 2^-k.
    const rows = 64;
    const cols = 48;
    const random = createRandom({ seed: 5, labels: ["auto"] });
    const u = Array.from({ length: rows * 10 }, () => random.nextFloat() - 0.5);
    const v = Array.from({ length: 10 * cols }, () => random.nextFloat() - 0.5);
    const tau = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let k = 0; k < 10; k++) s += u[i * 10 + k]! * v[k * cols + j]! * 2 ** -(2 * k);
        tau[i * cols + j] = Math.fround(s);
      }
    const factors = run(createMatrixKernels(), tau, rows, cols, { kind: "auto", maxError: 0.02 });
    expect(factors.relativeError).toBeLessThanOrEqual(0.02);
    const lower = run(createMatrixKernels(), tau, rows, cols, { kind: "fixed", rank: factors.rank - 1 });
    expect(lower.relativeError).toBeGreaterThan(0.02);
  });
});
