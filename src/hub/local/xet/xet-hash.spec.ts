import { describe, expect, it } from "vitest";
import { hashToHex, hexToHash, loadXetHasher, type XetHash } from "./xet-hash.js";

type Leaf = { hash: XetHash; length: number };

/** The tree as the spec states it, level by level in memory: the reference the streaming tree is checked against. */
async function batchRoot(leaves: Leaf[]): Promise<XetHash> {
  const { createBLAKE3 } = await import("hash-wasm");
  const nodeKey = Buffer.from("017ec5c7a5472996fd946666b48a02e65ddd536f37c76dd2f86352e64a53713f", "hex");
  const node = await createBLAKE3(256, nodeKey);
  let level = leaves;
  while (level.length > 1) {
    const next: Leaf[] = [];
    for (let start = 0; start < level.length; ) {
      let end = Math.min(start + 9, level.length);
      for (let i = start + 2; i < end; i++) {
        if (level[i]!.hash[24]! % 4 === 0) {
          end = i + 1;
          break;
        }
      }
      const group = level.slice(start, end);
      const text = group.map((leaf) => `${hashToHex(leaf.hash)} : ${leaf.length}\n`).join("");
      next.push({
        hash: node.init().update(text).digest("binary"),
        length: group.reduce((sum, leaf) => sum + leaf.length, 0),
      });
      start = end;
    }
    level = next;
  }
  return level[0]?.hash ?? new Uint8Array(32);
}

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
    const tree = hasher.merkleTree();
    tree.add(hasher.chunkHash(bytes), bytes.length);
    expect(hashToHex(tree.fileHash())).toBe("f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f");
  });

  it("gives an empty file the all-zero hash", async () => {
    const hasher = await loadXetHasher();
    expect(hasher.merkleTree().fileHash()).toEqual(new Uint8Array(32));
  });

  it(
    "builds, one leaf at a time, the tree the spec builds level by level, for every size from 0 to 300 " + "leaves",
    async () => {
      const hasher = await loadXetHasher();
      const leaves = Array.from({ length: 300 }, (_, i) => ({
        hash: hasher.chunkHash(Buffer.from(`chunk ${i}`)),
        length: 1000 + i,
      }));
      for (let n = 0; n <= leaves.length; n++) {
        const tree = hasher.merkleTree();
        for (const leaf of leaves.slice(0, n)) tree.add(leaf.hash, leaf.length);
        expect(hashToHex(tree.root()), `${n} leaves`).toBe(hashToHex(await batchRoot(leaves.slice(0, n))));
      }
    },
  );

  it("makes the root depend on every leaf, its length and their order; one leaf is its own root", async () => {
    const hasher = await loadXetHasher();
    const leaves = Array.from({ length: 40 }, (_, i) => ({
      hash: hasher.chunkHash(Buffer.from(`chunk ${i}`)),
      length: 1000 + i,
    }));
    const rootOf = (list: Leaf[]): string => {
      const tree = hasher.merkleTree();
      for (const leaf of list) tree.add(leaf.hash, leaf.length);
      return hashToHex(tree.root());
    };
    const root = rootOf(leaves);
    expect(rootOf(leaves.slice().reverse())).not.toBe(root);
    expect(rootOf(leaves.map((leaf, i) => (i === 17 ? { ...leaf, length: leaf.length + 1 } : leaf)))).not.toBe(root);
    expect(rootOf(leaves.slice(0, 1))).toBe(hashToHex(leaves[0]!.hash));
  });
});
