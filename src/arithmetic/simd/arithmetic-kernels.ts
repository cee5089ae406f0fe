import { decodeToF32, type DecodeToF32Options } from "../../tensor/decode-to-f32.js";
import { encodeFromF32, type EncodeFromF32Options } from "../../tensor/encode-from-f32.js";
import {
  addScaled,
  addScaledDifference,
  type AddScaledDifferenceOptions,
  type AddScaledOptions,
} from "../add-scaled.js";
import { computeTaskVector, type ComputeTaskVectorOptions } from "../compute-task-vector.js";
import { dotProduct, type DotProductOptions } from "../dot-product.js";
import { loraDeltaRows, type LoraDeltaRowsOptions } from "../lora-delta.js";
import { mergeChunk, type MergeChunkOptions } from "../merge-chunk.js";
import {
  countInexactF32,
  reconstructionError,
  type CountInexactF32Options,
  type ReconstructionErrorOptions,
  type ReconstructionStats,
} from "../reconstruction-error.js";
import { subtract, type SubtractOptions } from "../subtract.js";
import { sumOfSquares, type SumOfSquaresOptions } from "../sum-of-squares.js";

/**
 * The element-wise kernels an executor calls, as one object so that a thread holds one set: either
 * the JavaScript reference (src/tensor and src/arithmetic) or the WebAssembly SIMD versions, which
 * take the same options and return the same bits.
 */
export interface ArithmeticKernels {
  /** Which implementation this is, for logs and benchmarks. */
  readonly implementation: "wasm" | "js";
  decodeToF32(options: DecodeToF32Options): Float32Array;
  encodeFromF32(options: EncodeFromF32Options): Uint8Array;
  subtract(options: SubtractOptions): Float32Array;
  addScaled(options: AddScaledOptions): Float32Array;
  addScaledDifference(options: AddScaledDifferenceOptions): Float32Array;
  computeTaskVector(options: ComputeTaskVectorOptions): Uint8Array;
  mergeChunk(options: MergeChunkOptions): Uint8Array;
  sumOfSquares(options: SumOfSquaresOptions): number;
  dotProduct(options: DotProductOptions): number;
  reconstructionError(options: ReconstructionErrorOptions): ReconstructionStats;
  countInexactF32(options: CountInexactF32Options): ReconstructionStats;
  /** Rows of a LoRA module's delta, s·(left·right), in the order of lora-delta.ts. */
  loraDeltaRows(options: LoraDeltaRowsOptions): Float32Array;
}

/** The JavaScript reference kernels: the fallback where WebAssembly SIMD is missing, and the tests' oracle. */
export const javascriptKernels: ArithmeticKernels = {
  implementation: "js",
  decodeToF32,
  encodeFromF32,
  subtract,
  addScaled,
  addScaledDifference,
  computeTaskVector,
  mergeChunk,
  sumOfSquares,
  dotProduct,
  reconstructionError,
  countInexactF32,
  loraDeltaRows,
};
