import type { Command } from "commander";
import type { InspectReport } from "../../app/inspect.js";
import { inspectRef } from "../../app/inspect-ref.js";
import { formatShape } from "../../tensor/shape.js";
import { formatBytes } from "../../util/format-bytes.js";
import type { CliContext } from "../context.js";
import { formatTable } from "../format-table.js";
import { createAppContext, type CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";

interface InspectFlags extends CliAppFlags {
  tensors?: boolean;
}

/** `tvhub inspect <model>`: what a model holds, from its safetensors headers only (local or on the Hub). */
export function inspect(program: Command, context: CliContext): void {
  addHubFlags(
    program
      .command("inspect")
      .description(
        "Show a model's tensors, dtypes, parameters, shards and __metadata__ from its safetensors headers; a Hub " +
          "model is read with range requests (no weights are downloaded).",
      )
      .argument(
        "<model>",
        "a model folder (model.safetensors, task_vector.safetensors, or shards with an index), a .safetensors file, " +
          "an index file, or a Hub model org/name[@revision]",
      )
      .option("--tensors", "list every tensor instead of folding repeated layers into one line"),
  ).action(async (ref: string, flags: InspectFlags) => {
    const listTensors = flags.json === true || flags.tensors === true;
    const report = await inspectRef({ context: createAppContext(context, flags), ref, listTensors });
    context.stdout.write(
      flags.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderReport(report, { allTensors: flags.tensors === true }),
    );
  });
}

const count = (n: number): string => n.toLocaleString("en-US");

/** The human view: a summary, then dtypes, files, metadata and tensors as aligned tables. */
export function renderReport(report: InspectReport, options: { allTensors: boolean }): string {
  const lines: string[] = [];
  const { totals } = report;
  const layout =
    report.layout === "sharded"
      ? `sharded: ${report.files.length} files and ${report.index?.file ?? "an index"}`
      : `single file: ${report.files[0]?.file ?? ""}`;
  lines.push(`${report.model} (${layout})`);
  if (report.source) lines.push(`${report.source.url} at commit ${report.source.revision}`);
  lines.push(
    `${count(totals.tensors)} tensors, ${count(totals.parameters)} parameters, ${formatBytes(totals.tensorBytes)} ` +
      `of tensor data, ${formatBytes(totals.fileBytes)} on disk`,
  );
  const indexTotal = report.index?.totalSize;
  if (indexTotal !== null && indexTotal !== undefined && indexTotal !== totals.tensorBytes) {
    lines.push(
      `note: the index says total_size ${count(indexTotal)} but the tensors add up to ${count(totals.tensorBytes)} ` +
        "bytes",
    );
  }
  lines.push("");
  // The summary tables: a name, then three numbers aligned right.
  const summaries: Array<[header: string[], rows: string[][]]> = [
    [
      ["dtype", "tensors", "parameters", "bytes"],
      report.dtypes.map((d) => [d.dtype, count(d.tensors), count(d.parameters), formatBytes(d.bytes)]),
    ],
    [
      ["file", "size", "header", "tensors"],
      report.files.map((f) => [f.file, formatBytes(f.size), formatBytes(f.headerBytes), count(f.tensors)]),
    ],
  ];
  for (const [header, rows] of summaries) lines.push(...formatTable(header, rows, [false, true, true, true]), "");
  const metadata = report.metadata ?? (report.files.length === 1 ? null : undefined);
  if (metadata === undefined) {
    lines.push("__metadata__ differs between files:");
    for (const f of report.files) lines.push(`  ${f.file}: ${formatMetadata(f.metadata)}`);
  } else {
    lines.push(`__metadata__: ${formatMetadata(metadata)}`);
  }
  lines.push("");
  if (options.allTensors) {
    const sharded = report.layout === "sharded";
    lines.push(
      ...formatTable(
        ["tensor", "dtype", "shape", "parameters", ...(sharded ? ["file"] : [])],
        report.tensors.map((t) => [
          t.name,
          t.dtype,
          formatShape(t.shape),
          count(t.parameters),
          ...(sharded ? [t.file] : []),
        ]),
        [false, false, false, true, false],
      ),
    );
  } else {
    lines.push(`${count(totals.tensors)} tensors in ${count(report.groups.length)} groups (--tensors lists each one):`);
    lines.push(
      ...formatTable(
        ["tensor", "dtype", "shape", "count", "parameters"],
        report.groups.map((g) => [g.pattern, g.dtype, formatShape(g.shape), count(g.count), count(g.parameters)]),
        [false, false, false, true, true],
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

function formatMetadata(metadata: Record<string, string> | null): string {
  if (!metadata || Object.keys(metadata).length === 0) return "(none)";
  return Object.entries(metadata)
    .map(([key, value]) => {
      const json = JSON.stringify(value);
      return `${key}=${json.length > 82 ? `${json.slice(0, 80)}…"` : json}`;
    })
    .join(" ");
}
