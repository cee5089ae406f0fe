// Test support for the 16-bit float codec specs (not part of the package API): the IEEE 754 formulas for a
// 16-bit binary format (a sign bit, then the exponent and mantissa bits), independent of the codecs' bit tricks.

/** A 16-bit binary float format: float16 is 5 exponent and 10 mantissa bits, bfloat16 8 and 7. */
export interface HalfFormat {
  exponentBits: number;
  mantissaBits: number;
}

export const float16: HalfFormat = { exponentBits: 5, mantissaBits: 10 };
export const bfloat16: HalfFormat = { exponentBits: 8, mantissaBits: 7 };

/** The value of the pattern `bits` from the IEEE 754 formula, in double precision. */
export function halfValue(format: HalfFormat, bits: number): number {
  const maxExponent = 2 ** format.exponentBits - 1;
  const bias = maxExponent >> 1;
  const scale = 2 ** format.mantissaBits;
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> format.mantissaBits) & maxExponent;
  const mantissa = bits & (scale - 1);
  if (exponent === maxExponent) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * 2 ** (1 - bias) * (mantissa / scale);
  return sign * 2 ** (exponent - bias) * (1 + mantissa / scale);
}

/** Whether `bits` is a NaN: every exponent bit set and a mantissa that is not zero. */
export function isHalfNaN(format: HalfFormat, bits: number): boolean {
  const exponentMask = ((2 ** format.exponentBits - 1) << format.mantissaBits) & 0x7fff;
  return (bits & exponentMask) === exponentMask && (bits & (2 ** format.mantissaBits - 1)) !== 0;
}

/**
 * Each of the 65,536 patterns through `toF32Bits` and back through `fromF32Bits`: the ones that do not come back
 * (a NaN must come back with its sign and payload, made quiet: the top mantissa bit set), and how many NaNs there were.
 */
export function roundTripAllPatterns(
  format: HalfFormat,
  toF32Bits: (bits: number) => number,
  fromF32Bits: (bits: number) => number,
): { failures: string[]; nans: number } {
  const quietBit = 1 << (format.mantissaBits - 1);
  const failures: string[] = [];
  let nans = 0;
  for (let bits = 0; bits < 65536; bits++) {
    const back = fromF32Bits(toF32Bits(bits));
    const nan = isHalfNaN(format, bits);
    if (nan) nans++;
    if (back !== (nan ? bits | quietBit : bits)) failures.push(`0x${bits.toString(16)} -> 0x${back.toString(16)}`);
  }
  return { failures, nans };
}

/** The patterns (of all 65,536) that `toF32` decodes to another value than the formula's (Object.is: NaN is NaN). */
export function decodingFailures(format: HalfFormat, toF32: (bits: number) => number): string[] {
  const failures: string[] = [];
  for (let bits = 0; bits < 65536; bits++) {
    if (!Object.is(toF32(bits), halfValue(format, bits))) failures.push(`0x${bits.toString(16)}`);
  }
  return failures;
}

/**
 * The float32 patterns that `fromF32Bits` rounds otherwise than `reference`; where the reference is a NaN, any NaN of
 * the same sign agrees (the payload a NaN keeps is for a spec of its own).
 */
export function roundingDisagreements(
  format: HalfFormat,
  patterns: readonly number[],
  fromF32Bits: (bits: number) => number,
  reference: (bits: number) => number,
): string[] {
  return patterns
    .filter((bits) => {
      const expected = reference(bits);
      const actual = fromF32Bits(bits);
      return isHalfNaN(format, expected)
        ? !(isHalfNaN(format, actual) && (actual & 0x8000) === (expected & 0x8000))
        : actual !== expected;
    })
    .map((bits) => `f32 0x${bits.toString(16)}`);
}
