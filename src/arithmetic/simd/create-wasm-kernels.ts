import { InternalError } from "../../errors.js";
import { decodeToF32, type DecodeToF32Options } from "../../tensor/decode-to-f32.js";
import { dtypeSize, type ComputableDtype } from "../../tensor/dtype.js";
import { encodeFromF32, type EncodeFromF32Options } from "../../tensor/encode-from-f32.js";
import { encodedLength, type EncodedValues } from "../../tensor/encoded.js";
import { hostIsLittleEndian } from "../../tensor/float-bits.js";
import type { AddScaledDifferenceOptions, AddScaledOptions } from "../add-scaled.js";
import { taskVectorOperandLength, type ComputeTaskVectorOptions } from "../compute-task-vector.js";
import type { DotProductOptions } from "../dot-product.js";
import { checkLengths, chunkSize, outputFor, type ByteKernelOutput } from "../float32.js";
import { loadNativeKernels, type NativeKernels } from "../native/load-native-kernels.js";
import { checkRows, loraDeltaRows, type LoraDeltaRowsOptions } from "../lora-delta.js";
import { mergeOperandLength, type MergeChunkOptions } from "../merge-chunk.js";
import {
  emptyReconstructionStats,
  reconstructionOperandLength,
  type CountInexactF32Options,
  type ReconstructionErrorOptions,
  type ReconstructionStats,
} from "../reconstruction-error.js";
import type { SubtractOptions } from "../subtract.js";
import type { SumOfSquaresOptions } from "../sum-of-squares.js";
import type { ArithmeticKernels } from "./arithmetic-kernels.js";
import { instantiateSimdKernels, type SimdExports } from "./instantiate-simd-kernels.js";

export interface CreateWasmKernelsOptions {
  /**
   * Elements per kernel call. The instance keeps four buffers of this many float32 values in its
   * memory (256 KiB at the default), small enough to stay in a core's L2 cache between the copy in,
   * the kernel and the copy out; larger inputs are processed in steps of this size.
   * @default 16384
   */
  chunkElements?: number;
  /**
   * Whether the LoRA rows may run on the native kernels where they were built (the same bits; native-kernels.ts).
   * @default true
   */
  native?: boolean;
}

/** Buffers in the instance's memory; every kernel call uses at most these four. */
const slotCount = 4;
/** Bytes after the slots where kernels with several results write them. */
const resultBytes = 64;
const wasmPageBytes = 65536;

/**
 * The WebAssembly SIMD implementation of ArithmeticKernels, or undefined where it cannot run (no
 * WebAssembly SIMD, or a big-endian host, where typed arrays would not share wasm's byte order).
 * Each call creates an instance with its own memory: one per thread, reused for every call.
 *
 * Inputs are copied into the instance's memory a chunk at a time, any byte alignment accepted, and
 * results copied out; F64 data, which the kernels do not handle, is decoded and encoded by the
 * JavaScript codecs straight into and out of that memory.
 */
export function createWasmKernels(options: CreateWasmKernelsOptions = {}): ArithmeticKernels | undefined {
  if (!hostIsLittleEndian) return undefined;
  const simd = instantiateSimdKernels();
  if (!simd) return undefined;
  const capacity = Math.ceil(chunkSize(options.chunkElements ?? 16384) / 8) * 8;
  return new WasmKernels(simd, capacity, options.native === false ? undefined : loadNativeKernels());
}

class WasmKernels implements ArithmeticKernels {
  readonly implementation = "wasm";
  private readonly slots: readonly [number, number, number, number];
  private readonly result: number;
  private readonly bytes: Uint8Array;

  constructor(
    private readonly simd: SimdExports,
    /** Elements per step, a multiple of 8 (the kernels' block). */
    private readonly capacity: number,
    /** Where built: loraDeltaRows runs on it. */
    private readonly native: NativeKernels | undefined,
  ) {
    const slotBytes = capacity * 4;
    const start = Math.ceil(simd.heapBase() / 64) * 64;
    const needed = start + slotCount * slotBytes + resultBytes;
    const current = simd.memory.buffer.byteLength;
    if (needed > current) simd.memory.grow(Math.ceil((needed - current) / wasmPageBytes));
    // The memory never grows again, so these views stay attached to it.
    this.bytes = new Uint8Array(simd.memory.buffer);
    this.slots = [start, start + slotBytes, start + 2 * slotBytes, start + 3 * slotBytes];
    this.result = start + slotCount * slotBytes;
  }

  decodeToF32(options: DecodeToF32Options): Float32Array {
    const { dtype } = options;
    if (dtype !== "BF16" && dtype !== "F16") return decodeToF32(options);
    const count = encodedLength(options);
    const out = prefixOf(options.out, count) ?? new Float32Array(count);
    const [raw, values] = this.slots;
    const decode = dtype === "BF16" ? this.simd.decodeBf16 : this.simd.decodeF16;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      this.bytes.set(options.bytes.subarray(start * 2, (start + n) * 2), raw);
      decode(raw, values, n);
      out.set(this.floats(values, n), start);
    }
    return out;
  }

  encodeFromF32(options: EncodeFromF32Options): Uint8Array {
    const { dtype, values } = options;
    if (dtype !== "BF16" && dtype !== "F16") return encodeFromF32(options);
    const count = values.length;
    const out = bytesOut(options.out, count, dtype);
    const [floats, raw] = this.slots;
    const encode = dtype === "BF16" ? this.simd.encodeBf16 : this.simd.encodeF16;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      this.floats(floats, n).set(values.subarray(start, start + n));
      encode(floats, raw, n);
      out.set(this.bytes.subarray(raw, raw + n * 2), start * 2);
    }
    return out;
  }

  subtract(options: SubtractOptions): Float32Array {
    const { finetuned, base } = options;
    const count = finetuned.length;
    checkLengths("subtract", count, base);
    const out = outputFor("subtract", count, options.out);
    const [a, b] = this.slots;
    return this.elementwise(out, [finetuned, base], (n) => this.simd.subF32(a, b, a, n));
  }

  addScaled(options: AddScaledOptions): Float32Array {
    const { acc, tau } = options;
    const count = acc.length;
    checkLengths("addScaled", count, tau);
    const weight = Math.fround(options.weight);
    const [sum, term] = this.slots;
    return this.elementwise(acc, [acc, tau], (n) => this.simd.axpyF32(sum, term, weight, n));
  }

  addScaledDifference(options: AddScaledDifferenceOptions): Float32Array {
    const { acc, finetuned, base } = options;
    const count = acc.length;
    checkLengths("addScaledDifference", count, finetuned, base);
    const weight = Math.fround(options.weight);
    const [sum, ft, bs] = this.slots;
    return this.elementwise(acc, [acc, finetuned, base], (n) => this.simd.axpySubF32(sum, ft, bs, weight, n));
  }

  /**
   * Runs a float32 kernel over `out` one slot-sized chunk at a time: each input's chunk goes into the slot of its
   * position, the kernel runs on the chunk's length, the first slot's result goes to `out` (which may be an input).
   */
  private elementwise(out: Float32Array, inputs: readonly Float32Array[], kernel: (n: number) => void): Float32Array {
    const count = out.length;
    for (let start = 0; start < count; start += this.capacity) {
      const n = Math.min(this.capacity, count - start);
      inputs.forEach((input, slot) => this.floats(this.slots[slot] as number, n).set(input.subarray(start, start + n)));
      kernel(n);
      out.set(this.floats(this.slots[0], n), start);
    }
    return out;
  }

  computeTaskVector(options: ComputeTaskVectorOptions): Uint8Array {
    const { base, finetuned, dtype } = options;
    const [s0, s1, s2, s3] = this.slots;
    const outSize = dtypeSize(dtype);
    const fused = base.dtype === finetuned.dtype ? this.fusedSubtraction(base.dtype, dtype) : undefined;
    return this.byteChunks(taskVectorOperandLength(options), options, (start, n, target) => {
      if (fused) {
        this.bytes.set(rangeOf(finetuned, start, n), s0);
        this.bytes.set(rangeOf(base, start, n), s1);
        fused(s0, s1, s2, n);
        target.set(this.bytes.subarray(s2, s2 + n * outSize));
      } else {
        this.loadFloats(finetuned, start, n, s0, s2);
        this.loadFloats(base, start, n, s1, s2);
        this.simd.subF32(s0, s1, s0, n);
        this.storeFloats(s0, n, dtype, target, s3);
      }
    });
  }

  mergeChunk(options: MergeChunkOptions): Uint8Array {
    const { base, terms, dtype } = options;
    const [acc, baseFloats, raw, scratch] = this.slots;
    const keepBase = terms.some((term) => "finetuned" in term);
    return this.byteChunks(mergeOperandLength(options), options, (start, n, target) => {
      if (keepBase) {
        this.loadFloats(base, start, n, baseFloats, raw);
        this.bytes.copyWithin(acc, baseFloats, baseFloats + n * 4);
      } else {
        this.loadFloats(base, start, n, acc, raw);
      }
      for (const term of terms) {
        const weight = Math.fround(term.weight);
        if ("taskVector" in term) this.addTerm(acc, term.taskVector, start, n, weight, raw);
        else this.addDifferenceTerm(acc, term.finetuned, baseFloats, start, n, weight, raw);
      }
      this.storeFloats(acc, n, dtype, target, scratch);
    });
  }

  /**
   * Runs a bytes-to-bytes kernel over `count` elements in steps of at most one slot: `step` gets each range and the
   * part of the output (in `options.dtype`) it must fill.
   */
  private byteChunks(
    count: number,
    options: ByteKernelOutput,
    step: (start: number, n: number, target: Uint8Array) => void,
  ): Uint8Array {
    const elements = Math.min(chunkSize(options.chunkElements), this.capacity);
    const out = bytesOut(options.out, count, options.dtype);
    const outSize = dtypeSize(options.dtype);
    for (let start = 0; start < count; start += elements) {
      const n = Math.min(elements, count - start);
      step(start, n, out.subarray(start * outSize, (start + n) * outSize));
    }
    return out;
  }

  sumOfSquares(options: SumOfSquaresOptions): number {
    const { values } = options;
    const [x] = this.slots;
    let sum = options.initial ?? 0;
    for (let start = 0; start < values.length; start += this.capacity) {
      const n = Math.min(this.capacity, values.length - start);
      this.floats(x, n).set(values.subarray(start, start + n));
      sum = this.simd.sumOfSquaresF32(x, n, sum);
    }
    return sum;
  }

  dotProduct(options: DotProductOptions): number {
    const { a, b } = options;
    checkLengths("dotProduct", a.length, b);
    const [x, y] = this.slots;
    let sum = options.initial ?? 0;
    for (let start = 0; start < a.length; start += this.capacity) {
      const n = Math.min(this.capacity, a.length - start);
      this.floats(x, n).set(a.subarray(start, start + n));
      this.floats(y, n).set(b.subarray(start, start + n));
      sum = this.simd.dotF32(x, y, n, sum);
    }
    return sum;
  }

  reconstructionError(options: ReconstructionErrorOptions): ReconstructionStats {
    return this.compare(options, options.taskVector);
  }

  countInexactF32(options: CountInexactF32Options): ReconstructionStats {
    return this.compare(options, undefined);
  }

  /** Both statistics: τ is the stored vector, or fround(ft − base) when there is none. */
  private compare(options: CountInexactF32Options, taskVector: EncodedValues | undefined): ReconstructionStats {
    const count = reconstructionOperandLength(options, taskVector);
    const step = Math.min(chunkSize(options.chunkElements), this.capacity);
    const [base, ft, tau, staging] = this.slots;
    const initial = options.initial ?? emptyReconstructionStats;
    let mismatches = initial.mismatches;
    let maxAbsError = initial.maxAbsError;
    const found = new Int32Array(this.bytes.buffer, this.result, 1);
    const largest = new Float64Array(this.bytes.buffer, this.result + 8, 1);
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
      this.loadFloats(options.base, start, n, base, staging);
      this.loadFloats(options.finetuned, start, n, ft, staging);
      if (taskVector) this.loadFloats(taskVector, start, n, tau, staging);
      else this.simd.subF32(ft, base, tau, n);
      this.simd.reconstructionStats(base, ft, tau, n, this.result);
      mismatches += found[0]!;
      if (largest[0]! > maxAbsError) maxAbsError = largest[0]!;
    }
    return { elements: initial.elements + count, mismatches, maxAbsError };
  }

  /** The one-pass kernel for τ between two inputs of `input` dtype written as `output`, if there is one. */
  private fusedSubtraction(
    input: ComputableDtype,
    output: ComputableDtype,
  ): ((a: number, b: number, out: number, n: number) => void) | undefined {
    if (input === "BF16" && output === "BF16") return this.simd.subBf16;
    if (input === "F16" && output === "F16") return this.simd.subF16;
    if (input === "BF16" && output === "F32") return this.simd.subBf16ToF32;
    if (input === "F16" && output === "F32") return this.simd.subF16ToF32;
    return undefined;
  }

  /** acc += λ·τ for a stored task vector's chunk. */
  private addTerm(acc: number, tau: EncodedValues, start: number, n: number, weight: number, raw: number): void {
    if (tau.dtype === "BF16" || tau.dtype === "F16") {
      this.bytes.set(rangeOf(tau, start, n), raw);
      (tau.dtype === "BF16" ? this.simd.axpyBf16 : this.simd.axpyF16)(acc, raw, weight, n);
    } else {
      this.loadFloats(tau, start, n, raw, raw);
      this.simd.axpyF32(acc, raw, weight, n);
    }
  }

  /** acc += λ·(ft − base) for a fine-tuned model's chunk against the float32 base at `baseFloats`. */
  private addDifferenceTerm(
    acc: number,
    ft: EncodedValues,
    baseFloats: number,
    start: number,
    n: number,
    weight: number,
    raw: number,
  ): void {
    if (ft.dtype === "BF16" || ft.dtype === "F16") {
      this.bytes.set(rangeOf(ft, start, n), raw);
      (ft.dtype === "BF16" ? this.simd.axpySubBf16 : this.simd.axpySubF16)(acc, raw, baseFloats, weight, n);
    } else {
      this.loadFloats(ft, start, n, raw, raw);
      this.simd.axpySubF32(acc, raw, baseFloats, weight, n);
    }
  }

  /**
   * Decodes elements [start, start + n) of `values` to float32 at `target`, staging packed bytes at
   * `staging` (which may be `target` only for F32 and F64, which need no staging).
   */
  private loadFloats(values: EncodedValues, start: number, n: number, target: number, staging: number): void {
    const bytes = rangeOf(values, start, n);
    switch (values.dtype) {
      case "F32":
        this.bytes.set(bytes, target);
        break;
      case "F64":
        decodeToF32({ dtype: "F64", bytes, out: this.floats(target, n) });
        break;
      case "BF16":
      case "F16":
        this.bytes.set(bytes, staging);
        (values.dtype === "BF16" ? this.simd.decodeBf16 : this.simd.decodeF16)(staging, target, n);
        break;
    }
  }

  /** Encodes n float32 values at `source` as `dtype` into `target`, staging packed bytes at `staging`. */
  private storeFloats(source: number, n: number, dtype: ComputableDtype, target: Uint8Array, staging: number): void {
    switch (dtype) {
      case "F32":
        target.set(this.bytes.subarray(source, source + n * 4));
        break;
      case "F64":
        encodeFromF32({ dtype: "F64", values: this.floats(source, n), out: target });
        break;
      case "BF16":
      case "F16":
        (dtype === "BF16" ? this.simd.encodeBf16 : this.simd.encodeF16)(source, staging, n);
        target.set(this.bytes.subarray(staging, staging + n * 2));
        break;
    }
  }

  /**
   * Column tiles of `width` (a multiple of 16) with `right`'s tile in slots 0–1, a block of `left` rows in slot 2
   * and their outputs in slot 3; the tile stays in cache while every row block passes over it. Ranks too large for
   * a tile of 16 columns go to the JavaScript reference, which gives the same bits.
   */
  loraDeltaRows(options: LoraDeltaRowsOptions): Float32Array {
    checkRows(options);
    const { left, right, rank, columns, rowStart, rowEnd } = options;
    const native = this.native;
    if (native) {
      // The native kernels (the same bits, 8 lanes) read and write the arrays in place, with no tiles to copy.
      const out = options.out ?? new Float32Array((rowEnd - rowStart) * columns);
      const rows = left.subarray(rowStart * rank, rowEnd * rank);
      native.loraRowsF32(rows, right, out, rowEnd - rowStart, rank, columns, Math.fround(options.scale), 1);
      return out;
    }
    const capacity = this.capacity;
    const width = Math.min(Math.ceil(columns / 16) * 16, Math.floor((2 * capacity) / rank / 16) * 16);
    const blockRows = Math.min(Math.floor(capacity / rank), Math.floor(capacity / Math.max(16, width)));
    if (width < 16 || blockRows < 1) return loraDeltaRows(options);
    const rows = rowEnd - rowStart;
    const out = options.out ?? new Float32Array(rows * columns);
    const [tile, , block, results] = this.slots;
    const scale = Math.fround(options.scale);
    for (let j0 = 0; j0 < columns; j0 += width) {
      const w = Math.min(width, columns - j0);
      const tileFloats = this.floats(tile, rank * width);
      for (let k = 0; k < rank; k++) tileFloats.set(right.subarray(k * columns + j0, k * columns + j0 + w), k * width);
      for (let i0 = rowStart; i0 < rowEnd; i0 += blockRows) {
        const n = Math.min(blockRows, rowEnd - i0);
        this.floats(block, n * rank).set(left.subarray(i0 * rank, (i0 + n) * rank));
        this.simd.loraRowsF32(block, tile, results, n, rank, width, scale);
        const computed = this.floats(results, n * width);
        for (let i = 0; i < n; i++)
          out.set(computed.subarray(i * width, i * width + w), (i0 - rowStart + i) * columns + j0);
      }
    }
    return out;
  }

  private floats(address: number, n: number): Float32Array {
    return new Float32Array(this.bytes.buffer, address, n);
  }
}

function rangeOf(values: EncodedValues, start: number, n: number): Uint8Array {
  const size = dtypeSize(values.dtype);
  return values.bytes.subarray(start * size, (start + n) * size);
}

/** decodeToF32's rule for a caller's output array: its prefix, or an error when it is too short. */
function prefixOf(out: Float32Array | undefined, count: number): Float32Array | undefined {
  if (!out) return undefined;
  if (out.length < count) {
    throw new InternalError(`The output array holds ${out.length} elements but ${count} are being decoded.`, {
      code: "DECODE_OUT_TOO_SMALL",
    });
  }
  return out.length === count ? out : out.subarray(0, count);
}

/** encodeFromF32's rule for a caller's output bytes: their prefix, or an error when they are too few. */
function bytesOut(out: Uint8Array | undefined, count: number, dtype: ComputableDtype): Uint8Array {
  const byteLength = count * dtypeSize(dtype);
  if (!out) return new Uint8Array(byteLength);
  if (out.byteLength < byteLength) {
    throw new InternalError(
      `The output buffer holds ${out.byteLength} bytes but ${count} ${dtype} elements need ${byteLength}.`,
      {
        code: "ENCODE_OUT_TOO_SMALL",
      },
    );
  }
  return out.byteLength === byteLength ? out : out.subarray(0, byteLength);
}
