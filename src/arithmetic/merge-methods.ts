import { InternalError, UsageError } from "../errors.js";
import { generalizedMerge, type Consensus, type Sparsification } from "./generalized-merge.js";

/** One numeric parameter of a merge method, as recipes name it. */
export interface MethodParameter {
  name: string;
  description: string;
  default: number;
  min: number;
  max: number;
  /** Whether `min` itself is excluded. @default false */
  minExclusive?: boolean;
  /** Whether `max` itself is excluded. @default false */
  maxExclusive?: boolean;
}

/**
 * "elementwise" methods may be fed a tensor chunk by chunk (with `offset`); "tensor" methods need
 * each tensor whole because they rank its elements by magnitude.
 */
export type Granularity = "elementwise" | "tensor";

export interface MergeInput {
  base: Float32Array;
  /** τ_i in recipe order, each as long as `base`; never modified. */
  taskVectors: readonly Float32Array[];
  /** λ_i, one per task vector (negative for negation); rounded to float32. */
  weights: readonly number[];
  /** The method's parameters by name; missing ones take their defaults. */
  parameters?: Readonly<Record<string, number>>;
  /** For methods with `random: true`: the run's seed and this tensor's name, which key the streams. */
  random?: { seed: number; tensorName: string };
  /** Index of element 0 within the tensor, for elementwise methods fed in chunks. @default 0 */
  offset?: number;
  /** @default a new array */
  out?: Float32Array;
}

export interface MergeMethod {
  /** What recipes write as `method:`. */
  name: MergeMethodName;
  title: string;
  /** The arithmetic in one line, for the model card. */
  formula: string;
  /** The paper it follows, for the model card. */
  reference: string;
  granularity: Granularity;
  /** Whether it draws random numbers (and so needs a seed, recorded in the card). */
  random: boolean;
  parameters: readonly MethodParameter[];
  /** The merged float32 values of one tensor (or chunk): base + the method's combination of λ_i τ_i. */
  merge(input: MergeInput): Float32Array;
}

export type MergeMethodName = "task_arithmetic" | "magnitude_prune" | "ties" | "dare_linear" | "dare_ties";

const density: MethodParameter = {
  name: "density",
  description: "Fraction of each task vector's elements kept, by magnitude, per tensor.",
  default: 0.2,
  min: 0,
  max: 1,
  minExclusive: true,
};

const dropRate: MethodParameter = {
  name: "drop_rate",
  description: "p, the probability of dropping each element of each task vector; survivors are scaled by 1/(1 − p).",
  default: 0.9,
  min: 0,
  max: 1,
  maxExclusive: true,
};

const lambda: MethodParameter = {
  name: "lambda",
  description: "λ, the scale of the merged task vector added to the base.",
  default: 1,
  min: -Number.MAX_VALUE,
  max: Number.MAX_VALUE,
};

const taskArithmeticPaper = "https://arxiv.org/abs/2212.04089";
const tiesPaper = "https://arxiv.org/abs/2306.01708";
const darePaper = "https://arxiv.org/abs/2311.03099";

/**
 * Task arithmetic (Ilharco et al., ICLR 2023). Per element, in float32:
 * acc = base; for i in recipe order: acc = fround(acc + fround(λ32_i · τ_i)); out = acc.
 */
export const taskArithmetic: MergeMethod = defineMethod(
  {
    name: "task_arithmetic",
    title: "Task arithmetic",
    formula: "θ = θ_base + Σ_i λ_i τ_i",
    reference: taskArithmeticPaper,
    granularity: "elementwise",
    random: false,
    parameters: [],
  },
  () => ({ sparsification: { kind: "none" }, consensus: { kind: "sum" } }),
);

/**
 * Magnitude pruning, TIES' trim step on its own, then task arithmetic. Per tensor, τ̂_i keeps the
 * k = keepCount(density, n) elements of τ_i largest in magnitude (ties at the threshold: lowest
 * index first) and is +0 elsewhere, unscaled. Per element, in float32:
 * acc = base; for i in recipe order: acc = fround(acc + fround(λ32_i · τ̂_i)); out = acc.
 */
export const magnitudePruneMethod: MergeMethod = defineMethod(
  {
    name: "magnitude_prune",
    title: "Magnitude pruning",
    formula: "θ = θ_base + Σ_i λ_i topk(τ_i)",
    reference: tiesPaper,
    granularity: "tensor",
    random: false,
    parameters: [density],
  },
  (p) => ({ sparsification: { kind: "magnitude", density: p.density! }, consensus: { kind: "sum" } }),
);

/**
 * TIES-Merging (Yadav et al., NeurIPS 2023): trim, elect sign, disjoint merge, then θ_base + λ τ_m.
 * τ̂_i is the trimmed τ_i as in magnitude_prune. Per element, in float32:
 * v_i = fround(λ32_i · τ̂_i); S = +0, then S = fround(S + v_i) in recipe order; γ = sign(S);
 * M = +0, then M = fround(M + v_i) over the v_i ≠ 0 whose sign is γ, in order, c of them;
 * τ_m = c > 0 ? fround(M / c) : +0; out = fround(base + fround(λ32 · τ_m)).
 *
 * Departures, all deliberate: the top-k is per tensor (as mergekit and PEFT do; the authors' code
 * ranks the whole flattened model and keeps k + 1 elements). A sum of exactly zero elects no sign and
 * the element merges to +0, the paper's sgn(0) = 0 (the authors' code falls back to a model-wide
 * majority sign). Recipe weights λ_i scale each trimmed vector before the election, so a negative
 * weight negates a vector's vote; with every weight 1 this is the paper's algorithm.
 */
export const ties: MergeMethod = defineMethod(
  {
    name: "ties",
    title: "TIES-Merging",
    formula: "θ = θ_base + λ · disjoint_mean(elect(λ_i trim(τ_i)))",
    reference: tiesPaper,
    granularity: "tensor",
    random: false,
    parameters: [density, lambda],
  },
  (p) => ({ sparsification: { kind: "magnitude", density: p.density! }, consensus: { kind: "ties", lambda: p.lambda! } }),
);

/**
 * DARE (Yu et al., ICML 2024) on each task vector, then task arithmetic. Element j of τ_i is dropped
 * (+0) when word j of the stream deriveStream({ seed, labels: ["dare", tensorName, i] }) is below
 * p·2^32, and otherwise rescaled: τ̂_i = fround(τ_i / fround(1 − p)), the paper's division (mergekit
 * instead rescales to keep the tensor's L1 norm). Per element, in float32:
 * acc = base; for i in recipe order: acc = fround(acc + fround(λ32_i · τ̂_i)); out = acc.
 * With p = 0 this is task_arithmetic, bit for bit.
 */
export const dareLinear: MergeMethod = defineMethod(
  {
    name: "dare_linear",
    title: "DARE + task arithmetic",
    formula: "θ = θ_base + Σ_i λ_i dare_p(τ_i)",
    reference: darePaper,
    granularity: "elementwise",
    random: true,
    parameters: [dropRate],
  },
  (p, random) => ({ sparsification: { kind: "dare", dropRate: p.drop_rate!, ...random }, consensus: { kind: "sum" } }),
);

/**
 * DARE on each task vector (as in dare_linear), then TIES' sign election and disjoint merge (as in
 * ties, without the magnitude trim: DARE is the sparsification, as in the DARE paper's DARE + TIES,
 * mergekit and PEFT), then θ_base + λ τ_m. Per element, in float32: v_i = fround(λ32_i · τ̂_i), then
 * exactly ties' election, mean and final step.
 */
export const dareTies: MergeMethod = defineMethod(
  {
    name: "dare_ties",
    title: "DARE + TIES",
    formula: "θ = θ_base + λ · disjoint_mean(elect(λ_i dare_p(τ_i)))",
    reference: darePaper,
    granularity: "elementwise",
    random: true,
    parameters: [dropRate, lambda],
  },
  (p, random) => ({ sparsification: { kind: "dare", dropRate: p.drop_rate!, ...random }, consensus: { kind: "ties", lambda: p.lambda! } }),
);

/** The registry: a literal list, so what exists is what is written here (no registration by import). */
export const mergeMethods: readonly MergeMethod[] = [taskArithmetic, magnitudePruneMethod, ties, dareLinear, dareTies];

export function findMergeMethod(name: string): MergeMethod | undefined {
  return mergeMethods.find((method) => method.name === name);
}

export interface ResolveMethodParametersOptions {
  method: MergeMethod;
  /** What the recipe gave. */
  given?: Readonly<Record<string, number>>;
  /** Where the parameters sit in the recipe, for messages. @default "parameters" */
  path?: string;
}

/** Every parameter of the method with its value, defaults filled in; unknown names and out-of-range values are usage errors. */
export function resolveMethodParameters(options: ResolveMethodParametersOptions): Record<string, number> {
  const { method } = options;
  const given = options.given ?? {};
  const path = options.path ?? "parameters";
  const known = new Set(method.parameters.map((parameter) => parameter.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const accepted = method.parameters.length ? `it takes ${method.parameters.map((p) => p.name).join(", ")}` : "it takes none";
      throw new UsageError(`${path}.${name} is not a parameter of the ${method.name} method; ${accepted}.`, {
        code: "METHOD_UNKNOWN_PARAMETER",
        subject: `${path}.${name}`,
      });
    }
  }
  const resolved: Record<string, number> = {};
  for (const parameter of method.parameters) {
    const value = given[parameter.name] ?? parameter.default;
    const low = parameter.minExclusive ? value > parameter.min : value >= parameter.min;
    const high = parameter.maxExclusive ? value < parameter.max : value <= parameter.max;
    if (typeof value !== "number" || !Number.isFinite(value) || !low || !high) {
      throw new UsageError(`${path}.${parameter.name} is ${String(value)}, but ${method.name} needs it in ${rangeText(parameter)}.`, {
        code: "METHOD_PARAMETER_RANGE",
        subject: `${path}.${parameter.name}`,
      });
    }
    resolved[parameter.name] = value;
  }
  return resolved;
}

function rangeText(parameter: MethodParameter): string {
  if (parameter.min === -Number.MAX_VALUE && parameter.max === Number.MAX_VALUE) return "the finite numbers";
  return `${parameter.minExclusive ? "(" : "["}${parameter.min}, ${parameter.max}${parameter.maxExclusive ? ")" : "]"}`;
}

type Configure = (
  parameters: Record<string, number>,
  random: { seed: number; tensorName: string },
) => { sparsification: Sparsification; consensus: Consensus };

function defineMethod(spec: Omit<MergeMethod, "merge">, configure: Configure): MergeMethod {
  const method: MergeMethod = { ...spec, merge: (input) => run(method, input, configure) };
  return method;
}

function run(method: MergeMethod, input: MergeInput, configure: Configure): Float32Array {
  const parameters = resolveMethodParameters({ method, ...(input.parameters ? { given: input.parameters } : {}) });
  if (method.random && !input.random) {
    throw new UsageError(`The ${method.name} method draws random numbers and needs a seed; set a seed for the merge (the model card records it).`, {
      code: "METHOD_SEED_REQUIRED",
      subject: "seed",
    });
  }
  if (method.granularity === "tensor" && (input.offset ?? 0) !== 0) {
    throw new InternalError(`The ${method.name} method ranks whole tensors and cannot take a chunk at an offset.`, {
      code: "ARITHMETIC_NEEDS_WHOLE_TENSOR",
    });
  }
  const { sparsification, consensus } = configure(parameters, input.random ?? { seed: 0, tensorName: "" });
  return generalizedMerge({
    base: input.base,
    taskVectors: input.taskVectors,
    weights: input.weights,
    sparsification,
    consensus,
    ...(input.offset !== undefined ? { offset: input.offset } : {}),
    ...(input.out ? { out: input.out } : {}),
  });
}
