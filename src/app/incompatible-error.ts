import { DataError } from "../errors.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import { formatCompatibilityReport } from "../plan/format-compatibility-report.js";

/**
 * The refusal after a failed check: one sentence, then the report that names every mismatch; the report travels along.
 */
export class IncompatibleError extends DataError {
  readonly report: CompatibilityReport;

  constructor(report: CompatibilityReport) {
    const blocking = report.counts.error + (report.forced ? 0 : report.counts.lineage);
    const hint = report.counts.error === 0 ? " (--force proceeds past lineage mismatches)" : "";
    super(
      `${report.inputs.join(", ")} cannot be combined with ${report.base}: ${blocking} blocking ` +
        `mismatch${blocking === 1 ? "" : "es"}${hint}.\n${formatCompatibilityReport({ report })}`,
      { code: "INCOMPATIBLE" },
    );
    this.report = report;
  }
}

/** The refusal a use case throws when the check found blocking mismatches. */
export function incompatible(report: CompatibilityReport): IncompatibleError {
  return new IncompatibleError(report);
}
