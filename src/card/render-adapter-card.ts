import type { PinnedInput } from "./card-types.js";
import { formatCount, formatNumber } from "./format-number.js";
import { filesSection, inputsSection, madeWith } from "./sections.js";
import { renderFrontMatter } from "./front-matter.js";
import { inputLink, shortSha } from "./links.js";

export interface AdapterCardRow {
  name: string;
  shape: number[];
  kind: "lora" | "bias" | "full" | "unchanged";
  rank?: number;
  relativeError?: number;
  retainedEnergy?: number;
  bytes: number;
  denseBytes: number;
}

export interface AdapterCardOptions {
  title: string;
  hubUrl: string;
  base: PinnedInput;
  /** The fine-tune, or for a merge published as an adapter, the merged model's description. */
  source: { label: string; input?: PinnedInput; formula: string };
  /** How ranks were chosen, e.g. `64` or `auto, ε = 0.05`. */
  rankRule: string;
  svd: { algorithm: string; oversampling: number; iterations: number; seed: number };
  dtype: string;
  r: number;
  targetModules: string[];
  modulesToSave: Array<{ module: string; reason: string }>;
  rows: AdapterCardRow[];
  /** ‖τ − BA‖ / ‖τ‖ over every factored tensor together. */
  overallError: number;
  adapterBytes: number;
  denseBytes: number;
  license?: string;
  files: Array<{ path: string; size: number; sha256?: string }>;
  tvhubVersion: string;
}

/**
 * The README.md of a LoRA adapter published from a task vector: PEFT's front matter, the extraction, the error of every
 * tensor.
 */
export async function renderAdapterCard(options: AdapterCardOptions): Promise<string> {
  const { base } = options;
  const frontMatter = await renderFrontMatter({
    base_model: base.repo,
    base_model_relation: "adapter",
    library_name: "peft",
    license: options.license,
    tags: ["peft", "lora", "task-vector", "tvhub", `base_model:adapter:${base.repo}`],
  });
  const pct = (x: number | undefined) => (x === undefined ? "" : `${(x * 100).toFixed(x >= 0.9995 ? 2 : 3)}%`);
  const rows = options.rows.map((row) => {
    const what =
      row.kind === "lora"
        ? String(row.rank)
        : row.kind === "bias"
          ? "bias"
          : row.kind === "full"
            ? "full"
            : "unchanged";
    return (
      `| \`${row.name}\` | [${row.shape.join(", ")}] | ${what} | ` +
      `${row.relativeError === undefined ? "" : formatNumber(row.relativeError)} | ${pct(row.retainedEnergy)} | ` +
      `${formatCount(row.bytes)} | ${formatCount(row.denseBytes)} |`
    );
  });
  const revision = base.revision ? `@${base.revision}` : "";
  return [
    frontMatter,
    `# ${options.title}`,
    "",
    `A **LoRA adapter** for ${inputLink(base, options.hubUrl)}: the task vector τ = ${options.source.formula}, ` +
      `compressed by a truncated SVD of each weight matrix, in the format PEFT loads (\`adapter_config.json\`, ` +
      `\`adapter_model.safetensors\`).`,
    `For every factored weight W, PEFT adds B·A to W (\`lora_alpha\` = r, so the scaling is 1), where B·A is the ` +
      "best rank-r approximation of τ the SVD found.",
    "",
    ...inputsSection(options.hubUrl, [
      { role: "base", input: base },
      { role: options.source.label, ...(options.source.input ? { input: options.source.input } : {}) },
    ]),
    `Load it on the base at the commit it was computed against (\`base_model_name_or_path\` and \`revision\` in ` +
      `\`adapter_config.json\` say the same):`,
    "",
    "```python",
    "from peft import PeftModel",
    "from transformers import AutoModel",
    `base = AutoModel.from_pretrained("${base.repo}"${base.revision ? `, revision="${base.revision}"` : ""})`,
    `model = PeftModel.from_pretrained(base, "${options.title}").merge_and_unload()   # base + B·A`,
    "```",
    "",
    "## Extraction",
    "",
    `- τ = ${options.source.formula}, in float32 (\`fround(ft − base)\` per element).`,
    `- Rank: ${options.rankRule}; \`r\` = ${options.r} (the largest), \`lora_alpha\` = r, \`rank_pattern\` and ` +
      `\`alpha_pattern\` give each module whose rank is lower its own rank with alpha equal to it.`,
    `- Truncated SVD: ${options.svd.algorithm}, oversampling ${options.svd.oversampling}, ${options.svd.iterations} ` +
      `power iterations, seed ${options.svd.seed} (a Gaussian test matrix per tensor from Threefry-4x32 keyed by ` +
      "the seed and the tensor's name); the same inputs give the same bits on every run and thread count.",
    `- Factors: A = √S·Vᵀ (\`lora_A\`), B = U·√S (\`lora_B\`), stored in ${options.dtype}; the errors below are ` +
      "measured on the stored factors, ‖τ − B·A‖_F / ‖τ‖_F.",
    `- Targeted modules: ${options.targetModules.map((m) => `\`${m}\``).join(", ") || "none"}.`,
    `- Saved whole (\`modules_to_save\`, the fine-tune's own values): ` +
      `${
        options.modulesToSave.length
          ? options.modulesToSave.map((m) => `\`${m.module}\` ` + `(${m.reason})`).join(", ")
          : "none"
      }.`,
    `- Relative error over all factored tensors: ${formatNumber(options.overallError)}; adapter ` +
      `${formatCount(options.adapterBytes)} bytes against ${formatCount(options.denseBytes)} for the dense τ.`,
    "",
    "<details><summary>Every tensor: rank, relative error, retained energy, bytes</summary>",
    "",
    "| tensor | shape | rank | ‖τ − BA‖/‖τ‖ | retained energy Σσᵢ²/‖τ‖² | bytes | dense bytes |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "</details>",
    "",
    ...filesSection(options.files),
    `${madeWith(options.tvhubVersion)} (\`tvhub publish-vector ` +
      `--lora-rank\`). The machine-readable record of this run is \`tvhub.json\`. Base revision pinned: ` +
      `\`${base.repo}${revision || " (local)"}\` (${shortSha(base.revision)}).`,
    "",
  ].join("\n");
}
