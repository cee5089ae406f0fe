import { InternalError } from "../errors.js";
import { f16BitsToF32Bits } from "./f16.js";
import { hostIsLittleEndian } from "./float-bits.js";
import { encodedLength, type EncodedValues } from "./encoded.js";

export interface DecodeToF32Options extends EncodedValues {
  /**
   * Where to write; must hold at least as many elements as `bytes` does. The result is its prefix.
   * @default a new Float32Array
   */
  out?: Float32Array;
}

/**
 * Decodes F64, F32, F16 or BF16 little-endian bytes to float32 values.
 *
 * F32, F16 and BF16 widen exactly, NaN payloads included. F64 rounds to nearest even
 * (`Math.fround`), overflowing to ±Inf; a NaN keeps its sign and top 23 payload bits and is made quiet,
 * as x86's cvtsd2ss does, so the result does not depend on how the engine stores NaN.
 * Aligned input is read through a typed-array view; unaligned input is copied once first.
 */
export function decodeToF32(options: DecodeToF32Options): Float32Array {
  const count = encodedLength(options);
  const out = options.out ? prefix(options.out, count) : new Float32Array(count);
  const { bytes } = options;
  if (!hostIsLittleEndian) return decodeToF32ViaDataView({ ...options, out });
  switch (options.dtype) {
    case "F32":
      new Uint8Array(out.buffer, out.byteOffset, count * 4).set(bytes);
      break;
    case "BF16":
      decodeBf16(alignedView(bytes, 2, Uint16Array), new Int32Array(out.buffer, out.byteOffset, count), count);
      break;
    case "F16":
      decodeF16(alignedView(bytes, 2, Uint16Array), new Int32Array(out.buffer, out.byteOffset, count), count);
      break;
    case "F64": {
      const source = alignedView(bytes, 8, Float64Array);
      decodeF64(source, new Int32Array(source.buffer, source.byteOffset, count * 2), out, count);
      break;
    }
  }
  return out;
}

function prefix(out: Float32Array, count: number): Float32Array {
  if (out.length < count) {
    throw new InternalError(`The output array holds ${out.length} elements but ${count} are being decoded.`, {
      code: "DECODE_OUT_TOO_SMALL",
    });
  }
  return out.length === count ? out : out.subarray(0, count);
}

type ViewConstructor<T> = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T;

/** A typed view of `bytes`, copying them to a fresh buffer when their offset is not a multiple of `size`. */
export function alignedView<T>(bytes: Uint8Array, size: number, View: ViewConstructor<T>): T {
  const source = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new View(source.buffer, source.byteOffset, source.byteLength / size);
}

function decodeBf16(source: Uint16Array, target: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) target[i] = source[i]! << 16;
}

// A 256 KiB table of all 65,536 answers is faster than the branches, and built on first use so
// that importing this module costs nothing.
let f16Table: Int32Array | undefined;

function f16ToF32Table(): Int32Array {
  if (!f16Table) {
    f16Table = new Int32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32Bits(h) | 0;
  }
  return f16Table;
}

function decodeF16(source: Uint16Array, target: Int32Array, count: number): void {
  const table = f16ToF32Table();
  for (let i = 0; i < count; i++) target[i] = table[source[i]!]!;
}

function decodeF64(source: Float64Array, words: Int32Array, out: Float32Array, count: number): void {
  const bits = new Int32Array(out.buffer, out.byteOffset, count);
  for (let i = 0; i < count; i++) {
    const value = source[i]!;
    if (value === value) {
      out[i] = value;
    } else {
      const high = words[2 * i + 1]!;
      const low = words[2 * i]!;
      bits[i] = (high & 0x80000000) | 0x7fc00000 | ((high & 0xfffff) << 3) | (low >>> 29);
    }
  }
}

/**
 * The same results element by element through DataView: what big-endian hosts run (slowly; x86 and
 * ARM never do), and a second implementation for the tests to compare the fast paths against.
 */
export function decodeToF32ViaDataView(options: DecodeToF32Options): Float32Array {
  const count = encodedLength(options);
  const out = options.out ? prefix(options.out, count) : new Float32Array(count);
  const values = options;
  const view = new DataView(values.bytes.buffer, values.bytes.byteOffset, values.bytes.byteLength);
  const bits = new Uint32Array(out.buffer, out.byteOffset, count);
  for (let i = 0; i < count; i++) {
    switch (values.dtype) {
      case "F32":
        bits[i] = view.getUint32(4 * i, true);
        break;
      case "BF16":
        bits[i] = view.getUint16(2 * i, true) << 16;
        break;
      case "F16":
        bits[i] = f16BitsToF32Bits(view.getUint16(2 * i, true));
        break;
      case "F64": {
        const value = view.getFloat64(8 * i, true);
        if (value === value) {
          out[i] = value;
        } else {
          const high = view.getUint32(8 * i + 4, true);
          const low = view.getUint32(8 * i, true);
          bits[i] = (high & 0x80000000) | 0x7fc00000 | ((high & 0xfffff) << 3) | (low >>> 29);
        }
        break;
      }
    }
  }
  return out;
}
