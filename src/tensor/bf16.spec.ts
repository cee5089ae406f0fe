import { describe, expect, it } from "vitest";
import { bf16BitsToF32, bf16BitsToF32Bits, f32BitsToBf16Bits, f32ToBf16Bits } from "./bf16.js";
import { bitsToF32 } from "./float-bits.js";
import {
  bfloat16,
  decodingFailures,
  halfValue,
  roundingDisagreements,
  roundTripAllPatterns,
} from "./testing/half-formats.js";

const bf16Value = (bits: number): number => halfValue(bfloat16, bits);

/**
 * Correct rounding by comparing distances in double precision: x and its two bfloat16 neighbours
 * are float32 values within one binade of each other, so the differences are exact. The value past
 * the largest finite bfloat16 counts as 2^128 (IEEE 754's overflow rule).
 */
function referenceBf16(bits: number): number {
  const sign = bits & 0x80000000 ? 0x8000 : 0;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7fc0;
  const x = bitsToF32(abs);
  const lo = abs >>> 16;
  if (lo === 0x7f80) return sign | lo;
  const loValue = bf16Value(lo);
  const hiValue = lo + 1 === 0x7f80 ? 2 ** 128 : bf16Value(lo + 1);
  const below = x - loValue;
  const above = hiValue - x;
  if (below < above) return sign | lo;
  if (above < below) return sign | (lo + 1);
  return sign | (lo % 2 === 0 ? lo : lo + 1);
}

describe("bfloat16", () => {
  it("decodes all 65,536 patterns to their IEEE 754 value", () => {
    expect(decodingFailures(bfloat16, bf16BitsToF32)).toEqual([]);
    expect(bf16BitsToF32Bits(0xffc1)).toBe(0xffc10000);
  });

  it("round-trips all 65,536 patterns (NaNs stay NaN with their sign, made quiet)", () => {
    const { failures, nans } = roundTripAllPatterns(bfloat16, bf16BitsToF32Bits, f32BitsToBf16Bits);
    expect(failures).toEqual([]);
    expect(nans).toBe(2 * 127);
  });

  it("agrees with the reference at, around and between every pattern", () => {
    const patterns: number[] = [];
    for (let b = 0; b < 0x7f80; b++) {
      for (const low of [0, 1, 0x7fff, 0x8000, 0x8001, 0xffff]) {
        for (const sign of [0, 0x80000000]) patterns.push((sign | (b << 16) | low) >>> 0);
      }
    }
    expect(roundingDisagreements(bfloat16, patterns, f32BitsToBf16Bits, referenceBf16)).toEqual([]);
  });

  it("rounds ties to even, overflows to Inf and keeps signed zeros and subnormals", () => {
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie, 1 is even
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie, 1 + 2^-7 is odd
    expect(f32ToBf16Bits(1 + 2 ** -8 + 2 ** -23)).toBe(0x3f81);
    expect(f32ToBf16Bits(3.3895313892515355e38)).toBe(0x7f7f); // largest finite bfloat16
    expect(f32ToBf16Bits(3.4028234663852886e38)).toBe(0x7f80); // largest float32 rounds past it
    expect(f32BitsToBf16Bits(0x7f7f7fff)).toBe(0x7f7f); // just below the tie
    expect(f32BitsToBf16Bits(0x7f7f8000)).toBe(0x7f80); // tie with an odd max: up, to Inf
    expect(f32BitsToBf16Bits(0xff7f8000)).toBe(0xff80);
    expect(f32ToBf16Bits(-0)).toBe(0x8000);
    expect(f32BitsToBf16Bits(0x00000001)).toBe(0x0000); // smallest float32 subnormal → +0
    expect(f32BitsToBf16Bits(0x00008000)).toBe(0x0000); // tie → even 0
    expect(f32BitsToBf16Bits(0x00018000)).toBe(0x0002); // tie between 1 (odd) and 2
    expect(f32BitsToBf16Bits(0x7f800001)).toBe(0x7fc0); // NaN with low payload: still NaN, quiet
    expect(f32BitsToBf16Bits(0xff800001)).toBe(0xffc0);
  });
});
