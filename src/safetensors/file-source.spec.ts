import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError, InternalError } from "../errors.js";
import { bufferSource } from "./buffer-source.js";
import { openFileSource } from "./file-source.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tvhub-source-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openFileSource", () => {
  it("reads exact byte ranges by position", async () => {
    const path = join(dir, "bytes.bin");
    await writeFile(
      path,
      Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff),
    );
    const source = await openFileSource({ path, name: "bytes.bin" });
    expect(source.size).toBe(1000);
    expect([...(await source.read(998, 1000))]).toEqual([998 & 0xff, 999 & 0xff]);
    expect(await source.read(5, 5)).toHaveLength(0);
    await expect(source.read(990, 1001)).rejects.toBeInstanceOf(InternalError);
    await source.close?.();
    await source.close?.();
  });

  it("reads into a caller's buffer when it is large enough, and into a new one when it is not", async () => {
    const path = join(dir, "into.bin");
    await writeFile(
      path,
      Uint8Array.from({ length: 100 }, (_, i) => i),
    );
    const source = await openFileSource({ path });
    const buffer = new Uint8Array(16).fill(0xee);
    const got = await source.read(10, 20, buffer);
    expect(got.buffer).toBe(buffer.buffer);
    expect([...got]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(buffer[10]).toBe(0xee);
    const small = new Uint8Array(4);
    const fresh = await source.read(0, 8, small);
    expect(fresh.buffer).not.toBe(small.buffer);
    expect([...fresh]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...small]).toEqual([0, 0, 0, 0]);
    await source.close?.();
  });

  it("fails with a DataError, not short data, when the file shrinks after it was opened", async () => {
    const path = join(dir, "shrinks.bin");
    await writeFile(path, new Uint8Array(100));
    const source = await openFileSource({ path });
    await truncate(path, 40);
    const error = await source.read(0, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: "SAFETENSORS_SHORT_READ" });
    expect((error as Error).message).toContain(path);
    await source.close?.();
  });
});

describe("bufferSource", () => {
  it("returns views of the requested range and refuses ranges outside", async () => {
    const source = bufferSource({ bytes: new Uint8Array([1, 2, 3, 4]), name: "mem" });
    expect([...(await source.read(1, 3))]).toEqual([2, 3]);
    await expect(source.read(-1, 2)).rejects.toBeInstanceOf(InternalError);
    await expect(source.read(3, 2)).rejects.toBeInstanceOf(InternalError);
  });
});
