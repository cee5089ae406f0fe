import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { chunkHeaderBytes, decodeChunk, parseChunkHeader, XetFormatError } from "./decode-chunk.js";
import { scanXorb, XorbIndex } from "./scan-xorb.js";
import { hashToHex, hexToHash, loadXetHasher } from "./xet-hash.js";

const fixtures = resolve(import.meta.dirname, "../../../../test/fixtures/xet");

/** The two xorbs hf_xet wrote for test/fixtures/xet (see its README): their hashes and the file each rebuilds. */
const cases = [
  {
    name: "lz4",
    xorb: "a45c9424af91ee7d928d9cb45bbd86eb7a6989e250b856216d6fabb8d13120ba",
    chunks: 12,
    size: 760000,
    sha256: "9b644a3d3fc05fc200212f6ee749bd14c848a8b93b6dd4e6a5039e7d2f445bb5",
    file: "322d7e579ab125933e6dd1d8b91922696532c8276d5c7b627f26091b01f4493b",
  },
  {
    name: "bg4",
    xorb: "45cdd3e6e80d03939b824e6da9a41ad35af02b05a5167632285bbdfd6528c24f",
    chunks: 3,
    size: 200007,
    sha256: "0c5674201bec65048317614ad93210cf7a0107c72c1c73a5d6d5fd7305704ee6",
    file: "54d57c4c5d4e53ea98c3ffb8e265902bd8d8fd1a517b82bb6980036fa19e0e00",
  },
];

async function copyOf(bytes: Uint8Array): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "tvhub-xorb-")), "xorb");
  await writeFile(path, bytes);
  return path;
}

/** Decodes a whole xorb in memory, the straightforward way, to compare with what the scan says. */
function decodeAll(xorb: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < xorb.length; ) {
    const header = parseChunkHeader(xorb.subarray(at, at + chunkHeaderBytes));
    out.push(
      decodeChunk(header, xorb.subarray(at + chunkHeaderBytes, at + chunkHeaderBytes + header.compressedLength)),
    );
    at += chunkHeaderBytes + header.compressedLength;
  }
  return out;
}

describe("scanXorb", () => {
  for (const c of cases) {
    it(
      `indexes hf_xet's ${c.name} xorb: chunk hashes give its xorb hash and hf_xet's file hash, and the bytes its ` +
        "sha256",
      async () => {
        const hasher = await loadXetHasher();
        const path = join(fixtures, `${c.name}.xorb`);
        const index = await scanXorb({ path, expected: hexToHash(c.xorb)!, hasher });
        expect(index.count).toBe(c.chunks);
        expect(index.end(index.count - 1)).toBe((await readFile(path)).length);
        const bytes = decodeAll(await readFile(path));
        const tree = hasher.merkleTree();
        let size = 0;
        for (let i = 0; i < index.count; i++) {
          expect(index.length(i)).toBe(bytes[i]!.length);
          expect(index.hash(i)).toEqual(Buffer.from(hasher.chunkHash(bytes[i]!)));
          tree.add(index.hash(i), index.length(i));
          size += index.length(i);
        }
        expect(size).toBe(c.size);
        expect(hashToHex(tree.fileHash())).toBe(c.file);
        expect(createHash("sha256").update(Buffer.concat(bytes)).digest("hex")).toBe(c.sha256);
        expect(new XorbIndex(Buffer.from(index.records)).end(2)).toBe(index.end(2));
      },
    );
  }

  it("ends at hf_xet's XETBLOB footer, which no chunk header can start with", async () => {
    const hasher = await loadXetHasher();
    const xorb = await readFile(join(fixtures, "lz4.xorb"));
    const withFooter = Buffer.concat([xorb, Buffer.from("XETBLOB"), Buffer.alloc(200, 7)]);
    const index = await scanXorb({ path: await copyOf(withFooter), expected: hexToHash(cases[0]!.xorb)!, hasher });
    expect(index.count).toBe(12);
  });

  it("refuses a xorb with one flipped byte, a cut-off one, one named by another hash, and an empty one", async () => {
    const hasher = await loadXetHasher();
    const xorb = await readFile(join(fixtures, "lz4.xorb"));
    const expected = hexToHash(cases[0]!.xorb)!;
    const flipped = Buffer.from(xorb);
    flipped[xorb.length - 100]! ^= 0x40;
    await expect(scanXorb({ path: await copyOf(flipped), expected, hasher })).rejects.toThrow(XetFormatError);
    await expect(scanXorb({ path: await copyOf(xorb.subarray(0, xorb.length - 1)), expected, hasher })).rejects.toThrow(
      /runs past the end/,
    );
    await expect(scanXorb({ path: await copyOf(xorb), expected: hexToHash(cases[1]!.xorb)!, hasher })).rejects.toThrow(
      /do not hash to the xorb hash/,
    );
    await expect(scanXorb({ path: await copyOf(Buffer.alloc(0)), expected, hasher })).rejects.toThrow(/no chunks/);
    const badHeader = Buffer.from(xorb);
    badHeader[4] = 9;
    await expect(scanXorb({ path: await copyOf(badHeader), expected, hasher })).rejects.toThrow(/compression scheme 9/);
  });
});
