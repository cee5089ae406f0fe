/**
 * An independent float32 reference for end-to-end tests: plain, per element, written from IEEE 754 and not
 * from src/tensor, so a bug in the product's codecs cannot hide in the oracle.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bitsToF32(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0] as number;
}

export function f32ToBits(value: number): number {
  f32[0] = value;
  return u32[0] as number;
}

export function decodeElement(dtype: string, bytes: Uint8Array, i: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32":
      return view.getFloat32(i * 4, true);
    case "F64":
      return Math.fround(view.getFloat64(i * 8, true));
    case "BF16":
      return bitsToF32(view.getUint16(i * 2, true) << 16);
    case "F16": {
      const h = view.getUint16(i * 2, true);
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const mant = h & 0x3ff;
      if (exp === 0) return sign * mant * 2 ** -24;
      if (exp === 31) return mant ? NaN : sign * Infinity;
      return sign * (1 + mant / 1024) * 2 ** (exp - 15);
    }
  }
  throw new Error(`no reference decoder for ${dtype}`);
}

function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function encodeBf16(value: number): number {
  const bits = f32ToBits(value);
  if (Number.isNaN(value)) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function encodeF16(value: number): number {
  const signBit = f32ToBits(value) >>> 31 ? 0x8000 : 0;
  if (Number.isNaN(value)) return signBit | 0x7e00;
  const abs = Math.abs(value);
  if (abs >= 65520) return signBit | 0x7c00;
  if (abs < 2 ** -14) return signBit | roundHalfEven(abs / 2 ** -24);
  let e = Math.floor(Math.log2(abs));
  if (2 ** e > abs) e--;
  if (2 ** (e + 1) <= abs) e++;
  let m = roundHalfEven(abs / 2 ** (e - 10));
  if (m === 2048) {
    e++;
    m = 1024;
  }
  if (e > 15) return signBit | 0x7c00;
  return signBit | ((e + 15) << 10) | (m - 1024);
}

export function encodeElement(dtype: string, value: number, out: Uint8Array, i: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  switch (dtype) {
    case "F32":
      view.setFloat32(i * 4, value, true);
      return;
    case "F64":
      view.setFloat64(i * 8, value, true);
      return;
    case "BF16":
      view.setUint16(i * 2, encodeBf16(value), true);
      return;
    case "F16":
      view.setUint16(i * 2, encodeF16(value), true);
      return;
  }
  throw new Error(`no reference encoder for ${dtype}`);
}

export const dtypeBytes: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

/** τ = fround(ft − base), rounded once to `dtype`. */
export function referenceTaskVector(
  ft: { dtype: string; bytes: Uint8Array },
  base: { dtype: string; bytes: Uint8Array },
  dtype: string,
): Uint8Array {
  const n = base.bytes.byteLength / (dtypeBytes[base.dtype] as number);
  const out = new Uint8Array(n * (dtypeBytes[dtype] as number));
  for (let i = 0; i < n; i++)
    encodeElement(
      dtype,
      Math.fround(decodeElement(ft.dtype, ft.bytes, i) - decodeElement(base.dtype, base.bytes, i)),
      out,
      i,
    );
  return out;
}

/** acc = base; acc = fround(acc + fround(fround(λ)·τ)) in order; rounded once to `dtype`. */
export function referenceMerge(
  base: { dtype: string; bytes: Uint8Array },
  terms: Array<{ weight: number; tau: { dtype: string; bytes: Uint8Array } }>,
  dtype: string,
): Uint8Array {
  const n = base.bytes.byteLength / (dtypeBytes[base.dtype] as number);
  const out = new Uint8Array(n * (dtypeBytes[dtype] as number));
  for (let i = 0; i < n; i++) {
    let acc = decodeElement(base.dtype, base.bytes, i);
    for (const term of terms)
      acc = Math.fround(acc + Math.fround(Math.fround(term.weight) * decodeElement(term.tau.dtype, term.tau.bytes, i)));
    encodeElement(dtype, acc, out, i);
  }
  return out;
}
