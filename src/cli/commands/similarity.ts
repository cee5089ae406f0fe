import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { similarity as runSimilarity, type SimilarityResult } from "../../app/similarity.js";
import { renderSimilaritySvg } from "../../card/render-similarity-svg.js";
import { UsageError } from "../../errors.js";
import { formatBytes } from "../../util/format-bytes.js";
import type { CliContext } from "../context.js";
import { addHubFlags } from "../hub-options.js";
import { addReadFlags, type ReadFlags } from "../publish-flags.js";
import { runUseCase } from "../run-with-progress.js";
import { printJson } from "../print-results.js";
import { pickDefined } from "../../util/pick-defined.js";

interface SimilarityFlags extends ReadFlags {
  base?: string;
  svg?: string;
}

/** `tvhub similarity`: the cosine similarity matrix of task vectors (the paper's Figure 1). */
export function similarity(program: Command, context: CliContext): void {
  addHubFlags(
    addReadFlags(
      program
        .command("similarity")
        .description(
          "Cosine similarity between task vectors (published vectors, or fine-tunes against their base), streamed " +
            "with bounded memory; a table, JSON or an SVG heatmap.",
        )
        .argument(
          "<refs...>",
          "two or more task-vector repos or fine-tuned models: org/name, org/name@revision or folders",
        )
        .option(
          "--base <ref>",
          "the base of fine-tuned inputs (default: the base their cards declare, or the vectors' recorded base)",
        )
        .option("--svg <file>", "also write the matrix as an SVG heatmap to this file"),
      "refuse (default), or extend: compare fine-tunes that grew the vocabulary on the base's rows",
    ),
  ).action(async (refs: string[], flags: SimilarityFlags) => {
    const { result, stats } = await runUseCase(context, flags, (appContext) =>
      runSimilarity({
        context: appContext,
        refs,
        ...pickDefined(flags, ["base", "force", "vocab"]),
      }),
    );
    const labels = result.inputs.map((input) => input.repo ?? input.ref);
    if (flags.svg !== undefined) {
      const svg = renderSimilaritySvg({ labels, matrix: result.matrix, subtitle: subtitle(result) });
      try {
        await writeFile(flags.svg, svg);
      } catch (error) {
        throw new UsageError(
          `--svg ${flags.svg} cannot be written (${(error as NodeJS.ErrnoException).code ?? "error"}); check that ` +
            "its folder exists.",
          { code: "SVG_UNWRITABLE", subject: flags.svg, cause: error },
        );
      }
    }
    if (flags.json) {
      const { report, ...rest } = result;
      printJson(context, {
        ...rest,
        svg: flags.svg ?? null,
        bytesDownloaded: stats.bytesDownloaded,
        report,
      });
      return;
    }
    context.stdout.write(formatSimilarity(result, flags.svg));
  });
}

function subtitle(result: SimilarityResult): string {
  const base = result.base.revision
    ? `${result.base.repo ?? result.base.ref}@${result.base.revision.slice(0, 10)}`
    : result.base.ref;
  return (
    `${result.inputs.length} task vectors of ${base}, over ${result.elements.toLocaleString("en-US")} ` +
    `parameters in ${result.tensors} tensors`
  );
}

/** The matrix as an aligned table with numbered columns, then the legend of what each number is. */
export function formatSimilarity(result: SimilarityResult, svg?: string): string {
  const n = result.inputs.length;
  const cells = result.matrix.map((row) => row.map((value) => (value === null ? "—" : value.toFixed(4))));
  const width = Math.max(7, ...cells.flat().map((cell) => cell.length));
  const head = `[${n}]`.length;
  const lines = [`Cosine similarity of ${subtitle(result)}:`, ""];
  lines.push(`${" ".repeat(head)}  ${result.inputs.map((_, j) => `[${j + 1}]`.padStart(width)).join("  ")}`);
  cells.forEach((row, i) =>
    lines.push(`${`[${i + 1}]`.padEnd(head)}  ${row.map((cell) => cell.padStart(width)).join("  ")}`),
  );
  lines.push("");
  result.inputs.forEach((input, i) => {
    const what = input.kind === "vector" ? "task vector" : "τ of fine-tune";
    const at = input.revision ? `@${input.revision.slice(0, 10)}` : "";
    lines.push(`[${i + 1}] ${input.repo ?? input.ref}${at}  (${what}, ‖τ‖ = ${input.norm.toPrecision(6)})`);
  });
  lines.push("", `Read ${formatBytes(result.bytesRead)} of tensor data.${svg === undefined ? "" : ` Heatmap: ${svg}`}`);
  return `${lines.join("\n")}\n`;
}
