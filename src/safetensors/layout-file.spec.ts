import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { createMemorySink } from "./testing/memory-sink.js";
import { createTensorWriter } from "./create-tensor-writer.js";
import { layoutFile, type PlannedTensor } from "./layout-file.js";

const fixtures = resolve(import.meta.dirname, "../../test/fixtures/safetensors");

async function writeWith(
  tensors: Array<PlannedTensor & { data: Uint8Array }>,
  metadata?: Record<string, string>,
): Promise<Uint8Array> {
  const layout = layoutFile({ tensors, ...(metadata ? { metadata } : {}) });
  const sink = createMemorySink();
  const writer = await createTensorWriter({ layout, sink, file: "golden.safetensors" });
  for (const tensor of layout.tensors) {
    await writer.writeTensor(tensor.name, tensors.find((t) => t.name === tensor.name)?.data ?? new Uint8Array());
  }
  const written = await writer.finish();
  const bytes = sink.bytes();
  expect(written.size).toBe(bytes.length);
  expect(written.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  return bytes;
}

const zeroToFive = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);

/**
 * Byte identity with the reference serializer, two ways:
 * 1. against golden files transcribed from the reference's own unit tests (test/fixtures/safetensors/README.md);
 * 2. against bytes rebuilt in this test by hand from the rules read in tensor.rs `prepare` (sort by dtype enum
 *    order descending, then by name; `__metadata__` first; keys dtype, shape, data_offsets; no whitespace; spaces
 *    up to a multiple of 8), for the multi-dtype case the reference's tests do not cover.
 */
describe("layoutFile writes what the reference writes", () => {
  it.each([
    ["serialization.safetensors", [{ name: "attn.0", dtype: "F32", shape: [1, 2, 3], data: zeroToFive }], undefined],
    [
      "forced-alignment.safetensors",
      [{ name: "attn0", dtype: "F32", shape: [1, 1, 2, 3], data: zeroToFive }],
      undefined,
    ],
    ["empty.safetensors", [], undefined],
    ["empty-metadata.safetensors", [], { framework: "pt" }],
  ] as const)("%s", async (file, tensors, metadata) => {
    const expected = new Uint8Array(readFileSync(join(fixtures, file)));
    const bytes = await writeWith(
      tensors.map((t) => ({ ...t, shape: [...t.shape] })),
      metadata,
    );
    expect(Buffer.from(bytes).toString("hex")).toBe(Buffer.from(expected).toString("hex"));
  });

  it("orders a multi-dtype file by dtype then name, and pads to 8 bytes", async () => {
    const u8 = (...values: number[]) => new Uint8Array(values);
    const tensors: Array<PlannedTensor & { data: Uint8Array }> = [
      { name: "b", dtype: "U8", shape: [3], data: u8(1, 2, 3) },
      { name: "mask", dtype: "BOOL", shape: [2], data: u8(1, 0) },
      { name: "a", dtype: "F64", shape: [1], data: new Uint8Array(new Float64Array([0.5]).buffer) },
      { name: "emb", dtype: "F32", shape: [2], data: new Uint8Array(new Float32Array([1, -1]).buffer) },
      { name: "ids", dtype: "I64", shape: [2], data: new Uint8Array(new BigInt64Array([0n, 1n]).buffer) },
      { name: "c", dtype: "BF16", shape: [2], data: u8(0x80, 0x3f, 0x00, 0xc0) },
      { name: "scalar", dtype: "F16", shape: [], data: u8(0x00, 0x3c) },
      { name: "none", dtype: "F32", shape: [0, 4], data: u8() },
    ];
    const json =
      '{"__metadata__":{"format":"pt"},' +
      '"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},' +
      '"a":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},' +
      '"emb":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},' +
      '"none":{"dtype":"F32","shape":[0,4],"data_offsets":[32,32]},' +
      '"c":{"dtype":"BF16","shape":[2],"data_offsets":[32,36]},' +
      '"scalar":{"dtype":"F16","shape":[],"data_offsets":[36,38]},' +
      '"b":{"dtype":"U8","shape":[3],"data_offsets":[38,41]},' +
      '"mask":{"dtype":"BOOL","shape":[2],"data_offsets":[41,43]}}';
    const padded = json + " ".repeat((8 - (json.length % 8)) % 8);
    const expected = Buffer.concat([
      Buffer.from(new BigUint64Array([BigInt(padded.length)]).buffer),
      Buffer.from(padded, "utf8"),
      ...["ids", "a", "emb", "none", "c", "scalar", "b", "mask"].map((name) =>
        Buffer.from(tensors.find((t) => t.name === name)?.data ?? []),
      ),
    ]);
    const bytes = await writeWith(tensors, { format: "pt" });
    expect(padded.length % 8).toBe(0);
    expect(Buffer.from(bytes).toString("latin1")).toBe(expected.toString("latin1"));
  });

  it("sorts names by code point (as Rust orders Strings), not by UTF-16 unit or locale", () => {
    const names = ["b", "a.2", "a.10", "B", "\u{1F600}", "\uFF5E", "é"];
    const layout = layoutFile({ tensors: names.map((name) => ({ name, dtype: "U8" as const, shape: [1] })) });
    // UTF-8 byte order: "B" < "a.10" < "a.2" < "b" < "é" (C3 A9) < U+FF5E (EF BD 9E) < U+1F600 (F0 9F 98 80)
    expect(layout.tensors.map((t) => t.name)).toEqual(["B", "a.10", "a.2", "b", "é", "\uFF5E", "\u{1F600}"]);
  });

  it("escapes names the way serde_json does", () => {
    const layout = layoutFile({ tensors: [{ name: 'q"\\\n\u0001/é', dtype: "U8", shape: [1] }] });
    const text = new TextDecoder().decode(layout.header.subarray(8));
    expect(text.startsWith('{"q\\"\\\\\\n\\u0001/é":{')).toBe(true);
  });

  it("sorts several metadata keys so the output is deterministic", () => {
    const layout = layoutFile({ tensors: [], metadata: { z: "1", a: "2" } });
    expect(new TextDecoder().decode(layout.header.subarray(8)).trimEnd()).toBe('{"__metadata__":{"a":"2","z":"1"}}');
  });

  it("refuses plans that cannot be written", () => {
    const bad: PlannedTensor[][] = [
      [
        { name: "x", dtype: "U8", shape: [1] },
        { name: "x", dtype: "U8", shape: [2] },
      ],
      [{ name: "__metadata__", dtype: "U8", shape: [1] }],
      [{ name: "\uD800", dtype: "U8", shape: [1] }],
      [{ name: "x", dtype: "U8", shape: [-1] }],
      [{ name: "x", dtype: "F64", shape: [2 ** 30, 2 ** 30, 2 ** 30] }],
    ];
    for (const tensors of bad) {
      expect(() => layoutFile({ tensors })).toThrow(DataError);
    }
  });
});
