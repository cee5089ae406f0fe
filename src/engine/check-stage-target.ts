import { UsageError } from "../errors.js";
import type { ModelRef } from "../hub/index.js";
import type { PortionStage } from "./portion-record.js";

export interface CheckStageTargetOptions {
  stage: PortionStage | undefined;
  target: ModelRef;
  /** How messages name the target option. @default "--to" */
  label?: string;
}

/**
 * The jobs of a matrix run meet in a Hub repo (each commits there, the finalize step reads it back): a folder will not
 * do.
 */
export function checkStageTarget(options: CheckStageTargetOptions): void {
  const { stage, target } = options;
  if (stage === undefined || target.kind === "hub") return;
  const flag = stage.kind === "portion" ? "--portion" : "--finalize";
  throw new UsageError(
    `${flag} publishes to a Hub repo, where the jobs of a matrix run meet, but the target is the folder ` +
      `${target.path}; give ${options.label ?? "--to"} org/name, or run without ${flag} to write the folder in ` +
      "one job.",
    {
      code: "PORTIONS_NEED_HUB",
      subject: options.label ?? "--to",
    },
  );
}
