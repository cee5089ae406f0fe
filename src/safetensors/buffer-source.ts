import { checkRange } from "./check-range.js";
import type { ByteSource } from "./types.js";

export interface BufferSourceOptions {
  bytes: Uint8Array;
  /** What error messages call it. @default "buffer" */
  name?: string;
}

/** A ByteSource over bytes already in memory; `read` returns views, not copies. */
export function bufferSource(options: BufferSourceOptions): ByteSource {
  const { bytes } = options;
  const name = options.name ?? "buffer";
  return {
    name,
    size: bytes.length,
    async read(start: number, end: number): Promise<Uint8Array> {
      checkRange(name, bytes.length, start, end);
      return bytes.subarray(start, end);
    },
  };
}
