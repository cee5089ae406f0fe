import { InternalError, UsageError } from "../errors.js";

export type { BooleanParameter, MethodParameter, NumberParameter, ParameterValue } from "./method-parameters.js";
export { seedParameter } from "./method-parameters.js";
import { generalizedMerge, type Consensus, type Sparsification } from "./generalized-merge.js";
import {
  crumbsDensity,
  dellaDensity,
  density,
  dropRate,
  epsilon,
  filterWise,
  gamma,
  lambda,
  nuslerpFlatten,
  nuslerpRowWise,
  seedParameter,
  valueNeeds,
  type MethodParameter,
  type ParameterValue,
} from "./method-parameters.js";
import {
  breadcrumbsLine,
  dareLines,
  dellaLines,
  electFormula,
  electLines,
  sumFormula,
  trimLine,
  type MethodDescription,
} from "./method-text.js";
import { modelStock } from "./model-stock.js";
import { nuslerp, slerpFactor } from "./nuslerp.js";

/**
 * "elementwise" methods may be fed a tensor chunk by chunk (with `offset`); "tensor" methods need
 * each tensor whole because they rank its elements or measure its angles.
 */
export type Granularity = "elementwise" | "tensor";

export interface MergeInput {
  base: Float32Array;
  /** τ_i in recipe order, each as long as `base`; never modified. */
  taskVectors: readonly Float32Array[];
  /** λ_i, one per task vector (negative for negation); rounded to float32. */
  weights: readonly number[];
  /** The method's parameters by name; missing ones take their defaults. */
  parameters?: Readonly<Record<string, ParameterValue>>;
  /** For methods with `random: true`: the run's seed and this tensor's name, which key the streams. */
  random?: { seed: number; tensorName: string };
  /** The shape of what `base` holds (for methods that work on rows). @default [base.length] */
  shape?: readonly number[];
  /** Index of element 0 within the tensor, for elementwise methods fed in chunks. @default 0 */
  offset?: number;
  /** @default a new array */
  out?: Float32Array;
}

export interface MergeMethod {
  /** What recipes write as `method:`. */
  name: MergeMethodName;
  title: string;
  /** The arithmetic in one line. */
  formula: string;
  /** The paper it follows, for the model card and the docs. */
  reference: string;
  /** What it computes, for the methods table of the docs (Markdown). */
  summary: string;
  granularity: Granularity;
  /** Whether it draws random numbers (and so needs a seed, recorded in the card). */
  random: boolean;
  parameters: readonly MethodParameter[];
  /** How many task vectors it combines; any number of at least one when absent. */
  terms?: { min: number; max?: number };
  /**
   * Whether the weights multiply the task vectors. When false (SLERP) they only say where between the vectors the
   * merge lies, so a recipe's `scale` would cancel out and is refused.
   */
  weightsScale: boolean;
  /** Whether it elects a sign per entry, which turns a negative weight into a vote instead of a subtraction. */
  electsSign: boolean;
  /** A problem with a combination of values (each already in its range): the parameter to name and why. */
  checkParameters?(parameters: Readonly<Record<string, ParameterValue>>): { name: string; needs: string } | undefined;
  card: {
    /** How the card names the method, linked to `reference`: "TIES merging (Yadav et al., NeurIPS 2023)". */
    phrase: string;
    describe: MethodDescription;
    /** The exact float32 order when the card spells it out (task arithmetic's, for n terms). */
    order?: (terms: number) => string;
  };
  /** The merged float32 values of one tensor (or chunk): base + the method's combination of λ_i τ_i. */
  merge(input: MergeInput): Float32Array;
}

export type MergeMethodName =
  | "task_arithmetic"
  | "magnitude_prune"
  | "ties"
  | "dare_linear"
  | "dare_ties"
  | "breadcrumbs"
  | "breadcrumbs_ties"
  | "della"
  | "della_linear"
  | "model_stock"
  | "nuslerp";

const taskArithmeticPaper = "https://arxiv.org/abs/2212.04089";
const tiesPaper = "https://arxiv.org/abs/2306.01708";
const darePaper = "https://arxiv.org/abs/2311.03099";
const breadcrumbsPaper = "https://arxiv.org/abs/2312.06795";
const dellaPaper = "https://arxiv.org/abs/2406.11617";
const modelStockPaper = "https://arxiv.org/abs/2403.19522";
/** Shoemake, "Animating rotation with quaternion curves", SIGGRAPH 1985: SLERP itself. */
const slerpPaper = "https://doi.org/10.1145/325165.325242";

const taskArithmeticOrder = (terms: number) =>
  `\`acc = base; acc = fround(acc + fround(λᵢ·τᵢ))\` for i = 1…${terms}, each λ rounded to float32 first`;

const plain = { terms: undefined, weightsScale: true, checkParameters: undefined } as const;

/**
 * Task arithmetic (Ilharco et al., ICLR 2023). Per element, in float32:
 * acc = base; for i in recipe order: acc = fround(acc + fround(λ32_i · τ_i)); out = acc.
 */
export const taskArithmetic: MergeMethod = defineMethod(
  {
    ...plain,
    name: "task_arithmetic",
    title: "Task arithmetic",
    formula: "θ = θ_base + Σ_i λ_i τ_i",
    reference: taskArithmeticPaper,
    summary: "θ = θ_base + Σ λᵢ τᵢ (Ilharco et al., 2023)",
    granularity: "elementwise",
    random: false,
    electsSign: false,
    parameters: [],
    card: {
      phrase: "task arithmetic (Ilharco et al., ICLR 2023)",
      describe: { formula: sumFormula(), explain: () => [] },
      order: taskArithmeticOrder,
    },
  },
  sparsifyAndCombine(() => ({ sparsification: { kind: "none" }, consensus: { kind: "sum" } })),
);

/**
 * One family of masks for the task vectors (a sparsification), with what the card says of it. Each family makes two
 * methods that differ only in how they combine the masked vectors: `summing` (task arithmetic's sum) and `electing`
 * (TIES' sign election and disjoint mean); one family, one place for its paper, parameters and words.
 */
interface Masks {
  /** The operator around each τ in the card's formula: `trim(τ)`. */
  operator: string;
  reference: string;
  granularity: Granularity;
  random: boolean;
  parameters: readonly MethodParameter[];
  checkParameters?: MergeMethod["checkParameters"];
  /** The card's lines for the operator. */
  explain: MethodDescription["explain"];
  sparsification(...operands: Parameters<Configure>): Sparsification;
}

/** What tells the two methods of a family apart: the name a recipe writes and the words for it. */
type MethodWords = Pick<MergeMethod, "name" | "title" | "formula" | "summary"> & { phrase: string };

/** The family's masks, then the sum; with `scaled`, the sum times the method's `lambda` (della_linear). */
function summing(masks: Masks, words: MethodWords, options: { scaled?: boolean } = {}): MergeMethod {
  const scaled = options.scaled === true;
  return defineMethod(
    {
      ...familyFields(masks, words),
      electsSign: false,
      parameters: scaled ? [...masks.parameters, lambda] : masks.parameters,
      ...(masks.checkParameters ? { checkParameters: masks.checkParameters } : {}),
      card: { phrase: words.phrase, describe: { formula: sumFormula(masks.operator), explain: masks.explain } },
    },
    sparsifyAndCombine((p, ...operands) => ({
      sparsification: masks.sparsification(p, ...operands),
      consensus: scaled ? { kind: "sum", lambda: p.lambda as number } : { kind: "sum" },
    })),
  );
}

/** The family's masks, then TIES' sign election, disjoint mean and final λ. */
function electing(masks: Masks, words: MethodWords): MergeMethod {
  return defineMethod(
    {
      ...familyFields(masks, words),
      electsSign: true,
      parameters: [...masks.parameters, lambda],
      ...(masks.checkParameters ? { checkParameters: masks.checkParameters } : {}),
      card: {
        phrase: words.phrase,
        describe: {
          formula: electFormula(masks.operator),
          explain: (options) => [...masks.explain(options), ...electLines],
        },
      },
    },
    sparsifyAndCombine((p, ...operands) => ({
      sparsification: masks.sparsification(p, ...operands),
      consensus: { kind: "ties", lambda: p.lambda as number },
    })),
  );
}

/** The fields both methods of a family share, in the registry's order. */
function familyFields(masks: Masks, words: MethodWords) {
  const { name, title, formula, summary } = words;
  const { reference, granularity, random } = masks;
  return { ...plain, name, title, formula, reference, summary, granularity, random };
}

/** TIES' trim: per tensor, τ̂_i keeps the keepCount(density, n) entries largest in magnitude, unscaled. */
const trimMasks: Masks = {
  operator: "trim",
  reference: tiesPaper,
  granularity: "tensor",
  random: false,
  parameters: [density],
  explain: ({ parameters, format }) => [trimLine(parameters, format)],
  sparsification: (p) => ({ kind: "magnitude", density: p.density as number }),
};

/** DARE's drop and rescale, element by element from the seeded stream. */
const dareMasks: Masks = {
  operator: "dare",
  reference: darePaper,
  granularity: "elementwise",
  random: true,
  parameters: [dropRate],
  explain: ({ parameters, format }) => dareLines(parameters, format),
  sparsification: (p, random) => ({ kind: "dare", dropRate: p.drop_rate as number, ...random }),
};

/** Model Breadcrumbs: drop the outliers and the smallest, keep the band between. */
const crumbsMasks: Masks = {
  operator: "crumbs",
  reference: breadcrumbsPaper,
  granularity: "tensor",
  random: false,
  parameters: [crumbsDensity, gamma],
  explain: ({ parameters, format }) => [breadcrumbsLine(parameters, format)],
  sparsification: (p) => ({ kind: "breadcrumbs", density: p.density as number, gamma: p.gamma as number }),
};

/** DELLA's MAGPRUNE: a keep probability by magnitude rank within each row, then the 1/q rescale. */
const magpruneMasks: Masks = {
  operator: "magprune",
  reference: dellaPaper,
  granularity: "tensor",
  random: true,
  parameters: [dellaDensity, epsilon],
  checkParameters: checkDella,
  explain: ({ parameters, format }) => dellaLines(parameters, format),
  sparsification: (p, random, shape, n) => ({
    kind: "della",
    density: p.density as number,
    epsilon: p.epsilon as number,
    rowLength: rowLengthOf(shape, n),
    ...random,
  }),
};

/**
 * Magnitude pruning, TIES' trim step on its own, then task arithmetic. Per tensor, τ̂_i keeps the
 * k = keepCount(density, n) elements of τ_i largest in magnitude (ties at the threshold: lowest
 * index first) and is +0 elsewhere, unscaled. Per element, in float32:
 * acc = base; for i in recipe order: acc = fround(acc + fround(λ32_i · τ̂_i)); out = acc.
 */
export const magnitudePruneMethod: MergeMethod = summing(trimMasks, {
  name: "magnitude_prune",
  title: "Magnitude pruning",
  formula: "θ = θ_base + Σ_i λ_i topk(τ_i)",
  summary: "each τᵢ keeps the `density` fraction of its entries largest in magnitude, tensor by tensor; then the sum",
  phrase: "magnitude pruning of each task vector, then task arithmetic",
});

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
export const ties: MergeMethod = electing(trimMasks, {
  name: "ties",
  title: "TIES-Merging",
  formula: "θ = θ_base + λ · disjoint_mean(elect(λ_i trim(τ_i)))",
  summary:
    "trim as above; per entry, elect the sign of Σ λᵢ τ̂ᵢ and average the values that agree " + "(Yadav et al., 2023)",
  phrase: "TIES merging (Yadav et al., NeurIPS 2023)",
});

/**
 * DARE (Yu et al., ICML 2024) on each task vector, then task arithmetic. Element j of τ_i is dropped
 * (+0) when word j of the stream deriveStream({ seed, labels: ["dare", tensorName, i] }) is below
 * p·2^32, and otherwise rescaled: τ̂_i = fround(τ_i / fround(1 − p)), the paper's division (mergekit
 * instead rescales to keep the tensor's L1 norm). Per element, in float32:
 * acc = base; for i in recipe order: acc = fround(acc + fround(λ32_i · τ̂_i)); out = acc.
 * With p = 0 this is task_arithmetic, bit for bit.
 */
export const dareLinear: MergeMethod = summing(dareMasks, {
  name: "dare_linear",
  title: "DARE + task arithmetic",
  formula: "θ = θ_base + Σ_i λ_i dare_p(τ_i)",
  summary:
    "drop each entry of each τᵢ with probability `drop_rate`, divide the rest by 1 − `drop_rate`; then the sum (Yu " +
    "et al., 2024)",
  phrase: "DARE (Yu et al., ICML 2024) with a weighted sum",
});

/**
 * DARE on each task vector (as in dare_linear), then TIES' sign election and disjoint merge (as in
 * ties, without the magnitude trim: DARE is the sparsification, as in the DARE paper's DARE + TIES,
 * mergekit and PEFT), then θ_base + λ τ_m. Per element, in float32: v_i = fround(λ32_i · τ̂_i), then
 * exactly ties' election, mean and final step.
 */
export const dareTies: MergeMethod = electing(dareMasks, {
  name: "dare_ties",
  title: "DARE + TIES",
  formula: "θ = θ_base + λ · disjoint_mean(elect(λ_i dare_p(τ_i)))",
  summary: "DARE as above, then TIES' election and disjoint mean (no trim)",
  phrase: "DARE (Yu et al., ICML 2024) with TIES sign election",
});

/**
 * Model Breadcrumbs (Davari & Belilovsky, ECCV 2024; arXiv 2023): per tensor, drop the o = round(gamma·n) entries of
 * τ_i largest in magnitude (the outliers) and keep the next k = keepCount(density, n), unscaled; the rest, the
 * smallest, are +0 (o is lowered to n − k when k + o > n, as in mergekit). The ranking is TIES' (magnitude, ties at a
 * threshold lowest index first). Then task arithmetic: acc = base; acc = fround(acc + fround(λ32_i · τ̂_i)) in order.
 *
 * Departures: k rounds (at least 1) as TIES' density does here, where mergekit truncates; and with o = 0 mergekit's
 * slice `[n_bot:-0]` keeps nothing (gamma 0, or a tensor under 1/gamma entries), where tvhub keeps the k largest.
 */
export const breadcrumbs: MergeMethod = summing(crumbsMasks, {
  name: "breadcrumbs",
  title: "Model Breadcrumbs",
  formula: "θ = θ_base + Σ_i λ_i crumbs(τ_i)",
  summary:
    "each τᵢ loses its `gamma` fraction of largest entries (outliers) and keeps the next `density` fraction, tensor " +
    "by tensor; then the sum (Davari & Belilovsky, 2023)",
  phrase: "Model Breadcrumbs (Davari & Belilovsky, 2023)",
});

/** Model Breadcrumbs' masks (as in breadcrumbs), then TIES' sign election, disjoint mean and λ, exactly as in ties. */
export const breadcrumbsTies: MergeMethod = electing(crumbsMasks, {
  name: "breadcrumbs_ties",
  title: "Model Breadcrumbs + TIES",
  formula: "θ = θ_base + λ · disjoint_mean(elect(λ_i crumbs(τ_i)))",
  summary: "Breadcrumbs' masks as above, then TIES' election and disjoint mean",
  phrase: "Model Breadcrumbs (Davari & Belilovsky, 2023) with TIES sign election",
});

/** DELLA's density ± epsilon must stay a probability: above 0, at most 1 (mergekit refuses the same). */
function checkDella(p: Readonly<Record<string, ParameterValue>>): { name: string; needs: string } | undefined {
  const d = p.density as number;
  const e = p.epsilon as number;
  return d - e > 0 && d + e <= 1
    ? undefined
    : { name: "epsilon", needs: `density − epsilon above 0 and density + epsilon at most 1 (density is ${d})` };
}

/** Each row of a "tensor" method's input: the slice along its last dimension (a 0-D or 1-D tensor is one row). */
function rowLengthOf(shape: readonly number[] | undefined, n: number): number {
  return shape !== undefined && shape.length >= 2 ? shape[shape.length - 1]! : n;
}

/**
 * DELLA (Deep et al., 2024), MAGPRUNE then TIES' election. Within each row of τ_i (each slice along the last
 * dimension; the whole of a 0-D or 1-D tensor), entry j of rank r (ascending |τ|, ties lowest index first) of L is kept
 * with probability q = (density − ε) + ((r / (L − 1)) · 2) · ε (float64; q = density when L = 1): dropped (+0) when
 * word j of DARE's stream for (seed, tensor, i) is below (1 − q)·2^32, else fround(τ_i / fround(q)). Then exactly
 * ties' election, disjoint mean and out = fround(base + fround(λ32 · τ_m)). The streams are DARE's, so at ε = 0
 * della is dare_ties with drop_rate = 1 − density, bit for bit (when 1 − (1 − density) = density in float64).
 *
 * Departures: the paper's and tvhub's per-entry 1/q rescale, where mergekit rescales the tensor to keep its L1 norm;
 * rows are slices along the last dimension for every tensor (mergekit ranks along dimension 1, which is the same for
 * a matrix); a one-entry row keeps with probability density (mergekit's 0/0 rank normalisation fails there).
 */
export const della: MergeMethod = electing(magpruneMasks, {
  name: "della",
  title: "DELLA-Merging",
  formula: "θ = θ_base + λ · disjoint_mean(elect(λ_i magprune(τ_i)))",
  summary:
    "each entry of each row of τᵢ is kept with a probability from `density` − `epsilon` (smallest) to `density` + " +
    "`epsilon` (largest magnitude) and divided by it; then TIES' election and disjoint mean (Deep et al., " +
    "2024)",
  phrase: "DELLA (Deep et al., 2024) with TIES sign election",
});

/**
 * DELLA's MAGPRUNE (as in della), then the sum scaled by λ: acc = base; acc = fround(acc + fround(λ32 · fround(λ32_i ·
 * τ̂_i))) in order (at λ = 1 task arithmetic's order; at ε = 0 dare_linear with drop_rate = 1 − density, bit for bit).
 */
export const dellaLinear: MergeMethod = summing(
  magpruneMasks,
  {
    name: "della_linear",
    title: "DELLA + task arithmetic",
    formula: "θ = θ_base + λ · Σ_i λ_i magprune(τ_i)",
    summary: "DELLA's rank-based drop and rescale as above; then the sum, times `lambda`",
    phrase: "DELLA (Deep et al., 2024) with a weighted sum",
  },
  { scaled: true },
);

/**
 * Model Stock (Jang et al., ECCV 2024) on task vectors: θ = θ_base + t · mean(λ_i τ_i), with t from the angle between
 * the task vectors, per tensor or per row (filter_wise); the exact order is modelStock's. Departure: mergekit ignores
 * the weights (it has none for model_stock), tvhub scales each τ_i by its λ_i first, so with every weight 1 (and
 * scale 1) it is mergekit's, and `scale` scales the merged vector.
 */
export const modelStockMethod: MergeMethod = defineMethod(
  {
    name: "model_stock",
    title: "Model Stock",
    formula: "θ = θ_base + t · mean_i(λ_i τ_i), t = N cos θ / (1 + (N − 1) cos θ)",
    reference: modelStockPaper,
    summary:
      "the mean of the λᵢ τᵢ, times t = N·cos θ / (1 + (N − 1)·cos θ) with θ their mean pairwise angle, per tensor " +
      "(or per row with `filter_wise`); needs at least 2 task vectors (Jang et al., 2024)",
    granularity: "tensor",
    random: false,
    electsSign: false,
    weightsScale: true,
    terms: { min: 2 },
    parameters: [filterWise],
    card: {
      phrase: "Model Stock (Jang et al., ECCV 2024)",
      describe: {
        formula: ({ terms, format }) =>
          `θ = θ(base) + t·mean(${terms.map((term) => `${format(term.weight)}·${term.symbol}`).join(", ")})`,
        explain: ({ parameters }) => [
          `- \`t\` = N·cos θ / (1 + (N − 1)·cos θ), with N the number of task vectors and cos θ the mean of their ` +
            "pairwise cosine similarities, " +
            `${
              parameters.filter_wise === true
                ? "computed for each row of each tensor " + "(filter_wise)"
                : "computed " + "for each tensor"
            }; ` +
            "it pulls the average of the fine-tunes towards the base.",
        ],
      },
    },
  },
  (input, p) => modelStock({ ...kernelInput(input), axis: p.filter_wise === true ? "last" : "whole" }),
);

/**
 * Task-vector SLERP: mergekit's `nuslerp` with a base model, θ = θ_base + slerp(t, τ₁, τ₂) with t = w₂ / (w₁ + w₂),
 * per tensor (nuslerp_flatten), per slice along the last dimension, or along the first (nuslerp_row_wise); the exact
 * order is nuslerp's. The weights only set t, so a recipe's scale is refused rather than cancelled silently.
 */
export const nuslerpMethod: MergeMethod = defineMethod(
  {
    name: "nuslerp",
    title: "Task-vector SLERP",
    formula: "θ = θ_base + slerp(w₂ / (w₁ + w₂), τ₁, τ₂)",
    reference: slerpPaper,
    summary:
      "θ_base + the spherical interpolation between τ₁ and τ₂ at t = w₂ / (w₁ + w₂), per tensor (`nuslerp_flatten`) " +
      "or per row or column (`nuslerp_row_wise`); exactly 2 task vectors (mergekit's `nuslerp` with a base)",
    granularity: "tensor",
    random: false,
    electsSign: false,
    weightsScale: false,
    terms: { min: 2, max: 2 },
    parameters: [nuslerpFlatten, nuslerpRowWise],
    checkParameters: (p) =>
      p.nuslerp_flatten === true && p.nuslerp_row_wise === true
        ? { name: "nuslerp_row_wise", needs: "nuslerp_flatten: false (it chooses the slices of an unflattened tensor)" }
        : undefined,
    card: {
      phrase: "SLERP between task vectors (Shoemake, 1985; mergekit's nuslerp)",
      describe: {
        formula: ({ terms, format }) => {
          const [first, second] = terms.map((term) => term.weight);
          const t = slerpFactor([first ?? 0, second ?? 0]);
          return `θ = θ(base) + slerp(${format(t)}, ${terms.map((term) => term.symbol).join(", ")})`;
        },
        explain: ({ parameters }) => [
          `- \`slerp(t, τ₁, τ₂)\` follows the great circle from τ₁ (t = 0) to τ₂ (t = 1) with t = w₂ / (w₁ + w₂), ` +
            `${
              parameters.nuslerp_flatten === false
                ? parameters.nuslerp_row_wise === true
                  ? "for each slice of a " + "tensor along its first dimension (each column of a " + "matrix)"
                  : "for " + "each slice of a tensor along its last dimension (each row of a " + "matrix)"
                : "for " + "each tensor as one flat vector"
            }; ` +
            "it interpolates the lengths linearly and the directions by angle, and falls back to a straight line " +
            "where the vectors are parallel.",
        ],
      },
    },
  },
  (input, p) =>
    nuslerp({
      ...kernelInput(input),
      axis: p.nuslerp_flatten === true ? "whole" : p.nuslerp_row_wise === true ? "first" : "last",
    }),
);

/** The registry: a literal list, so what exists is what is written here (no registration by import). */
export const mergeMethods: readonly MergeMethod[] = [
  taskArithmetic,
  magnitudePruneMethod,
  ties,
  dareLinear,
  dareTies,
  breadcrumbs,
  breadcrumbsTies,
  della,
  dellaLinear,
  modelStockMethod,
  nuslerpMethod,
];

export function findMergeMethod(name: string): MergeMethod | undefined {
  return mergeMethods.find((method) => method.name === name);
}

/** Every parameter a recipe may give the method: its own, and `seed` when it draws random numbers. */
export function recipeParametersOf(method: MergeMethod): readonly MethodParameter[] {
  return method.random ? [...method.parameters, seedParameter] : method.parameters;
}

/** A parameter a method does not take, or a value it cannot take (`needs` says what it can: "it in (0, 1]"). */
export type ParameterProblem =
  | { kind: "unknown"; name: string }
  | { kind: "value"; name: string; value: unknown; needs: string };

/** What is wrong with the given parameters (an unknown name, a value out of range, a bad combination), if anything. */
export function findParameterProblem(
  method: MergeMethod,
  given: Readonly<Record<string, unknown>>,
  accepted: readonly MethodParameter[] = method.parameters,
): ParameterProblem | undefined {
  const known = new Set(accepted.map((parameter) => parameter.name));
  const unknown = Object.keys(given).find((name) => !known.has(name));
  if (unknown !== undefined) return { kind: "unknown", name: unknown };
  const resolved: Record<string, ParameterValue> = {};
  for (const parameter of accepted) {
    const value = given[parameter.name] ?? parameter.default;
    const needs = valueNeeds(parameter, value);
    if (needs !== undefined) return { kind: "value", name: parameter.name, value, needs };
    resolved[parameter.name] = value as ParameterValue;
  }
  const combination = method.checkParameters?.(resolved);
  return combination === undefined
    ? undefined
    : { kind: "value", name: combination.name, value: resolved[combination.name], needs: combination.needs };
}

export interface ResolveMethodParametersOptions {
  method: MergeMethod;
  /** What the recipe gave. */
  given?: Readonly<Record<string, ParameterValue>>;
  /** Where the parameters sit in the recipe, for messages. @default "parameters" */
  path?: string;
}

/**
 * Every parameter of the method with its value, defaults filled in; unknown names and out-of-range values are usage
 * errors.
 */
export function resolveMethodParameters(options: ResolveMethodParametersOptions): Record<string, ParameterValue> {
  const { method } = options;
  const given = options.given ?? {};
  const path = options.path ?? "parameters";
  const problem = findParameterProblem(method, given);
  if (problem?.kind === "unknown") {
    const accepted = method.parameters.length
      ? `it takes ${method.parameters.map((p) => p.name).join(", ")}`
      : "it takes none";
    throw new UsageError(`${path}.${problem.name} is not a parameter of the ${method.name} method; ${accepted}.`, {
      code: "METHOD_UNKNOWN_PARAMETER",
      subject: `${path}.${problem.name}`,
    });
  }
  if (problem !== undefined) {
    throw new UsageError(
      `${path}.${problem.name} is ${String(problem.value)}, but ${method.name} needs ${problem.needs}.`,
      {
        code: "METHOD_PARAMETER_RANGE",
        subject: `${path}.${problem.name}`,
      },
    );
  }
  const resolved: Record<string, ParameterValue> = {};
  for (const parameter of method.parameters) resolved[parameter.name] = given[parameter.name] ?? parameter.default;
  return resolved;
}

type Kernel = (input: MergeInput, parameters: Record<string, ParameterValue>) => Float32Array;

function defineMethod(spec: Omit<MergeMethod, "merge">, kernel: Kernel): MergeMethod {
  const method: MergeMethod = { ...spec, merge: (input) => run(method, input, kernel) };
  return method;
}

function run(method: MergeMethod, input: MergeInput, kernel: Kernel): Float32Array {
  const parameters = resolveMethodParameters({ method, ...(input.parameters ? { given: input.parameters } : {}) });
  if (method.random && !input.random) {
    throw new UsageError(
      `The ${method.name} method draws random numbers and needs a seed; set a seed for the merge (the model card ` +
        "records it).",
      {
        code: "METHOD_SEED_REQUIRED",
        subject: "seed",
      },
    );
  }
  if (method.granularity === "tensor" && (input.offset ?? 0) !== 0) {
    throw new InternalError(`The ${method.name} method ranks whole tensors and cannot take a chunk at an offset.`, {
      code: "ARITHMETIC_NEEDS_WHOLE_TENSOR",
    });
  }
  return kernel(input, parameters);
}

/** The operands every kernel takes, from a method's input. */
function kernelInput(input: MergeInput): Pick<MergeInput, "base" | "taskVectors" | "weights" | "shape" | "out"> {
  return {
    base: input.base,
    taskVectors: input.taskVectors,
    weights: input.weights,
    ...(input.shape ? { shape: input.shape } : {}),
    ...(input.out ? { out: input.out } : {}),
  };
}

type Configure = (
  parameters: Record<string, ParameterValue>,
  random: { seed: number; tensorName: string },
  shape: readonly number[] | undefined,
  n: number,
) => { sparsification: Sparsification; consensus: Consensus };

/** A method of the generalized kernel: its sparsification and consensus, from the parameters. */
function sparsifyAndCombine(configure: Configure): Kernel {
  return (input, parameters) => {
    const { sparsification, consensus } = configure(
      parameters,
      input.random ?? { seed: 0, tensorName: "" },
      input.shape,
      input.base.length,
    );
    return generalizedMerge({
      base: input.base,
      taskVectors: input.taskVectors,
      weights: input.weights,
      sparsification,
      consensus,
      ...(input.offset !== undefined ? { offset: input.offset } : {}),
      ...(input.out ? { out: input.out } : {}),
    });
  };
}
