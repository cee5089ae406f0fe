import { describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { bufferSource } from "./buffer-source.js";
import { mutate, rng, seeds } from "./testing/mutations.js";
import { openModel } from "./open-model.js";
import { parseIndex } from "./parse-index.js";
import { planModelLayout } from "./plan-model-layout.js";
import type { ByteSource } from "./types.js";

describe("fuzz: mutated and truncated files", () => {
  it("only ever fail with a DataError naming the file, without hanging or allocating beyond the file", {
    timeout: 10_000,
  }, async () => {
    const started = Date.now();
    const codes = new Map<string, number>();
    let accepted = 0;
    const cases = 4000;
    for (let i = 0; i < cases; i++) {
      const next = rng(1000 + i);
      const seed = seeds[i % seeds.length] ?? new Uint8Array();
      const bytes = mutate(seed, next);
      const name = `case-${i}.safetensors`;
      let largestRead = 0;
      const inner = bufferSource({ bytes, name });
      const source: ByteSource = {
        name,
        size: inner.size,
        read: (start, end) => {
          largestRead = Math.max(largestRead, end - start);
          return inner.read(start, end);
        },
      };
      try {
        const model = await openModel({ name, weights: name, open: async () => source });
        // Whatever was accepted must be readable in full: every offset is inside the file.
        for (const tensor of model.tensors()) await model.readTensor(tensor.name);
        accepted++;
      } catch (error) {
        if (!(error instanceof DataError)) throw new Error(`case ${i}: ${String(error)}`, { cause: error });
        expect(error.message.startsWith(`${name}: `), `case ${i}: ${error.message}`).toBe(true);
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
      expect(largestRead, `case ${i}`).toBeLessThanOrEqual(bytes.length);
    }
    expect(accepted).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThanOrEqual(12);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("index files: only DataErrors", () => {
    const layout = planModelLayout({
      tensors: Array.from({ length: 12 }, (_, i) => ({
        name: `layers.${i}.weight`,
        dtype: "BF16" as const,
        shape: [4, 4],
      })),
      maxShardSize: 100,
    });
    const text = new TextEncoder().encode(layout.index?.text ?? "");
    const framed = new Uint8Array(8 + text.length);
    new DataView(framed.buffer).setBigUint64(0, BigInt(text.length), true);
    framed.set(text, 8);
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const mutated = mutate(framed, rng(50_000 + i)).subarray(8);
      try {
        parseIndex({ name: "model.safetensors.index.json", bytes: mutated });
        accepted++;
      } catch (error) {
        if (!(error instanceof DataError)) throw new Error(`case ${i}: ${String(error)}`, { cause: error });
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
