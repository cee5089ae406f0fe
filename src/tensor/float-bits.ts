// One shared scratch word: reinterpreting a float as its bits needs memory, and these helpers are
// synchronous, so a module-level buffer is safe and spares an allocation per call.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** The IEEE 754 binary32 bits of `value` after rounding it to float32 (as `Math.fround` does). */
export function f32ToBits(value: number): number {
  scratchF32[0] = value;
  return scratchU32[0]!;
}

/** The float32 whose bits are `bits` (taken modulo 2^32). NaN payloads do not survive as a JS number. */
export function bitsToF32(bits: number): number {
  scratchU32[0] = bits;
  return scratchF32[0]!;
}

/** The quiet-NaN bit patterns every encoder writes, by dtype (sign cleared). */
export const quietNaNBits = { F16: 0x7e00, BF16: 0x7fc0, F32: 0x7fc00000 } as const;

/** True when this machine stores typed-array elements little-endian (every platform Node ships on but s390x). */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
