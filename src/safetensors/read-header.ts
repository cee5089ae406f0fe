import { corrupt } from "./errors.js";
import { parseHeader, parseHeaderLength } from "./parse-header.js";
import type { ByteSource, SafetensorsHeader } from "./types.js";

/**
 * The first read covers the length field and, for almost every real file (headers are 10–60 kB), the whole
 * header: one range request instead of two on the Hub, and never more than this many bytes beyond the header.
 */
const firstReadBytes = 64 * 1024;

/** ES2024's resizable ArrayBuffer (Node 20 has it; the project's TypeScript lib is ES2023). */
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => ArrayBuffer & {
  resize(length: number): void;
};

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
      `the file is ${fileSize} bytes long, too short for the 8-byte header length a safetensors file starts with; ` +
        "it is truncated or not a safetensors file.",
    );
  }
  const first = await source.read(0, Math.min(fileSize, firstReadBytes));
  const headerLength = parseHeaderLength({ name: source.name, fileSize, bytes: first.subarray(0, 8) });
  const end = 8 + headerLength;
  if (end <= first.length)
    return parseHeader({ name: source.name, fileSize, headerLength, bytes: first.subarray(8, end) });
  // headerLength was checked against the file size above, so this allocation is bounded by the file. It is
  // resizable so that it can be given back the moment the header is parsed: a 70 MB buffer left to the garbage
  // collector stays in memory while the caller builds on the header (tvhub inspect of 1,000,000 tensors).
  const buffer = new ResizableArrayBuffer(headerLength, { maxByteLength: headerLength });
  try {
    const bytes = new Uint8Array(buffer);
    bytes.set(first.subarray(8), 0);
    // Read the rest in place: the header must not sit in memory twice.
    const rest = bytes.subarray(first.length - 8);
    const read = await source.read(first.length, end, rest);
    if (read.buffer !== rest.buffer || read.byteOffset !== rest.byteOffset) rest.set(read);
    return parseHeader({ name: source.name, fileSize, headerLength, bytes });
  } finally {
    buffer.resize(0);
  }
}
