import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRandom } from "../../util/rng.js";
import { loadNativeKernels } from "../native/load-native-kernels.js";
import { createMatrixKernels, type MatrixKernels } from "./matrix-kernels.js";

function fillRandom(kernels: MatrixKernels, floats: number, seed: number): void {
  kernels.reserve(floats);
  const random = createRandom({ seed, labels: ["matrix-kernels.spec"] });
  const heap = kernels.floats();
  for (let i = 0; i < floats; i++) heap[i] = Math.fround((random.nextFloat() - 0.5) * 2 ** ((i % 7) - 3));
}

// The native kernels where this machine built them (npm ci builds them where a compiler is; CI's machine has one),
// on one thread and on three (the larger products split into bands), else the WebAssembly kernels again: each fast
// implementation must give the reference's bits.
const native = (threads: number) =>
  createMatrixKernels({ implementation: loadNativeKernels() ? "native" : "wasm", threads });

// The native products run 16 × 16 tiles of AVX-512 where the CPU has it, else 6 × 16 of AVX2; both are checked here.
const widest = (loadNativeKernels()?.setVectorBits(512) ?? 256) as 256 | 512;

describe.each([
  ["wasm", createMatrixKernels({ implementation: "wasm" }), widest],
  ["native", native(1), widest],
  ["native, 3 threads", native(3), widest],
  ["native, 256-bit vectors", native(1), 256],
  ["native, 256-bit vectors, 3 threads", native(3), 256],
] as const)("matrix kernels (%s)", (_name, wasm, bits) => {
  const js = createMatrixKernels({ implementation: "js" });
  beforeAll(() => {
    loadNativeKernels()?.setVectorBits(bits);
  });
  afterAll(() => {
    loadNativeKernels()?.setVectorBits(widest);
  });

  it.each([
    // m, k, n: the edges of every block (4-row slivers, 8- and 4-wide slivers, 256-deep and 512-wide blocks of B,
    // 128-row blocks of A), and the calls the wrapper splits a product into (columns below 256 rows, rows from 256).
    [1, 1, 4],
    [3, 5, 4],
    [4, 7, 8],
    [7, 9, 12],
    [9, 300, 20],
    [13, 513, 520],
    [70, 260, 84],
    [131, 257, 1036],
    [258, 70, 84],
    [300, 513, 520],
    [301, 513, 12],
    // 16-row tiles (AVX-512) whose packing transposes 8 × 8 blocks, a k with a tail of 3, a last panel of 5 rows.
    [37, 259, 76],
  ])("C = A·B (%i × %i by %i columns) is the reference's bits", (m, k, n) => {
    const lda = k + 3;
    const ldb = n + 4;
    const ldc = n + 8;
    const a = 0;
    const b = m * lda;
    const c = b + k * ldb;
    const floats = c + m * ldc;
    for (const kernels of [wasm, js]) {
      fillRandom(kernels, floats, m * 1000 + k);
      kernels.gemm({ a, lda, b, ldb, c, ldc, m, k, n });
    }
    const got = new Uint32Array(wasm.floats().buffer, wasm.floats().byteOffset, floats);
    const want = new Uint32Array(js.floats().buffer, js.floats().byteOffset, floats);
    expect(Array.from(got)).toEqual(Array.from(want));
    // And the reference is the product: one element against a float64 sum.
    const heap = js.floats();
    let exact = 0;
    for (let p = 0; p < k; p++)
      exact += (heap[a + (m - 1) * lda + p] as number) * (heap[b + p * ldb + n - 1] as number);
    expect(heap[c + (m - 1) * ldc + n - 1]).toBeCloseTo(exact, 4);
  });

  it.each([
    [1, 1],
    [7, 3],
    [8, 4],
    [9, 5],
    [300, 11],
  ])("G = XᵀX (%i rows, %i columns, float64) is the reference's bits", (rows, cols) => {
    for (const kernels of [wasm, js]) {
      fillRandom(kernels, 2 * rows * cols + 2 * cols * cols, rows + cols);
      kernels.gram(0, rows, cols, 2 * rows * cols);
    }
    const got = wasm.doubles().slice(rows * cols, rows * cols + cols * cols);
    const want = js.doubles().slice(rows * cols, rows * cols + cols * cols);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(want.every((value) => Number.isFinite(value))).toBe(true);
  });

  it("sum of squares is the reference's float64 value", () => {
    for (const kernels of [wasm, js]) fillRandom(kernels, 1000, 9);
    for (const n of [0, 1, 3, 4, 5, 999]) expect(wasm.sumOfSquares(1, n)).toBe(js.sumOfSquares(1, n));
  });

  it("squared distance is the reference's float64 value", () => {
    for (const kernels of [wasm, js]) fillRandom(kernels, 2000, 7);
    for (const n of [0, 1, 3, 4, 5, 999]) expect(wasm.squaredDistance(0, 1000, n)).toBe(js.squaredDistance(0, 1000, n));
    const heap = js.floats();
    let sum = 0;
    for (let i = 0; i < 999; i++) sum += ((heap[i] as number) - (heap[1000 + i] as number)) ** 2;
    expect(js.squaredDistance(0, 1000, 999)).toBeCloseTo(sum, 10);
  });
});
