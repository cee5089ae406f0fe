import { describe, expect, it } from "vitest";
import { loadTf } from "./load-tf.js";

// Each spec file runs in its own process, so this one sees tfjs before anything has registered a backend.
describe("loadTf", () => {
  it("falls back to the cpu backend when the wasm binaries cannot be read, and says why", async () => {
    const { tf, backend, notes } = await loadTf({ backend: "wasm", wasmDir: "/nonexistent/tfjs-wasm" });
    expect(backend).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(notes.join("\n")).toMatch(/wasm backend/);
    expect(tf.tensor([1, 2]).add(1).arraySync()).toEqual([2, 3]);
  });

  it("looks for tfjs-node first and, where it is not installed, uses cpu or wasm", async () => {
    const { backend, notes } = await loadTf();
    expect(["wasm", "cpu"]).toContain(backend);
    expect(notes).toContain("@tensorflow/tfjs-node is not installed");
  });
});
