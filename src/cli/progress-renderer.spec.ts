import { describe, expect, it } from "vitest";
import { createProgressRenderer } from "./progress-renderer.js";

function collect() {
  const chunks: string[] = [];
  return { stream: { write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream, chunks };
}

describe("createProgressRenderer", () => {
  it("draws nothing when disabled, but still prints warnings", () => {
    const out = collect();
    const renderer = createProgressRenderer({ stream: out.stream, enabled: false });
    renderer.sink({ type: "progress", phase: "download", done: 5, total: 10, unit: "bytes" });
    renderer.sink({ type: "log", level: "info", message: "hello" });
    renderer.sink({ type: "log", level: "warn", message: "careful" });
    expect(out.chunks.join("")).toBe("warning: careful\n");
  });

  it("waits before the first bar, then draws and clears it", () => {
    const out = collect();
    let t = 0;
    const renderer = createProgressRenderer({ stream: out.stream, enabled: true, now: () => t });
    renderer.sink({ type: "progress", phase: "download", done: 1, total: 10, unit: "bytes" });
    expect(out.chunks).toEqual([]);
    t = 1000;
    renderer.sink({ type: "progress", phase: "download", done: 5, total: 10, unit: "bytes", label: "a.safetensors" });
    expect(out.chunks.join("")).toContain(" 50% 5 B/10 B");
    expect(out.chunks.join("")).toContain("a.safetensors");
    renderer.finish();
    expect(out.chunks.at(-1)).toBe("\r\x1b[2K");
  });

  it("stays quiet about info logs with quiet", () => {
    const out = collect();
    const renderer = createProgressRenderer({ stream: out.stream, enabled: true, quiet: true });
    renderer.sink({ type: "log", level: "info", message: "x" });
    expect(out.chunks).toEqual([]);
  });
});
