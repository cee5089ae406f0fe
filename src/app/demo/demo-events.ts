import type { ProgressEvent } from "../../util/progress.js";

/** One line of the demo's own log. */
export function info(message: string): ProgressEvent {
  return { type: "log", level: "info", message };
}

/**
 * Forwards a sub-command's progress bars and warnings; its info lines ("Checking … (headers only)") would bury the
 * demo's own one line per step.
 */
export async function* progressOnly<T>(run: AsyncGenerator<ProgressEvent, T>): AsyncGenerator<ProgressEvent, T> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
    if (step.value.type === "progress" || step.value.level === "warn") yield step.value;
  }
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** Wall-clock seconds per stage. */
export function createClock(): { lap(name: string): void; laps(): Record<string, number>; total(): number } {
  const started = performance.now();
  let last = started;
  const laps: Record<string, number> = {};
  const seconds = (ms: number) => Math.round(ms / 100) / 10;
  return {
    lap(name) {
      const now = performance.now();
      laps[name] = seconds(now - last);
      last = now;
    },
    laps: () => ({ ...laps }),
    total: () => seconds(performance.now() - started),
  };
}
