import { findMergeMethod } from "../arithmetic/merge-methods.js";
import type { PinnedInput } from "./card-types.js";
import { formatNumber } from "./format-number.js";
import { filesSection, madeWith } from "./sections.js";
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
  /** A name in the merge-method registry (src/arithmetic/merge-methods.ts), which says how the card describes it. */
  method: string;
  /** The method's parameters after defaults (density, drop_rate, seed...). */
  methodParameters?: Record<string, number | string | boolean>;
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

/** The README.md of a merged model: which arithmetic, on which pinned inputs, with which λ. */
export async function renderMergeCard(options: MergeCardOptions): Promise<string> {
  const inputs = options.terms.map((term) => term.input.repo);
  const frontMatter = await renderFrontMatter({
    base_model: unique([options.base.repo, ...inputs]),
    base_model_relation: "merge",
    library_name: "transformers",
    license: options.license,
    tags: [
      "merge",
      "task-arithmetic",
      "tvhub",
      ...(options.method === "task_arithmetic" ? [] : [options.method.replace(/_/g, "-")]),
    ],
  });
  const symbols = options.terms.map((_, i) => `τ${subscript(i + 1)}`);
  const termRows = options.terms.map((term, i) => {
    const tau =
      term.kind === "vector"
        ? `published task vector ${inputLink(term.input, options.hubUrl)}`
        : `θ(${inputLink(term.input, options.hubUrl)}) − θ(base)`;
    return (
      `| ${symbols[i]} | ${tau} | ${term.input.revision ? `\`${term.input.revision}\`` : "local"} | ` +
      `${formatNumber(term.weight)} | ${term.weight < 0 ? "negation" : "addition"} |`
    );
  });
  const trajectory = options.trajectory?.length
    ? [
        "## Greedy search",
        "",
        "Each round tried every remaining candidate at its best λ on the validation data and kept the best one only " +
          "if it raised the score.",
        "",
        "| round | candidate | λ | validation score | kept | why |",
        "| --- | --- | --- | --- | --- | --- |",
        ...options.trajectory.map(
          (s) =>
            `| ${s.round} | \`${s.candidate}\` | ${formatNumber(s.lambda)} | ${formatNumber(s.score)} | ` +
            `${s.kept ? "yes" : "no"} | ${cell(s.reason)} |`,
        ),
        "",
        ...(options.skipped?.length
          ? [
              "Skipped before any of their weights was read:",
              "",
              "| candidate | why |",
              "| --- | --- |",
              ...options.skipped.map((s) => `| \`${s.candidate}\` | ${cell(s.reason)} |`),
              "",
            ]
          : []),
      ]
    : [];
  const registered = findMergeMethod(options.method);
  const method = registered ? `[${registered.card.phrase}](${registered.reference})` : options.method;
  const parameters = methodParametersOf(options.methodParameters);
  const described = {
    terms: options.terms.map((term, i) => ({ weight: term.weight, symbol: symbols[i] as string })),
    parameters,
    format: formatNumber,
  };
  const pinned = [options.base, ...options.terms.map((t) => t.input)].map((i) => `${i.repo}@${shortSha(i.revision)}`);
  const provenance = options.command
    ? [
        "## Command",
        "",
        "```sh",
        options.command,
        "```",
        "",
        ...(options.recipeText
          ? ["The same merge as a recipe, for `tvhub merge`:", "", "```yaml", options.recipeText.trimEnd(), "```", ""]
          : []),
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
    registered ? registered.card.describe.formula(described) : `θ = θ(base) + ${options.method}(${symbols.join(", ")})`,
    "```",
    "",
    ...withBlankLine(registered ? registered.card.describe.explain(described) : []),
    "| vector | τ | revision | λ | effect |",
    "| --- | --- | --- | --- | --- |",
    ...termRows,
    "",
    `θ(base) is ${inputLink(options.base, options.hubUrl)} at ` +
      `${options.base.revision ? `\`${options.base.revision}\`` : "a local directory"}.`,
    "",
    registered?.card.order
      ? `Computed element by element in float32, in this order: ${registered.card.order(options.terms.length)}, ` +
        `then rounded once to ${options.dtype}.`
      : "Computed element by element in float32 (each λ rounded to float32 first, each operation rounded as float32 " +
        "does, terms in the order of the table), then rounded once to " +
        `${options.dtype}.${
          formatParams(options.methodParameters)
            ? " " + `Parameters:${formatParams(options.methodParameters).slice(1)}.`
            : ""
        }`,
    "",
    ...(options.overrides?.length
      ? [
          "Per-tensor overrides (the first that matches a tensor applies):",
          "",
          ...options.overrides.map((o) => `- ${o}`),
          "",
        ]
      : []),
    ...(options.vocabularyNote ? [`Vocabulary: ${options.vocabularyNote}`, ""] : []),
    ...(options.copiedFiles?.length
      ? [
          "Copied unchanged next to the weights: " +
            `${options.copiedFiles
              .map((f) => `\`${f.path}\` (from ` + `${f.from.repo}@${shortSha(f.from.revision)})`)
              .join(", ")}.`,
          "",
        ]
      : []),
    ...(options.validation
      ? [
          "## Validation",
          "",
          `${options.validation.metric}: ` +
            `${formatNumber(options.validation.score)}${
              options.validation.baseline !== undefined
                ? " (starting " + `point: ${formatNumber(options.validation.baseline)})`
                : ""
            }`,
          "",
        ]
      : []),
    ...trajectory,
    ...provenance,
    ...filesSection(options.files),
    `${madeWith(options.tvhubVersion)}; inputs pinned at ` +
      `${pinned.join(", ")}. ` +
      `The machine-readable record is \`tvhub.json\`.`,
    "",
  ].join("\n");
}

/** The explanation's lines, followed by a blank line when there are any. */
function withBlankLine(lines: readonly string[]): string[] {
  return lines.length > 0 ? [...lines, ""] : [];
}

/** The parameters the registry's descriptions read: numbers and switches (strings are for display only). */
function methodParametersOf(
  params: Record<string, number | string | boolean> | undefined,
): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const [key, value] of Object.entries(params ?? {})) if (typeof value !== "string") out[key] = value;
  return out;
}

function formatParams(params: Record<string, number | string | boolean> | undefined): string {
  if (!params) return "";
  const entries = Object.entries(params);
  return entries.length
    ? `; ${entries.map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : v}`).join(", ")}`
    : "";
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
