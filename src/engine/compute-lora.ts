import { loraOperands } from "../arithmetic/lora-delta.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import type { LoraUpdate } from "../plan/types.js";

export interface LoraRangeOptions {
  /** A and B of the module, decoded to float32, whole. */
  a: Float32Array;
  b: Float32Array;
  update: Pick<LoraUpdate, "rank" | "transpose" | "scale32">;
  /** Element range of the weight, `[start, end)`; need not start or end on a row. */
  start: number;
  end: number;
  kernels: ArithmeticKernels;
}

/**
 * Elements `[start, end)` of a LoRA update in float32: the rows that cover the range, computed in the documented order,
 * then cut.
 */
export function loraRange(options: LoraRangeOptions): Float32Array {
  const { update, start, end, kernels } = options;
  const ops = loraOperands({
    a: options.a,
    b: options.b,
    rank: update.rank,
    transpose: update.transpose,
    scale: update.scale32,
  });
  const rowStart = Math.floor(start / ops.columns);
  const rowEnd = Math.ceil(end / ops.columns);
  const rows = kernels.loraDeltaRows({ ...ops, rank: update.rank, scale: update.scale32, rowStart, rowEnd });
  const offset = start - rowStart * ops.columns;
  return offset === 0 && rows.length === end - start ? rows : rows.slice(offset, offset + end - start);
}

/** `fround(fround(saved − base) + delta)`: the update of a module whose own weight PEFT saved as well. */
export function addReplaced(options: {
  saved: Float32Array;
  base: Float32Array;
  delta: Float32Array;
  kernels: ArithmeticKernels;
}): Float32Array {
  const { kernels } = options;
  const replaced = kernels.subtract({ finetuned: options.saved, base: options.base });
  return kernels.addScaled({ acc: replaced, tau: options.delta, weight: 1 });
}
