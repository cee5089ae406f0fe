import { describe, expect, it } from "vitest";
import { f16BitsToF32, f16BitsToF32Bits, f32BitsToF16Bits, f32ToF16Bits } from "./f16.js";
import { bitsToF32, f32ToBits } from "./float-bits.js";
import { decodingFailures, float16, roundingDisagreements, roundTripAllPatterns } from "./testing/half-formats.js";

/**
 * The correctly rounded half of a float32, by exact rational arithmetic: values are BigInt
 * multiples of 2^-149 (the smallest float32 subnormal), the candidates are every non-negative half
 * pattern in order, and 0x7c00 stands for 2^16 as IEEE 754's overflow rule says (round as if the
 * exponent were unbounded; 2^16 has an even significand, so the tie at 65520 goes to Inf).
 */
function unitsOfF32(bits: number): bigint {
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  return exponent === 0 ? BigInt(mantissa) : BigInt(mantissa | 0x800000) << BigInt(exponent - 1);
}
const halfUnits = Array.from({ length: 0x7c01 }, (_, p) => {
  const exponent = p >> 10;
  const mantissa = p & 0x3ff;
  return exponent === 0 ? BigInt(mantissa) << 125n : BigInt(1024 + mantissa) << BigInt(exponent + 124);
});
const unitsOfHalf = (p: number): bigint => halfUnits[p] ?? -1n;
function referenceF16(bits: number): number {
  const sign = bits & 0x80000000 ? 0x8000 : 0;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00;
  if (abs === 0x7f800000) return sign | 0x7c00;
  const x = unitsOfF32(abs);
  let lo = 0;
  let hi = 0x7c00;
  if (x >= unitsOfHalf(hi)) return sign | 0x7c00;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (unitsOfHalf(mid) <= x) lo = mid;
    else hi = mid;
  }
  const below = x - unitsOfHalf(lo);
  const above = unitsOfHalf(hi) - x;
  if (below < above) return sign | lo;
  if (above < below) return sign | hi;
  return sign | (lo % 2 === 0 ? lo : hi);
}

const nextUp = (bits: number): number => (bits + 1) >>> 0;
const nextDown = (bits: number): number => (bits - 1) >>> 0;

/** The float32 patterns that f32BitsToF16Bits rounds otherwise than exact rational rounding. */
const disagreements = (patterns: readonly number[]): string[] =>
  roundingDisagreements(float16, patterns, f32BitsToF16Bits, referenceF16);

describe("f16BitsToF32", () => {
  it("decodes all 65,536 halves to their IEEE 754 value", () => {
    expect(decodingFailures(float16, f16BitsToF32)).toEqual([]);
  });

  it("keeps NaN sign and payload and the signed zeros", () => {
    expect(f16BitsToF32Bits(0x7e00)).toBe(0x7fc00000);
    expect(f16BitsToF32Bits(0xfe01)).toBe(0xffc02000);
    expect(f16BitsToF32Bits(0x7c01)).toBe(0x7f802000);
    expect(f16BitsToF32Bits(0x8000)).toBe(0x80000000);
    expect(f16BitsToF32Bits(0x0000)).toBe(0);
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(f16BitsToF32(0x7bff)).toBe(65504);
  });
});

describe("f32BitsToF16Bits", () => {
  it("round-trips all 65,536 halves (NaNs stay NaN with their sign, made quiet)", () => {
    const { failures, nans } = roundTripAllPatterns(float16, f16BitsToF32Bits, f32BitsToF16Bits);
    expect(failures).toEqual([]);
    expect(nans).toBe(2 * 1023);
  });

  it("agrees with exact rational rounding at, just below and just above every tie and every half", () => {
    const patterns: number[] = [];
    for (let p = 0; p < 0x7c00; p++) {
      const here = f16BitsToF32Bits(p);
      const next = f16BitsToF32Bits(p + 1);
      // The midpoint of two adjacent halves (or of 65504 and 2^16) is a float32: halves have 11 bits.
      const tie = p === 0x7bff ? 0x477ff000 : f32ToBits((bitsToF32(here) + bitsToF32(next)) / 2);
      for (const bits of [here, nextUp(here), tie, nextDown(tie), nextUp(tie), p === 0 ? 0 : nextDown(here)]) {
        patterns.push(bits, (bits | 0x80000000) >>> 0);
      }
    }
    expect(disagreements(patterns)).toEqual([]);
    expect(patterns).toHaveLength(0x7c00 * 12);
  });

  it("agrees with exact rational rounding on random float32 bit patterns", () => {
    let state = 0x9e3779b9;
    const patterns = Array.from({ length: 100_000 }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state ^ (state << 7)) >>> 0;
    });
    expect(disagreements(patterns)).toEqual([]);
  });

  it("rounds exact ties to even, both ways", () => {
    // 1 + 2^-11 is halfway between 1 (even) and 1 + 2^-10 (odd): down to 1.
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): up.
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16Bits(-(1 + 3 * 2 ** -11))).toBe(0xbc02);
    // Just off the tie goes to the nearer neighbour.
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -23)).toBe(0x3c01);
    expect(f32ToF16Bits(1 + 3 * 2 ** -11 - 2 ** -23)).toBe(0x3c01);
    // A carry out of the mantissa bumps the exponent: 2 − 2^-12 rounds to 2.
    expect(f32ToF16Bits(2 - 2 ** -12)).toBe(0x4000);
  });

  it("overflows to ±Inf exactly from 65520 up", () => {
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65519.99609375)).toBe(0x7bff); // the float32 just below the tie
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // tie: 65504 is odd, so up to Inf
    expect(f32ToF16Bits(-65520)).toBe(0xfc00);
    expect(f32ToF16Bits(1e10)).toBe(0x7c00);
    expect(f32ToF16Bits(3.4028234663852886e38)).toBe(0x7c00);
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
  });

  it("enters and leaves the subnormals and underflows to signed zero", () => {
    expect(f32ToF16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(f32ToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // tie between 0x3ff (odd) and 0x400: up, to the normal
    expect(f32ToF16Bits(2 ** -14 - 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 (odd) and 2: to 2
    expect(f32ToF16Bits(5 * 2 ** -25)).toBe(0x0002); // tie between 2 (even) and 3: to 2
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest: to 0
    expect(f32ToF16Bits(2 ** -25 + 2 ** -48)).toBe(0x0001); // just above the tie
    expect(f32ToF16Bits(-(2 ** -25))).toBe(0x8000);
    expect(f32ToF16Bits(2 ** -30)).toBe(0x0000);
    expect(f32ToF16Bits(-(2 ** -149))).toBe(0x8000);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(0)).toBe(0x0000);
  });

  it("keeps NaN a NaN with its sign, quiet", () => {
    expect(f32BitsToF16Bits(0x7fc00000)).toBe(0x7e00);
    expect(f32BitsToF16Bits(0xffc00000)).toBe(0xfe00);
    // A signalling NaN whose payload lives only in the low bits must not collapse into Inf.
    expect(f32BitsToF16Bits(0x7f800001)).toBe(0x7e00);
    expect(f32BitsToF16Bits(0x7fa00000)).toBe(0x7f00);
  });
});
