/**
 * The words a model card uses for a merge method, next to the registry that owns the methods (merge-methods.ts), so
 * that a method's kernel, parameters and description are written in one place. Numbers are formatted by the caller
 * (the card's own formatter), which keeps this module free of any presentation code but the phrases themselves.
 */

/** A merge's parameters after defaults, as the registry's methods read them. */
export type MethodParameters = Readonly<Record<string, number | boolean>>;

/** One λ_i·τ_i of the formula: its weight (after the global scale) and the symbol the card's table uses. */
export interface FormulaTerm {
  weight: number;
  symbol: string;
}

export interface DescribeOptions {
  terms: readonly FormulaTerm[];
  parameters: MethodParameters;
  format: (value: number) => string;
}

/** What a card says about a method: the formula line, and what each of its operators does with these parameters. */
export interface MethodDescription {
  formula(options: DescribeOptions): string;
  explain(options: Omit<DescribeOptions, "terms">): string[];
}

/**
 * `θ = θ(base) + 0.5·op(τ₁) − 1·op(τ₂)`, the weighted sum (with an operator around each τ, or none), scaled by the
 * method's λ when that is not 1.
 */
export function sumFormula(operator?: string): MethodDescription["formula"] {
  return ({ terms, parameters, format }) => {
    const operand = (symbol: string) => (operator ? `${operator}(${symbol})` : symbol);
    const sum = terms
      .map(
        (term, i) =>
          `${
            i === 0 ? (term.weight < 0 ? "− " : "+ ") : term.weight < 0 ? " " + "− " : " " + "+ "
          }${format(Math.abs(term.weight))}·${operand(term.symbol)}`,
      )
      .join("");
    const lambda = lambdaOf(parameters);
    return lambda === 1 ? `θ = θ(base) ${sum}` : `θ = θ(base) + ${format(lambda)}·(${sum.replace(/^\+ /, "")})`;
  };
}

/** `θ = θ(base) + disjoint_mean(elect(0.8·op(τ₁), 0.5·op(τ₂)))`, TIES' election around the weighted vectors. */
export function electFormula(operator: string): MethodDescription["formula"] {
  return ({ terms, parameters, format }) => {
    const weighted = terms.map((term) => `${format(term.weight)}·${operator}(${term.symbol})`);
    const inner = `disjoint_mean(elect(${weighted.join(", ")}))`;
    const lambda = lambdaOf(parameters);
    return `θ = θ(base) + ${lambda === 1 ? "" : `${format(lambda)}·`}${inner}`;
  };
}

function lambdaOf(parameters: MethodParameters): number {
  return typeof parameters.lambda === "number" ? parameters.lambda : 1;
}

/** The number a parameter holds, when it holds one. */
export function numberParameter(parameters: MethodParameters, name: string): number | undefined {
  const value = parameters[name];
  return typeof value === "number" ? value : undefined;
}

export function trimLine(parameters: MethodParameters, format: (value: number) => string): string {
  const density = numberParameter(parameters, "density");
  return (
    `- \`trim(τ)\` keeps the ${density === undefined ? "top" : `${format(density * 100)}% of`} entries of τ ` +
    "with the largest magnitude, tensor by tensor, and sets the rest to 0 (at the threshold, lower indices " +
    "first)."
  );
}

export function dareLines(parameters: MethodParameters, format: (value: number) => string): string[] {
  const dropRate = numberParameter(parameters, "drop_rate");
  const p = dropRate === undefined ? "p" : `p = ${format(dropRate)}`;
  return [
    `- \`dare(τ)\` sets each entry of τ to 0 with probability ${p} and divides the others by 1 − ` +
      `p${dropRate === undefined ? "" : ` = ${format(Math.fround(1 - dropRate))}`}, element by element as in the ` +
      "paper (mergekit instead rescales to keep the tensor's L1 norm).",
    seedLine(parameters),
  ];
}

export function breadcrumbsLine(parameters: MethodParameters, format: (value: number) => string): string {
  const density = numberParameter(parameters, "density");
  const gamma = numberParameter(parameters, "gamma");
  const kept = density === undefined ? "a fraction" : `${format(density * 100)}%`;
  const outliers = gamma === undefined ? "the largest entries" : `the ${format(gamma * 100)}% largest entries`;
  return (
    `- \`crumbs(τ)\` drops ${outliers} of τ by magnitude (the outliers), keeps the next ${kept} of its entries ` +
    "and sets the rest, the smallest, to 0, tensor by tensor (at a threshold, lower indices rank first); the " +
    "kept entries are not rescaled."
  );
}

export function dellaLines(parameters: MethodParameters, format: (value: number) => string): string[] {
  const density = numberParameter(parameters, "density");
  const epsilon = numberParameter(parameters, "epsilon");
  const range =
    density === undefined || epsilon === undefined
      ? "from density − ε for the smallest to density + ε for the largest"
      : `from ${format(density - epsilon)} for the smallest to ${format(density + epsilon)} for the largest`;
  return [
    `- \`magprune(τ)\` ranks the entries of each row of τ by magnitude and keeps each one with a probability that ` +
      `grows linearly with its rank, ${range}; a kept entry is divided by its probability, as in the paper ` +
      "(mergekit instead rescales to keep the tensor's L1 norm).",
    seedLine(parameters),
  ];
}

function seedLine(parameters: MethodParameters): string {
  return (
    `  The random mask comes from seed ${String(parameters.seed ?? 0)} (Threefry-4x32 keyed by the seed, the ` +
    "tensor name and the term's position), so this merge can be reproduced bit for bit."
  );
}

export const electLines: readonly string[] = [
  "- `elect(v₁, …, vₙ)` keeps, at each entry, the values whose sign agrees with the sign of their sum (none where " +
    "the sum is 0); `disjoint_mean` averages the kept values of each entry (0 where none is kept).",
  "  The weights scale each vector before the election, so a negative weight is a vote for the opposite sign, not a " +
    "subtraction.",
];
