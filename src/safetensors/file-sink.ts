import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { InternalError } from "../errors.js";
import type { ByteSink } from "./types.js";

export interface CreateFileSinkOptions {
  /** The final path; bytes go to `<path>.tmp` until commit renames it, so a crash never leaves a truncated file there. */
  path: string;
  /** Size of each of the two write buffers. @default 8 MiB */
  bufferSize?: number;
  /** fsync before the rename, so a power loss cannot leave a complete-looking but empty file. @default true */
  durable?: boolean;
}

/**
 * A file written through two buffers: one fills while the other is on its way to disk, so the caller's next
 * chunk (hashing, computing) overlaps with the previous write. A chunk is copied before `write` resolves, so the
 * caller may reuse it at once; memory stays at two buffers whatever the chunk sizes.
 */
export async function createFileSink(options: CreateFileSinkOptions): Promise<ByteSink> {
  const { path } = options;
  const temporary = `${path}.tmp`;
  const durable = options.durable ?? true;
  const bufferSize = options.bufferSize ?? 8 * 1024 * 1024;
  await mkdir(dirname(path), { recursive: true });
  const handle: FileHandle = await open(temporary, "w");
  let filling = new Uint8Array(bufferSize);
  let spare = new Uint8Array(bufferSize);
  let filled = 0;
  let inFlight: Promise<void> | undefined;
  let state: "open" | "committed" | "aborted" = "open";

  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  };
  /** Sends the filling buffer to disk once the previous write is done, and swaps buffers. */
  const ship = async (): Promise<void> => {
    await inFlight;
    if (filled === 0) return;
    const bytes = filling.subarray(0, filled);
    inFlight = writeAll(bytes);
    // The caller learns of a failure at its next write or at commit; keep it from being an unhandled rejection meanwhile.
    inFlight.catch(() => {});
    [filling, spare] = [spare, filling];
    filled = 0;
  };
  const checkOpen = (what: string): void => {
    if (state !== "open") {
      throw new InternalError(`${path}: a ${what} came after the file was ${state}; this is a bug in tvhub, please report it.`, { code: "SINK_STATE" });
    }
  };

  return {
    async write(chunk: Uint8Array): Promise<void> {
      checkOpen("write");
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(chunk.length - offset, bufferSize - filled);
        filling.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === bufferSize) await ship();
      }
    },
    async commit(): Promise<void> {
      checkOpen("commit");
      await ship();
      await inFlight;
      if (durable) await handle.datasync();
      await handle.close();
      await rename(temporary, path);
      state = "committed";
    },
    async abort(): Promise<void> {
      if (state !== "open") return;
      state = "aborted";
      await inFlight?.catch(() => {});
      await handle.close().catch(() => {});
      await rm(temporary, { force: true });
    },
  };
}
