import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { readImageSet } from "./read-image-set.js";
import { writeImageSet } from "./write-image-set.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tvhub-imageset-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A safetensors file from a literal header, for shapes and dtypes writeImageSet never produces. */
async function rawFile(name: string, header: Record<string, unknown>, data: Uint8Array): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe("image sets", () => {
  it("round-trip through safetensors with labels as I64 and id2label in the metadata", async () => {
    const path = join(dir, "digits-val.safetensors");
    const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 7) % 256);
    await writeImageSet({
      path,
      pixels,
      labels: [2, 0, 1],
      shape: [3, 4, 5],
      id2label: ["zero", "one", "two"],
      metadata: { source: "test" },
    });
    const set = await readImageSet({ path });
    expect(set).toEqual({
      name: "digits-val",
      pixels,
      labels: Int32Array.of(2, 0, 1),
      count: 3,
      channels: 1,
      height: 4,
      width: 5,
      id2label: ["zero", "one", "two"],
    });
  });

  it("reads [N, C, H, W] images and U8 labels written by another tool", async () => {
    const path = await rawFile(
      "rgb.safetensors",
      {
        images: { dtype: "U8", shape: [2, 3, 1, 1], data_offsets: [0, 6] },
        labels: { dtype: "U8", shape: [2], data_offsets: [6, 8] },
      },
      Uint8Array.of(1, 2, 3, 4, 5, 6, 9, 4),
    );
    const set = await readImageSet({ path, name: "rgb" });
    expect(set.channels).toBe(3);
    expect([...set.labels]).toEqual([9, 4]);
    expect(set.id2label).toBeUndefined();
  });

  const invalid: Array<[string, Record<string, unknown>, Uint8Array, RegExp]> = [
    [
      "float images",
      {
        images: { dtype: "F32", shape: [1, 1, 1], data_offsets: [0, 4] },
        labels: { dtype: "U8", shape: [1], data_offsets: [4, 5] },
      },
      new Uint8Array(5),
      /"images" is F32, not U8/,
    ],
    [
      "no labels",
      { images: { dtype: "U8", shape: [1, 1, 1], data_offsets: [0, 1] } },
      new Uint8Array(1),
      /no tensor "labels"/,
    ],
    [
      "a label per pixel",
      {
        images: { dtype: "U8", shape: [1, 2, 1], data_offsets: [0, 2] },
        labels: { dtype: "U8", shape: [2], data_offsets: [2, 4] },
      },
      new Uint8Array(4),
      /"labels" has shape \[2\] for 1 images/,
    ],
    [
      "a negative label",
      {
        images: { dtype: "U8", shape: [1, 1, 1], data_offsets: [0, 1] },
        labels: { dtype: "I8", shape: [1], data_offsets: [1, 2] },
      },
      Uint8Array.of(0, 0xff),
      /label -1 of image 0/,
    ],
    [
      "float labels",
      {
        images: { dtype: "U8", shape: [1, 1, 1], data_offsets: [0, 1] },
        labels: { dtype: "F32", shape: [1], data_offsets: [1, 5] },
      },
      new Uint8Array(5),
      /"labels" is F32/,
    ],
  ];
  for (const [what, header, data, message] of invalid) {
    it(`rejects ${what} with a DataError that says what an evaluation set holds`, async () => {
      const path = await rawFile(`${what.replace(/ /g, "-")}.safetensors`, header, data);
      const error = await readImageSet({ path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toContain('"images" U8 [N, H, W]');
    });
  }
});
