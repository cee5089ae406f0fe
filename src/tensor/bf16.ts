import { bitsToF32, f32ToBits } from "./float-bits.js";

/** bfloat16 is the top half of a float32: decoding is a shift, encoding a rounding of the low 16 bits. */

/** The float32 bits of the bfloat16 `bits`; exact, NaN payloads kept. */
export function bf16BitsToF32Bits(bits: number): number {
  return ((bits & 0xffff) << 16) >>> 0;
}

export function bf16BitsToF32(bits: number): number {
  return bitsToF32(bf16BitsToF32Bits(bits));
}

/**
 * The bfloat16 bits nearest to the float32 whose bits are `bits`, ties to even. Values that round
 * past the largest finite bfloat16 become ±Inf through the exponent carry. NaN stays NaN with its sign
 * and top payload bits, made quiet (plain rounding could carry a NaN into Inf).
 */
export function f32BitsToBf16Bits(bits: number): number {
  const u = bits >>> 0;
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x0040;
  return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}

/** The bfloat16 bits nearest to `value` after rounding it to float32 first. */
export function f32ToBf16Bits(value: number): number {
  return f32BitsToBf16Bits(f32ToBits(value));
}
