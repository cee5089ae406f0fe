import { open } from "node:fs/promises";
import { checkRange } from "./check-range.js";
import { corrupt } from "./errors.js";
import type { ByteSource } from "./types.js";

/** Node refuses a single read of 2 GiB or more; big tensors are read in pieces. */
const maxReadBytes = 1 << 30;

export interface OpenFileSourceOptions {
  path: string;
  /** What error messages call it. @default path */
  name?: string;
}

/**
 * A ByteSource over a local file: positional reads on one FileHandle, so reading a tensor touches only its
 * bytes. The size is the size at open time; a file that shrinks afterwards gives a SHORT_READ error.
 */
export async function openFileSource(options: OpenFileSourceOptions): Promise<ByteSource> {
  const name = options.name ?? options.path;
  const handle = await open(options.path, "r");
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (error) {
    await handle.close();
    throw error;
  }
  let closed = false;
  return {
    name,
    size,
    async read(start: number, end: number, into?: Uint8Array): Promise<Uint8Array> {
      checkRange(name, size, start, end);
      // A reused buffer saves zeroing and faulting in fresh pages, which costs more than the read itself.
      const out = into && into.byteLength >= end - start ? into.subarray(0, end - start) : new Uint8Array(end - start);
      let filled = 0;
      while (filled < out.length) {
        const { bytesRead } = await handle.read(
          out,
          filled,
          Math.min(out.length - filled, maxReadBytes),
          start + filled,
        );
        if (bytesRead === 0) {
          throw corrupt(
            "SAFETENSORS_SHORT_READ",
            name,
            `reading bytes [${start}, ${end}) stopped after ${filled} bytes; the file was truncated or replaced ` +
              "while tvhub read it.",
          );
        }
        filled += bytesRead;
      }
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
