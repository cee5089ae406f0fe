import { describe, expect, it } from "vitest";
import { hashToHex, hexToHash, loadXetHasher } from "./xet-hash.js";

describe("Xet hashes", () => {
  it("prints a hash as four little-endian u64s, and parses that form back", () => {
    const raw = Uint8Array.from({ length: 32 }, (_, i) => i);
    const hex = "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918";
    expect(hashToHex(raw)).toBe(hex);
    expect(hexToHash(hex)).toEqual(raw);
    expect(hexToHash(hex.toUpperCase())).toEqual(raw);
    expect(hexToHash("07")).toBeUndefined();
    expect(hexToHash(`${hex.slice(0, 63)}g`)).toBeUndefined();
  });

  it("gives a one-chunk file the hash hf_xet gives it", async () => {
    const hasher = await loadXetHasher();
    const bytes = Buffer.from("hello world");
    // hf_xet.hash_files of an 11-byte file holding "hello world" (hf_xet 1.6.0).
    expect(hashToHex(hasher.fileHash([{ hash: hasher.chunkHash(bytes), length: bytes.length }]))).toBe(
      "f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f",
    );
  });

  it("gives an empty file the all-zero hash", async () => {
    const hasher = await loadXetHasher();
    expect(hasher.fileHash([])).toEqual(new Uint8Array(32));
  });

  it("groups 3 to 9 children per node: the root depends on every leaf, its length and their order", async () => {
    const hasher = await loadXetHasher();
    const leaves = Array.from({ length: 40 }, (_, i) => ({ hash: hasher.chunkHash(Buffer.from(`chunk ${i}`)), length: 1000 + i }));
    const root = hashToHex(hasher.merkleRoot(leaves));
    expect(hashToHex(hasher.merkleRoot(leaves.slice().reverse()))).not.toBe(root);
    expect(hashToHex(hasher.merkleRoot(leaves.map((leaf, i) => (i === 17 ? { ...leaf, length: leaf.length + 1 } : leaf))))).not.toBe(root);
    // One leaf is its own root; the file hash is always keyed on top of the root.
    expect(hasher.merkleRoot(leaves.slice(0, 1))).toEqual(leaves[0]!.hash);
    expect(hasher.fileHash(leaves.slice(0, 1))).not.toEqual(leaves[0]!.hash);
  });
});
