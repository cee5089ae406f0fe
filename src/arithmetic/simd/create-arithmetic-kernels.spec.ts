import { afterEach, describe, expect, it, vi } from "vitest";
import { javascriptKernels } from "./arithmetic-kernels.js";
import { createArithmeticKernels } from "./create-arithmetic-kernels.js";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

/** The factory from a fresh module graph, so that the compiled-module cache starts empty. */
async function freshFactory(): Promise<typeof createArithmeticKernels> {
  vi.resetModules();
  return (await import("./create-arithmetic-kernels.js")).createArithmeticKernels;
}

describe("createArithmeticKernels", () => {
  it("picks WebAssembly SIMD on this engine by default, and separate instances for separate calls", () => {
    const first = createArithmeticKernels();
    const second = createArithmeticKernels({ implementation: "wasm", chunkElements: 1024 });
    expect(first.implementation).toBe("wasm");
    expect(second.implementation).toBe("wasm");
    expect(second).not.toBe(first);
    const values = Float32Array.of(1.5, -2, 0.1);
    expect(
      Array.from(first.decodeToF32({ dtype: "BF16", bytes: first.encodeFromF32({ dtype: "BF16", values }) })),
    ).toEqual([1.5, -2, 0.10009765625]);
  });

  it("returns the JavaScript reference when asked", () => {
    expect(createArithmeticKernels({ implementation: "js" })).toBe(javascriptKernels);
  });

  it(
    "falls back to JavaScript where the engine has no WebAssembly SIMD, and refuses when wasm was " + "required",
    async () => {
      // The project's TypeScript libs do not declare the WebAssembly global (see instantiate-simd-kernels.ts).
      const real = (globalThis as { WebAssembly?: object }).WebAssembly;
      vi.stubGlobal("WebAssembly", { ...real, validate: () => false });
      const create = await freshFactory();
      expect(create().implementation).toBe("js");
      expect(() => create({ implementation: "wasm" })).toThrow(
        expect.objectContaining({ code: "SIMD_UNAVAILABLE", family: "usage" }),
      );
    },
  );

  it("falls back to JavaScript where there is no WebAssembly at all", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    const create = await freshFactory();
    expect(create().implementation).toBe("js");
  });

  it("rejects a chunk size that is not a whole number ≥ 1", () => {
    expect(() => createArithmeticKernels({ chunkElements: 0 })).toThrow(
      expect.objectContaining({ code: "ARITHMETIC_BAD_CHUNK" }),
    );
  });
});
