import { dtypeSize, type ComputableDtype } from "./dtype.js";
import { decodeToF32 } from "./decode-to-f32.js";
import { encodeFromF32 } from "./encode-from-f32.js";
import { encodedLength, type EncodedValues } from "./encoded.js";

export interface TranscodeOptions extends EncodedValues {
  /** The dtype to write. */
  to: ComputableDtype;
  /**
   * Elements per step; memory holds one step's float32 values besides the input and output bytes.
   * @default 65536
   */
  chunkElements?: number;
}

/**
 * Converts float bytes from one dtype to another through float32 (decode, then one rounding), e.g.
 * to copy a base tensor into a merged model whose dtype differs. The same dtype returns a copy.
 */
export function transcode(options: TranscodeOptions): Uint8Array {
  const count = encodedLength(options);
  if (options.dtype === options.to) return options.bytes.slice();
  const inSize = dtypeSize(options.dtype);
  const outSize = dtypeSize(options.to);
  const chunk = Math.max(1, Math.floor(options.chunkElements ?? 65536));
  const out = new Uint8Array(count * outSize);
  const scratch = new Float32Array(Math.min(chunk, count));
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    const values = decodeToF32({ dtype: options.dtype, bytes: options.bytes.subarray(start * inSize, end * inSize), out: scratch });
    encodeFromF32({ dtype: options.to, values, out: out.subarray(start * outSize, end * outSize) });
  }
  return out;
}
