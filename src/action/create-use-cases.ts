import { UsageError } from "../errors.js";
import type { ActionUseCases } from "./use-cases.js";

/**
 * Wires the Action's port to the use cases in src/app. A use case this build does not have fails the step with
 * a clear message instead of doing half the work.
 */
export function createUseCases(): ActionUseCases {
  return {
    check: () => unavailable("check"),
    publishVector: () => unavailable("publish-vector"),
    merge: () => unavailable("merge"),
    greedy: () => unavailable("greedy"),
    plan: () => unavailable("plan"),
  };
}

function unavailable(command: string): Promise<never> {
  return Promise.reject(
    new UsageError(`command "${command}" is not available in this build of the tvhub Action; use a release that includes it.`, {
      code: "ACTION_NOT_AVAILABLE",
      subject: "command",
    }),
  );
}
