import { describe, expect, it } from "vitest";
import type { ComputableDtype } from "../../tensor/dtype.js";
import type { EncodedValues } from "../../tensor/encoded.js";
import { javascriptKernels as reference } from "./arithmetic-kernels.js";
import { createTaskVectorStatistics } from "./create-task-vector-statistics.js";
import { createWasmKernels } from "./create-wasm-kernels.js";
import { words } from "../../tensor/testing/xorshift-words.js";

// A small step so that every case crosses step boundaries, and the default.
const fused = createTaskVectorStatistics({ chunkElements: 1000 });
const fusedDefault = createTaskVectorStatistics();
const composed = createTaskVectorStatistics({ implementation: "js" });
const sizeOf: Record<ComputableDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

// Zeros, subnormals, ±Inf, NaNs of both signs, the largest finite values: where reconstruction fails.
const specials = [
  0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
  0xffc00000, 0x7f800001, 0x3f800000,
];

/** A base and a fine-tune of `count` elements: specials, random bit patterns, and weights with small deltas. */
function pair(
  dtype: ComputableDtype,
  count: number,
  seed: number,
  offset: number,
  wild = true,
): { base: EncodedValues; finetuned: EncodedValues } {
  const next = words(seed);
  const base = new Float32Array(count);
  const finetuned = new Float32Array(count);
  const bits = (value: number) => new Float32Array(new Uint32Array([value]).buffer)[0]!;
  for (let i = 0; i < count; i++) {
    if (wild && i < specials.length) {
      base[i] = bits(specials[i]!);
      finetuned[i] = bits(specials[(i * 5 + 3) % specials.length]!);
    } else if (wild && i % 7 === 0) {
      base[i] = bits(next());
      finetuned[i] = bits(next());
    } else {
      base[i] = (next() / 2 ** 32 - 0.5) * 0.04;
      finetuned[i] = base[i]! + (next() / 2 ** 32 - 0.5) * (i % 3 === 0 ? 1e-6 : 4e-3);
    }
  }
  const place = (values: Float32Array): EncodedValues => {
    const encoded = reference.encodeFromF32({ dtype, values });
    const buffer = new Uint8Array(encoded.length + offset + 3);
    buffer.set(encoded, offset);
    return { dtype, bytes: buffer.subarray(offset, offset + encoded.length) };
  };
  return { base: place(base), finetuned: place(finetuned) };
}

/** The documented order: element i into accumulator i mod 8, then ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)). */
function laneSumOfSquares(values: Float32Array): number {
  const s = [0, 0, 0, 0, 0, 0, 0, 0];
  values.forEach((value, i) => (s[i % 8] = s[i % 8]! + value * value));
  return s[0]! + s[1]! + (s[2]! + s[3]!) + (s[4]! + s[5]! + (s[6]! + s[7]!));
}

describe("createTaskVectorStatistics", () => {
  for (const dtype of ["BF16", "F16", "F32", "F64"] as const) {
    for (const count of [0, 1, 13, 999, 1000, 4321]) {
      it(
        `${dtype}, ${count} elements: τ, Σ τ² and the reconstruction statistics equal the separate kernels' bit ` +
          "for bit",
        () => {
          const { base, finetuned } = pair(dtype, count, count + 17, count % 3);
          const bytes = reference.computeTaskVector({ finetuned, base, dtype });
          const sumOfSquares = laneSumOfSquares(reference.decodeToF32({ dtype, bytes }));
          const reconstruction = reference.reconstructionError({ base, finetuned, taskVector: { dtype, bytes } });
          for (const kernel of [fused, fusedDefault, composed]) {
            const got = kernel({ finetuned, base, dtype });
            expect(Buffer.compare(got.bytes, bytes)).toBe(0);
            expect(got.bytes.byteLength).toBe(count * sizeOf[dtype]);
            expect(Object.is(got.sumOfSquares, sumOfSquares), `${got.sumOfSquares} vs ${sumOfSquares}`).toBe(true);
            expect(got.reconstruction).toEqual(reconstruction);
          }
          if (count > specials.length) {
            expect(reconstruction.maxAbsError).toBe(Infinity);
            expect(Number.isNaN(sumOfSquares)).toBe(true);
          }
        },
      );
    }
  }

  it("finite weights: a lossy BF16 τ reports its inexact elements and a finite largest error", () => {
    const { base, finetuned } = pair("BF16", 5000, 3, 1, false);
    const got = fused({ finetuned, base, dtype: "BF16" });
    expect(got.reconstruction.elements).toBe(5000);
    expect(got.reconstruction.mismatches).toBeGreaterThan(0);
    expect(Number.isFinite(got.reconstruction.maxAbsError)).toBe(true);
    expect(Number.isFinite(got.sumOfSquares) && got.sumOfSquares > 0).toBe(true);
    // The eight accumulators round differently from one running sum, but only in the last bits.
    const tau = reference.decodeToF32({ dtype: "BF16", bytes: got.bytes });
    expect(got.sumOfSquares / reference.sumOfSquares({ values: tau })).toBeCloseTo(1, 12);
  });

  // base 1, fine-tuned 2^-k for five k small enough that τ rounds to −1 in the dtype: base + τ gives 0, every element
  // is inexact, and the largest error is the largest fine-tuned value.
  for (const [dtype, k] of [
    ["BF16", 20],
    ["F16", 20],
    ["F32", 25],
  ] as const) {
    it(
      `${dtype}: counts every mismatch in a block and none past the end, for each position of a short last ` + "block",
      () => {
        const encode = (values: Float32Array): EncodedValues => ({
          dtype,
          bytes: reference.encodeFromF32({ dtype, values }),
        });
        for (let count = 1; count <= 17; count++) {
          const base = encode(new Float32Array(count).fill(1));
          const finetuned = encode(new Float32Array(count).map((_, i) => 2 ** -(k + (i % 5))));
          const got = fused({ finetuned, base, dtype });
          expect(got.reconstruction, `${count} elements`).toEqual({
            elements: count,
            mismatches: count,
            maxAbsError: 2 ** -k,
          });
          expect(got.reconstruction).toEqual(
            reference.reconstructionError({ base, finetuned, taskVector: { dtype, bytes: got.bytes } }),
          );
        }
      },
    );
  }

  it("writes into a caller's buffer, and falls back to the composed kernels for mixed dtypes", () => {
    const { base } = pair("BF16", 3000, 5, 0);
    const { finetuned } = pair("F16", 3000, 6, 1);
    const out = new Uint8Array(4 * 3000 + 8);
    const got = fused({ finetuned, base, dtype: "F32", out });
    expect(got.bytes.buffer).toBe(out.buffer);
    const bytes = reference.computeTaskVector({ finetuned, base, dtype: "F32" });
    expect(Buffer.compare(got.bytes, bytes)).toBe(0);
    expect(got.reconstruction).toEqual(
      reference.reconstructionError({ base, finetuned, taskVector: { dtype: "F32", bytes } }),
    );
    const withWasm = createTaskVectorStatistics({ kernels: createWasmKernels() });
    expect(withWasm({ finetuned, base, dtype: "F32" })).toEqual(got);
  });

  it("refuses operands of different lengths and a buffer too small", () => {
    const { base, finetuned } = pair("BF16", 100, 9, 0);
    expect(() =>
      fused({ finetuned: { dtype: "BF16", bytes: finetuned.bytes.subarray(2) }, base, dtype: "BF16" }),
    ).toThrow(/99 fine-tuned elements/);
    expect(() => fused({ finetuned, base, dtype: "BF16", out: new Uint8Array(10) })).toThrow(/holds 10 bytes/);
  });
});
