import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { Plan } from "../plan/types.js";
import type { Finding, PublishedRepo, RunReport, ValidationTable } from "./use-cases.js";

export interface ReportFromPlanOptions {
  kind: RunReport["kind"];
  compatibility: CompatibilityReport;
  /** Absent when the check blocked before a plan could be built. */
  plan?: Plan;
  /** The publish target (`org/name` or a directory), named in the outputs table. */
  target?: string;
  published?: PublishedRepo[];
  validation?: ValidationTable;
  /** The inputs with their pinned revisions, when there is no plan to take them from (a check). */
  inputs?: RunReport["inputs"];
  /** Weight bytes a run would download, when there is no plan to count them (a check). */
  downloadBytes?: number;
}

/**
 * Maps src/plan's check and plan to the Action's report; the use-case wiring calls it with what the use case returns.
 */
export function reportFromPlan(options: ReportFromPlanOptions): RunReport {
  const { compatibility, plan } = options;
  const findings: Finding[] = compatibility.findings.map((finding) => ({
    // A lineage doubt blocks unless --force was given; then it is worth a warning.
    level:
      finding.severity === "warning" || (finding.severity === "lineage" && compatibility.forced) ? "warning" : "error",
    subject: finding.subject === "" ? finding.input : finding.subject,
    message: finding.message,
  }));
  for (const warning of plan?.warnings ?? []) {
    findings.push({
      level: "warning",
      ...(warning.subject ? { subject: warning.subject } : {}),
      message: warning.message,
    });
  }
  const inputs: RunReport["inputs"] =
    options.inputs ??
    (plan
      ? plan.inputs.map((input) => ({
          role: input.role,
          ref: input.ref,
          ...(input.repo ? { repo: input.repo } : {}),
          ...(input.revision ? { revision: input.revision } : {}),
        }))
      : [
          { role: "base", ref: compatibility.base },
          ...compatibility.inputs.map((ref) => ({ role: "finetuned" as const, ref })),
        ]);
  const outputs: RunReport["outputs"] = [];
  if (plan && options.target !== undefined) {
    const files = plan.layout.files.map((file) => ({ path: file.name, bytes: file.fileSize }));
    const weights = files.reduce((sum, file) => sum + file.bytes, 0);
    if (plan.layout.index)
      files.push({ path: plan.layout.index, bytes: Math.max(0, plan.layout.writeBytes - weights) });
    const dtypes = [...new Set(plan.outputs.map((tensor) => tensor.dtype))];
    outputs.push({ target: options.target, files, tensors: plan.outputs.length, dtype: dtypes.join(", ") });
  }
  const report: RunReport = {
    kind: options.kind,
    compatible: compatibility.ok,
    findings,
    inputs,
    outputs,
    downloadBytes: plan?.downloadBytes ?? options.downloadBytes ?? 0,
    published: options.published ?? [],
  };
  if (options.validation) report.validation = options.validation;
  return report;
}
