import { describe, expect, it } from "vitest";
import { createProgressLogger } from "./create-progress-logger.js";

describe("createProgressLogger", () => {
  it("logs phase starts, quarters and the end, and at most every interval in between", () => {
    const lines: string[] = [];
    let t = 0;
    const log = createProgressLogger({
      info: (m) => lines.push(m),
      warning: (m) => lines.push(`warn: ${m}`),
      now: () => t,
      intervalMs: 1000,
    });
    for (let done = 0; done <= 100; done += 5) {
      t += 10;
      log({ type: "progress", phase: "download", label: "org/ft", done: done * 1e6, total: 100e6, unit: "bytes" });
    }
    t += 2000;
    log({ type: "progress", phase: "download", label: "org/ft", done: 100e6, total: 100e6, unit: "bytes" });
    log({ type: "progress", phase: "upload", done: 1, total: 3, unit: "items" });
    log({ type: "log", level: "warn", message: "vocab grew" });
    expect(lines).toEqual([
      "download org/ft: 0 B of 100 MB (0%)",
      "download org/ft: 25.0 MB of 100 MB (25%)",
      "download org/ft: 50.0 MB of 100 MB (50%)",
      "download org/ft: 75.0 MB of 100 MB (75%)",
      "download org/ft: 100 MB of 100 MB (100%)",
      "download org/ft: 100 MB of 100 MB (100%)",
      "upload: 1 of 3 (33%)",
      "warn: vocab grew",
    ]);
  });
});
