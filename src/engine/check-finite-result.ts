import { DataError } from "../errors.js";
import { decodeToF32 } from "../tensor/decode-to-f32.js";
import { dtypeSize, isComputable, type ComputableDtype } from "../tensor/dtype.js";
import type { Operand } from "./compute-job.js";
import type { LoraUpdate } from "../plan/types.js";
import type { Job } from "./plan-jobs.js";

export interface CheckFiniteResultOptions {
  job: Job;
  /** The job's operands, in `jobOperands(job)` order. */
  operands: readonly Operand[];
  /** The job's output bytes, in the output tensor's dtype. */
  bytes: Uint8Array;
}

/**
 * Stops the run when an operation turned finite inputs into ±Infinity or NaN (a λ too large for float32, a sum that
 * overflows, a value the output dtype cannot hold): a model whose weights are Inf or NaN is broken, whatever the
 * exit code says. The sentence names the tensor, the element and the term (or the rounding) that overflowed. NaN or
 * Inf already in an input is the input's, carried through as it is, and not refused here.
 *
 * The common case costs one pass over the output bytes, two 16-bit values per 32-bit word; only outputs that hold a
 * non-finite value are looked at element by element.
 */
export function checkFiniteResult(options: CheckFiniteResultOptions): void {
  const { job, bytes } = options;
  const dtype = job.tensor.dtype;
  if (!isComputable(dtype) || !hasNonFinite(dtype, bytes)) return;
  const values = decodeToF32({ dtype, bytes });
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i] as number)) continue;
    const cause = explain(options, i, dtype);
    if (cause === undefined) continue;
    const element = job.start + i;
    throw new DataError(
      `${job.tensor.name}[${element}] would be ${values[i]}: ${cause}; nothing was written or published, so ` +
        `${advice(cause)}.`,
      { code: "NON_FINITE_RESULT", subject: job.tensor.name },
    );
  }
}

/** Whether any element of `bytes` has an all-ones exponent (±Inf or NaN), without decoding. */
function hasNonFinite(dtype: ComputableDtype, bytes: Uint8Array): boolean {
  const aligned = bytes.byteOffset % 4 === 0 ? Math.floor(bytes.byteLength / 4) : 0;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, aligned);
  const tail = bytes.subarray(aligned * 4);
  let flags = 0;
  switch (dtype) {
    case "BF16":
    case "F16": {
      // Per 16-bit half: (exponent bits + one unit) reaches the sign bit only when the exponent is all ones.
      const [mask, unit] = dtype === "BF16" ? [0x7f807f80, 0x00800080] : [0x7c007c00, 0x04000400];
      for (let i = 0; i < words.length; i++) flags |= (((words[i] as number) & mask) + unit) & 0x80008000;
      const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
      for (let i = 0; i + 1 < tail.byteLength; i += 2)
        flags |= ((view.getUint16(i, true) & (mask & 0xffff)) + (unit & 0xffff)) & 0x8000;
      return flags !== 0;
    }
    case "F32":
    case "F64": {
      // F64: the exponent is in the high word of each pair (little-endian), F32: in every word.
      const stride = dtype === "F64" ? 2 : 1;
      const [mask, unit] = dtype === "F64" ? [0x7ff00000, 0x00100000] : [0x7f800000, 0x00800000];
      if (words.length * 4 === bytes.byteLength) {
        for (let i = stride - 1; i < words.length; i += stride)
          flags |= (((words[i] as number) & mask) + unit) & 0x80000000;
        return flags !== 0;
      }
      return decodeToF32({ dtype, bytes }).some((value) => !Number.isFinite(value));
    }
  }
}

/**
 * Why element `i` of the output is not finite, redoing the job's float32 arithmetic for that element alone;
 * undefined when an input is already non-finite there.
 */
function explain(options: CheckFiniteResultOptions, i: number, dtype: ComputableDtype): string | undefined {
  const { job, operands } = options;
  const at = (index: number): number => {
    const operand = operands[index];
    if (operand === undefined || !isComputable(operand.dtype)) return Number.NaN;
    const size = dtypeSize(operand.dtype);
    return decodeToF32({ dtype: operand.dtype, bytes: operand.bytes.subarray(i * size, (i + 1) * size) })[0] as number;
  };
  const rounding = `rounding the float32 result to ${dtype} overflows (${dtype} cannot hold it)`;
  switch (job.kind.op) {
    case "copy":
      return Number.isFinite(at(0)) ? rounding : undefined;
    case "taskVector": {
      const finetuned = at(0);
      const base = at(1);
      if (!Number.isFinite(finetuned) || !Number.isFinite(base)) return undefined;
      return Number.isFinite(Math.fround(finetuned - base))
        ? rounding
        : `τ = fine-tuned − base = ${finetuned} − ${base} overflows float32`;
    }
    case "lora": {
      const tau = loraAt(job.kind, operands, 0, job.start + i, at);
      if (tau === undefined) return undefined;
      return Number.isFinite(tau) ? rounding : "the LoRA update s·(B·A) (plus saved − base) overflows float32";
    }
    case "merge": {
      const base = at(0);
      if (!Number.isFinite(base)) return undefined;
      let next = 1;
      let acc = base;
      let overflow: string | undefined;
      for (const term of job.kind.terms) {
        let tau = 0;
        if (term.tau.kind === "vector") tau = at(next++);
        else if (term.tau.kind === "taskVector") {
          const finetuned = at(next++);
          const ownBase = at(next++);
          if (!Number.isFinite(finetuned) || !Number.isFinite(ownBase)) return undefined;
          tau = Math.fround(finetuned - ownBase);
          if (!Number.isFinite(tau) && overflow === undefined)
            overflow = `τ of term ${term.term + 1} (fine-tuned − base) overflows float32`;
        } else if (term.tau.kind === "lora") {
          const update = loraAt(term.tau, operands, next, job.start + i, at);
          next += term.tau.replaced ? 4 : 2;
          if (update === undefined) return undefined;
          tau = update;
          if (!Number.isFinite(tau) && overflow === undefined)
            overflow = `τ of term ${term.term + 1} (the adapter's s·(B·A)) overflows float32`;
        }
        if (!Number.isFinite(tau)) return overflow;
        const scaled = Math.fround(term.weight32 * tau);
        const label = `term ${term.term + 1} (λ = ${term.weight32})`;
        if (!Number.isFinite(scaled) && overflow === undefined) {
          overflow = Number.isFinite(term.weight32)
            ? `λ·τ of ${label} overflows float32`
            : `the λ of ${label} is too large for float32`;
        }
        acc = Math.fround(acc + scaled);
        if (!Number.isFinite(acc) && overflow === undefined) overflow = `adding ${label} overflows float32`;
      }
      if (overflow !== undefined) return overflow;
      return job.kind.method.name === "task_arithmetic"
        ? rounding
        : `the ${job.kind.method.name} merge of finite terms gives a non-finite value`;
    }
  }
}

/**
 * Element `element` of a LoRA update, redone from the whole factors at `operands[first]` (A) and `[first + 1]` (B) in
 * the order of lora-delta.ts; undefined when a factor (or the saved weight, or the base) is not finite.
 */
function loraAt(
  update: LoraUpdate,
  operands: readonly Operand[],
  first: number,
  element: number,
  at: (index: number) => number,
): number | undefined {
  const decode = (operand: Operand | undefined) =>
    operand && isComputable(operand.dtype) ? decodeToF32({ dtype: operand.dtype, bytes: operand.bytes }) : undefined;
  const a = decode(operands[first]);
  const b = decode(operands[first + 1]);
  if (!a || !b || !a.every(Number.isFinite) || !b.every(Number.isFinite)) return undefined;
  const { rank } = update;
  const inFeatures = a.length / rank;
  const outFeatures = b.length / rank;
  const columns = update.transpose ? outFeatures : inFeatures;
  const row = Math.floor(element / columns);
  const column = element % columns;
  const [o, i] = update.transpose ? [column, row] : [row, column];
  let acc = 0;
  for (let k = 0; k < rank; k++)
    acc = Math.fround(acc + Math.fround((b[o * rank + k] as number) * (a[k * inFeatures + i] as number)));
  const delta = Math.fround(update.scale32 * acc);
  if (!update.replaced) return delta;
  const saved = at(first + 2);
  const base = at(first + 3);
  if (!Number.isFinite(saved) || !Number.isFinite(base)) return undefined;
  return Math.fround(Math.fround(saved - base) + delta);
}

function advice(cause: string): string {
  if (cause.includes("λ"))
    return "use a smaller weight or scale (|λ| must stay well below 3.4e38, float32's largest value)";
  if (cause.includes("rounding")) return "publish with a wider dtype (--dtype f32, or output.dtype: f32 in a recipe)";
  return "check the models' weights";
}
