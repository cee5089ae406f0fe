/**
 * The native matrix kernels (native/matrix-kernels.c) are optional, but where the machine can build them, `npm ci`
 * must have: on x64 with a C compiler, the module exists, loads, and is what createMatrixKernels picks. Their bits are
 * checked against the reference in src/arithmetic/low-rank/*.spec.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadNativeKernels, nativeKernelsPath } from "../src/arithmetic/native/load-native-kernels.js";
import { createMatrixKernels } from "../src/arithmetic/low-rank/matrix-kernels.js";

const root = join(import.meta.dirname, "..");
const canBuild = process.arch === "x64" && spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0;

describe("the native matrix kernels", () => {
  it.runIf(canBuild)("were built by npm ci on this machine (x64 with a C compiler) and are the kernels in use", () => {
    expect(
      existsSync(join(root, nativeKernelsPath)),
      `${nativeKernelsPath} (npm ci runs scripts/build-native.mjs)`,
    ).toBe(true);
    expect(loadNativeKernels()?.available).toBe(true);
    expect(createMatrixKernels().implementation).toBe("native");
  });

  it("a call outside the heap is refused, not written", () => {
    const native = loadNativeKernels();
    if (!native) return;
    const heap = new ArrayBuffer(1024);
    expect(() => native.gemmF32(heap, 0, 16, 0, 16, 1000, 16, 16, 16, 16, 1)).toThrow(/outside the heap/);
    expect(() => native.gramF64(heap, 0, 100, 4, 0, 1)).toThrow(/outside the heap/);
  });
});
