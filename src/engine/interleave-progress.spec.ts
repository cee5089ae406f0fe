import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "../util/progress.js";
import { interleaveProgress } from "./interleave-progress.js";

const download = (done: number): ProgressEvent => ({
  type: "progress",
  phase: "download",
  done,
  total: 3,
  unit: "bytes",
});
const compute = (done: number): ProgressEvent => ({
  type: "progress",
  phase: "compute",
  done,
  total: 2,
  unit: "bytes",
});

async function collect<T>(generator: AsyncGenerator<ProgressEvent, T>): Promise<{ events: ProgressEvent[]; value: T }> {
  const events: ProgressEvent[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done === true) return { events, value: step.value };
    events.push(step.value);
  }
}

describe("interleaveProgress", () => {
  it("passes on callback events while the generator is blocked, in order, then returns its value", async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const seen: ProgressEvent[] = [];
    const run = interleaveProgress({
      async *run(sink) {
        yield compute(1);
        // A tensor read that waits for its file: the download reports through the sink meanwhile.
        setTimeout(() => sink(download(1)), 5);
        setTimeout(() => sink(download(2)), 10);
        setTimeout(() => {
          sink(download(3));
          release();
        }, 15);
        await blocked;
        yield compute(2);
        return "done";
      },
    });
    for (;;) {
      const step = await run.next();
      if (step.done === true) {
        expect(step.value).toBe("done");
        break;
      }
      seen.push(step.value);
      // Every download event is out before the generator got past its blocking read.
      if (step.value.type === "progress" && step.value.phase === "compute" && step.value.done === 2) {
        expect(seen.filter((e) => e.type === "progress" && e.phase === "download")).toHaveLength(3);
      }
    }
    expect(seen).toEqual([compute(1), download(1), download(2), download(3), compute(2)]);
  });

  it("yields events pushed synchronously before the first step", async () => {
    const { events, value } = await collect(
      interleaveProgress({
        // biome-ignore lint/correctness/useYield: a run that only reports through the sink, never by yielding.
        async *run(sink) {
          sink(download(1));
          return 7;
        },
      }),
    );
    expect(value).toBe(7);
    expect(events).toEqual([download(1)]);
  });

  it("rethrows the generator's error with the events that came before it", async () => {
    const events: ProgressEvent[] = [];
    const run = interleaveProgress({
      async *run(sink) {
        sink(download(1));
        yield compute(1);
        throw new Error("disk full");
      },
    });
    await expect(
      (async () => {
        for await (const event of run) events.push(event);
      })(),
    ).rejects.toThrow("disk full");
    expect(events).toEqual([download(1), compute(1)]);
  });

  it("stops the work when the consumer stops early", async () => {
    let cleaned = false;
    const run = interleaveProgress({
      async *run() {
        try {
          yield compute(1);
          yield compute(2);
          return 0;
        } finally {
          cleaned = true;
        }
      },
    });
    expect((await run.next()).value).toEqual(compute(1));
    await run.return(0);
    expect(cleaned).toBe(true);
  });
});
