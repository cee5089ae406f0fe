/** The parameters of the merge methods: their kinds, the registry's definitions, and what a value must be. */

interface ParameterCommon {
  name: string;
  description: string;
  /**
   * Left out of a merge's resolved parameters (its plan, card and record) unless the recipe sets it: for a factor
   * whose default, 1, changes nothing, so that its presence in the registry changes no existing record.
   */
  omitWhenDefault?: boolean;
}

/** A numeric parameter of a merge method, as recipes name it. */
export interface NumberParameter extends ParameterCommon {
  kind?: "number";
  default: number;
  min: number;
  max: number;
  /** Whether `min` itself is excluded. @default false */
  minExclusive?: boolean;
  /** Whether `max` itself is excluded. @default false */
  maxExclusive?: boolean;
  /** Whole numbers only. @default false */
  integer?: boolean;
}

/** An on/off parameter (mergekit's nuslerp_flatten, filter_wise). */
export interface BooleanParameter extends ParameterCommon {
  kind: "boolean";
  default: boolean;
}

export type MethodParameter = NumberParameter | BooleanParameter;
export type ParameterValue = number | boolean;

export const density: NumberParameter = {
  name: "density",
  description:
    "The fraction (0, 1] of each task vector's entries kept, largest magnitudes first, tensor by tensor (at least " +
    "one entry).",
  default: 0.2,
  min: 0,
  max: 1,
  minExclusive: true,
};

export const dropRate: NumberParameter = {
  name: "drop_rate",
  description:
    "The probability [0, 1) of dropping each entry; survivors are multiplied by 1/(1 − drop_rate). mergekit's " +
    "`density` is 1 − drop_rate.",
  default: 0.9,
  min: 0,
  max: 1,
  maxExclusive: true,
};

export const lambda: NumberParameter = {
  name: "lambda",
  description:
    "λ, the scale of the merged task vector added to the base (mergekit's `lambda`); the recipe's `scale` " +
    "multiplies the weights before it.",
  default: 1,
  min: -Number.MAX_VALUE,
  max: Number.MAX_VALUE,
  omitWhenDefault: true,
};

export const crumbsDensity: NumberParameter = {
  ...density,
  description:
    "The fraction (0, 1] of each task vector's entries kept after the outliers are dropped, the next largest by " +
    "magnitude, tensor by tensor.",
  default: 0.9,
};

export const gamma: NumberParameter = {
  name: "gamma",
  description:
    "The fraction [0, 1) of each task vector's entries dropped first as outliers, the largest by magnitude (fewer " +
    "when density + gamma > 1).",
  default: 0.01,
  min: 0,
  max: 1,
  maxExclusive: true,
};

export const dellaDensity: NumberParameter = {
  ...density,
  description:
    "The mean probability (0, 1] of keeping an entry; the keep probability grows with the entry's magnitude rank in " +
    "its row, from density − epsilon to density + epsilon.",
  default: 0.5,
};

export const epsilon: NumberParameter = {
  name: "epsilon",
  description:
    "Half the spread of the keep probabilities around density; density − epsilon must be above 0 and density + " +
    "epsilon at most 1.",
  default: 0.15,
  min: 0,
  max: 0.5,
  maxExclusive: true,
};

export const filterWise: BooleanParameter = {
  kind: "boolean",
  name: "filter_wise",
  description:
    "One interpolation factor per row of each tensor (each slice along its last dimension) instead of one per tensor.",
  default: false,
};

export const nuslerpFlatten: BooleanParameter = {
  kind: "boolean",
  name: "nuslerp_flatten",
  description: "Interpolate each tensor as one flat vector; false: each slice of it separately (see nuslerp_row_wise).",
  default: true,
};

export const nuslerpRowWise: BooleanParameter = {
  kind: "boolean",
  name: "nuslerp_row_wise",
  description:
    "With nuslerp_flatten: false, interpolate the slices along the first dimension (a matrix's columns, mergekit's " +
    "dim 0) instead of those along the last (its rows).",
  default: false,
};

/** The seed every method with `random: true` takes as a recipe parameter; the kernel gets it as `random.seed`. */
export const seedParameter: NumberParameter = {
  name: "seed",
  description: "The seed of the random mask, recorded in the model card so the merge can be reproduced bit for bit.",
  default: 0,
  min: 0,
  max: 0xffffffff,
  integer: true,
};

/** What a parameter needs when `value` is not acceptable, else undefined. */
export function valueNeeds(parameter: MethodParameter, value: unknown): string | undefined {
  if (parameter.kind === "boolean") return typeof value === "boolean" ? undefined : "true or false";
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (parameter.minExclusive ? value > parameter.min : value >= parameter.min) &&
    (parameter.maxExclusive ? value < parameter.max : value <= parameter.max) &&
    (!parameter.integer || Number.isInteger(value));
  return ok ? undefined : `it in ${rangeText(parameter)}`;
}

function rangeText(parameter: NumberParameter): string {
  if (parameter.min === -Number.MAX_VALUE && parameter.max === Number.MAX_VALUE) return "the finite numbers";
  const range =
    `${parameter.minExclusive ? "(" : "["}${parameter.min}, ` + `${parameter.max}${parameter.maxExclusive ? ")" : "]"}`;
  return parameter.integer ? `the whole numbers of ${range}` : range;
}
