import type { ProgressEvent, ProgressSink } from "../util/progress.js";
import { formatBytes } from "../util/format-bytes.js";

export interface CreateProgressLoggerOptions {
  info: (message: string) => void;
  warning: (message: string) => void;
  /** The clock, injected for tests. @default Date.now */
  now?: () => number;
  /** The longest quiet stretch while a phase runs. @default 15000 */
  intervalMs?: number;
}

/**
 * Progress for a CI log, which has no carriage returns: a line when a phase starts, at each quarter, at the end,
 * and at most every `intervalMs` in between, so a long download shows it is alive without flooding the log.
 */
export function createProgressLogger(options: CreateProgressLoggerOptions): ProgressSink {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 15_000;
  let key = "";
  let lastAt = 0;
  let lastQuarter = -1;
  return (event: ProgressEvent) => {
    if (event.type === "log") {
      (event.level === "warn" ? options.warning : options.info)(event.message);
      return;
    }
    const eventKey = `${event.phase}\u0000${event.label ?? ""}`;
    const quarter = event.total > 0 ? Math.floor((4 * event.done) / event.total) : 4;
    const t = now();
    const fresh = eventKey !== key;
    if (fresh || quarter > lastQuarter || t - lastAt >= interval) {
      key = eventKey;
      lastAt = t;
      lastQuarter = fresh ? quarter : Math.max(quarter, lastQuarter);
      const amount =
        event.unit === "bytes"
          ? `${formatBytes(event.done)} of ${formatBytes(event.total)}`
          : `${event.done} of ${event.total}`;
      const percent = event.total > 0 ? ` (${Math.floor((100 * event.done) / event.total)}%)` : "";
      options.info(`${event.phase}${event.label ? ` ${event.label}` : ""}: ${amount}${percent}`);
    }
  };
}
