import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import type { MergeTerm } from "../arithmetic/merge-chunk.js";
import { InternalError } from "../errors.js";
import type { LoraUpdate, TensorRef, WeightedTau } from "../plan/types.js";
import { isComputable, type ComputableDtype, type Dtype } from "../tensor/dtype.js";
import type { EncodedValues } from "../tensor/encoded.js";
import { addReplaced, loraRange } from "./compute-lora.js";
import type { Job } from "./plan-jobs.js";

/** An operand of a job: the bytes of the job's element range of one input tensor, with their dtype. */
export interface Operand {
  dtype: Dtype;
  bytes: Uint8Array;
}

export interface ComputeJobOptions {
  job: Job;
  /** The operands `jobOperands(job)` names, in that order. */
  operands: readonly Operand[];
  kernels: ArithmeticKernels;
}

/** A tensor a job reads: its element range of the job, or, for LoRA factors, the whole tensor. */
export interface OperandRef extends TensorRef {
  whole?: boolean;
}

/** The tensor references a job reads, in a fixed order; execute fetches exactly these byte ranges. */
export function jobOperands(job: Job): OperandRef[] {
  switch (job.kind.op) {
    case "copy":
      return [job.kind.source];
    case "taskVector":
      return [job.kind.finetuned, job.kind.base];
    case "lora":
      return loraOperandRefs(job.kind);
    case "merge": {
      const refs: OperandRef[] = [job.kind.base];
      for (const term of job.kind.terms) {
        if (term.tau.kind === "vector") refs.push(term.tau.tensor);
        else if (term.tau.kind === "taskVector") refs.push(term.tau.finetuned, term.tau.base);
        else if (term.tau.kind === "lora") refs.push(...loraOperandRefs(term.tau));
      }
      return refs;
    }
  }
}

function loraOperandRefs(update: LoraUpdate): OperandRef[] {
  const factors: OperandRef[] = [
    { ...update.a, whole: true },
    { ...update.b, whole: true },
  ];
  return update.replaced ? [...factors, update.replaced.saved, update.replaced.base] : factors;
}

/** Computes one job's output bytes in the output dtype, with the float32 semantics of DESIGN.md. */
export function computeJob(options: ComputeJobOptions): Uint8Array {
  const { job, operands, kernels } = options;
  const outDtype = job.tensor.dtype;
  const count = job.end - job.start;
  switch (job.kind.op) {
    case "copy": {
      const source = operand(operands, 0);
      if (source.dtype === outDtype) return source.bytes;
      const values = kernels.decodeToF32({ dtype: computable(source.dtype), bytes: source.bytes });
      return kernels.encodeFromF32({ dtype: computable(outDtype), values });
    }
    case "taskVector":
      return kernels.computeTaskVector({
        finetuned: encoded(operand(operands, 0)),
        base: encoded(operand(operands, 1)),
        dtype: computable(outDtype),
      });
    case "lora":
      return kernels.encodeFromF32({
        dtype: computable(outDtype),
        values: loraValues(job, job.kind, operands, 0, kernels),
      });
    case "merge": {
      const { method, terms } = job.kind;
      const base = encoded(operand(operands, 0));
      if (method.name === "task_arithmetic") {
        return kernels.mergeChunk({
          base,
          terms: mergeTerms(job, terms, operands, count, job.kind.base, kernels),
          dtype: computable(outDtype),
        });
      }
      const baseValues = kernels.decodeToF32(base);
      const taskVectors = tauValues(job, terms, operands, count, kernels);
      const merged = method.merge({
        base: baseValues,
        taskVectors,
        weights: terms.map((term) => term.weight32),
        parameters: job.kind.parameters,
        ...(method.random ? { random: { seed: job.kind.seed ?? 0, tensorName: job.tensor.name } } : {}),
        ...(method.granularity === "tensor" ? { shape: regionShape(job) } : {}),
        offset: job.start,
      });
      return kernels.encodeFromF32({ dtype: computable(outDtype), values: merged });
    }
  }
}

/**
 * The shape of the rows a whole-tensor job holds: the tensor's, or its first rows (a grown vocabulary's shared ones).
 */
function regionShape(job: Job): number[] {
  const shape = job.tensor.shape;
  if (shape.length === 0) return [];
  const rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
  return [(job.end - job.start) / Math.max(1, rowLength), ...shape.slice(1)];
}

/** Terms for the fused task-arithmetic kernel; τ of a fine-tune against another base is computed first. */
function mergeTerms(
  job: Job,
  terms: readonly WeightedTau[],
  operands: readonly Operand[],
  count: number,
  mergeBase: TensorRef,
  kernels: ArithmeticKernels,
): MergeTerm[] {
  let next = 1;
  return terms.map((term): MergeTerm => {
    switch (term.tau.kind) {
      case "vector":
        return { weight: term.weight32, taskVector: encoded(operand(operands, next++)) };
      case "taskVector": {
        const finetuned = encoded(operand(operands, next++));
        const base = encoded(operand(operands, next++));
        if (sameRef(term.tau.base, mergeBase)) return { weight: term.weight32, finetuned };
        return {
          weight: term.weight32,
          taskVector: { dtype: "F32", bytes: kernels.computeTaskVector({ finetuned, base, dtype: "F32" }) },
        };
      }
      case "zero":
        // A vector that omits a tensor stored +0 there; adding λ·(+0) still turns a −0 base element into +0.
        return { weight: term.weight32, taskVector: { dtype: "F32", bytes: new Uint8Array(count * 4) } };
      case "lora": {
        const values = loraValues(job, term.tau, operands, next, kernels);
        next += loraOperandRefs(term.tau).length;
        return {
          weight: term.weight32,
          taskVector: { dtype: "F32", bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) },
        };
      }
    }
  });
}

function tauValues(
  job: Job,
  terms: readonly WeightedTau[],
  operands: readonly Operand[],
  count: number,
  kernels: ArithmeticKernels,
): Float32Array[] {
  let next = 1;
  return terms.map((term) => {
    switch (term.tau.kind) {
      case "vector":
        return kernels.decodeToF32(encoded(operand(operands, next++)));
      case "taskVector": {
        const finetuned = kernels.decodeToF32(encoded(operand(operands, next++)));
        const base = kernels.decodeToF32(encoded(operand(operands, next++)));
        return kernels.subtract({ finetuned, base, out: finetuned });
      }
      case "zero":
        return new Float32Array(count);
      case "lora": {
        const values = loraValues(job, term.tau, operands, next, kernels);
        next += loraOperandRefs(term.tau).length;
        return values;
      }
    }
  });
}

/**
 * The job's elements of a LoRA update in float32: the rows that cover its range (a merge's chunks need not start
 * on a row), then, when PEFT saved the module's weight too, `fround(fround(saved − base) + delta)`.
 */
function loraValues(
  job: Job,
  update: LoraUpdate,
  operands: readonly Operand[],
  first: number,
  kernels: ArithmeticKernels,
): Float32Array {
  const a = kernels.decodeToF32(encoded(operand(operands, first)));
  const b = kernels.decodeToF32(encoded(operand(operands, first + 1)));
  const delta = loraRange({ a, b, update, start: job.start, end: job.end, kernels });
  if (!update.replaced) return delta;
  const saved = kernels.decodeToF32(encoded(operand(operands, first + 2)));
  const base = kernels.decodeToF32(encoded(operand(operands, first + 3)));
  return addReplaced({ saved, base, delta, kernels });
}

function sameRef(a: TensorRef, b: TensorRef): boolean {
  return a.input === b.input && a.name === b.name;
}

function operand(operands: readonly Operand[], i: number): Operand {
  const found = operands[i];
  if (!found) throw new InternalError(`A job is missing operand ${i}.`, { code: "EXECUTE_MISSING_OPERAND" });
  return found;
}

function encoded(value: Operand): EncodedValues {
  return { dtype: computable(value.dtype), bytes: value.bytes };
}

function computable(dtype: Dtype): ComputableDtype {
  if (!isComputable(dtype))
    throw new InternalError(`A float operation reached a ${dtype} tensor.`, { code: "EXECUTE_NOT_FLOAT" });
  return dtype;
}
