import { describe, expect, it } from "vitest";
import { loraDelta, loraOperands } from "./lora-delta.js";
import { javascriptKernels } from "./simd/arithmetic-kernels.js";
import { createWasmKernels } from "./simd/create-wasm-kernels.js";

/** A deterministic stream of floats in [−1, 1) with a spread of magnitudes, from xorshift32. */
function floats(seed: number, n: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const unit = (state >>> 0) / 2 ** 32;
    out[i] = (unit * 2 - 1) * 2 ** -((state >>> 3) % 6);
  }
  return out;
}

/** Independent of lora-delta.ts: the documented order, element by element, with Math.fround on every step. */
function naive(a: Float32Array, b: Float32Array, rank: number, transpose: boolean, scale: number): Float32Array {
  const inF = a.length / rank;
  const outF = b.length / rank;
  const s = Math.fround(scale);
  const result = new Float32Array(outF * inF);
  for (let o = 0; o < outF; o++) {
    for (let i = 0; i < inF; i++) {
      let acc = 0;
      for (let k = 0; k < rank; k++)
        acc = Math.fround(acc + Math.fround((b[o * rank + k] as number) * (a[k * inF + i] as number)));
      result[transpose ? i * outF + o : o * inF + i] = Math.fround(s * acc);
    }
  }
  return result;
}

function float64(
  a: Float32Array,
  b: Float32Array,
  rank: number,
  scale: number,
): { exact: Float64Array; bound: Float64Array } {
  const inF = a.length / rank;
  const outF = b.length / rank;
  const exact = new Float64Array(outF * inF);
  const bound = new Float64Array(outF * inF);
  const u = 2 ** -24;
  // Higham's bound for a float32 dot product of length r, then the rounded scaling: |err| ≤ γ_{r+1}·|s|·Σ|b·a|.
  const gamma = ((rank + 1) * u) / (1 - (rank + 1) * u);
  for (let o = 0; o < outF; o++) {
    for (let i = 0; i < inF; i++) {
      let sum = 0;
      let abs = 0;
      for (let k = 0; k < rank; k++) {
        const p = (b[o * rank + k] as number) * (a[k * inF + i] as number);
        sum += p;
        abs += Math.abs(p);
      }
      exact[o * inF + i] = scale * sum;
      bound[o * inF + i] = gamma * Math.abs(scale) * abs + Math.abs(Math.fround(scale) - scale) * abs;
    }
  }
  return { exact, bound };
}

const bits = (values: Float32Array) => new Uint32Array(values.buffer, values.byteOffset, values.length);
const shapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [5, 3, 7],
  [16, 8, 64],
  [33, 4, 130],
  [48, 64, 200],
  [7, 300, 9],
];

describe("loraDelta", () => {
  // The WebAssembly kernel alone at two tile sizes, and with the native kernels where this machine built them.
  const wasm = createWasmKernels({ chunkElements: 4096, native: false })!;
  const wasmDefault = createWasmKernels({ native: false })!;
  const withNative = createWasmKernels()!;
  for (const [outF, rank, inF] of shapes) {
    for (const transpose of [false, true]) {
      it(
        `${outF}×${rank}·${rank}×${inF}${transpose ? " transposed" : ""}: the same bits in JS, in wasm (two tile ` +
          "sizes), native and the naive order",
        () => {
          const a = floats(outF * 31 + rank, rank * inF);
          const b = floats(inF * 17 + rank, outF * rank);
          const scale = 16 / Math.sqrt(rank) / 3;
          const expected = naive(a, b, rank, transpose, scale);
          const factors = { a, b, rank, transpose, scale };
          const rows = transpose ? inF : outF;
          const js = loraDelta({ ...factors, rowStart: 0, rowEnd: rows });
          expect(bits(js)).toEqual(bits(expected));
          const ops = loraOperands(factors);
          for (const kernels of [javascriptKernels, wasm, wasmDefault, withNative]) {
            expect(bits(kernels.loraDeltaRows({ ...ops, rank, scale, rowStart: 0, rowEnd: rows }))).toEqual(
              bits(expected),
            );
            // A middle range of rows is the same rows of the whole.
            const from = Math.floor(rows / 3);
            const to = Math.max(from, rows - 1);
            const part = kernels.loraDeltaRows({ ...ops, rank, scale, rowStart: from, rowEnd: to });
            expect(bits(part)).toEqual(bits(expected.subarray(from * ops.columns, to * ops.columns)));
          }
        },
      );
    }
  }

  it("stays within float32's dot-product bound of the float64 product", () => {
    const [outF, rank, inF] = [40, 64, 96];
    const a = floats(3, rank * inF);
    const b = floats(4, outF * rank);
    const scale = 2 / 64;
    const got = loraDelta({ a, b, rank, transpose: false, scale, rowStart: 0, rowEnd: outF });
    const { exact, bound } = float64(a, b, rank, scale);
    let worst = 0;
    for (let i = 0; i < got.length; i++) {
      const error = Math.abs((got[i] as number) - (exact[i] as number));
      expect(error).toBeLessThanOrEqual((bound[i] as number) + Number.MIN_VALUE);
      worst = Math.max(worst, error);
    }
    expect(worst).toBeGreaterThan(0);
  });

  it("writes a NaN it computes as the canonical quiet NaN, in JS, in wasm and native", () => {
    const a = new Float32Array([Infinity, 1, 2, 3]);
    const b = new Float32Array([0, 1]);
    const ops = loraOperands({ a, b, rank: 1, transpose: false, scale: 1 });
    for (const kernels of [javascriptKernels, wasm, withNative]) {
      const out = kernels.loraDeltaRows({ ...ops, rank: 1, scale: 1, rowStart: 0, rowEnd: 2 });
      expect(bits(out)[0]).toBe(0x7fc00000);
      expect(out[6]).toBe(2);
    }
  });

  it("starts each sum at +0, so a −0 product gives +0", () => {
    const out = loraDelta({
      a: new Float32Array([-0]),
      b: new Float32Array([1]),
      rank: 1,
      transpose: false,
      scale: 1,
      rowStart: 0,
      rowEnd: 1,
    });
    expect(Object.is(out[0], 0)).toBe(true);
  });
});
