import { decodeLz4Frame, Lz4Error } from "./decode-lz4-frame.js";

/** The 8-byte header in front of every chunk of a xorb (hub-docs docs/xet/xorb.md). */
export interface ChunkHeader {
  /** Bytes of chunk data after the header. */
  compressedLength: number;
  scheme: CompressionScheme;
  /** Bytes once decoded. */
  length: number;
}

export type CompressionScheme = "none" | "lz4" | "bg4-lz4";

export const chunkHeaderBytes = 8;

/** The largest chunk the chunker makes is 128 KiB; twice that leaves room without letting a header claim megabytes. */
export const maxChunkBytes = 256 * 1024;

const schemes: Record<number, CompressionScheme> = { 0: "none", 1: "lz4", 2: "bg4-lz4" };

/** A xorb or chunk that is not what it claims to be; the CAS answers 400 with its message. */
export class XetFormatError extends Error {}

/** Reads a chunk header; throws XetFormatError for a version, scheme or length no client writes. */
export function parseChunkHeader(bytes: Uint8Array): ChunkHeader {
  if (bytes.length < chunkHeaderBytes) throw new XetFormatError("a chunk header is cut off");
  if (bytes[0] !== 0) throw new XetFormatError(`a chunk header has version ${bytes[0]}, not 0`);
  const compressedLength = bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16);
  const scheme = schemes[bytes[4]!];
  const length = bytes[5]! | (bytes[6]! << 8) | (bytes[7]! << 16);
  if (scheme === undefined)
    throw new XetFormatError(`a chunk uses compression scheme ${bytes[4]}, which is not none, LZ4 or BG4+LZ4`);
  if (length === 0 || length > maxChunkBytes)
    throw new XetFormatError(`a chunk claims ${length} bytes; chunks hold 1 to ${maxChunkBytes}`);
  if (scheme === "none" ? compressedLength !== length : compressedLength === 0) {
    throw new XetFormatError("a chunk's stored length does not fit its compression scheme");
  }
  return { compressedLength, scheme, length };
}

/** A chunk's bytes, decoded. */
export function decodeChunk(header: ChunkHeader, data: Uint8Array): Uint8Array {
  if (data.length !== header.compressedLength) throw new XetFormatError("a chunk's data is cut off");
  if (header.scheme === "none") return data;
  let decoded: Uint8Array;
  try {
    decoded = decodeLz4Frame(data, header.length);
  } catch (error) {
    if (error instanceof Lz4Error) throw new XetFormatError(`a chunk cannot be decompressed: ${error.message}`);
    throw error;
  }
  return header.scheme === "bg4-lz4" ? regroupBg4(decoded) : decoded;
}

/**
 * Undoes byte grouping: the encoder put byte i into plane i mod 4 and concatenated the planes (the first `n mod 4`
 * planes hold one byte more), which helps LZ4 on float weights.
 */
export function regroupBg4(grouped: Uint8Array): Uint8Array {
  const n = grouped.length;
  const out = new Uint8Array(n);
  const split = Math.floor(n / 4);
  const rem = n % 4;
  // Plane p starts after the planes before it, each `split` bytes plus one for the first `rem` planes.
  const p1 = split + (rem > 0 ? 1 : 0);
  const p2 = p1 + split + (rem > 1 ? 1 : 0);
  const p3 = p2 + split + (rem > 2 ? 1 : 0);
  for (let j = 0; j < split; j++) {
    const at = j * 4;
    out[at] = grouped[j]!;
    out[at + 1] = grouped[p1 + j]!;
    out[at + 2] = grouped[p2 + j]!;
    out[at + 3] = grouped[p3 + j]!;
  }
  const starts = [0, p1, p2];
  for (let plane = 0; plane < rem; plane++) out[split * 4 + plane] = grouped[starts[plane]! + split]!;
  return out;
}
