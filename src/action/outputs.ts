import type { ActionRun } from "./render-report.js";

export const outputNames = [
  "repo-url",
  "commit-sha",
  "report-json",
  "matrix",
  "pull-request-url",
  "pull-request-number",
] as const;
export type OutputName = (typeof outputNames)[number];
export type ActionOutputs = Record<OutputName, string>;

/** What every output holds before the run knows better, so a later `if:` never reads an unset output. */
export function defaultOutputs(): ActionOutputs {
  return {
    "repo-url": "",
    "commit-sha": "",
    "pull-request-url": "",
    "pull-request-number": "",
    "report-json": JSON.stringify({ ok: false }),
    matrix: JSON.stringify({ portion: [] }),
  };
}

export interface OutputsOfOptions {
  run: ActionRun;
  version: string;
}

/** The outputs of a finished (or failed) run; the first published repo is the one `repo-url` names. */
export function outputsOf(options: OutputsOfOptions): ActionOutputs {
  const { run } = options;
  const published = run.report?.published[0];
  const ok = run.error === undefined && run.report?.compatible !== false;
  const report = {
    tvhub: options.version,
    command: run.command,
    ok,
    dryRun: run.dryRun,
    ...(run.stage ? { stage: run.stage } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.report ? { report: run.report } : {}),
    ...(run.matrix ? { matrix: run.matrix } : {}),
  };
  return {
    "repo-url": published?.url ?? "",
    "commit-sha": published?.commitSha ?? "",
    "pull-request-url": published?.pullRequest?.url ?? "",
    "pull-request-number": published?.pullRequest === undefined ? "" : String(published.pullRequest.num),
    "report-json": JSON.stringify(report),
    matrix: JSON.stringify({ portion: (run.matrix ?? []).map((entry) => entry.portion) }),
  };
}

export function writeOutputs(setOutput: (name: string, value: string) => void, outputs: ActionOutputs): void {
  for (const name of outputNames) setOutput(name, outputs[name]);
}
