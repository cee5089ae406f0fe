import { describe, expect, it } from "vitest";
import { DataError, InternalError } from "../errors.js";
import { f32ToBf16Bits } from "../tensor/bf16.js";
import { decodeToF32 } from "../tensor/decode-to-f32.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import { encodeFromF32 } from "../tensor/encode-from-f32.js";
import { f32ToF16Bits } from "../tensor/f16.js";
import { createRandom } from "../util/rng.js";
import { addScaled, addScaledDifference } from "./add-scaled.js";
import { computeTaskVector } from "./compute-task-vector.js";
import { dotProduct } from "./dot-product.js";
import { mergeChunk, type MergeTerm } from "./merge-chunk.js";
import { countInexactF32, reconstructionError } from "./reconstruction-error.js";
import { subtract } from "./subtract.js";
import { sumOfSquares } from "./sum-of-squares.js";
import { firstDifference } from "../tensor/testing/bit-comparison.js";

const dtypes: ComputableDtype[] = ["F64", "F32", "F16", "BF16"];
const CANONICAL_NAN = 0x7fc00000;

const specials = [
  NaN,
  -NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1e-45,
  -1e-45,
  1e-40,
  6e-8,
  -6e-8,
  65504,
  65520,
  3.4e38,
  -3.4e38,
  1,
  -1,
];

/** Seeded float32 values across many magnitudes, `specials` spliced in at pseudo-random places. */
function sample(n: number, seed: number): Float32Array {
  const random = createRandom({ seed, labels: ["arithmetic-spec"] });
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const roll = random.nextFloat();
    if (roll < 0.05) values[i] = specials[random.nextU32() % specials.length]!;
    else values[i] = (random.nextFloat() - 0.5) * 2 ** ((random.nextU32() % 40) - 30);
  }
  return values;
}

const bitsOf = (values: Float32Array): Uint32Array => new Uint32Array(values.buffer, values.byteOffset, values.length);

/** The straightforward reference: float32 semantics by Math.fround on each element, NaN canonical. */
function fround32(values: number[]): Float32Array {
  const out = new Float32Array(values.length);
  values.forEach((value, i) => (out[i] = Number.isNaN(value) ? NaN : Math.fround(value)));
  const bits = bitsOf(out);
  values.forEach((value, i) => {
    if (Number.isNaN(value)) bits[i] = CANONICAL_NAN;
  });
  return out;
}

/** Per-element encoding through the scalar helpers: an implementation independent of the array loops. */
function encodeReference(dtype: ComputableDtype, values: Float32Array): Uint8Array {
  const bits = bitsOf(values);
  switch (dtype) {
    case "F32":
      return new Uint8Array(values.slice().buffer);
    case "F64":
      return new Uint8Array(
        Float64Array.from(values, (v, i) => (Number.isNaN(v) ? (bits[i]! >>> 31 ? -NaN : NaN) : v)).buffer,
      );
    case "F16":
      return new Uint8Array(Uint16Array.from(values, (v) => f32ToF16Bits(v)).buffer);
    case "BF16":
      return new Uint8Array(Uint16Array.from(values, (v) => f32ToBf16Bits(v)).buffer);
  }
}

describe("float32 kernels", () => {
  const n = 5003;
  const ft = sample(n, 1);
  const base = sample(n, 2);
  const tau = sample(n, 3);

  it("subtract is fround(ft − base) per element with canonical NaN", () => {
    const expected = fround32(Array.from(ft, (f, i) => f - base[i]!));
    expect(firstDifference(bitsOf(subtract({ finetuned: ft, base })), bitsOf(expected))).toBe(-1);
    const inPlace = ft.slice();
    subtract({ finetuned: inPlace, base, out: inPlace });
    expect(firstDifference(bitsOf(inPlace), bitsOf(expected))).toBe(-1);
  });

  it("addScaled rounds λ to float32 first, then the product, then the sum", () => {
    for (const weight of [0.1, -1, 1, 0.35, 1e-3, 3]) {
      const w32 = Math.fround(weight);
      const expected = fround32(Array.from(base, (b, i) => b + Math.fround(w32 * tau[i]!)));
      const acc = addScaled({ acc: base.slice(), tau, weight });
      expect(firstDifference(bitsOf(acc), bitsOf(expected)), `λ = ${weight}`).toBe(-1);
    }
  });

  it("rounding λ first matters: the double-precision λ gives different bits somewhere", () => {
    const smooth = sample(n, 4).map((x) => (Number.isFinite(x) ? x : 0));
    const acc = addScaled({ acc: new Float32Array(n), tau: smooth, weight: 0.1 });
    const withDoubleLambda = Float32Array.from(smooth, (t) => 0 + Math.fround(0.1 * t));
    expect(firstDifference(bitsOf(acc), bitsOf(withDoubleLambda))).not.toBe(-1);
  });

  it("addScaledDifference equals subtract then addScaled, bit for bit", () => {
    const direct = addScaledDifference({ acc: tau.slice(), finetuned: ft, base, weight: -0.7 });
    const twoSteps = addScaled({ acc: tau.slice(), tau: subtract({ finetuned: ft, base }), weight: -0.7 });
    expect(firstDifference(bitsOf(direct), bitsOf(twoSteps))).toBe(-1);
  });

  it("handles the special values as IEEE 754 says", () => {
    const a = new Float32Array([Infinity, Infinity, -0, 0, -0, 1e-45, 3.4028234663852886e38, NaN]);
    const b = new Float32Array([Infinity, -Infinity, 0, -0, -0, -1e-45, -3.4028234663852886e38, 1]);
    const out = subtract({ finetuned: a, base: b });
    expect(bitsOf(out)[0]).toBe(CANONICAL_NAN); // Inf − Inf
    expect(out[1]).toBe(Infinity);
    expect(Object.is(out[2], -0)).toBe(true); // −0 − 0
    expect(Object.is(out[3], 0)).toBe(true); // 0 − (−0)
    expect(Object.is(out[4], 0)).toBe(true); // −0 − (−0) = +0 under round-to-nearest
    expect(out[5]).toBe(2 ** -148); // subnormal arithmetic is exact
    expect(out[6]).toBe(Infinity); // overflow
    expect(bitsOf(out)[7]).toBe(CANONICAL_NAN);
  });

  it("refuses operands of different lengths", () => {
    expect(() => subtract({ finetuned: new Float32Array(2), base: new Float32Array(3) })).toThrow(InternalError);
  });
});

describe("computeTaskVector", () => {
  const n = 4099;
  const ftValues = sample(n, 10);
  const baseValues = sample(n, 11);

  it("matches the per-element reference for every combination of dtypes, chunked or not", () => {
    for (const baseDtype of dtypes) {
      for (const ftDtype of dtypes) {
        const base = { dtype: baseDtype, bytes: encodeFromF32({ dtype: baseDtype, values: baseValues }) };
        const finetuned = { dtype: ftDtype, bytes: encodeFromF32({ dtype: ftDtype, values: ftValues }) };
        const b = decodeToF32(base);
        const f = decodeToF32(finetuned);
        const tau = fround32(Array.from(f, (x, i) => x - b[i]!));
        for (const dtype of dtypes) {
          const expected = encodeReference(dtype, tau);
          const label = `${ftDtype} − ${baseDtype} → ${dtype}`;
          expect(firstDifference(computeTaskVector({ base, finetuned, dtype }), expected), label).toBe(-1);
          expect(
            firstDifference(computeTaskVector({ base, finetuned, dtype, chunkElements: 7 }), expected),
            label,
          ).toBe(-1);
          expect(
            firstDifference(computeTaskVector({ base, finetuned, dtype, chunkElements: 1000 }), expected),
            label,
          ).toBe(-1);
        }
      }
    }
  });

  it("gives the same bytes when the caller feeds ranges of the tensor one by one", () => {
    const base = { dtype: "BF16" as const, bytes: encodeFromF32({ dtype: "BF16", values: baseValues }) };
    const finetuned = { dtype: "F16" as const, bytes: encodeFromF32({ dtype: "F16", values: ftValues }) };
    const whole = computeTaskVector({ base, finetuned, dtype: "BF16" });
    const pieces = new Uint8Array(whole.length);
    for (let start = 0; start < n; start += 333) {
      const end = Math.min(n, start + 333);
      computeTaskVector({
        base: { dtype: "BF16", bytes: base.bytes.subarray(2 * start, 2 * end) },
        finetuned: { dtype: "F16", bytes: finetuned.bytes.subarray(2 * start, 2 * end) },
        dtype: "BF16",
        out: pieces.subarray(2 * start, 2 * end),
      });
    }
    expect(firstDifference(pieces, whole)).toBe(-1);
  });

  it("refuses inputs of different lengths or truncated bytes", () => {
    const base = { dtype: "F32" as const, bytes: new Uint8Array(8) };
    expect(() =>
      computeTaskVector({ base, finetuned: { dtype: "F32", bytes: new Uint8Array(12) }, dtype: "F32" }),
    ).toThrow(InternalError);
    expect(() =>
      computeTaskVector({ base, finetuned: { dtype: "F16", bytes: new Uint8Array(3) }, dtype: "F32" }),
    ).toThrow(DataError);
  });
});

describe("mergeChunk", () => {
  const n = 3001;
  const baseValues = sample(n, 20);
  const inputs = [sample(n, 21), sample(n, 22), sample(n, 23)];
  const weights = [0.3, -1, 1e-3];

  function reference(base: Float32Array, terms: Array<{ weight: number; tau: Float32Array }>): Float32Array {
    const acc = base.slice();
    const bits = bitsOf(acc);
    for (const { weight, tau } of terms) {
      const w32 = Math.fround(weight);
      for (let i = 0; i < n; i++) {
        const value = Math.fround(acc[i]! + Math.fround(w32 * tau[i]!));
        if (Number.isNaN(value)) bits[i] = CANONICAL_NAN;
        else acc[i] = value;
      }
    }
    return acc;
  }

  it("accumulates acc = fround(acc + fround(λ32·τ)) in order, for stored and on-the-fly τ in every dtype", () => {
    for (const baseDtype of dtypes) {
      for (const termDtype of dtypes) {
        const base = { dtype: baseDtype, bytes: encodeFromF32({ dtype: baseDtype, values: baseValues }) };
        const b = decodeToF32(base);
        const operands = inputs.map((values) => ({
          dtype: termDtype,
          bytes: encodeFromF32({ dtype: termDtype, values }),
        }));
        const decoded = operands.map((operand) => decodeToF32(operand));
        // Term 0 and 2 are stored task vectors, term 1 a fine-tuned model whose τ is computed on the fly.
        const terms: MergeTerm[] = [
          { weight: weights[0]!, taskVector: operands[0]! },
          { weight: weights[1]!, finetuned: operands[1]! },
          { weight: weights[2]!, taskVector: operands[2]! },
        ];
        const onTheFly = fround32(Array.from(decoded[1]!, (x, i) => x - b[i]!));
        const expected = reference(b, [
          { weight: weights[0]!, tau: decoded[0]! },
          { weight: weights[1]!, tau: onTheFly },
          { weight: weights[2]!, tau: decoded[2]! },
        ]);
        for (const dtype of dtypes) {
          const label = `base ${baseDtype}, terms ${termDtype} → ${dtype}`;
          const want = encodeReference(dtype, expected);
          expect(firstDifference(mergeChunk({ base, terms, dtype }), want), label).toBe(-1);
          expect(firstDifference(mergeChunk({ base, terms, dtype, chunkElements: 64 }), want), label).toBe(-1);
        }
      }
    }
  });

  it("is not commutative in float32, so the recipe order is honoured", () => {
    const base = { dtype: "F32" as const, bytes: encodeFromF32({ dtype: "F32", values: new Float32Array([1]) }) };
    const big = { dtype: "F32" as const, bytes: encodeFromF32({ dtype: "F32", values: new Float32Array([2 ** 24]) }) };
    const one = { dtype: "F32" as const, bytes: encodeFromF32({ dtype: "F32", values: new Float32Array([1]) }) };
    const forward = decodeToF32({
      dtype: "F32",
      bytes: mergeChunk({
        base,
        dtype: "F32",
        terms: [
          { weight: 1, taskVector: big },
          { weight: -1, taskVector: big },
        ],
      }),
    });
    expect(forward[0]).toBe(0); // (1 + 2^24) rounds to 2^24, minus 2^24
    const other = decodeToF32({
      dtype: "F32",
      bytes: mergeChunk({
        base,
        dtype: "F32",
        terms: [
          { weight: 1, taskVector: one },
          { weight: 1, taskVector: big },
        ],
      }),
    });
    expect(other[0]).toBe(2 ** 24 + 2);
  });

  it("with no terms re-encodes the base", () => {
    const base = { dtype: "BF16" as const, bytes: encodeFromF32({ dtype: "BF16", values: baseValues }) };
    expect(firstDifference(mergeChunk({ base, terms: [], dtype: "BF16" }), base.bytes)).toBe(-1);
  });
});

describe("reductions", () => {
  const a = sample(10_007, 30).map((x) => (Number.isFinite(x) ? x : 0.5));
  const b = sample(10_007, 31).map((x) => (Number.isFinite(x) ? x : -0.25));

  it("sum of squares and dot product accumulate in float64 in index order, chunk-independent", () => {
    let squares = 0;
    let dot = 0;
    for (let i = 0; i < a.length; i++) {
      squares += a[i]! * a[i]!;
      dot += a[i]! * b[i]!;
    }
    expect(sumOfSquares({ values: a })).toBe(squares);
    expect(dotProduct({ a, b })).toBe(dot);
    let chunkedSquares = 0;
    let chunkedDot = 0;
    for (let start = 0; start < a.length; start += 999) {
      chunkedSquares = sumOfSquares({ values: a.subarray(start, start + 999), initial: chunkedSquares });
      chunkedDot = dotProduct({
        a: a.subarray(start, start + 999),
        b: b.subarray(start, start + 999),
        initial: chunkedDot,
      });
    }
    expect(chunkedSquares).toBe(squares);
    expect(chunkedDot).toBe(dot);
    // Float64 keeps what a float32 accumulator would lose.
    expect(sumOfSquares({ values: new Float32Array([2 ** 12, 1]) })).toBe(2 ** 24 + 1);
  });
});

describe("reconstruction statistics", () => {
  const encode = (dtype: ComputableDtype, values: number[]) => ({
    dtype,
    bytes: encodeFromF32({ dtype, values: new Float32Array(values) }),
  });

  it("counts where decode(base) + decode(τ) misses decode(ft), and the largest miss", () => {
    const base = encode("BF16", [1, 1, 512, 1, 0.5]);
    const finetuned = encode("BF16", [1.5, -0, 1, NaN, 0.5]);
    // τ stored in BF16: 0.5 is exact; −1 is exact but 1 + (−1) = +0, not −0; 1 − 512 = −511 needs 9
    // significant bits, a tie that rounds to the even −512, and 512 − 512 = 0 misses 1 by 1.
    const taskVector = computeTaskVector({ base, finetuned, dtype: "BF16" });
    const stats = reconstructionError({ base, finetuned, taskVector: { dtype: "BF16", bytes: taskVector } });
    expect(stats.elements).toBe(5);
    expect(stats.mismatches).toBe(2); // the NaN reproduces as a NaN
    expect(stats.maxAbsError).toBe(1);
  });

  it("measures the largest miss as a float32 difference, which SIMD lanes compute exactly alike", () => {
    // r = (2^24 − 1) + 1 = 2^24 misses ft = 1 + 2^-20 by 16777214.999999046 in float64; float32 rounds that to 2^24 −
    // 1.
    const base = encode("F32", [2 ** 24 - 1]);
    const finetuned = encode("F32", [1 + 2 ** -20]);
    const stats = reconstructionError({ base, finetuned, taskVector: encode("F32", [1]) });
    expect(stats.mismatches).toBe(1);
    expect(stats.maxAbsError).toBe(2 ** 24 - 1);
  });

  it("countInexactF32 equals reconstructionError with the float32 τ, and finds magnitude gaps over 2^16", () => {
    // Elements 0 and 4 pair values 2^20 and 2^16 times apart: the small one is lost in τ. Element 3 is
    // the other way round and survives (its small part is lost in ft as well).
    const base = encode("BF16", [1e6, 3, 1, 0.001, 70000]);
    const finetuned = encode("BF16", [1e-3, 3.5, 1, 70000, 0.001]);
    const stats = countInexactF32({ base, finetuned });
    const tau = { dtype: "F32" as const, bytes: computeTaskVector({ base, finetuned, dtype: "F32" }) };
    expect(stats).toEqual(reconstructionError({ base, finetuned, taskVector: tau }));
    expect(stats.mismatches).toBe(2);
    expect(stats.maxAbsError).toBeGreaterThan(0);
  });

  it("when it finds no mismatch, merging the F32 task vector with λ = 1 gives the fine-tuned bytes back", () => {
    // Realistic weights: a fine-tune close to its base, both BF16 (DESIGN.md "Artifacts": --dtype f32).
    const n = 10_000;
    const random = createRandom({ seed: 50 });
    const baseValues = Float32Array.from({ length: n }, () => (random.nextFloat() - 0.5) * 0.1);
    const ftValues = baseValues.map(
      (x) => x * (1 + (random.nextFloat() - 0.5) * 0.02) + (random.nextFloat() - 0.5) * 1e-4,
    );
    const base = { dtype: "BF16" as const, bytes: encodeFromF32({ dtype: "BF16", values: baseValues }) };
    const finetuned = { dtype: "BF16" as const, bytes: encodeFromF32({ dtype: "BF16", values: ftValues }) };
    expect(countInexactF32({ base, finetuned }).mismatches).toBe(0);
    const taskVector = { dtype: "F32" as const, bytes: computeTaskVector({ base, finetuned, dtype: "F32" }) };
    const merged = mergeChunk({ base, terms: [{ weight: 1, taskVector }], dtype: "BF16" });
    expect(firstDifference(merged, finetuned.bytes)).toBe(-1);
    // Stored as BF16 instead, the same vector is lossy.
    const lossy = { dtype: "BF16" as const, bytes: computeTaskVector({ base, finetuned, dtype: "BF16" }) };
    expect(reconstructionError({ base, finetuned, taskVector: lossy }).mismatches).toBeGreaterThan(0);
  });

  it("is the same summed over chunks as over the whole tensor", () => {
    const n = 2000;
    const base = { dtype: "F16" as const, bytes: encodeFromF32({ dtype: "F16", values: sample(n, 40) }) };
    const finetuned = { dtype: "F16" as const, bytes: encodeFromF32({ dtype: "F16", values: sample(n, 41) }) };
    const taskVector = { dtype: "F16" as const, bytes: computeTaskVector({ base, finetuned, dtype: "F16" }) };
    const whole = reconstructionError({ base, finetuned, taskVector, chunkElements: 128 });
    let running = reconstructionError({
      base: { dtype: "F16", bytes: base.bytes.subarray(0, 0) },
      finetuned: { dtype: "F16", bytes: new Uint8Array(0) },
      taskVector: { dtype: "F16", bytes: new Uint8Array(0) },
    });
    for (let start = 0; start < n; start += 300) {
      const range = (bytes: Uint8Array) => bytes.subarray(2 * start, 2 * Math.min(n, start + 300));
      running = reconstructionError({
        base: { dtype: "F16", bytes: range(base.bytes) },
        finetuned: { dtype: "F16", bytes: range(finetuned.bytes) },
        taskVector: { dtype: "F16", bytes: range(taskVector.bytes) },
        initial: running,
      });
    }
    expect(running).toEqual(whole);
    expect(whole.elements).toBe(n);
    expect(whole.mismatches).toBeGreaterThan(0);
  });
});
