import { formatBytes } from "../util/format-bytes.js";
import type { ProgressEvent, ProgressSink } from "../util/progress.js";

export interface ProgressRendererOptions {
  /** Where bars are drawn (stderr, so stdout stays clean for results). */
  stream: NodeJS.WritableStream;
  /** Draw bars only when true: stdout is a TTY and neither --json nor --quiet was given. */
  enabled: boolean;
  /** Warnings are printed even when bars are off, unless quiet. */
  quiet?: boolean;
  now?: () => number;
}

export interface ProgressRenderer {
  sink: ProgressSink;
  /** Clears the bar line; call before printing results. */
  finish(): void;
}

const barWidth = 24;

/** A single redrawn status line, throttled, that starts only once work has taken a moment. */
export function createProgressRenderer(options: ProgressRendererOptions): ProgressRenderer {
  const now = options.now ?? Date.now;
  const startedAt = now();
  let lastDraw = 0;
  let drawn = false;
  const rates = new Map<string, { at: number; done: number }>();

  const clear = () => {
    if (drawn) options.stream.write("\r\x1b[2K");
    drawn = false;
  };

  const sink: ProgressSink = (event: ProgressEvent) => {
    if (event.type === "log") {
      if (options.quiet && event.level === "info") return;
      if (!options.enabled && event.level === "info") return;
      clear();
      options.stream.write(`${event.level === "warn" ? "warning: " : ""}${event.message}\n`);
      return;
    }
    if (!options.enabled) return;
    const t = now();
    const complete = event.done >= event.total;
    if (t - startedAt < 500 && !drawn) return;
    if (!complete && t - lastDraw < 100) return;
    lastDraw = t;
    const key = `${event.phase}:${event.label ?? ""}`;
    const first = rates.get(key) ?? { at: t, done: event.done };
    if (!rates.has(key)) rates.set(key, first);
    const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
    const filled = Math.round(fraction * barWidth);
    const bar = "█".repeat(filled) + "░".repeat(barWidth - filled);
    const amount =
      event.unit === "bytes"
        ? `${formatBytes(event.done)}/${formatBytes(event.total)}`
        : `${event.done}/${event.total}`;
    const seconds = (t - first.at) / 1000;
    const rate =
      seconds > 0.2 && event.unit === "bytes" ? ` ${formatBytes((event.done - first.done) / seconds)}/s` : "";
    const label = event.label ? ` ${event.label}` : "";
    options.stream.write(
      `\r\x1b[2K${event.phase.padEnd(8)} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${amount}${rate}${label}`,
    );
    drawn = true;
  };

  return { sink, finish: clear };
}
