import type { ProgressEvent } from "../util/progress.js";
import type { RetryNotice } from "./hub-context.js";

/**
 * Retries as progress lines, emptying the queue: info level, so a person watching a terminal sees the network
 * struggle while --json, --quiet and logs of a non-TTY run stay as quiet as a run without a retry.
 */
export function* retryLogs(queue: RetryNotice[] | undefined): Generator<ProgressEvent> {
  while (queue !== undefined && queue.length > 0) {
    const notice = queue.shift() as RetryNotice;
    yield {
      type: "log",
      level: "info",
      message:
        `Retrying ${notice.method} ${notice.url} in ${(notice.delayMs / 1000).toFixed(1)} s after ` +
        `${notice.reason} (try ${notice.attempt} of ${notice.attempts}).`,
    };
  }
}
