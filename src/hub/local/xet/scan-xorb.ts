import { open } from "node:fs/promises";
import { chunkHeaderBytes, decodeChunk, parseChunkHeader, XetFormatError } from "./decode-chunk.js";
import type { XetHash, XetHasher } from "./xet-hash.js";

/**
 * Where a xorb's chunks are and what they hash to: everything reconstruction needs, so chunks are decoded once. Kept
 * as the 40-byte records it is stored as (hash, end offset u32, decoded length u32, little-endian), not as objects,
 * so the indexes of many large xorbs fit in little memory.
 */
export class XorbIndex {
  static readonly recordBytes = 40;

  constructor(readonly records: Buffer) {
    if (records.length === 0 || records.length % XorbIndex.recordBytes !== 0)
      throw new Error("XorbIndex: a stored xorb index is damaged");
  }

  get count(): number {
    return this.records.length / XorbIndex.recordBytes;
  }

  hash(i: number): Buffer {
    return this.records.subarray(i * XorbIndex.recordBytes, i * XorbIndex.recordBytes + 32);
  }

  /** Offset of chunk i's header in the xorb. */
  start(i: number): number {
    return i === 0 ? 0 : this.end(i - 1);
  }

  /** Offset of the byte after chunk i (header included); the next chunk starts there. */
  end(i: number): number {
    return this.records.readUInt32LE(i * XorbIndex.recordBytes + 32);
  }

  length(i: number): number {
    return this.records.readUInt32LE(i * XorbIndex.recordBytes + 36);
  }
}

/** A xorb holds at most 64 MiB of chunk data; headers and hf_xet's footer come on top. */
export const maxXorbBytes = 66 * 1024 * 1024;

/** Spec limit on chunks per xorb, which also bounds an index. */
export const maxXorbChunks = 8192;

const footerMagic = Buffer.from("XETBLOB", "latin1");

/**
 * Walks a stored xorb chunk by chunk (one chunk in memory at a time), decodes and hashes each, and checks that the
 * chunks hash to `expected`. The footer hf_xet may append (JS writes none) starts with "XETBLOB", which can never
 * start a chunk header (version byte 0), so the walk ends there. Throws XetFormatError for anything corrupt.
 */
export async function scanXorb(options: { path: string; expected: XetHash; hasher: XetHasher }): Promise<XorbIndex> {
  const { hasher } = options;
  const handle = await open(options.path, "r");
  try {
    const { size } = await handle.stat();
    const records = Buffer.alloc(maxXorbChunks * XorbIndex.recordBytes);
    const tree = hasher.merkleTree();
    const header = Buffer.alloc(chunkHeaderBytes);
    let count = 0;
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(header, 0, chunkHeaderBytes, offset);
      if (bytesRead >= footerMagic.length && header.subarray(0, footerMagic.length).equals(footerMagic)) break;
      if (bytesRead < chunkHeaderBytes)
        throw new XetFormatError(`the xorb ends inside a chunk header at byte ${offset}`);
      const parsed = parseChunkHeader(header);
      const start = offset + chunkHeaderBytes;
      if (start + parsed.compressedLength > size)
        throw new XetFormatError(`chunk ${count} runs past the end of the xorb`);
      if (count === maxXorbChunks) throw new XetFormatError(`the xorb has more than ${maxXorbChunks} chunks`);
      const data = Buffer.alloc(parsed.compressedLength);
      await handle.read(data, 0, data.length, start);
      const bytes = decodeChunk(parsed, data);
      const hash = hasher.chunkHash(bytes);
      offset = start + parsed.compressedLength;
      const at = count * XorbIndex.recordBytes;
      records.set(hash, at);
      records.writeUInt32LE(offset, at + 32);
      records.writeUInt32LE(bytes.length, at + 36);
      tree.add(hash, bytes.length);
      count++;
    }
    if (count === 0) throw new XetFormatError("the xorb holds no chunks");
    if (!Buffer.from(tree.root()).equals(options.expected))
      throw new XetFormatError("the xorb's chunks do not hash to the xorb hash in the URL");
    return new XorbIndex(Buffer.from(records.subarray(0, count * XorbIndex.recordBytes)));
  } finally {
    await handle.close();
  }
}
