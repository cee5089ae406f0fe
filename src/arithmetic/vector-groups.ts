import { InternalError } from "../errors.js";

/**
 * How a tensor's elements split into the vectors a method compares (SLERP's angle, Model Stock's cosines):
 * `count` vectors of `length` elements each; element k of vector g is at index g·step + k·stride.
 */
export interface VectorGroups {
  count: number;
  length: number;
  step: number;
  stride: number;
}

export type VectorAxis = "whole" | "last" | "first";

export interface VectorGroupsOptions {
  /** The tensor's shape; its product must be `n`. @default [n] */
  shape?: readonly number[];
  n: number;
  /**
   * `whole`: the flattened tensor is one vector. `last`: each slice along the last dimension (a matrix's rows, torch's
   * dim = −1). `first`: each slice along the first dimension (a matrix's columns, torch's dim = 0). A 0-D or 1-D
   * tensor is one vector whichever the axis.
   */
  axis: VectorAxis;
}

export function vectorGroups(options: VectorGroupsOptions): VectorGroups {
  const { n, axis } = options;
  const shape = options.shape ?? [n];
  const product = shape.reduce((a, b) => a * b, 1);
  if (product !== n) {
    throw new InternalError(`A tensor of shape [${shape.join(", ")}] cannot hold ${n} elements.`, {
      code: "ARITHMETIC_BAD_SHAPE",
    });
  }
  if (n === 0) return { count: 0, length: 0, step: 0, stride: 1 };
  if (axis === "whole" || shape.length < 2) return { count: 1, length: n, step: n, stride: 1 };
  if (axis === "last") {
    const length = shape[shape.length - 1]!;
    return { count: n / length, length, step: length, stride: 1 };
  }
  const length = shape[0]!;
  return { count: n / length, length, step: 1, stride: n / length };
}

/** The operands of a method that works on vector groups (Model Stock, SLERP). */
export interface GroupedMergeOptions {
  base: Float32Array;
  /** τ_i in recipe order; never modified. */
  taskVectors: readonly Float32Array[];
  /** λ_i, one per task vector; rounded to float32. */
  weights: readonly number[];
  /** The tensor's shape, for the `last` and `first` axes. @default [n] */
  shape?: readonly number[];
  axis: VectorAxis;
  /** @default a new array */
  out?: Float32Array;
}
