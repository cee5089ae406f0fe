/** What long-running use cases yield while they work; the shells render them (or stay quiet). */
export type Phase = "resolve" | "check" | "download" | "compute" | "hash" | "upload" | "commit" | "evaluate";

export type ProgressEvent =
  | { type: "progress"; phase: Phase; label?: string; done: number; total: number; unit: "bytes" | "items" }
  | { type: "log"; level: "info" | "warn"; message: string };

/** Receives progress events; the default drops them. */
export type ProgressSink = (event: ProgressEvent) => void;

export const noProgress: ProgressSink = () => {};

/** Drains an async generator of progress events, forwarding each to `onProgress`, and returns its result. */
export async function drain<T>(
  generator: AsyncGenerator<ProgressEvent, T>,
  onProgress: ProgressSink = noProgress,
): Promise<T> {
  for (;;) {
    const step = await generator.next();
    if (step.done) return step.value;
    onProgress(step.value);
  }
}
