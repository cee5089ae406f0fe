import { UsageError } from "../errors.js";
import type { ModelRef } from "../hub/index.js";
import type { PortionStage } from "./portion-record.js";

export interface CheckPullRequestTargetOptions {
  createPr: boolean | undefined;
  stage: PortionStage | undefined;
  target: ModelRef;
  /** How messages name the target option. @default "--to" */
  label?: string;
}

/** A pull request is opened on a Hub repo by one publish: not on a folder, and not by the jobs of a matrix run. */
export function checkPullRequestTarget(options: CheckPullRequestTargetOptions): void {
  if (options.createPr !== true) return;
  const label = options.label ?? "--to";
  if (options.target.kind !== "hub") {
    throw new UsageError(
      `--create-pr opens a pull request on a Hub repo, but the target is the folder ${options.target.path}; give ` +
        `${label} org/name, or drop --create-pr.`,
      {
        code: "PR_NEEDS_HUB",
        subject: label,
      },
    );
  }
  if (options.stage !== undefined) {
    throw new UsageError(
      "--create-pr cannot be combined with --portion or --finalize: the jobs of a matrix run commit to the branch " +
        "side by side; publish in one job to open a pull request.",
      {
        code: "PR_WITH_PORTIONS",
        subject: "--create-pr",
      },
    );
  }
}
