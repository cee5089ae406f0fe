import { describe, expect, it } from "vitest";
import { DataError, InternalError } from "../errors.js";
import { f32BitsToBf16Bits } from "./bf16.js";
import { decodeToF32, decodeToF32ViaDataView } from "./decode-to-f32.js";
import type { ComputableDtype } from "./dtype.js";
import { encodeFromF32, encodeFromF32ViaDataView } from "./encode-from-f32.js";
import { f16BitsToF32Bits, f32BitsToF16Bits } from "./f16.js";
import { bitsOf, firstDifference } from "./testing/bit-comparison.js";

const dtypes: ComputableDtype[] = ["F64", "F32", "F16", "BF16"];

/** Copies `bytes` to a buffer at byte offset `offset`, to exercise unaligned reads and writes. */
function at(offset: number, bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.length + offset + 3);
  buffer.set(bytes, offset);
  return buffer.subarray(offset, offset + bytes.length);
}

function everyHalfPattern(): Uint8Array {
  const patterns = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) patterns[i] = i;
  return new Uint8Array(patterns.buffer);
}

/** Float32 bit patterns that matter plus pseudo-random ones. */
function interestingF32(count: number): Float32Array {
  const special = [
    0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x00800000, 0x33000000, 0x33000001, 0x387fe000, 0x387ff000, 0x38800000,
    0x477fe000, 0x477fefff, 0x477ff000, 0x7f7f7fff, 0x7f7f8000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7f800001,
    0x7fc00000, 0xffc00000, 0xffbfffff, 0x3f800000, 0x3f801000, 0x3f803000, 0x3f808000, 0x3f818000,
  ];
  const values = new Float32Array(count);
  const bits = bitsOf(values);
  let state = 12345;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bits[i] = i < special.length ? special[i]! : (state ^ (state >>> 15) ^ Math.imul(i, 0x9e3779b9)) >>> 0;
  }
  return values;
}

describe("decodeToF32", () => {
  it("decodes all 65,536 F16 and BF16 patterns exactly, aligned or not", () => {
    const bytes = everyHalfPattern();
    for (const offset of [0, 1, 2, 3]) {
      const half = bitsOf(decodeToF32({ dtype: "F16", bytes: at(offset, bytes) }));
      const brain = bitsOf(decodeToF32({ dtype: "BF16", bytes: at(offset, bytes) }));
      const failures: number[] = [];
      for (let h = 0; h < 65536; h++) {
        if (half[h] !== f16BitsToF32Bits(h) || brain[h] !== (h << 16) >>> 0) failures.push(h);
      }
      expect(failures).toEqual([]);
    }
  });

  it("rounds F64 to nearest even like Math.fround, overflowing to Inf, and keeps NaN's sign", () => {
    const doubles = new Float64Array([
      1 / 3,
      -1 / 3,
      1e-46,
      -1e-46,
      2 ** -149,
      2 ** -150,
      2 ** -150 * 1.0000001,
      3.4028235677973366e38,
      3.4028235677973362e38,
      1e39,
      -1e39,
      Infinity,
      -Infinity,
      -0,
      0,
      16777217,
      16777219,
      Math.PI,
      -1e-39,
      1.401298464324817e-45,
    ]);
    const out = decodeToF32({ dtype: "F64", bytes: new Uint8Array(doubles.buffer) });
    doubles.forEach((value, i) => expect(Object.is(out[i], Math.fround(value)), `${value}`).toBe(true));
    expect(out[7]).toBe(Infinity); // 2^128·(1 − 2^-25) is the tie above the largest float32
    expect(out[8]).toBe(3.4028234663852886e38);
    expect(Object.is(out[13], -0)).toBe(true);

    const nans = new Uint32Array([0, 0x7ff80000, 0, 0xfff80000, 0xffffffff, 0x7ff00000, 0x20000000, 0xfff00000]);
    const decoded = bitsOf(decodeToF32({ dtype: "F64", bytes: at(3, new Uint8Array(nans.buffer)) }));
    expect([...decoded]).toEqual([0x7fc00000, 0xffc00000, 0x7fc00007, 0xffc00001]);
  });

  it("matches the DataView implementation for every dtype and offset", () => {
    const source = new Uint8Array(8 * 4099);
    let state = 7;
    for (let i = 0; i < source.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      source[i] = state >>> 24;
    }
    for (const dtype of dtypes) {
      for (const offset of [0, 1, 5]) {
        const bytes = at(offset, source);
        expect(
          firstDifference(bitsOf(decodeToF32({ dtype, bytes })), bitsOf(decodeToF32ViaDataView({ dtype, bytes }))),
        ).toBe(-1);
      }
    }
  });

  it("writes into a given array and returns its prefix", () => {
    const out = new Float32Array(8).fill(7);
    const result = decodeToF32({ dtype: "BF16", bytes: new Uint8Array([0x80, 0x3f, 0x00, 0xc0]), out });
    expect(result.buffer).toBe(out.buffer);
    expect([...result]).toEqual([1, -2]);
    expect(out[2]).toBe(7);
  });

  it("refuses a byte length that is not a whole number of elements, and a short output", () => {
    expect(() => decodeToF32({ dtype: "F32", bytes: new Uint8Array(6) })).toThrow(DataError);
    expect(() => decodeToF32({ dtype: "F16", bytes: new Uint8Array(6), out: new Float32Array(2) })).toThrow(
      InternalError,
    );
  });
});

describe("encodeFromF32", () => {
  it("round-trips every F16 and BF16 pattern through float32 (NaNs made quiet, sign kept)", () => {
    const bytes = everyHalfPattern();
    const patterns = new Uint16Array(bytes.buffer);
    for (const [dtype, quiet, isNanBits] of [
      ["F16", 0x0200, (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0],
      ["BF16", 0x0040, (h: number) => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0],
    ] as const) {
      const values = decodeToF32({ dtype, bytes });
      for (const offset of [0, 1]) {
        const out = at(offset, new Uint8Array(bytes.length));
        const encoded = encodeFromF32({ dtype, values, out });
        const words = new Uint16Array(encoded.slice().buffer);
        const failures: number[] = [];
        patterns.forEach((h, i) => {
          if (words[i] !== (isNanBits(h) ? h | quiet : h)) failures.push(h);
        });
        expect(failures).toEqual([]);
      }
    }
  });

  it("rounds like the scalar helpers, aligned or not, and like the DataView implementation", () => {
    const values = interestingF32(200_003);
    const bits = bitsOf(values);
    const half = new Uint16Array(encodeFromF32({ dtype: "F16", values }).buffer);
    const brain = new Uint16Array(encodeFromF32({ dtype: "BF16", values }).buffer);
    const failures: number[] = [];
    for (let i = 0; i < values.length; i++) {
      if (half[i] !== f32BitsToF16Bits(bits[i]!) || brain[i] !== f32BitsToBf16Bits(bits[i]!)) failures.push(bits[i]!);
    }
    expect(failures).toEqual([]);
    for (const dtype of dtypes) {
      const reference = encodeFromF32ViaDataView({ dtype, values });
      expect(firstDifference(encodeFromF32({ dtype, values }), reference)).toBe(-1);
      expect(
        firstDifference(encodeFromF32({ dtype, values, out: at(3, new Uint8Array(reference.length)) }), reference),
      ).toBe(-1);
    }
  });

  it("widens to F64 exactly and back, keeping NaN's sign and payload bits", () => {
    const values = interestingF32(10_000);
    const wide = encodeFromF32({ dtype: "F64", values });
    const doubles = new Float64Array(wide.buffer);
    values.forEach((value, i) => {
      if (!Number.isNaN(value)) expect(doubles[i]).toBe(value);
    });
    const back = bitsOf(decodeToF32({ dtype: "F64", bytes: wide }));
    const original = bitsOf(values);
    const failures: number[] = [];
    original.forEach((word, i) => {
      const nan = (word & 0x7fffffff) > 0x7f800000;
      if (back[i] !== (nan ? (word | 0x400000) >>> 0 : word)) failures.push(word);
    });
    expect(failures).toEqual([]);
    const words = new Uint32Array(
      encodeFromF32({ dtype: "F64", values: new Float32Array(new Uint32Array([0xff800001]).buffer) }).buffer,
    );
    expect([...words]).toEqual([0x20000000, 0xfff80000]);
  });

  it("copies F32 bits unchanged, signalling NaNs included", () => {
    const values = new Float32Array(new Uint32Array([0x7f800001, 0x80000000, 0x00000001]).buffer);
    expect([...new Uint32Array(encodeFromF32({ dtype: "F32", values }).buffer)]).toEqual([0x7f800001, 0x80000000, 1]);
  });

  it("refuses an output that is too small", () => {
    expect(() => encodeFromF32({ dtype: "F16", values: new Float32Array(4), out: new Uint8Array(7) })).toThrow(
      InternalError,
    );
  });
});
