import { XetFormatError } from "./decode-chunk.js";
import { hashToHex, type XetHash } from "./xet-hash.js";

/** One term of a file: chunks [chunkStart, chunkEnd) of a xorb, `length` bytes once decoded. */
export interface FileTerm {
  xorb: XetHash;
  length: number;
  chunkStart: number;
  chunkEnd: number;
  /** The term's verification hash, when the writer sent one. */
  verification?: XetHash;
}

/** A file as a shard describes it: its Xet hash, the terms that rebuild it in order, and its sha256 (hex). */
export interface ShardFile {
  hash: XetHash;
  terms: FileTerm[];
  sha256?: string;
}

/** Largest shard accepted (hf_xet aims at 64 MiB). */
export const maxShardBytes = 64 * 1024 * 1024;

const magic = Buffer.from([
  ...Buffer.from("HFRepoMetaData", "latin1"),
  0,
  0x55,
  0x69,
  0x67,
  0x45,
  0x6a,
  0x7b,
  0x81,
  0x57,
  0x83,
  0xa5,
  0xbd,
  0xd9,
  0x5c,
  0xcd,
  0xd1,
  0x4a,
  0xa9,
]);
const headerBytes = 48;
const entryBytes = 48;
const withVerification = 0x80000000;
const withMetadata = 0x40000000;

/**
 * Reads the file section of an uploaded shard (hub-docs docs/xet/shard.md). Only what follows matters to the server:
 * its own xorb indexes say where chunks are, so the CAS section (and the footer JS writes, though the spec says
 * uploads omit it) is checked for shape only. All integers are little-endian.
 */
export function parseShard(shard: Buffer): ShardFile[] {
  if (shard.length < headerBytes || !shard.subarray(0, 32).equals(magic)) {
    throw new XetFormatError("the body is not a Xet shard (its 32-byte header tag is wrong)");
  }
  const version = shard.readBigUInt64LE(32);
  if (version !== 2n) throw new XetFormatError(`the shard has header version ${version}, not 2`);
  let at = headerBytes;
  const entry = (): number => {
    if (at + entryBytes > shard.length) throw new XetFormatError("the shard ends before its file and xorb sections do");
    const start = at;
    at += entryBytes;
    return start;
  };
  const isBookend = (start: number): boolean => shard.subarray(start, start + 32).every((byte) => byte === 0xff);
  const hashAt = (start: number): XetHash => Uint8Array.from(shard.subarray(start, start + 32));

  const files: ShardFile[] = [];
  for (;;) {
    const head = entry();
    if (isBookend(head)) break;
    const flags = shard.readUInt32LE(head + 32);
    const count = shard.readUInt32LE(head + 36);
    if (count > (shard.length - at) / entryBytes)
      throw new XetFormatError("a file entry of the shard claims more terms than the shard holds");
    const terms: FileTerm[] = [];
    for (let i = 0; i < count; i++) {
      const term = entry();
      const chunkStart = shard.readUInt32LE(term + 40);
      const chunkEnd = shard.readUInt32LE(term + 44);
      if (chunkEnd <= chunkStart) throw new XetFormatError(`term ${i} of a file in the shard has an empty chunk range`);
      terms.push({ xorb: hashAt(term), length: shard.readUInt32LE(term + 36), chunkStart, chunkEnd });
    }
    if (flags & withVerification) {
      for (const term of terms) term.verification = hashAt(entry());
    }
    const file: ShardFile = { hash: hashAt(head), terms };
    // The sha256 is stored like every hash, so its hex form is read the same way (hf_xet and JS both write it so).
    if (flags & withMetadata) file.sha256 = hashToHex(hashAt(entry()));
    files.push(file);
  }
  for (;;) {
    const head = entry();
    if (isBookend(head)) break;
    const chunks = shard.readUInt32LE(head + 36);
    if (chunks > (shard.length - at) / entryBytes)
      throw new XetFormatError("a xorb entry of the shard claims more chunks than the shard holds");
    at += chunks * entryBytes;
  }
  return files;
}
