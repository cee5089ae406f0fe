import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { ProgressEvent } from "../util/progress.js";

/**
 * A check's warnings as log lines: a finding in `benign` describes what tvhub does anyway (copying integer tensors,
 * say), worth a line for a person watching but not a warning.
 */
export function* findingLogs(report: CompatibilityReport, benign: ReadonlySet<string>): Generator<ProgressEvent> {
  for (const finding of report.findings) {
    if (finding.severity === "warning")
      yield { type: "log", level: benign.has(finding.code) ? "info" : "warn", message: finding.message };
  }
}
