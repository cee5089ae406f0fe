import { InternalError } from "../errors.js";
import { dtypeSize, type ComputableDtype } from "./dtype.js";
import { f32BitsToBf16Bits } from "./bf16.js";
import { f32BitsToF16Bits } from "./f16.js";
import { hostIsLittleEndian } from "./float-bits.js";

export interface EncodeFromF32Options {
  dtype: ComputableDtype;
  values: Float32Array;
  /**
   * Where to write the bytes; any byteOffset, at least `values.length · size` bytes long, not
   * overlapping `values`. The result is its prefix.
   * @default a new Uint8Array
   */
  out?: Uint8Array;
}

/**
 * Encodes float32 values as little-endian bytes of `dtype`, rounding once.
 *
 * F16 and BF16 round to nearest even with overflow to ±Inf and, for F16, gradual underflow through
 * the subnormals to ±0 (the rules of f32BitsToF16Bits and f32BitsToBf16Bits, inlined). F64 widens
 * exactly. In these three a NaN keeps its sign, is made quiet and keeps what fits of its payload.
 * F32 copies the bits unchanged.
 */
export function encodeFromF32(options: EncodeFromF32Options): Uint8Array {
  const { dtype, values } = options;
  const count = values.length;
  const size = dtypeSize(dtype);
  const byteLength = count * size;
  let out = options.out;
  if (out && out.byteLength < byteLength) {
    throw new InternalError(
      `The output buffer holds ${out.byteLength} bytes but ${count} ${dtype} elements need ${byteLength}.`,
      {
        code: "ENCODE_OUT_TOO_SMALL",
      },
    );
  }
  out = out ? (out.byteLength === byteLength ? out : out.subarray(0, byteLength)) : new Uint8Array(byteLength);
  if (!hostIsLittleEndian) return encodeFromF32ViaDataView({ dtype, values, out });
  if (dtype === "F32") {
    out.set(new Uint8Array(values.buffer, values.byteOffset, byteLength));
    return out;
  }
  // Typed views need aligned storage: write to a scratch array when `out` is not aligned, then copy.
  const aligned = out.byteOffset % size === 0;
  const target = aligned ? out : new Uint8Array(byteLength);
  const source = new Int32Array(values.buffer, values.byteOffset, count);
  switch (dtype) {
    case "BF16":
      encodeBf16(source, new Uint16Array(target.buffer, target.byteOffset, count), count);
      break;
    case "F16":
      encodeF16(source, new Uint16Array(target.buffer, target.byteOffset, count), count);
      break;
    case "F64":
      encodeF64(values, source, new Float64Array(target.buffer, target.byteOffset, count), count);
      break;
  }
  if (!aligned) out.set(target);
  return out;
}

function encodeBf16(source: Int32Array, target: Uint16Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const bits = source[i]!;
    if ((bits & 0x7fffffff) > 0x7f800000) target[i] = (bits >>> 16) | 0x0040;
    else target[i] = ((bits >>> 0) + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  }
}

function encodeF16(source: Int32Array, target: Uint16Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const bits = source[i]!;
    const sign = (bits >>> 16) & 0x8000;
    const abs = bits & 0x7fffffff;
    if (abs >= 0x38800000 && abs < 0x477ff000) {
      const rebiased = abs - 0x38000000;
      target[i] = sign | ((rebiased + 0xfff + ((rebiased >>> 13) & 1)) >>> 13);
    } else {
      target[i] = f32BitsToF16Bits(bits);
    }
  }
}

function encodeF64(values: Float32Array, source: Int32Array, target: Float64Array, count: number): void {
  const words = new Int32Array(target.buffer, target.byteOffset, count * 2);
  for (let i = 0; i < count; i++) {
    const value = values[i]!;
    if (value === value) {
      target[i] = value;
    } else {
      const bits = source[i]!;
      const mantissa = bits & 0x7fffff;
      words[2 * i] = (mantissa & 7) << 29;
      words[2 * i + 1] = (bits & 0x80000000) | 0x7ff80000 | (mantissa >>> 3);
    }
  }
}

/**
 * The same results element by element through DataView: what big-endian hosts run, and a second
 * implementation for the tests. Here `out` must be exactly `values.length · size` bytes when given.
 */
export function encodeFromF32ViaDataView(options: EncodeFromF32Options): Uint8Array {
  const { dtype, values } = options;
  const out = options.out ?? new Uint8Array(values.length * dtypeSize(dtype));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const word = bits[i]!;
    switch (dtype) {
      case "F32":
        view.setUint32(4 * i, word, true);
        break;
      case "BF16":
        view.setUint16(2 * i, f32BitsToBf16Bits(word), true);
        break;
      case "F16":
        view.setUint16(2 * i, f32BitsToF16Bits(word), true);
        break;
      case "F64": {
        const value = values[i]!;
        if (value === value) {
          view.setFloat64(8 * i, value, true);
        } else {
          const mantissa = word & 0x7fffff;
          view.setUint32(8 * i, (mantissa & 7) << 29, true);
          view.setUint32(8 * i + 4, ((word & 0x80000000) | 0x7ff80000 | (mantissa >>> 3)) >>> 0, true);
        }
        break;
      }
    }
  }
  return out;
}
