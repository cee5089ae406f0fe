/** SIGINT and SIGTERM during a run, as the composition root sees them. */
export interface Interrupt {
  /** Aborted by the first signal that arrives while a publish is in flight; the publish then cleans up. */
  signal: AbortSignal;
  /** The Hub client's hook: a publish started (true) or ended (false). */
  onPublishing(active: boolean): void;
  /**
   * What to do with a signal: `"wait"` when a publish is in flight (the signal is aborted; the run ends with the
   * publish's own sentence), `"exit"` when there is nothing to clean up or when a second signal arrives.
   */
  receive(name: NodeJS.Signals): "wait" | "exit";
}

export function createInterrupt(): Interrupt {
  const controller = new AbortController();
  let publishing = 0;
  return {
    signal: controller.signal,
    onPublishing(active) {
      publishing += active ? 1 : -1;
    },
    receive(name) {
      if (controller.signal.aborted || publishing === 0) return "exit";
      controller.abort(new Error(`interrupted by ${name}`));
      return "wait";
    },
  };
}

/** 128 + the signal's number, as shells report a process a signal ended. */
export function interruptExitCode(name: NodeJS.Signals): number {
  return name === "SIGTERM" ? 143 : 130;
}
