import { RemoteError, type TvhubError } from "../errors.js";
import { formatBytes } from "../util/format-bytes.js";

/** What a publish that failed or was interrupted leaves behind. */
export interface Leftovers {
  repo: string;
  hubUrl: string;
  committed: boolean | "maybe";
  /** The repo this run created was deleted again. */
  removed: boolean;
  /** Bytes of LFS objects the run sent and the repo keeps: a rerun does not send them again. */
  kept: number;
}

/** What a publish that did not finish left on the Hub, as a clause; undefined when there is nothing to say. */
export function leftoverClause(left: Leftovers): string | undefined {
  if (left.removed) return "nothing was committed, and the repo this run created was removed";
  if (left.committed === "maybe")
    return `the commit may have landed: look at ${left.hubUrl}/${left.repo}/commits/main before rerunning`;
  if (left.kept > 0)
    return (
      `nothing was committed; the ${formatBytes(left.kept)} uploaded stay on the Hub, so rerunning the same ` +
      "command does not send them again"
    );
  return undefined;
}

/** The sentence a publish stopped by SIGINT/SIGTERM ends with (exit 1, as greedy's interruption). */
export function interruptedError(left: Leftovers): RemoteError {
  const clause = leftoverClause(left) ?? "nothing was committed";
  return new RemoteError(
    `Interrupted while publishing to ${left.repo}: ${clause}; rerun the same command to publish.`,
    { code: "INTERRUPTED", subject: left.repo },
  );
}

/** The error's sentence, with what the run left on the Hub in parentheses before its full stop. */
export function withLeftovers(error: TvhubError, left: Leftovers): TvhubError {
  const clause = leftoverClause(left);
  if (clause === undefined || !(error instanceof RemoteError)) return error;
  return new RemoteError(`${error.message.replace(/\.$/, "")} (${clause}).`, {
    code: error.code,
    ...(error.subject === undefined ? {} : { subject: error.subject }),
    cause: error.cause,
  });
}
