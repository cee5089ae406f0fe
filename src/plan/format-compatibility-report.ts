import type { CompatibilityReport, Finding, Severity } from "./check-compatibility.js";

export interface FormatCompatibilityReportOptions {
  report: CompatibilityReport;
  /**
   * At most this many finding lines; the rest are counted per group (`--json` has them all).
   * @default 20
   */
  maxLines?: number;
  /**
   * Findings shown per code and input before the rest are counted (a quantized model has hundreds of alike).
   * @default 3
   */
  maxPerKind?: number;
}

const headings: Record<Severity, (n: number, forced: boolean) => string> = {
  error: (n) => `${n} error${n === 1 ? "" : "s"}:`,
  lineage: (n, forced) =>
    `${n} lineage mismatch${n === 1 ? "" : "es"} ` +
    `(${forced ? "--force given: proceeding" : "--force proceeds anyway"}):`,
  warning: (n) => `${n} warning${n === 1 ? "" : "s"}:`,
};

/** The report for humans: a verdict line, then errors, lineage mismatches and warnings, one line per finding. */
export function formatCompatibilityReport(options: FormatCompatibilityReportOptions): string {
  const { report } = options;
  const maxLines = options.maxLines ?? 20;
  const maxPerKind = options.maxPerKind ?? 3;
  const inputs = report.inputs.length === 1 ? report.inputs[0] : `${report.inputs.length} inputs`;
  const verdict = report.ok
    ? report.counts.warning + report.counts.lineage === 0
      ? "compatible"
      : "compatible, with notes"
    : "not compatible";
  const tally = (["error", "lineage", "warning"] as const)
    .filter((s) => report.counts[s] > 0)
    .map(
      (s) =>
        `${report.counts[s]} ${s === "lineage" ? "lineage" : s}${report.counts[s] === 1 || s === "lineage" ? "" : "s"}`,
    )
    .join(", ");
  const lines = [`${inputs} vs base ${report.base}: ${verdict}${tally === "" ? "" : ` (${tally})`}`];

  let budget = maxLines;
  for (const severity of ["error", "lineage", "warning"] as const) {
    const findings = report.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) continue;
    lines.push(headings[severity](findings.length, report.forced));
    let hidden = 0;
    const shownPerKind = new Map<string, number>();
    const hiddenPerKind = new Map<string, { finding: Finding; count: number }>();
    for (const finding of findings) {
      const kind = `${finding.code}\u0000${finding.input}`;
      const shown = shownPerKind.get(kind) ?? 0;
      if (budget > 0 && shown < maxPerKind) {
        lines.push(`  ${finding.code}  ${finding.message}`);
        shownPerKind.set(kind, shown + 1);
        budget--;
      } else if (shown >= maxPerKind) {
        const entry = hiddenPerKind.get(kind) ?? { finding, count: 0 };
        entry.count++;
        hiddenPerKind.set(kind, entry);
      } else {
        hidden++;
      }
    }
    for (const { finding, count } of hiddenPerKind.values()) {
      if (budget > 0) {
        lines.push(`  ${finding.code}  ...and ${count} more like this for ${finding.input}`);
        budget--;
      } else {
        hidden += count;
      }
    }
    if (hidden > 0)
      lines.push(`  ...and ${hidden} more ${severity === "lineage" ? "lineage mismatches" : `${severity}s`}`);
  }
  return `${lines.join("\n")}\n`;
}
