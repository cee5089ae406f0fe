import type { PinnedInput } from "./card-types.js";
import { formatNumber } from "./format-number.js";
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
  /** Registry name: task_arithmetic, ties, dare_linear, dare_ties, magnitude. */
  method: string;
  methodParameters?: Record<string, number | string>;
  terms: MergeTerm[];
  dtype: string;
  /** The recipe YAML exactly as the user wrote it, when there was one. */
  recipeText?: string;
  /** The command line, when the merge came from `tvhub apply`. */
  command?: string;
  /** Per-tensor overrides, described in words. */
  overrides?: string[];
  /** How a vocabulary mismatch was resolved, when there was one. */
  vocabularyNote?: string;
  validation?: { metric: string; baseline?: number; score: number };
  trajectory?: GreedyStep[];
  license?: string;
  files: Array<{ path: string; size: number; sha256?: string }>;
  tvhubVersion: string;
}

const methodTitles: Record<string, string> = {
  task_arithmetic: "task arithmetic (Ilharco et al., ICLR 2023)",
  ties: "TIES merging (Yadav et al., NeurIPS 2023)",
  dare_linear: "DARE (Yu et al., ICML 2024) with a weighted sum",
  dare_ties: "DARE (Yu et al., ICML 2024) with TIES sign election",
  magnitude: "magnitude pruning of each task vector, then task arithmetic",
};

/** The README.md of a merged model: which arithmetic, on which pinned inputs, with which λ. */
export function renderMergeCard(options: MergeCardOptions): string {
  const inputs = options.terms.map((term) => term.input.repo);
  const frontMatter = renderFrontMatter({
    base_model: unique([options.base.repo, ...inputs]),
    base_model_relation: "merge",
    library_name: "transformers",
    license: options.license,
    tags: ["merge", "task-arithmetic", "tvhub", ...(options.method === "task_arithmetic" ? [] : [options.method.replace(/_/g, "-")])],
  });
  const symbols = options.terms.map((_, i) => `τ${subscript(i + 1)}`);
  const combined = options.terms
    .map((term, i) => `${i === 0 ? (term.weight < 0 ? "− " : "+ ") : term.weight < 0 ? " − " : " + "}${formatNumber(Math.abs(term.weight))}·${symbols[i]}`)
    .join("");
  const formula =
    options.method === "task_arithmetic"
      ? `θ = θ(base) ${combined}`
      : `θ = θ(base) + ${options.method}(${options.terms.map((t, i) => `${formatNumber(t.weight)}·${symbols[i]}`).join(", ")}${formatParams(options.methodParameters)})`;
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
        ...options.trajectory.map((s) => `| ${s.round} | \`${s.candidate}\` | ${formatNumber(s.lambda)} | ${formatNumber(s.score)} | ${s.kept ? "yes" : "no"} | ${s.reason} |`),
        "",
      ]
    : [];
  return [
    frontMatter,
    `# ${options.title}`,
    "",
    `A model merged from ${inputLink(options.base, options.hubUrl)} by ${methodTitles[options.method] ?? options.method}.`,
    "",
    "## Arithmetic",
    "",
    "```",
    formula,
    "```",
    "",
    "| vector | τ | revision | λ | effect |",
    "| --- | --- | --- | --- | --- |",
    ...termRows,
    "",
    `Base: ${inputLink(options.base, options.hubUrl)} at ${options.base.revision ? `\`${options.base.revision}\`` : "a local directory"}.`,
    "",
    options.method === "task_arithmetic"
      ? `Computed element by element in float32, in this order: \`acc = base; acc = fround(acc + fround(λᵢ·τᵢ))\` for i = 1…${options.terms.length}, each λ rounded to float32 first, then rounded once to ${options.dtype}.`
      : `Computed in float32 and rounded once to ${options.dtype}.${formatParams(options.methodParameters) ? ` Parameters:${formatParams(options.methodParameters)}.` : ""}`,
    "",
    ...(options.overrides?.length ? ["Per-tensor overrides:", "", ...options.overrides.map((o) => `- ${o}`), ""] : []),
    ...(options.vocabularyNote ? [`Vocabulary: ${options.vocabularyNote}`, ""] : []),
    ...(options.validation
      ? [
          "## Validation",
          "",
          `${options.validation.metric}: ${formatNumber(options.validation.score)}${options.validation.baseline !== undefined ? ` (starting point: ${formatNumber(options.validation.baseline)})` : ""}`,
          "",
        ]
      : []),
    ...trajectory,
    ...(options.recipeText
      ? ["## Recipe", "", "```yaml", options.recipeText.trimEnd(), "```", ""]
      : options.command
        ? ["## Command", "", "```sh", options.command, "```", ""]
        : []),
    "## Files",
    "",
    "| file | bytes | sha256 |",
    "| --- | --- | --- |",
    ...options.files.map((f) => `| \`${f.path}\` | ${f.size} | ${f.sha256 ? `\`${f.sha256}\`` : ""} |`),
    "",
    `Made with [tvhub](https://github.com/tvhub/tvhub) ${options.tvhubVersion}; inputs pinned at ${[options.base, ...options.terms.map((t) => t.input)].map((i) => `${i.repo}@${shortSha(i.revision)}`).join(", ")}. The machine-readable record is \`tvhub.json\`.`,
    "",
  ].join("\n");
}

function formatParams(params: Record<string, number | string> | undefined): string {
  if (!params) return "";
  const entries = Object.entries(params);
  return entries.length ? `; ${entries.map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : v}`).join(", ")}` : "";
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[Number(d)] ?? d);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
