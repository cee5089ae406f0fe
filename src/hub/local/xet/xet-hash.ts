import type { IHasher } from "hash-wasm";
import { rememberAsync } from "../../../util/remember-async.js";

/**
 * Xet's hashes (hub-docs docs/xet/hashing.md; xet-core merklehash): keyed blake3 over chunk bytes, a Merkle tree of
 * 3–9-child nodes over (hash, length) pairs, and the file and term-verification hashes built on it. A hash is 32 raw
 * bytes; URLs, JSON and the hex form read each 8-byte group as a little-endian u64 (see `hashToHex`).
 */
export type XetHash = Uint8Array;

/** One leaf or node of the tree: a hash and the number of bytes under it. */
interface HashedRange {
  hash: XetHash;
  length: number;
}

const dataKey = Uint8Array.from([
  0x66, 0x97, 0xf5, 0x77, 0x5b, 0x95, 0x50, 0xde, 0x31, 0x35, 0xcb, 0xac, 0xa5, 0x97, 0x18, 0x1c, 0x9d, 0xe4, 0x21,
  0x10, 0x9b, 0xeb, 0x2b, 0x58, 0xb4, 0xd0, 0xb0, 0x4b, 0x93, 0xad, 0xf2, 0x29,
]);
const nodeKey = Uint8Array.from([
  0x01, 0x7e, 0xc5, 0xc7, 0xa5, 0x47, 0x29, 0x96, 0xfd, 0x94, 0x66, 0x66, 0xb4, 0x8a, 0x02, 0xe6, 0x5d, 0xdd, 0x53,
  0x6f, 0x37, 0xc7, 0x6d, 0xd2, 0xf8, 0x63, 0x52, 0xe6, 0x4a, 0x53, 0x71, 0x3f,
]);
const verificationKey = Uint8Array.from([
  0x7f, 0x18, 0x57, 0xd6, 0xce, 0x56, 0xed, 0x66, 0x12, 0x7f, 0xf9, 0x13, 0xe7, 0xa5, 0xc3, 0xf3, 0xa4, 0xcd, 0x26,
  0xd5, 0xb5, 0xdb, 0x49, 0xe6, 0x41, 0x24, 0x98, 0x7f, 0x28, 0xfb, 0x94, 0xc3,
]);
const fileKey = new Uint8Array(32);

/** Children per node: a node ends after a child whose hash is 0 mod 4 (from its third child on), or after nine. */
const meanBranching = 4;
const maxChildren = 2 * meanBranching + 1;

export interface XetHasher {
  /** The hash of one chunk's (uncompressed) bytes. */
  chunkHash(bytes: Uint8Array): XetHash;
  /** A Merkle tree over chunks fed one at a time: a xorb's hash when they are its chunks, or (`fileHash`) a file's. */
  merkleTree(): MerkleTree;
  /** The hash that proves a shard's writer knew the chunk hashes of a term: over their raw bytes, concatenated. */
  verificationHash(chunkHashes: Uint8Array): XetHash;
}

export interface MerkleTree {
  add(hash: XetHash, length: number): void;
  /** The root (the all-zero hash when nothing was added). Ends the tree: call it, or `fileHash`, once. */
  root(): XetHash;
  /** The file hash: the root keyed once more (the all-zero hash for an empty file). Ends the tree too. */
  fileHash(): XetHash;
}

/**
 * The hashers, once hash-wasm's blake3 module is loaded (it is loaded on first use, so commands that never see a Xet
 * upload do not pay for it). Each keyed hasher is reused: `init` resets it, and no call awaits between init and digest.
 */
export const loadXetHasher = rememberAsync(async (): Promise<XetHasher> => {
  const { createBLAKE3 } = await import("hash-wasm");
  const [data, node, verification, file] = await Promise.all(
    [dataKey, nodeKey, verificationKey, fileKey].map((key) => createBLAKE3(256, key)),
  );
  const digest = (hasher: IHasher, bytes: Uint8Array): XetHash => hasher.init().update(bytes).digest("binary");
  const nodeHash = (children: readonly HashedRange[]): HashedRange => {
    let text = "";
    let length = 0;
    for (const child of children) {
      text += `${hashToHex(child.hash)} : ${child.length}\n`;
      length += child.length;
    }
    return { hash: digest(node!, Buffer.from(text, "latin1")), length };
  };
  const merkleTree = (): MerkleTree => {
    // Each level keeps only its open group (at most nine nodes) and how many nodes it has had, so a file of any size
    // is hashed in constant memory. A group closes where the batch algorithm would cut it; at the end, each level's
    // open group closes too, except on the level that holds a single node: that node is the root.
    const open: HashedRange[][] = [];
    const counts: number[] = [];
    const push = (level: number, entry: HashedRange): void => {
      open[level] ??= [];
      counts[level] = (counts[level] ?? 0) + 1;
      const group = open[level]!;
      group.push(entry);
      if (group.length === maxChildren || (group.length >= 3 && isNaturalCut(entry.hash))) {
        open[level] = [];
        push(level + 1, nodeHash(group));
      }
    };
    const root = (): XetHash => {
      for (let level = 0; level < counts.length; level++) {
        if (counts[level] === 1 && level === counts.length - 1) return open[level]![0]!.hash;
        const group = open[level]!;
        if (group.length > 0) {
          open[level] = [];
          push(level + 1, nodeHash(group));
        }
      }
      return new Uint8Array(32);
    };
    return {
      add: (hash, length) => push(0, { hash, length }),
      root,
      fileHash: () => (counts.length === 0 ? new Uint8Array(32) : digest(file!, root())),
    };
  };
  return {
    chunkHash: (bytes) => digest(data!, bytes),
    merkleTree,
    verificationHash: (chunkHashes) => digest(verification!, chunkHashes),
  };
});

/** `hash % 4 == 0` on the hash's last u64, little-endian: only its lowest byte (index 24) matters. */
function isNaturalCut(hash: XetHash): boolean {
  return hash[24]! % meanBranching === 0;
}

/** The hex form of a hash: each 8-byte group printed as a little-endian u64, i.e. byte-reversed within the group. */
export function hashToHex(hash: XetHash): string {
  let hex = "";
  for (let group = 0; group < 32; group += 8) {
    for (let i = group + 7; i >= group; i--) hex += hash[i]!.toString(16).padStart(2, "0");
  }
  return hex;
}

/** The raw bytes of a hash given in hex form, or undefined when the text is not 64 hex digits. */
export function hexToHash(hex: string): XetHash | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  const hash = new Uint8Array(32);
  for (let group = 0; group < 32; group += 8) {
    for (let i = 0; i < 8; i++)
      hash[group + 7 - i] = Number.parseInt(hex.slice((group + i) * 2, (group + i) * 2 + 2), 16);
  }
  return hash;
}
