import { describe, expect, it } from "vitest";
import type { ComputableDtype } from "../../tensor/dtype.js";
import type { EncodedValues } from "../../tensor/encoded.js";
import type { MergeTerm } from "../merge-chunk.js";
import { javascriptKernels as reference } from "./arithmetic-kernels.js";
import { createWasmKernels } from "./create-wasm-kernels.js";
import { bitsOf, firstDifference } from "../../tensor/testing/bit-comparison.js";
import { words } from "../../tensor/testing/xorshift-words.js";

// Small steps so that every test crosses step boundaries; one default-sized set checks the default.
const wasm = createWasmKernels({ chunkElements: 4096 })!;
const wasmDefault = createWasmKernels()!;
const dtypes: readonly ComputableDtype[] = ["F64", "F32", "F16", "BF16"];
const sizeOf: Record<ComputableDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

/** `bytes` copied to a fresh buffer at byte offset `offset`, to exercise unaligned reads and writes. */
function at(offset: number, bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.length + offset + 5);
  buffer.set(bytes, offset);
  return buffer.subarray(offset, offset + bytes.length);
}

/** Asserts equal bytes, naming the first differing element to make a failure readable. */
function expectSameBytes(got: Uint8Array, want: Uint8Array, elementSize: number, label: string): void {
  const index = firstDifference(got, want);
  const element = Math.floor(index / elementSize);
  const show = (bytes: Uint8Array) =>
    Array.from(bytes.subarray(element * elementSize, (element + 1) * elementSize), (byte) =>
      byte.toString(16).padStart(2, "0"),
    ).join("");
  expect(index === -1 ? "same" : `element ${element}: got ${show(got)}, want ${show(want)}`, label).toBe("same");
}

// Float32 patterns that matter: signed zeros, subnormals, the F16 and BF16 rounding and overflow
// boundaries, infinities, quiet and signalling NaNs of both signs, and ties.
const specialF32 = [
  0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x33000000, 0x33000001,
  0x33800000, 0x387fe000, 0x387ff000, 0x38800000, 0x3f800000, 0xbf800000, 0x3f808000, 0x3f818000, 0x3f801000,
  0x3f803000, 0x3f800fff, 0x477fe000, 0x477fefff, 0x477ff000, 0x477fffff, 0x47800000, 0x7f7f7fff, 0x7f7f8000,
  0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7f800001, 0xff800001, 0x7fbfffff, 0x7fc00000, 0xffc00000,
  0x7fffffff, 0xffffffff, 0x7fc0ffff, 0x7f80ffff,
];

/** `count` float32 bit patterns: the specials, then ones with random bits, then ones near 1 and 1e-3. */
function interestingF32(count: number, seed: number): Uint32Array {
  const next = words(seed);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    if (i < specialF32.length) out[i] = specialF32[i]!;
    else if (i % 3 === 0) out[i] = next();
    else out[i] = ((i % 3 === 1 ? 0x3f800000 : 0x3a800000) ^ (next() & 0x80ffffff)) >>> 0;
  }
  return out;
}

/** `count` elements of `dtype` as bytes, drawn from interestingF32 and rounded to `dtype` by the reference. */
function interestingValues(dtype: ComputableDtype, count: number, seed: number): EncodedValues {
  const floats = new Float32Array(interestingF32(count, seed).buffer);
  return { dtype, bytes: reference.encodeFromF32({ dtype, values: floats }) };
}

const every16 = new Uint16Array(65536).map((_, i) => i);

/** Half-precision patterns every 16-bit value is paired with: zeros, ±Inf, NaNs, extremes, ones, randoms. */
const partners16: Record<"BF16" | "F16", number[]> = {
  BF16: [
    0x0000, 0x8000, 0x0001, 0x8001, 0x007f, 0x0080, 0x3f80, 0xbf80, 0x3f81, 0x4000, 0x7f7f, 0xff7f, 0x7f80, 0xff80,
    0x7fc0, 0xffc0, 0x7f81, 0xffff, 0x3c23, 0xb9a1,
  ],
  F16: [
    0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x3c01, 0x4000, 0x7bff, 0xfbff, 0x7c00, 0xfc00,
    0x7e00, 0xfe00, 0x7c01, 0xffff, 0x1234, 0x9abc,
  ],
};

/** Every 16-bit pattern against each partner, in both orders: all 65,536 × partners × 2 pairs. */
function allPairs16(dtype: "BF16" | "F16"): { a: EncodedValues; b: EncodedValues } {
  const partners = partners16[dtype];
  const a = new Uint16Array(65536 * partners.length * 2);
  const b = new Uint16Array(a.length);
  partners.forEach((partner, p) => {
    a.set(every16, 2 * p * 65536);
    b.fill(partner, 2 * p * 65536, (2 * p + 1) * 65536);
    a.fill(partner, (2 * p + 1) * 65536, (2 * p + 2) * 65536);
    b.set(every16, (2 * p + 1) * 65536);
  });
  return { a: { dtype, bytes: new Uint8Array(a.buffer) }, b: { dtype, bytes: new Uint8Array(b.buffer) } };
}

describe("createWasmKernels", () => {
  it("is available on this engine and says so", () => {
    expect(wasm.implementation).toBe("wasm");
    expect(wasmDefault.implementation).toBe("wasm");
  });

  describe("decodeToF32", () => {
    it("decodes all 65,536 BF16 and F16 patterns to the reference's bits, at any byte offset", () => {
      for (const dtype of ["BF16", "F16"] as const) {
        for (const offset of [0, 1, 3]) {
          const bytes = at(offset, new Uint8Array(every16.buffer));
          const got = bitsOf(wasm.decodeToF32({ dtype, bytes }));
          const want = bitsOf(reference.decodeToF32({ dtype, bytes }));
          expect(firstDifference(got, want), `${dtype} at offset ${offset}`).toBe(-1);
        }
      }
    });

    it("decodes F32 and F64 like the reference and writes into a longer `out` as its prefix", () => {
      for (const dtype of dtypes) {
        const values = interestingValues(dtype, 1001, 7);
        const out = new Float32Array(1500).fill(42);
        const got = wasm.decodeToF32({ ...values, out });
        expect(got.length).toBe(1001);
        expect(got.buffer).toBe(out.buffer);
        expect(out[1001]).toBe(42);
        expect(firstDifference(bitsOf(got), bitsOf(reference.decodeToF32(values))), dtype).toBe(-1);
      }
    });

    it("rejects a short `out` and a byte count that is not whole elements, as the reference does", () => {
      const bytes = new Uint8Array(10);
      expect(() => wasm.decodeToF32({ dtype: "BF16", bytes, out: new Float32Array(4) })).toThrow(
        expect.objectContaining({ code: "DECODE_OUT_TOO_SMALL" }),
      );
      expect(() => wasm.decodeToF32({ dtype: "F16", bytes: new Uint8Array(7) })).toThrow(
        expect.objectContaining({ code: "TENSOR_BYTE_LENGTH" }),
      );
    });
  });

  describe("encodeFromF32", () => {
    it("rounds every high half with sixteen low halves (ties, sticky bits, NaN payloads) like the reference", () => {
      const lows = [
        0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000, 0x2fff, 0x3000, 0x3001, 0x7fff, 0x8000, 0x8001, 0xffff,
        0x5a5a, 0xa5a5,
      ];
      const bits = new Uint32Array(65536 * lows.length);
      lows.forEach((low, j) => {
        for (let high = 0; high < 65536; high++) bits[j * 65536 + high] = ((high << 16) | low) >>> 0;
      });
      const values = new Float32Array(bits.buffer);
      for (const dtype of dtypes) {
        const got = wasm.encodeFromF32({ dtype, values });
        expectSameBytes(got, reference.encodeFromF32({ dtype, values }), sizeOf[dtype], dtype);
      }
    });

    it("writes unaligned output and lengths that are not a multiple of the vector width", () => {
      for (const dtype of dtypes) {
        for (const count of [0, 1, 7, 9, 4095, 4097, 10_001]) {
          const values = new Float32Array(interestingF32(count, count + 1).buffer);
          const out = at(3, new Uint8Array(count * sizeOf[dtype] + 6)).fill(0xee);
          const got = wasm.encodeFromF32({ dtype, values, out });
          expect(got.byteLength).toBe(count * sizeOf[dtype]);
          expect(out[count * sizeOf[dtype]], "bytes past the result are untouched").toBe(0xee);
          expectSameBytes(got, reference.encodeFromF32({ dtype, values }), sizeOf[dtype], `${dtype} × ${count}`);
        }
      }
    });

    it("rejects a short `out` as the reference does", () => {
      expect(() => wasm.encodeFromF32({ dtype: "BF16", values: new Float32Array(5), out: new Uint8Array(9) })).toThrow(
        expect.objectContaining({ code: "ENCODE_OUT_TOO_SMALL" }),
      );
    });
  });

  describe("float32 arithmetic", () => {
    const a = new Float32Array(interestingF32(20_003, 11).buffer);
    const b = new Float32Array(interestingF32(20_003, 12).buffer);
    // Pair every special with every special too: ±Inf − ±Inf, NaN − NaN, 0 − −0 and so on.
    for (let i = 0; i < specialF32.length; i++) {
      for (let j = 0; j < specialF32.length; j++) {
        bitsOf(a)[10_000 + i * specialF32.length + j] = specialF32[i]!;
        bitsOf(b)[10_000 + i * specialF32.length + j] = specialF32[j]!;
      }
    }
    const weights = [1, -1, 0, 0.3, -0.05, 1e-3, 2 ** 100, 1e39, NaN, Infinity];

    it("subtract matches the reference bit for bit, NaN canonical, in place or not", () => {
      const want = bitsOf(reference.subtract({ finetuned: a, base: b }));
      expect(firstDifference(bitsOf(wasm.subtract({ finetuned: a, base: b })), want)).toBe(-1);
      const inPlace = a.slice();
      wasm.subtract({ finetuned: inPlace, base: b, out: inPlace });
      expect(firstDifference(bitsOf(inPlace), want)).toBe(-1);
    });

    it("addScaled and addScaledDifference match the reference bit for bit for every weight", () => {
      for (const weight of weights) {
        const accWasm = b.slice();
        const accJs = b.slice();
        wasm.addScaled({ acc: accWasm, tau: a, weight });
        reference.addScaled({ acc: accJs, tau: a, weight });
        expect(firstDifference(bitsOf(accWasm), bitsOf(accJs)), `addScaled λ=${weight}`).toBe(-1);

        const base = a.slice().reverse();
        wasm.addScaledDifference({ acc: accWasm, finetuned: a, base, weight });
        reference.addScaledDifference({ acc: accJs, finetuned: a, base, weight });
        expect(firstDifference(bitsOf(accWasm), bitsOf(accJs)), `addScaledDifference λ=${weight}`).toBe(-1);
      }
    });

    it("rejects operands of different lengths as the reference does", () => {
      expect(() => wasm.subtract({ finetuned: a, base: b.subarray(1) })).toThrow(
        expect.objectContaining({ code: "ARITHMETIC_LENGTH_MISMATCH" }),
      );
      expect(() => wasm.addScaled({ acc: a.slice(1), tau: b, weight: 1 })).toThrow(
        expect.objectContaining({ code: "ARITHMETIC_LENGTH_MISMATCH" }),
      );
    });
  });

  describe("reductions", () => {
    /** Finite values over 40 binades, so that every addition rounds and the order of the sum shows. */
    function spread(count: number, seed: number): Float32Array {
      const next = words(seed);
      return Float32Array.from({ length: count }, () => (next() / 2 ** 32 - 0.5) * 2 ** ((next() % 40) - 20));
    }

    it("sumOfSquares and dotProduct equal the reference's float64 sums in index order, across steps and tails", () => {
      for (const count of [0, 1, 3, 4, 5, 4095, 4096, 4099, 30_001]) {
        const a = spread(count, count + 1);
        const b = spread(count, count + 2);
        for (const initial of [undefined, 0, -0, 1.5, 1e300]) {
          const squares = wasm.sumOfSquares({ values: a, ...(initial === undefined ? {} : { initial }) });
          expect(
            Object.is(squares, reference.sumOfSquares({ values: a, ...(initial === undefined ? {} : { initial }) })),
            `Σx² × ${count}`,
          ).toBe(true);
          const dot = wasm.dotProduct({ a, b, ...(initial === undefined ? {} : { initial }) });
          expect(
            Object.is(dot, reference.dotProduct({ a, b, ...(initial === undefined ? {} : { initial }) })),
            `Σab × ${count}`,
          ).toBe(true);
        }
      }
    });

    it("keeps the reference's order, which this data is sensitive to", () => {
      const a = spread(30_001, 3);
      let backwards = 0;
      for (let i = a.length - 1; i >= 0; i--) backwards += a[i]! * a[i]!;
      expect(backwards).not.toBe(reference.sumOfSquares({ values: a }));
      expect(wasm.sumOfSquares({ values: a })).toBe(reference.sumOfSquares({ values: a }));
    });

    it("propagates Inf and NaN like the reference and rejects operands of different lengths", () => {
      const values = new Float32Array(interestingF32(100, 5).buffer);
      expect(wasm.sumOfSquares({ values })).toBeNaN();
      expect(wasm.sumOfSquares({ values: Float32Array.of(1, Infinity, 2) })).toBe(Infinity);
      expect(wasm.dotProduct({ a: Float32Array.of(Infinity, 1), b: Float32Array.of(0, 1) })).toBeNaN();
      expect(() => wasm.dotProduct({ a: values, b: values.subarray(1) })).toThrow(
        expect.objectContaining({ code: "ARITHMETIC_LENGTH_MISMATCH" }),
      );
    });
  });

  describe("reconstruction statistics", () => {
    it("count and measure like the reference for every 16-bit pattern and a lossy stored τ", () => {
      for (const dtype of ["BF16", "F16"] as const) {
        const { a, b } = allPairs16(dtype);
        const taskVector = { dtype, bytes: reference.computeTaskVector({ finetuned: a, base: b, dtype }) };
        const got = wasm.reconstructionError({ base: b, finetuned: a, taskVector });
        const want = reference.reconstructionError({ base: b, finetuned: a, taskVector });
        expect(got, dtype).toEqual(want);
        expect(want.mismatches, "the data has mismatches to count").toBeGreaterThan(1000);
        expect(want.maxAbsError, "and a NaN meeting a number").toBe(Infinity);
        expect(wasm.countInexactF32({ base: b, finetuned: a })).toEqual(
          reference.countInexactF32({ base: b, finetuned: a }),
        );
      }
    });

    it("match the reference for every dtype combination, with carried totals, tails and small steps", () => {
      const initial = { elements: 10, mismatches: 3, maxAbsError: 1e-9 };
      for (const count of [0, 1, 5, 4099, 9_999]) {
        for (const baseDtype of dtypes) {
          for (const tauDtype of dtypes) {
            const base = interestingValues(baseDtype, count, 51);
            const finetuned = interestingValues(baseDtype, count, 52);
            const taskVector = {
              dtype: tauDtype,
              bytes: reference.computeTaskVector({ finetuned, base, dtype: tauDtype }),
            };
            const label = `${baseDtype}, τ ${tauDtype} × ${count}`;
            expect(
              wasm.reconstructionError({ base, finetuned, taskVector, initial, chunkElements: 1000 }),
              label,
            ).toEqual(reference.reconstructionError({ base, finetuned, taskVector, initial }));
          }
          const base = interestingValues(baseDtype, count, 53);
          const finetuned = interestingValues("F32", count, 54);
          expect(wasm.countInexactF32({ base, finetuned, initial }), `${baseDtype} × ${count}`).toEqual(
            reference.countInexactF32({ base, finetuned, initial }),
          );
        }
      }
    });

    it("find the finite worst error when no NaN is involved, and count −0 against +0", () => {
      const base = { dtype: "F32" as const, bytes: new Uint8Array(Float32Array.of(1, 0, 2, 3, 4).buffer) };
      const finetuned = { dtype: "F32" as const, bytes: new Uint8Array(Float32Array.of(1.5, -0, 2, 3.25, 4).buffer) };
      const taskVector = { dtype: "BF16" as const, bytes: new Uint8Array(10) };
      const stats = wasm.reconstructionError({ base, finetuned, taskVector });
      expect(stats).toEqual({ elements: 5, mismatches: 3, maxAbsError: 0.5 });
      expect(stats).toEqual(reference.reconstructionError({ base, finetuned, taskVector }));
    });

    it("reject operands of different lengths", () => {
      const base = { dtype: "F32" as const, bytes: new Uint8Array(8) };
      expect(() => wasm.countInexactF32({ base, finetuned: { dtype: "F32", bytes: new Uint8Array(4) } })).toThrow(
        expect.objectContaining({ code: "ARITHMETIC_LENGTH_MISMATCH" }),
      );
    });
  });

  describe("computeTaskVector", () => {
    it(
      "matches the reference for every 16-bit pattern against zeros, ±Inf, NaNs, extremes and randoms, both " + "ways",
      () => {
        for (const dtype of ["BF16", "F16"] as const) {
          const { a, b } = allPairs16(dtype);
          for (const out of dtypes) {
            const got = wasm.computeTaskVector({ finetuned: a, base: b, dtype: out });
            const want = reference.computeTaskVector({ finetuned: a, base: b, dtype: out });
            expectSameBytes(got, want, sizeOf[out], `${dtype} − ${dtype} → ${out}`);
          }
        }
      },
    );

    it("matches the reference for every pair of input dtypes and every output dtype", () => {
      for (const ftDtype of dtypes) {
        for (const baseDtype of dtypes) {
          const finetuned = interestingValues(ftDtype, 9_999, 21);
          const base = interestingValues(baseDtype, 9_999, 22);
          for (const out of dtypes) {
            const got = wasmDefault.computeTaskVector({ finetuned, base, dtype: out });
            const want = reference.computeTaskVector({ finetuned, base, dtype: out });
            expectSameBytes(got, want, sizeOf[out], `${ftDtype} − ${baseDtype} → ${out}`);
          }
        }
      }
    });

    it("handles tails, unaligned inputs and outputs, a caller's `out` and small steps", () => {
      for (const count of [0, 1, 3, 8, 15, 4096, 4103]) {
        for (const [ftDtype, baseDtype, out] of [
          ["BF16", "BF16", "BF16"],
          ["F16", "F16", "F16"],
          ["BF16", "BF16", "F32"],
          ["F32", "F32", "BF16"],
          ["BF16", "F16", "F16"],
        ] as const) {
          const finetuned = interestingValues(ftDtype, count, count + 5);
          const base = interestingValues(baseDtype, count, count + 6);
          const shifted = {
            finetuned: { dtype: ftDtype, bytes: at(1, finetuned.bytes) },
            base: { dtype: baseDtype, bytes: at(3, base.bytes) },
          };
          const target = at(1, new Uint8Array(count * sizeOf[out] + 4)).fill(0xee);
          const got = wasm.computeTaskVector({ ...shifted, dtype: out, out: target, chunkElements: 5 });
          expect(got.byteLength).toBe(count * sizeOf[out]);
          expect(target[count * sizeOf[out]]).toBe(0xee);
          expectSameBytes(
            got,
            reference.computeTaskVector({ finetuned, base, dtype: out }),
            sizeOf[out],
            `${ftDtype}−${baseDtype}→${out} × ${count}`,
          );
        }
      }
    });

    it("rejects mismatched lengths, a short `out` and a bad step as the reference does", () => {
      const two = { dtype: "BF16" as const, bytes: new Uint8Array(4) };
      const three = { dtype: "BF16" as const, bytes: new Uint8Array(6) };
      for (const kernels of [wasm, reference]) {
        expect(() => kernels.computeTaskVector({ finetuned: two, base: three, dtype: "BF16" })).toThrow(
          expect.objectContaining({ code: "ARITHMETIC_LENGTH_MISMATCH" }),
        );
        expect(() =>
          kernels.computeTaskVector({ finetuned: three, base: three, dtype: "F32", out: new Uint8Array(11) }),
        ).toThrow(expect.objectContaining({ code: "ENCODE_OUT_TOO_SMALL" }));
        expect(() =>
          kernels.computeTaskVector({ finetuned: three, base: three, dtype: "F32", chunkElements: 0 }),
        ).toThrow(expect.objectContaining({ code: "ARITHMETIC_BAD_CHUNK" }));
      }
    });
  });

  describe("mergeChunk", () => {
    it("matches the reference for every 16-bit base pattern against task vectors and fine-tuned models", () => {
      for (const dtype of ["BF16", "F16"] as const) {
        const { a, b } = allPairs16(dtype);
        const terms: MergeTerm[] = [
          { weight: 0.3, taskVector: b },
          { weight: -1, finetuned: a },
          { weight: 0.7, finetuned: b },
        ];
        // Other output dtypes go through the same float32 sum; the next test covers them.
        for (const out of [dtype, "F32"] as const) {
          const got = wasm.mergeChunk({ base: a, terms, dtype: out });
          expectSameBytes(got, reference.mergeChunk({ base: a, terms, dtype: out }), sizeOf[out], `${dtype} → ${out}`);
        }
      }
    });

    it("matches the reference for every dtype of base, task vector, fine-tuned model and output", () => {
      for (const baseDtype of dtypes) {
        for (const termDtype of dtypes) {
          const base = interestingValues(baseDtype, 5_001, 31);
          const terms: MergeTerm[] = [
            { weight: 0.5, taskVector: interestingValues(termDtype, 5_001, 32) },
            { weight: -0.25, finetuned: interestingValues(termDtype, 5_001, 33) },
            { weight: 1e-3, taskVector: interestingValues("F32", 5_001, 34) },
          ];
          for (const out of dtypes) {
            const got = wasmDefault.mergeChunk({ base, terms, dtype: out });
            const want = reference.mergeChunk({ base, terms, dtype: out });
            expectSameBytes(got, want, sizeOf[out], `base ${baseDtype}, terms ${termDtype} → ${out}`);
          }
        }
      }
    });

    it("copies the base through (NaN payloads kept) when there are no terms, and handles tails and offsets", () => {
      for (const count of [0, 1, 9, 4097]) {
        for (const dtype of dtypes) {
          const base = { dtype, bytes: at(1, interestingValues(dtype, count, 41).bytes) };
          const tau = { dtype, bytes: at(3, interestingValues(dtype, count, 42).bytes) };
          for (const terms of [[], [{ weight: 2, taskVector: tau }], [{ weight: 0.1, finetuned: tau }]]) {
            const got = wasm.mergeChunk({ base, terms, dtype, chunkElements: 7 });
            expectSameBytes(
              got,
              reference.mergeChunk({ base, terms, dtype }),
              sizeOf[dtype],
              `${dtype} × ${count}, ${terms.length} terms`,
            );
          }
        }
      }
    });

    it("rejects a term of another length as the reference does", () => {
      const base = { dtype: "F16" as const, bytes: new Uint8Array(8) };
      const terms = [{ weight: 1, taskVector: { dtype: "F16" as const, bytes: new Uint8Array(6) } }];
      expect(() => wasm.mergeChunk({ base, terms, dtype: "F16" })).toThrow(
        expect.objectContaining({ code: "ARITHMETIC_LENGTH_MISMATCH" }),
      );
    });
  });
});
