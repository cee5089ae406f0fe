import { corrupt } from "./errors.js";
import { parseHeader, parseHeaderLength } from "./parse-header.js";
import type { ByteSource, SafetensorsHeader } from "./types.js";

/**
 * The first read covers the length field and, for almost every real file (headers are 10–60 kB), the whole
 * header: one range request instead of two on the Hub, and never more than this many bytes beyond the header.
 */
const firstReadBytes = 64 * 1024;

export interface ReadHeaderOptions {
  source: ByteSource;
}

/** Reads and validates one file's header: two reads at most, neither larger than the file. */
export async function readHeader(options: ReadHeaderOptions): Promise<SafetensorsHeader> {
  const { source } = options;
  const fileSize = source.size;
  if (!Number.isSafeInteger(fileSize) || fileSize < 8) {
    throw corrupt(
      "SAFETENSORS_TOO_SMALL",
      source.name,
      `the file is ${fileSize} bytes long, too short for the 8-byte header length a safetensors file starts with; it is truncated or not a safetensors file.`,
    );
  }
  const first = await source.read(0, Math.min(fileSize, firstReadBytes));
  const headerLength = parseHeaderLength({ name: source.name, fileSize, bytes: first.subarray(0, 8) });
  const end = 8 + headerLength;
  let bytes: Uint8Array;
  if (end <= first.length) {
    bytes = first.subarray(8, end);
  } else {
    // headerLength was checked against the file size above, so this allocation is bounded by the file.
    bytes = new Uint8Array(headerLength);
    bytes.set(first.subarray(8), 0);
    bytes.set(await source.read(first.length, end), first.length - 8);
  }
  return parseHeader({ name: source.name, fileSize, headerLength, bytes });
}
