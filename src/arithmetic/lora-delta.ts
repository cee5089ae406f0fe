import { InternalError } from "../errors.js";
import { canonicalNaN, wordsOf } from "./float32.js";

/** The two factors of one LoRA module and how their product lies in the weight (docs/adapters.md). */
export interface LoraFactors {
  /** A, `rank × inFeatures`, row-major (`lora_A.weight` or `lora_embedding_A`). */
  a: Float32Array;
  /** B, `outFeatures × rank`, row-major (`lora_B.weight` or `lora_embedding_B`). */
  b: Float32Array;
  rank: number;
  /**
   * The weight stores `(B·A)ᵀ`, `inFeatures × outFeatures`: a transformers Conv1D (GPT-2, `fan_in_fan_out`) or an
   * embedding (`lora_embedding_*`). Otherwise it is `B·A`, `outFeatures × inFeatures` (nn.Linear).
   */
  transpose: boolean;
  /** The module's scaling, `lora_alpha / r` or `lora_alpha / √r`, rounded to float32 by the kernel. */
  scale: number;
}

export interface LoraDeltaOptions extends LoraFactors {
  /** Rows of the delta to compute, `[rowStart, rowEnd)`, in the weight's own layout. */
  rowStart: number;
  rowEnd: number;
  /** @default a new array of `(rowEnd − rowStart) × columns` */
  out?: Float32Array;
}

/** The operands of the row product: `Δ[i, j] = Σ_k left[i, k] · right[k, j]`, both row-major. */
export interface LoraOperands {
  left: Float32Array;
  right: Float32Array;
  rows: number;
  columns: number;
}

/**
 * The delta as one row product: B·A has left = B, right = A; (B·A)ᵀ = Aᵀ·Bᵀ has left = Aᵀ, right = Bᵀ. Each
 * product `left[i, k] · right[k, j]` is `B[·, k] · A[k, ·]` either way, so the transposed delta holds the same bits.
 */
export function loraOperands(factors: LoraFactors): LoraOperands {
  const { a, b, rank } = factors;
  if (rank < 1 || a.length % rank !== 0 || b.length % rank !== 0) {
    throw new InternalError(`LoRA factors of ${a.length} and ${b.length} elements do not have rank ${rank}.`, {
      code: "LORA_BAD_FACTORS",
    });
  }
  const inFeatures = a.length / rank;
  const outFeatures = b.length / rank;
  if (!factors.transpose) return { left: b, right: a, rows: outFeatures, columns: inFeatures };
  return {
    left: transposed(a, rank, inFeatures),
    right: transposed(b, outFeatures, rank),
    rows: inFeatures,
    columns: outFeatures,
  };
}

/**
 * Rows of a LoRA module's delta, `τ = fround(s32 · (B·A))` (or its transpose), in the order docs/adapters.md fixes:
 * for each element, `acc = +0; for k = 0 … r−1: acc = fround(acc + fround(left[i,k] · right[k,j]))`, then
 * `fround(s32 · acc)`, a computed NaN written canonical. The JavaScript reference of the WebAssembly kernel.
 */
export function loraDelta(options: LoraDeltaOptions): Float32Array {
  return loraDeltaRows({
    ...loraOperands(options),
    rank: options.rank,
    scale: options.scale,
    rowStart: options.rowStart,
    rowEnd: options.rowEnd,
    ...(options.out ? { out: options.out } : {}),
  });
}

export interface LoraDeltaRowsOptions extends LoraOperands {
  rank: number;
  scale: number;
  rowStart: number;
  rowEnd: number;
  out?: Float32Array;
}

/** loraDelta on prepared operands. Vectorizes over j: one float32 accumulator row, k in order. */
export function loraDeltaRows(options: LoraDeltaRowsOptions): Float32Array {
  const { left, right, rank, columns, rowStart, rowEnd } = options;
  checkRows(options);
  const out = options.out ?? new Float32Array((rowEnd - rowStart) * columns);
  const words = wordsOf(out);
  const scale = Math.fround(options.scale);
  for (let i = rowStart; i < rowEnd; i++) {
    // Storing into a Float32Array rounds: acc[j] + fround(l · r) in double, stored, is the float32 addition.
    const acc = out.subarray((i - rowStart) * columns, (i - rowStart + 1) * columns);
    acc.fill(0);
    for (let k = 0; k < rank; k++) {
      const l = left[i * rank + k] as number;
      const offset = k * columns;
      for (let j = 0; j < columns; j++) acc[j] = (acc[j] as number) + Math.fround(l * (right[offset + j] as number));
    }
    const base = (i - rowStart) * columns;
    for (let j = 0; j < columns; j++) {
      const value = scale * (acc[j] as number);
      if (value === value) acc[j] = value;
      else words[base + j] = canonicalNaN;
    }
  }
  return out;
}

export function checkRows(options: LoraDeltaRowsOptions): void {
  const { left, right, rank, rows, columns, rowStart, rowEnd } = options;
  if (
    left.length !== rows * rank ||
    right.length !== rank * columns ||
    rowStart < 0 ||
    rowEnd > rows ||
    rowStart > rowEnd
  ) {
    throw new InternalError(
      `A LoRA product of ${rows}×${rank} by ${rank}×${columns} was asked for rows ${rowStart}–${rowEnd}.`,
      { code: "LORA_BAD_ROWS" },
    );
  }
  if (options.out && options.out.length !== (rowEnd - rowStart) * columns) {
    throw new InternalError(
      `The LoRA output holds ${options.out.length} elements, not ${(rowEnd - rowStart) * columns}.`,
      { code: "LORA_BAD_OUT" },
    );
  }
}

function transposed(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < columns; j++) out[j * rows + i] = values[i * columns + j] as number;
  return out;
}
