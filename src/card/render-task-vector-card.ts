import type { NormRow, PinnedInput, ReconstructionStats } from "./card-types.js";
import { formatCount, formatNumber } from "./format-number.js";
import { filesSection, inputsSection, madeWith } from "./sections.js";
import { renderFrontMatter } from "./front-matter.js";
import { inputLink, shortSha } from "./links.js";

export interface TaskVectorCardOptions {
  /** The repo (or directory name) the card is written for. */
  title: string;
  hubUrl: string;
  base: PinnedInput;
  finetuned: PinnedInput;
  /** safetensors dtype of the stored τ. */
  dtype: string;
  tensorCount: number;
  parameters: number;
  /** Tensors of the fine-tuned model that are not part of τ, and why. */
  omitted: Array<{ name: string; reason: string }>;
  norm: number;
  layerNorms: NormRow[];
  /** Present when the stored dtype cannot hold every difference exactly. */
  reconstruction?: ReconstructionStats;
  license?: string;
  /** Extra card tags (the fine-tune's task tags, say). */
  tags?: string[];
  files: Array<{ path: string; size: number; sha256?: string }>;
  tvhubVersion: string;
}

/**
 * What would make the vector exact, true for the dtype it was stored in: a 16-bit τ loses bits that float32 keeps;
 * a float32 (or float64) τ is already float32 arithmetic's own result, which no output dtype improves.
 */
function exactnessAdvice(dtype: string): string {
  if (dtype === "BF16" || dtype === "F16") {
    return (
      "Publish with `--dtype f32` for an exact vector (float32 holds every difference of two 16-bit values " +
      "unless they differ in magnitude by more than 2¹⁶)."
    );
  }
  return (
    "tvhub computes τ in float32, and at these elements the fine-tuned and base values differ in magnitude too " +
    "much for float32 to hold their difference exactly; no `--dtype` makes them exact (`f64` stores the same " +
    "float32 values in twice the bytes)."
  );
}

/** The README.md of a task-vector repo: front matter that makes it discoverable, and a body that says what it is. */
export async function renderTaskVectorCard(options: TaskVectorCardOptions): Promise<string> {
  const { base, finetuned } = options;
  const frontMatter = await renderFrontMatter({
    base_model: base.repo,
    // Not "adapter": the Hub lists adapters as loadable onto the base by an adapter library (PEFT), which a dense τ
    // is not. base + τ is the fine-tune (exactly in f32), so the model tree's honest place for it is among the
    // base's fine-tunes; docs/adapters.md ("Writing adapters") says why.
    base_model_relation: "finetune",
    library_name: "tvhub",
    license: options.license,
    tags: unique(["task-vector", "tvhub", ...(options.tags ?? [])]),
  });
  const exactness = options.reconstruction
    ? `Stored in ${options.dtype}: ${formatCount(options.reconstruction.inexactElements)} of ` +
      `${formatCount(options.reconstruction.totalElements)} elements do not reproduce the fine-tuned weights ` +
      `exactly (largest absolute error ${formatNumber(options.reconstruction.maxAbsError)}). ` +
      `${exactnessAdvice(options.dtype)}`
    : `Stored in ${options.dtype}: \`base + 1.0·τ\` reproduces the fine-tuned floating-point weights exactly.`;
  const layerRows = options.layerNorms.map((row) => `| \`${row.name}\` | ${formatNumber(row.norm)} |`);
  const omittedLines = options.omitted.length ? options.omitted.map((o) => `- \`${o.name}\`: ${o.reason}`) : ["- none"];
  const applyRef = `${options.title}`;
  return [
    frontMatter,
    `# ${options.title}`,
    "",
    `A **task vector**: the element-wise difference between the weights of ${inputLink(finetuned, options.hubUrl)} ` +
      `and of the base model it was fine-tuned from, ${inputLink(base, options.hubUrl)} (Ilharco et al., ` +
      "*Editing Models with Task Arithmetic*, ICLR 2023).",
    "Adding it to the base gives the fine-tuned model back; adding a multiple of it, or several task vectors, or " +
      "subtracting it, edits the base model.",
    "It is not a PEFT adapter: no library on the Hub loads it onto the base by itself; `tvhub apply` does (below), " +
      "and `tvhub publish-vector --lora-rank R` publishes a low-rank version that PEFT loads.",
    "",
    "## Arithmetic",
    "",
    "```",
    `τ = θ(${finetuned.repo}@${shortSha(finetuned.revision)}) − θ(${base.repo}@${shortSha(base.revision)})`,
    "```",
    "",
    `Every element is decoded to float32, subtracted in float32, and rounded once to ${options.dtype} (round to ` +
      "nearest even). Integer and boolean tensors are not part of τ.",
    "",
    ...inputsSection(options.hubUrl, [
      { role: "base", input: base },
      { role: "fine-tuned", input: finetuned },
    ]),
    "## Statistics",
    "",
    `- tensors: ${formatCount(options.tensorCount)}`,
    `- parameters: ${formatCount(options.parameters)}`,
    `- dtype: ${options.dtype}`,
    `- L2 norm ‖τ‖: ${formatNumber(options.norm)}`,
    `- ${exactness}`,
    "",
    "Tensors not in τ:",
    "",
    ...omittedLines,
    "",
    ...(layerRows.length
      ? [
          "<details><summary>L2 norm per layer</summary>",
          "",
          "| layer | ‖τ‖ |",
          "| --- | --- |",
          ...layerRows,
          "",
          "</details>",
          "",
        ]
      : []),
    "## How to use it",
    "",
    "```sh",
    `tvhub apply --base ${base.repo}${base.revision ? `@${base.revision}` : ""} --vector ${applyRef}:1.0 --to ./merged`,
    `tvhub apply --base ${base.repo} --vector ${applyRef}:-0.5 --to ./negated   # forget the task`,
    "```",
    "",
    "Or in Python, tensor by tensor: `merged[name] = base[name].float() + λ * tau[name].float()` for every tensor " +
      "in this repo; tensors absent here are the base's.",
    "",
    ...filesSection(options.files),
    `${madeWith(options.tvhubVersion)}. The machine-readable record of this run is \`tvhub.json\`.`,
    "",
  ].join("\n");
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
