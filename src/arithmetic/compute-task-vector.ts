import { InternalError } from "../errors.js";
import { decodeToF32 } from "../tensor/decode-to-f32.js";
import { dtypeSize } from "../tensor/dtype.js";
import { encodeFromF32 } from "../tensor/encode-from-f32.js";
import { encodedLength, type EncodedValues } from "../tensor/encoded.js";
import { byteKernelSteps, type ByteKernelOutput } from "./float32.js";
import { subtract } from "./subtract.js";

export interface ComputeTaskVectorOptions extends ByteKernelOutput {
  base: EncodedValues;
  /** Any float dtype; it need not match the base's. */
  finetuned: EncodedValues;
}

/**
 * τ = fround(finetuned − base) from raw bytes to raw bytes: both inputs decoded to float32, one
 * float32 subtraction, one rounding to `dtype`. The inputs may be a whole tensor or any range of it
 * (the same range of both); the result is the same range of τ, identical however it is split.
 */
export function computeTaskVector(options: ComputeTaskVectorOptions): Uint8Array {
  const count = taskVectorOperandLength(options);
  const { out, outSize, step } = byteKernelSteps(count, options);
  const baseScratch = new Float32Array(step);
  const finetunedScratch = new Float32Array(step);
  const baseSize = dtypeSize(options.base.dtype);
  const finetunedSize = dtypeSize(options.finetuned.dtype);
  for (let start = 0; start < count; start += step) {
    const end = Math.min(count, start + step);
    const base = decodeToF32({
      dtype: options.base.dtype,
      bytes: options.base.bytes.subarray(start * baseSize, end * baseSize),
      out: baseScratch,
    });
    const finetuned = decodeToF32({
      dtype: options.finetuned.dtype,
      bytes: options.finetuned.bytes.subarray(start * finetunedSize, end * finetunedSize),
      out: finetunedScratch,
    });
    const tau = subtract({ finetuned, base, out: finetuned });
    encodeFromF32({ dtype: options.dtype, values: tau, out: out.subarray(start * outSize, end * outSize) });
  }
  return out.byteLength === count * outSize ? out : out.subarray(0, count * outSize);
}

/** The elements of a task vector's two operands, which every implementation checks are the same range. */
export function taskVectorOperandLength(options: { base: EncodedValues; finetuned: EncodedValues }): number {
  const count = encodedLength(options.base);
  const finetunedCount = encodedLength(options.finetuned);
  if (finetunedCount !== count) {
    throw new InternalError(
      `computeTaskVector got ${count} base and ${finetunedCount} fine-tuned elements; read the same range of both.`,
      { code: "ARITHMETIC_LENGTH_MISMATCH" },
    );
  }
  return count;
}
