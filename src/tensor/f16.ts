import { bitsToF32, f32ToBits } from "./float-bits.js";

/**
 * IEEE 754 binary16 ↔ binary32, bit-twiddled (Node 20 has no Float16Array).
 * These scalar versions are the specification: decodeToF32 and encodeFromF32 inline the same
 * steps in their loops, and the tests check all 65,536 half patterns against these and these
 * against exact rational arithmetic.
 */

/** The float32 bits of the binary16 value `bits`; exact (every half is a float). NaN payloads are kept. */
export function f16BitsToF32Bits(bits: number): number {
  const h = bits & 0xffff;
  const sign = (h & 0x8000) << 16;
  const exponent = h & 0x7c00;
  const mantissa = h & 0x3ff;
  if (exponent === 0x7c00) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | (((h & 0x7fff) + 0x1c000) << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal half: mantissa · 2^-24 is exactly representable in float32.
  return f32ToBits((sign ? -mantissa : mantissa) * 2 ** -24);
}

/** The value of the binary16 `bits` as a number. */
export function f16BitsToF32(bits: number): number {
  return bitsToF32(f16BitsToF32Bits(bits));
}

/**
 * The binary16 bits nearest to the float32 whose bits are `bits`, ties to even.
 * Magnitudes from 65520 up overflow to ±Inf; below 2^-14 the result is subnormal, and at or below
 * 2^-25 it is ±0. NaN stays NaN with its sign and the top 9 payload bits, and is made quiet.
 */
export function f32BitsToF16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) {
    return abs > 0x7f800000 ? sign | 0x7e00 | ((abs >>> 13) & 0x3ff) : sign | 0x7c00;
  }
  // 65520 is halfway between 65504 (the largest half, odd mantissa) and 2^16: ties to even go up.
  if (abs >= 0x477ff000) return sign | 0x7c00;
  if (abs >= 0x38800000) {
    // Normal half: rebias the exponent (127 → 15) and round away the low 13 mantissa bits; a carry
    // out of the mantissa correctly bumps the exponent.
    const rebiased = abs - 0x38000000;
    return sign | ((rebiased + 0xfff + ((rebiased >>> 13) & 1)) >>> 13);
  }
  if (abs >= 0x33000000) {
    // Subnormal half, in units of 2^-24: the 24-bit significand shifted right by 14..24, rounded to
    // even. Rounding up from the largest subnormal yields 0x400, the smallest normal, as it should.
    const significand = (abs & 0x7fffff) | 0x800000;
    const shift = 126 - (abs >>> 23);
    const half = 1 << (shift - 1);
    const rest = significand & ((half << 1) - 1);
    let result = significand >>> shift;
    if (rest > half || (rest === half && (result & 1) === 1)) result++;
    return sign | result;
  }
  return sign;
}

/** The binary16 bits nearest to `value` after rounding it to float32 first (one rounding per step, as PyTorch does). */
export function f32ToF16Bits(value: number): number {
  return f32BitsToF16Bits(f32ToBits(value));
}
