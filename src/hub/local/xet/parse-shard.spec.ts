import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { XetFormatError } from "./decode-chunk.js";
import { parseShard } from "./parse-shard.js";
import { scanXorb } from "./scan-xorb.js";
import { hashToHex, loadXetHasher } from "./xet-hash.js";

const fixtures = resolve(import.meta.dirname, "../../../../test/fixtures/xet");

describe("parseShard", () => {
  it("reads hf_xet's shard: the file hash, its terms, their verification hashes and the file's sha256", async () => {
    const hasher = await loadXetHasher();
    const files = parseShard(await readFile(join(fixtures, "lz4.shard")));
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(hashToHex(file!.hash)).toBe("322d7e579ab125933e6dd1d8b91922696532c8276d5c7b627f26091b01f4493b");
    expect(file!.sha256).toBe("9b644a3d3fc05fc200212f6ee749bd14c848a8b93b6dd4e6a5039e7d2f445bb5");
    expect(file!.terms.map((term) => [hashToHex(term.xorb), term.chunkStart, term.chunkEnd, term.length])).toEqual([
      ["a45c9424af91ee7d928d9cb45bbd86eb7a6989e250b856216d6fabb8d13120ba", 0, 12, 760000],
    ]);
    // The verification hash hf_xet wrote is the one computed over the xorb's chunk hashes.
    const index = await scanXorb({ path: join(fixtures, "lz4.xorb"), expected: file!.terms[0]!.xorb, hasher });
    const hashes = Array.from({ length: index.count }, (_, i) => index.hash(i));
    expect(hasher.verificationHash(Buffer.concat(hashes))).toEqual(file!.terms[0]!.verification);
  });

  it("reads the BG4 fixture's shard too", async () => {
    const [file] = parseShard(await readFile(join(fixtures, "bg4.shard")));
    expect(file!.sha256).toBe("0c5674201bec65048317614ad93210cf7a0107c72c1c73a5d6d5fd7305704ee6");
    expect(file!.terms).toHaveLength(1);
  });

  it("refuses a body that is not a shard, a cut-off shard, and a term with an empty chunk range", async () => {
    const shard = await readFile(join(fixtures, "lz4.shard"));
    expect(() =>
      parseShard(Buffer.from("not a shard at all, just some text that is long enough to have a header")),
    ).toThrow(/header tag/);
    expect(() => parseShard(shard.subarray(0, 48 + 48 + 20))).toThrow(XetFormatError);
    const empty = Buffer.from(shard);
    empty.writeUInt32LE(empty.readUInt32LE(48 + 48 + 40), 48 + 48 + 44);
    expect(() => parseShard(empty)).toThrow(/empty chunk range/);
    const version = Buffer.from(shard);
    version.writeBigUInt64LE(3n, 32);
    expect(() => parseShard(version)).toThrow(/version 3/);
  });
});
