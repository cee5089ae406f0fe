import {
  findMergeMethod,
  type MergeMethod as ArithmeticMethod,
  type ParameterValue,
} from "../arithmetic/merge-methods.js";
import { InternalError } from "../errors.js";
import type { MergeParameters } from "../plan/recipe.js";
import type { Expression, Plan, PlannedTensor, TensorRef, WeightedTau } from "../plan/types.js";
import { elementCount } from "../tensor/shape.js";

/**
 * One unit of work of execute: an element range of one output tensor, and how to compute it.
 * Element-wise expressions are cut into chunks so memory holds one chunk per operand; methods that rank a
 * tensor's elements (TIES, magnitude) get the tensor's shared region whole.
 */
export interface Job {
  tensor: PlannedTensor;
  /** Element range of the output tensor. */
  start: number;
  end: number;
  kind: JobKind;
}

/**
 * A copy, a task vector or a LoRA update is the plan's expression as it is (a LoRA job is whole rows: A and B are
 * read whole for each job, the rows computed from them); a merge carries its method's registry entry.
 */
export type JobKind =
  | Extract<Expression, { op: "copy" | "taskVector" | "lora" }>
  | {
      op: "merge";
      method: ArithmeticMethod;
      base: TensorRef;
      terms: WeightedTau[];
      parameters: Record<string, ParameterValue>;
      seed?: number;
    };

export interface PlanJobsOptions {
  plan: Plan;
  /** Output elements per chunk for element-wise work. */
  chunkElements: number;
}

/** Every job of a plan in write order (file by file, header order within a file). */
export function planJobs(options: PlanJobsOptions): Job[] {
  const { plan, chunkElements } = options;
  const byName = new Map(plan.outputs.map((tensor) => [tensor.name, tensor]));
  const jobs: Job[] = [];
  for (const file of plan.layout.files) {
    for (const name of file.tensors) {
      const tensor = byName.get(name);
      if (!tensor)
        throw new InternalError(`The plan writes ${name} but has no expression for it.`, {
          code: "PLAN_MISSING_OUTPUT",
        });
      jobs.push(...jobsFor(tensor, chunkElements));
    }
  }
  return jobs;
}

function jobsFor(tensor: PlannedTensor, chunkElements: number): Job[] {
  const total = elementCount(tensor.shape) ?? 0;
  const expression: Expression = tensor.expression;
  const rowLength = tensor.shape.length > 0 ? total / Math.max(1, tensor.shape[0] ?? 1) : total;
  switch (expression.op) {
    case "copy":
      return chunk(tensor, 0, total, chunkElements, { op: "copy", source: expression.source });
    case "taskVector":
      return chunk(tensor, 0, total, chunkElements, {
        op: "taskVector",
        finetuned: expression.finetuned,
        base: expression.base,
      });
    case "lora": {
      // Whole rows, so no job computes a row twice; a row longer than a chunk is a job of its own.
      const step = Math.max(1, Math.floor(chunkElements / Math.max(1, rowLength))) * rowLength;
      return chunk(tensor, 0, total, Math.max(1, step), expression);
    }
    case "taskVectorExtend": {
      const shared = expression.sharedRows * rowLength;
      return [
        ...chunk(tensor, 0, shared, chunkElements, {
          op: "taskVector",
          finetuned: expression.finetuned,
          base: expression.base,
        }),
        ...chunk(tensor, shared, total, chunkElements, { op: "copy", source: expression.finetuned }),
      ];
    }
    case "merge":
    case "mergeExtend": {
      const shared = expression.op === "mergeExtend" ? expression.sharedRows * rowLength : total;
      const method = arithmeticMethod(expression.method);
      const parameters = methodParameters(expression.params);
      const kind: JobKind = {
        op: "merge",
        method,
        base: expression.base,
        terms: expression.terms,
        parameters,
        ...(typeof expression.params.seed === "number" ? { seed: expression.params.seed } : {}),
      };
      const step = method.granularity === "tensor" ? Math.max(1, shared) : chunkElements;
      const merged = chunk(tensor, 0, shared, step, kind);
      if (expression.op === "merge") return merged;
      return [...merged, ...chunk(tensor, shared, total, chunkElements, { op: "copy", source: expression.extraRows })];
    }
  }
}

function arithmeticMethod(name: string): ArithmeticMethod {
  const method = findMergeMethod(name);
  if (!method)
    throw new InternalError(`The plan names merge method ${name}, which has no kernel.`, {
      code: "PLAN_UNKNOWN_METHOD",
    });
  return method;
}

/** The recipe's parameters as the kernel takes them; the seed travels separately because it keys the RNG streams. */
function methodParameters(params: MergeParameters): Record<string, ParameterValue> {
  const out: Record<string, ParameterValue> = {};
  for (const [key, value] of Object.entries(params)) if (key !== "seed" && value !== undefined) out[key] = value;
  return out;
}

function chunk(tensor: PlannedTensor, from: number, to: number, step: number, kind: JobKind): Job[] {
  const jobs: Job[] = [];
  for (let start = from; start < to; start += step) jobs.push({ tensor, start, end: Math.min(to, start + step), kind });
  return jobs;
}
