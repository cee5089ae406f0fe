import { open } from "node:fs/promises";
import { DataError } from "../errors.js";
import type { ByteSource } from "../safetensors/types.js";

export interface OpenLocalFileOptions {
  path: string;
  /** What error messages call it, e.g. `org/x@sha:model.safetensors`. */
  name?: string;
}

/** A ByteSource over a file on disk (a Hub cache snapshot follows its symlink to the blob). */
export async function openLocalFile(options: OpenLocalFileOptions): Promise<ByteSource> {
  const name = options.name ?? options.path;
  const handle = await open(options.path, "r");
  const size = (await handle.stat()).size;
  let closed = false;
  return {
    name,
    size,
    async read(start: number, end: number): Promise<Uint8Array> {
      checkRange(name, size, start, end);
      const out = new Uint8Array(end - start);
      let filled = 0;
      while (filled < out.length) {
        const { bytesRead } = await handle.read(out, filled, out.length - filled, start + filled);
        if (bytesRead === 0) {
          throw new DataError(`${name} ended at byte ${start + filled}, before the ${size} bytes it had when opened; rerun.`, {
            code: "HUB_FILE_SHRANK",
            subject: name,
          });
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

export function checkRange(name: string, size: number, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > size) {
    throw new DataError(`Cannot read bytes ${start}-${end} of ${name}: the file has ${size} bytes.`, {
      code: "HUB_READ_OUT_OF_RANGE",
      subject: name,
    });
  }
}
