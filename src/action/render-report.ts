import { formatBytes } from "../util/format-bytes.js";
import type { ActionCommand, PortionStage } from "./inputs.js";
import type { PlanOutcome, RunReport } from "./use-cases.js";

/** What one step of the Action did: the report when the use case finished, the error when it did not. */
export interface ActionRun {
  command: ActionCommand;
  /** What the run is about, for headings: the recipe path or `base → to`. */
  label: string;
  dryRun: boolean;
  stage?: PortionStage;
  report?: RunReport;
  matrix?: PlanOutcome["matrix"];
  error?: { code: string; family: string; message: string };
}

export interface RenderReportOptions {
  run: ActionRun;
  /** Links Hub repos and commits. */
  hubUrl: string;
  /** A PR comment caps long lists (GitHub's 65,536-character limit); the job summary shows everything. */
  audience: "comment" | "summary";
  version: string;
  /** The commit and the workflow run, for the footer. */
  source?: { commitUrl: string; sha: string; runUrl?: string; eventName: string };
}

/** The markdown of the PR comment and the job summary: status, inputs, findings, outputs, validation, links. */
export function renderReport(options: RenderReportOptions): string {
  const { run, hubUrl } = options;
  const report = run.report;
  const cap = options.audience === "comment" ? 30 : 1000;
  const lines: string[] = [
    `### tvhub ${run.command}${stageLabel(run.stage)} · ${code(run.label)}`,
    "",
    statusLine(run),
  ];

  if (report && report.inputs.length > 0) {
    lines.push("", "#### Inputs", "", "| role | model | revision |", "| --- | --- | --- |");
    for (const input of report.inputs) {
      const model = input.repo ? link(input.repo, `${hubUrl}/${input.repo}`) : code(input.ref);
      const revision =
        input.repo && input.revision
          ? link(code(input.revision.slice(0, 7)), `${hubUrl}/${input.repo}/tree/${input.revision}`)
          : "local";
      lines.push(`| ${input.role} | ${model} | ${revision} |`);
    }
  }

  if (report) {
    lines.push("", "#### Compatibility", "");
    if (report.findings.length === 0) {
      lines.push("No problems: same architecture, same base, every tensor's name, dtype and shape match.");
    } else {
      const icon = { error: "❌", warning: "⚠️", info: "ℹ️" } as const;
      const ordered = [...report.findings].sort((a, b) => rank(a.level) - rank(b.level));
      for (const finding of ordered.slice(0, cap)) {
        lines.push(
          `- ${icon[finding.level]} ${finding.subject ? `${code(finding.subject)}: ` : ""}${inline(finding.message)}`,
        );
      }
      if (ordered.length > cap) lines.push(`- … and ${ordered.length - cap} more (the job summary lists them all)`);
    }
  }

  if (report && report.outputs.length > 0) {
    const heading =
      report.published.length > 0
        ? "Outputs"
        : run.dryRun
          ? "Planned outputs (dry run, not uploaded)"
          : "Planned outputs";
    lines.push(
      "",
      `#### ${heading}`,
      "",
      "| target | files | size | tensors | dtype |",
      "| --- | ---: | ---: | ---: | --- |",
    );
    for (const output of report.outputs) {
      const bytes = output.files.reduce((sum, f) => sum + f.bytes, 0);
      const target =
        output.target.includes("/") && !/^[./~]/.test(output.target)
          ? link(output.target, `${hubUrl}/${output.target}`)
          : code(output.target);
      lines.push(
        `| ${target} | ${output.files.length} | ${formatBytes(bytes)} | ${output.tensors} | ${output.dtype} |`,
      );
    }
    const files = report.outputs.flatMap((o) => o.files);
    if (files.length > 0) {
      lines.push("", "<details><summary>Files</summary>", "", "| file | size |", "| --- | ---: |");
      for (const file of files.slice(0, cap)) lines.push(`| ${code(file.path)} | ${formatBytes(file.bytes)} |`);
      if (files.length > cap) lines.push(`| … ${files.length - cap} more | |`);
      lines.push("", "</details>");
    }
  }

  if (report) {
    const verb =
      report.published.length > 0 || (!run.dryRun && run.command !== "check" && run.command !== "plan")
        ? "Downloaded"
        : "To download";
    lines.push("", `**${verb}:** ${formatBytes(report.downloadBytes)} of weights.`);
  }

  if (run.matrix && run.matrix.length > 0) {
    lines.push("", "#### Portion matrix", "", "| portion | files | tensors | size |", "| --- | --- | ---: | ---: |");
    for (const entry of run.matrix.slice(0, cap)) {
      const files = entry.files ?? [];
      const first = files[0] ?? "";
      const range =
        files.length === 0
          ? ""
          : files.length === 1
            ? code(first)
            : `${code(first)} … ${code(files[files.length - 1] ?? "")} (${files.length})`;
      lines.push(`| ${entry.portion} | ${range} | ${entry.tensors} | ${formatBytes(entry.bytes)} |`);
    }
    if (run.matrix.length > cap) lines.push(`| … ${run.matrix.length - cap} more | | | |`);
  }

  if (report?.validation) {
    const table = report.validation;
    lines.push("", `#### Validation (${inline(table.metric)})`, "");
    if (table.baseline !== undefined) lines.push(`Base model: ${score(table.baseline)}`, "");
    lines.push("| step | candidate | λ | score | kept |", "| ---: | --- | ---: | ---: | :---: |");
    for (const row of table.rows.slice(0, cap)) {
      lines.push(
        `| ${row.step} | ${code(row.candidate)} | ${row.lambda.toFixed(2)} | ${score(row.score)} | ` +
          `${row.kept ? "✅" : "—"} |`,
      );
    }
    if (table.rows.length > cap) lines.push(`| | … ${table.rows.length - cap} more | | | |`);
  }

  if (report && report.published.length > 0) {
    lines.push("", "#### Published", "");
    for (const repo of report.published) {
      const commit = link(code(repo.commitSha.slice(0, 7)), repo.commitUrl);
      lines.push(
        repo.pullRequest
          ? `- ${link(repo.repo, repo.url)}: ${link(`pull request #${repo.pullRequest.num}`, repo.pullRequest.url)} ` +
              `at commit ${commit}, for review (main changes when it is merged)`
          : `- ${link(repo.repo, repo.url)} at commit ${commit}`,
      );
    }
  }

  if (options.source) {
    const { source } = options;
    const run = source.runUrl ? ` · ${link("workflow run", source.runUrl)}` : "";
    lines.push(
      "",
      `<sub>tvhub ${options.version} · ${source.eventName} at ` +
        `${link(code(source.sha.slice(0, 7)), source.commitUrl)}${run}</sub>`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function statusLine(run: ActionRun): string {
  if (run.error) return `❌ **Failed:** ${inline(run.error.message)}`;
  const report = run.report;
  if (!report) return "";
  const errors = report.findings.filter((f) => f.level === "error").length;
  const warnings = report.findings.filter((f) => f.level === "warning").length;
  const warned = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : "";
  if (!report.compatible)
    return `❌ **Not compatible:** ${errors} problem${errors === 1 ? "" : "s"} found before downloading any weights.`;
  const opened = report.published.filter((repo) => repo.pullRequest !== undefined);
  if (opened.length > 0)
    return (
      "✅ **Opened** " +
      `${opened
        .map((repo) =>
          link(`pull request #${repo.pullRequest?.num ?? "?"} on ` + `${repo.repo}`, repo.pullRequest?.url ?? repo.url),
        )
        .join(", ")} ` +
      `for review${warned}.`
    );
  if (report.published.length > 0)
    return `✅ **Published** ${report.published.length} repo${report.published.length === 1 ? "" : "s"}${warned}.`;
  if (run.command === "check") return `✅ **Compatible**${warned}.`;
  if (run.command === "plan")
    return `✅ **Planned** ${run.matrix?.length ?? 0} job${run.matrix?.length === 1 ? "" : "s"}${warned}.`;
  if (run.dryRun) return `✅ **Compatible**${warned} · dry run: nothing was uploaded.`;
  return `✅ **Done**${warned}.`;
}

function stageLabel(stage: PortionStage | undefined): string {
  if (!stage) return "";
  return stage.kind === "portion" ? ` (portion ${stage.index}/${stage.count})` : ` (finalize ${stage.count} portions)`;
}

function rank(level: "error" | "warning" | "info"): number {
  return level === "error" ? 0 : level === "warning" ? 1 : 2;
}

function score(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

/** Text from models and recipes must not break a table row or open HTML. */
function inline(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function code(text: string): string {
  const clean = text.replace(/\s+/g, " ").replace(/\|/g, "\\|");
  return clean.includes("`") ? `<code>${inline(text)}</code>` : `\`${clean}\``;
}

function link(text: string, url: string): string {
  return `[${text}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}
