import type { PinnedInput } from "./card-types.js";
import { formatCount, formatNumber } from "./format-number.js";
import { renderFrontMatter } from "./front-matter.js";
import { inputLink, shortSha } from "./links.js";

export interface MergeTerm {
  /** A published task vector, or a fine-tuned model whose τ was computed on the fly against the base. */
  kind: "vector" | "finetuned";
  input: PinnedInput;
  /** λ as the recipe gives it (after the global scale); negative means negation. */
  weight: number;
}

export interface GreedyStep {
  round: number;
  candidate: string;
  lambda: number;
  score: number;
  kept: boolean;
  reason: string;
}

export interface MergeCardOptions {
  title: string;
  hubUrl: string;
  base: PinnedInput;
  /** Registry name: task_arithmetic, magnitude_prune, ties, dare_linear, dare_ties. */
  method: string;
  /** The method's parameters after defaults (density, drop_rate, seed). */
  methodParameters?: Record<string, number | string>;
  terms: MergeTerm[];
  dtype: string;
  /** The recipe YAML exactly as the user wrote it (or, for `tvhub apply`, the equivalent recipe). */
  recipeText?: string;
  /** The command line, when the merge came from `tvhub apply`. */
  command?: string;
  /** Per-tensor overrides, described in words. */
  overrides?: string[];
  /** How a vocabulary mismatch was resolved, when there was one. */
  vocabularyNote?: string;
  /** Files copied next to the weights (config, tokenizer) and the input each came from. */
  copiedFiles?: Array<{ path: string; from: PinnedInput }>;
  validation?: { metric: string; baseline?: number; score: number };
  trajectory?: GreedyStep[];
  /** Candidates a greedy search left out before scoring any (another base or architecture, unreadable), and why. */
  skipped?: Array<{ candidate: string; reason: string }>;
  license?: string;
  files: Array<{ path: string; size: number; sha256?: string }>;
  tvhubVersion: string;
}

const methodTitles: Record<string, string> = {
  task_arithmetic: "task arithmetic (Ilharco et al., ICLR 2023)",
  ties: "TIES merging (Yadav et al., NeurIPS 2023)",
  dare_linear: "DARE (Yu et al., ICML 2024) with a weighted sum",
  dare_ties: "DARE (Yu et al., ICML 2024) with TIES sign election",
  magnitude_prune: "magnitude pruning of each task vector, then task arithmetic",
};

const papers: Record<string, string> = {
  task_arithmetic: "https://arxiv.org/abs/2212.04089",
  ties: "https://arxiv.org/abs/2306.01708",
  magnitude_prune: "https://arxiv.org/abs/2306.01708",
  dare_linear: "https://arxiv.org/abs/2311.03099",
  dare_ties: "https://arxiv.org/abs/2311.03099",
};

/** The README.md of a merged model: which arithmetic, on which pinned inputs, with which λ. */
export async function renderMergeCard(options: MergeCardOptions): Promise<string> {
  const inputs = options.terms.map((term) => term.input.repo);
  const frontMatter = await renderFrontMatter({
    base_model: unique([options.base.repo, ...inputs]),
    base_model_relation: "merge",
    library_name: "transformers",
    license: options.license,
    tags: ["merge", "task-arithmetic", "tvhub", ...(options.method === "task_arithmetic" ? [] : [options.method.replace(/_/g, "-")])],
  });
  const symbols = options.terms.map((_, i) => `τ${subscript(i + 1)}`);
  const termRows = options.terms.map((term, i) => {
    const tau =
      term.kind === "vector"
        ? `published task vector ${inputLink(term.input, options.hubUrl)}`
        : `θ(${inputLink(term.input, options.hubUrl)}) − θ(base)`;
    return `| ${symbols[i]} | ${tau} | ${term.input.revision ? `\`${term.input.revision}\`` : "local"} | ${formatNumber(term.weight)} | ${term.weight < 0 ? "negation" : "addition"} |`;
  });
  const trajectory = options.trajectory?.length
    ? [
        "## Greedy search",
        "",
        "Each round tried every remaining candidate at its best λ on the validation data and kept the best one only if it raised the score.",
        "",
        "| round | candidate | λ | validation score | kept | why |",
        "| --- | --- | --- | --- | --- | --- |",
        ...options.trajectory.map((s) => `| ${s.round} | \`${s.candidate}\` | ${formatNumber(s.lambda)} | ${formatNumber(s.score)} | ${s.kept ? "yes" : "no"} | ${cell(s.reason)} |`),
        "",
        ...(options.skipped?.length
          ? ["Skipped before any of their weights was read:", "", "| candidate | why |", "| --- | --- |", ...options.skipped.map((s) => `| \`${s.candidate}\` | ${cell(s.reason)} |`), ""]
          : []),
      ]
    : [];
  const method = papers[options.method] ? `[${methodTitles[options.method] ?? options.method}](${papers[options.method]})` : (methodTitles[options.method] ?? options.method);
  const provenance = options.command
    ? [
        "## Command",
        "",
        "```sh",
        options.command,
        "```",
        "",
        ...(options.recipeText ? ["The same merge as a recipe, for `tvhub merge`:", "", "```yaml", options.recipeText.trimEnd(), "```", ""] : []),
      ]
    : options.recipeText
      ? ["## Recipe", "", "```yaml", options.recipeText.trimEnd(), "```", ""]
      : [];
  return [
    frontMatter,
    `# ${options.title}`,
    "",
    `A model merged from ${inputLink(options.base, options.hubUrl)} by ${method}.`,
    "",
    "## Arithmetic",
    "",
    "```",
    formula(options.method, options.terms, symbols),
    "```",
    "",
    ...explanation(options.method, options.methodParameters ?? {}),
    "| vector | τ | revision | λ | effect |",
    "| --- | --- | --- | --- | --- |",
    ...termRows,
    "",
    `θ(base) is ${inputLink(options.base, options.hubUrl)} at ${options.base.revision ? `\`${options.base.revision}\`` : "a local directory"}.`,
    "",
    options.method === "task_arithmetic"
      ? `Computed element by element in float32, in this order: \`acc = base; acc = fround(acc + fround(λᵢ·τᵢ))\` for i = 1…${options.terms.length}, each λ rounded to float32 first, then rounded once to ${options.dtype}.`
      : `Computed element by element in float32 (each λ rounded to float32 first, each operation rounded as float32 does, terms in the order of the table), then rounded once to ${options.dtype}.${formatParams(options.methodParameters) ? ` Parameters:${formatParams(options.methodParameters).slice(1)}.` : ""}`,
    "",
    ...(options.overrides?.length ? ["Per-tensor overrides (the first that matches a tensor applies):", "", ...options.overrides.map((o) => `- ${o}`), ""] : []),
    ...(options.vocabularyNote ? [`Vocabulary: ${options.vocabularyNote}`, ""] : []),
    ...(options.copiedFiles?.length
      ? [`Copied unchanged next to the weights: ${options.copiedFiles.map((f) => `\`${f.path}\` (from ${f.from.repo}@${shortSha(f.from.revision)})`).join(", ")}.`, ""]
      : []),
    ...(options.validation
      ? [
          "## Validation",
          "",
          `${options.validation.metric}: ${formatNumber(options.validation.score)}${options.validation.baseline !== undefined ? ` (starting point: ${formatNumber(options.validation.baseline)})` : ""}`,
          "",
        ]
      : []),
    ...trajectory,
    ...provenance,
    "## Files",
    "",
    "| file | bytes | sha256 |",
    "| --- | --- | --- |",
    ...options.files.map((f) => `| \`${f.path}\` | ${formatCount(f.size)} | ${f.sha256 ? `\`${f.sha256}\`` : ""} |`),
    "",
    `Made with [tvhub](https://github.com/tvhub/tvhub) ${options.tvhubVersion}; inputs pinned at ${[options.base, ...options.terms.map((t) => t.input)].map((i) => `${i.repo}@${shortSha(i.revision)}`).join(", ")}. The machine-readable record is \`tvhub.json\`.`,
    "",
  ].join("\n");
}

/**
 * The arithmetic as one line a reader can check against the table: `θ = θ(base) + 0.5·τ₁ − 1·τ₂`, with the
 * method's operator around each τ (`trim`, `dare`) and TIES' election around the whole sum.
 */
function formula(method: string, terms: readonly MergeTerm[], symbols: readonly string[]): string {
  const wrap = method === "magnitude_prune" || method === "ties" ? "trim" : method === "dare_linear" || method === "dare_ties" ? "dare" : undefined;
  const operand = (i: number) => (wrap ? `${wrap}(${symbols[i]})` : (symbols[i] as string));
  if (method === "ties" || method === "dare_ties") {
    return `θ = θ(base) + disjoint_mean(elect(${terms.map((t, i) => `${formatNumber(t.weight)}·${operand(i)}`).join(", ")}))`;
  }
  const sum = terms.map((term, i) => `${i === 0 ? (term.weight < 0 ? "− " : "+ ") : term.weight < 0 ? " − " : " + "}${formatNumber(Math.abs(term.weight))}·${operand(i)}`).join("");
  return `θ = θ(base) ${sum}`;
}

/** What each operator of the formula does, with this merge's parameters. */
function explanation(method: string, parameters: Record<string, number | string>): string[] {
  const lines: string[] = [];
  const density = typeof parameters.density === "number" ? parameters.density : undefined;
  const dropRate = typeof parameters.drop_rate === "number" ? parameters.drop_rate : undefined;
  if (method === "magnitude_prune" || method === "ties") {
    lines.push(
      `- \`trim(τ)\` keeps the ${density === undefined ? "top" : `${formatNumber(density * 100)}% of`} entries of τ with the largest magnitude, tensor by tensor, and sets the rest to 0 (at the threshold, lower indices first).`,
    );
  }
  if (method === "dare_linear" || method === "dare_ties") {
    const p = dropRate === undefined ? "p" : `p = ${formatNumber(dropRate)}`;
    lines.push(
      `- \`dare(τ)\` sets each entry of τ to 0 with probability ${p} and divides the others by 1 − p${dropRate === undefined ? "" : ` = ${formatNumber(Math.fround(1 - dropRate))}`}, element by element as in the paper (mergekit instead rescales to keep the tensor's L1 norm).`,
      `  The random mask comes from seed ${parameters.seed ?? 0} (Threefry-4x32 keyed by the seed, the tensor name and the term's position), so this merge can be reproduced bit for bit.`,
    );
  }
  if (method === "ties" || method === "dare_ties") {
    lines.push(
      "- `elect(v₁, …, vₙ)` keeps, at each entry, the values whose sign agrees with the sign of their sum (none where the sum is 0); `disjoint_mean` averages the kept values of each entry (0 where none is kept).",
      "  The weights scale each vector before the election, so a negative weight is a vote for the opposite sign, not a subtraction.",
    );
  }
  return lines.length > 0 ? [...lines, ""] : [];
}

function formatParams(params: Record<string, number | string> | undefined): string {
  if (!params) return "";
  const entries = Object.entries(params);
  return entries.length ? `; ${entries.map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : v}`).join(", ")}` : "";
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[Number(d)] ?? d);
}

/** Text inside a table cell: a pipe or a line break would end the cell or the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
