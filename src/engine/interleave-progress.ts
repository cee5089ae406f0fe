import type { ProgressEvent, ProgressSink } from "../util/progress.js";

export interface InterleaveProgressOptions<T> {
  /**
   * Starts the work. `sink` takes events from code that reports through a callback (a download inside a byte
   * source's read, say), which cannot yield; they are yielded as they come, between the work's own events.
   */
  run: (sink: ProgressSink) => AsyncGenerator<ProgressEvent, T>;
}

/**
 * One stream of progress from a generator and the callbacks it drives. An event pushed to the sink is passed
 * on at once, even while the generator is blocked (a tensor read waiting for its file to download), so a
 * progress bar keeps moving.
 */
export async function* interleaveProgress<T>(options: InterleaveProgressOptions<T>): AsyncGenerator<ProgressEvent, T> {
  const queued: ProgressEvent[] = [];
  let wake: (() => void) | undefined;
  const sink: ProgressSink = (event) => {
    queued.push(event);
    wake?.();
  };
  const work = options.run(sink);
  let next = work.next();
  let finished = false;
  try {
    for (;;) {
      const arrived = new Promise<void>((resolve) => (wake = resolve));
      const step = await Promise.race([next, arrived.then(() => undefined)]);
      wake = undefined;
      while (queued.length > 0) yield queued.shift() as ProgressEvent;
      if (step === undefined) continue;
      if (step.done === true) {
        finished = true;
        return step.value;
      }
      yield step.value;
      next = work.next();
    }
  } finally {
    // A consumer that stops early (or an error here) must not leave the work running unobserved.
    if (!finished) await work.return(undefined as T).catch(() => {});
  }
}
