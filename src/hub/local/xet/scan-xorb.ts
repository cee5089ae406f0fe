import { open } from "node:fs/promises";
import { chunkHeaderBytes, decodeChunk, parseChunkHeader, XetFormatError } from "./decode-chunk.js";
import type { XetHash, XetHasher } from "./xet-hash.js";

/** Where a xorb's chunks are and what they hash to: everything reconstruction needs, so chunks are decoded once. */
export interface XorbIndex {
  chunks: XorbChunk[];
}

export interface XorbChunk {
  hash: XetHash;
  /** Offset of the byte after this chunk (header included) in the xorb; the next chunk starts there. */
  end: number;
  /** Decoded length. */
  length: number;
}

/** A xorb holds at most 64 MiB of chunk data; headers and hf_xet's footer come on top. */
export const maxXorbBytes = 66 * 1024 * 1024;

/** Spec limit on chunks per xorb, which also bounds the index kept in memory. */
export const maxXorbChunks = 8192;

const footerMagic = Buffer.from("XETBLOB", "latin1");

/**
 * Walks a stored xorb chunk by chunk (one chunk in memory at a time), decodes and hashes each, and checks that the
 * chunks hash to `expected`. The footer hf_xet appends (JS writes none) starts with "XETBLOB", which can never start
 * a chunk header (version byte 0), so the walk ends there. Throws XetFormatError for anything corrupt.
 */
export async function scanXorb(options: { path: string; expected: XetHash; hasher: XetHasher }): Promise<XorbIndex> {
  const { hasher } = options;
  const handle = await open(options.path, "r");
  try {
    const { size } = await handle.stat();
    const chunks: XorbChunk[] = [];
    const header = Buffer.alloc(chunkHeaderBytes);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(header, 0, chunkHeaderBytes, offset);
      if (bytesRead >= footerMagic.length && header.subarray(0, footerMagic.length).equals(footerMagic)) break;
      if (bytesRead < chunkHeaderBytes) throw new XetFormatError(`the xorb ends inside a chunk header at byte ${offset}`);
      const parsed = parseChunkHeader(header);
      const start = offset + chunkHeaderBytes;
      if (start + parsed.compressedLength > size) throw new XetFormatError(`chunk ${chunks.length} runs past the end of the xorb`);
      if (chunks.length === maxXorbChunks) throw new XetFormatError(`the xorb has more than ${maxXorbChunks} chunks`);
      const data = Buffer.alloc(parsed.compressedLength);
      await handle.read(data, 0, data.length, start);
      const bytes = decodeChunk(parsed, data);
      offset = start + parsed.compressedLength;
      chunks.push({ hash: hasher.chunkHash(bytes), end: offset, length: bytes.length });
    }
    if (chunks.length === 0) throw new XetFormatError("the xorb holds no chunks");
    const actual = hasher.merkleRoot(chunks.map(({ hash, length }) => ({ hash, length })));
    if (!Buffer.from(actual).equals(options.expected)) throw new XetFormatError("the xorb's chunks do not hash to the xorb hash in the URL");
    return { chunks };
  } finally {
    await handle.close();
  }
}

/** The index as stored beside the xorb: 40 bytes per chunk (hash, end offset u32, length u32, little-endian). */
export function encodeXorbIndex(index: XorbIndex): Buffer {
  const out = Buffer.alloc(index.chunks.length * 40);
  index.chunks.forEach((chunk, i) => {
    out.set(chunk.hash, i * 40);
    out.writeUInt32LE(chunk.end, i * 40 + 32);
    out.writeUInt32LE(chunk.length, i * 40 + 36);
  });
  return out;
}

export function decodeXorbIndex(bytes: Buffer): XorbIndex {
  if (bytes.length === 0 || bytes.length % 40 !== 0) throw new Error("decodeXorbIndex: a stored xorb index is damaged");
  const chunks: XorbChunk[] = [];
  for (let at = 0; at < bytes.length; at += 40) {
    chunks.push({ hash: Uint8Array.from(bytes.subarray(at, at + 32)), end: bytes.readUInt32LE(at + 32), length: bytes.readUInt32LE(at + 36) });
  }
  return { chunks };
}
