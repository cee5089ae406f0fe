import { InvalidArgumentError, type Command } from "commander";
import { searchVectors as runSearchVectors, type SearchVectorsResult } from "../../app/search-vectors.js";
import { formatBytes } from "../../util/format-bytes.js";
import type { CliContext } from "../context.js";
import { formatTable } from "../format-table.js";
import { createAppContext, type CliAppFlags } from "../create-app-context.js";
import { addHubFlags } from "../hub-options.js";
import { printJson } from "../print-results.js";
import { pickDefined } from "../../util/pick-defined.js";

interface SearchVectorsFlags extends CliAppFlags {
  base?: string;
  search?: string;
  limit?: number;
}

/** `tvhub search-vectors`: browse the task vectors published on a Hub. */
export function searchVectors(program: Command, context: CliContext): void {
  addHubFlags(
    program
      .command("search-vectors")
      .description("List published task vectors (Hub tag task-vector) with their base, source model, dtype and size.")
      .option("--base <repo>", "only vectors of this base model (org/name)")
      .option("--search <text>", "only vectors whose repo id contains this text")
      .option("--limit <n>", "show at most this many (default 50)", parseLimit),
  ).action(async (flags: SearchVectorsFlags) => {
    const appContext = createAppContext(context, flags);
    const result = await runSearchVectors({
      hub: appContext.hub,
      ...pickDefined(flags, ["base", "search", "limit"]),
    });
    if (flags.json) printJson(context, { hubUrl: appContext.hub.hubUrl, ...result });
    else
      context.stdout.write(
        renderVectors(result, {
          hubUrl: appContext.hub.hubUrl,
          ...(flags.base === undefined ? {} : { base: flags.base }),
          ...(flags.search === undefined ? {} : { search: flags.search }),
        }),
      );
  });
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("use a whole number of at least 1.");
  return n;
}

/** A table, one vector a line; what no record says is shown as "?". */
export function renderVectors(
  result: SearchVectorsResult,
  query: { hubUrl: string; base?: string; search?: string },
): string {
  const filters = [
    ...(query.base === undefined ? [] : [`base ${query.base}`]),
    ...(query.search === undefined ? [] : [`"${query.search}"`]),
  ];
  const scope = `${query.hubUrl}${filters.length === 0 ? "" : ` (${filters.join(", ")})`}`;
  if (result.vectors.length === 0) {
    return `No task vectors on ${scope}; tvhub publish-vector publishes one.\n`;
  }
  const n = result.vectors.length;
  const lines = [
    `${n}${result.truncated ? "+" : ""} task vector${n === 1 ? "" : "s"} on ` +
      `${scope}${result.truncated ? ` (the first ${n}; --limit shows more)` : ""}:`,
    "",
  ];
  const rows = result.vectors.map((v) => [
    v.repo,
    v.base ?? "?",
    v.finetuned === null
      ? "?"
      : v.finetunedRevision === null
        ? v.finetuned
        : `${v.finetuned}@${v.finetunedRevision.slice(0, 7)}`,
    v.dtype ?? "?",
    v.parameters === null ? "?" : v.parameters.toLocaleString("en-US"),
    v.size === null ? "?" : formatBytes(v.size),
    v.lastModified?.slice(0, 10) ?? "?",
  ]);
  lines.push(
    ...formatTable(["vector", "base", "fine-tuned", "dtype", "parameters", "size", "updated"], rows, [
      false,
      false,
      false,
      false,
      true,
      true,
      false,
    ]),
  );
  return `${lines.join("\n")}\n`;
}
