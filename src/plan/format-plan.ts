import { formatBytes } from "../util/format-bytes.js";
import type { Expression, Plan, PlanInput } from "./types.js";

export interface FormatPlanOptions {
  plan: Plan;
  /**
   * Files listed by name before the rest are elided.
   * @default 6
   */
  maxFiles?: number;
}

const opWords: Record<Expression["op"], string> = {
  copy: "copied",
  taskVector: "τ = ft − base",
  taskVectorExtend: "τ with added vocabulary rows",
  lora: "τ = s·B·A of a LoRA adapter",
  merge: "merged",
  mergeExtend: "merged with added vocabulary rows",
};

/** What `--dry-run` prints: the outputs, the files, the bytes to download and write, and each input's share. */
export function formatPlan(options: FormatPlanOptions): string {
  const { plan } = options;
  const maxFiles = options.maxFiles ?? 6;
  const base = plan.inputs[0];
  const what =
    plan.operation === "publish-vector"
      ? `task vector of ${plan.inputs[1]?.ref ?? "?"} against ${base?.ref ?? "?"}`
      : `merge (${plan.method ?? "?"}${formatParameters(plan)}) of ${plan.terms.length} ` +
        `term${plan.terms.length === 1 ? "" : "s"} onto ${base?.ref ?? "?"}`;
  const { files } = plan.layout;
  const lines = [`Plan: ${what}`];

  const byOp = new Map<string, number>();
  for (const output of plan.outputs)
    byOp.set(opWords[output.expression.op], (byOp.get(opWords[output.expression.op]) ?? 0) + 1);
  const breakdown = [...byOp].map(([word, n]) => `${n} ${word}`).join(", ");
  lines.push(
    `  outputs:  ${plan.outputs.length} ` +
      `tensor${plan.outputs.length === 1 ? "" : "s"}${breakdown === "" ? "" : ` (${breakdown})`}`,
  );
  if (plan.omitted.length > 0)
    lines.push(`  omitted:  ${plan.omitted.length} tensor${plan.omitted.length === 1 ? "" : "s"} (not part of τ)`);
  const shown =
    files.length <= maxFiles ? files : [...files.slice(0, maxFiles - 1), undefined, files[files.length - 1]];
  lines.push(
    `  files:    ${files.length}${plan.layout.index === undefined ? "" : ` + ${plan.layout.index}`} (max ` +
      `${formatBytes(plan.layout.maxShardSize)} each)`,
  );
  for (const file of shown) {
    lines.push(
      file === undefined
        ? `            ... ${files.length - maxFiles} more`
        : `            ${file.name}  ${file.tensors.length} tensors, ${formatBytes(file.bytes)}`,
    );
  }
  const reading = plan.inputs.filter((input) => input.readBytes > 0).length;
  lines.push(
    `  download: ${formatBytes(plan.downloadBytes)} of tensor data from ${reading} input${reading === 1 ? "" : "s"} ` +
      "(at most; cached files are not downloaded again)",
  );
  lines.push(
    `  write:    ${formatBytes(plan.layout.writeBytes)} (${formatBytes(plan.layout.totalBytes)} of tensor data, ` +
      `plus headers${plan.layout.index === undefined ? "" : " and the index"})`,
  );

  lines.push("inputs:");
  const roleWidth = Math.max(...plan.inputs.map((input) => input.role.length));
  const refWidth = Math.max(...plan.inputs.map((input) => describeRef(input).length));
  for (const input of plan.inputs) {
    const reads =
      input.readBytes === 0
        ? "nothing to read"
        : `${input.readTensors} tensors from ${input.readFiles} file${input.readFiles === 1 ? "" : "s"}, ` +
          `${formatBytes(input.readBytes)}`;
    lines.push(`  ${input.role.padEnd(roleWidth)}  ${describeRef(input).padEnd(refWidth)}  ${reads}`);
  }

  if (plan.terms.length > 0) {
    lines.push("terms, in the order they are added:");
    const originWidth = Math.max(...plan.terms.map((term) => term.origin.length));
    for (const term of plan.terms) {
      const input = plan.inputs[term.input];
      const sign = term.lambda < 0 ? "−" : "+";
      const source = term.kind === "vector" ? `task vector ${input?.ref ?? "?"}` : `τ of ${input?.ref ?? "?"}`;
      lines.push(
        `  ${term.origin.padEnd(originWidth)}  ${sign}${Math.abs(term.lambda)} × ` +
          `${source}${term.lambda < 0 ? " (negation)" : ""}`,
      );
    }
  }
  if (plan.overrides.length > 0) {
    lines.push("overrides:");
    for (const override of plan.overrides)
      lines.push(
        `  ${override.pattern}: ${override.action} (${override.tensors.length} ` +
          `tensor${override.tensors.length === 1 ? "" : "s"})`,
      );
  }
  if (plan.vocab !== undefined) {
    const donor = plan.inputs[plan.vocab.donor]?.ref ?? "?";
    lines.push(
      `vocabulary: ${plan.vocab.sharedRows} shared rows + ${plan.vocab.rows - plan.vocab.sharedRows} added rows ` +
        `from ${donor} (${plan.vocab.tensors.join(", ")}); the tokenizer comes from ${donor}`,
    );
  }
  if (plan.warnings.length > 0) {
    lines.push("warnings:");
    for (const warning of plan.warnings) lines.push(`  ${warning.code}  ${warning.message}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The reference as the user wrote it, and the commit it was pinned to. */
function describeRef(input: PlanInput): string {
  return input.revision === undefined ? input.ref : `${input.ref} (${input.revision.slice(0, 12)})`;
}

function formatParameters(plan: Plan): string {
  const entries = Object.entries(plan.parameters ?? {});
  return entries.length === 0 ? "" : `, ${entries.map(([key, value]) => `${key} ${String(value)}`).join(", ")}`;
}
