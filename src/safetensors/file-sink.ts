import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { InternalError } from "../errors.js";
import type { ByteSink } from "./types.js";

export interface CreateFileSinkOptions {
  /** The final path; bytes go to `<path>.tmp` until commit renames it, so a crash never leaves a truncated file there. */
  path: string;
  /** Small writes are gathered into one buffer of this many bytes. @default 1 MiB */
  bufferSize?: number;
  /** fsync before the rename, so a power loss cannot leave a complete-looking but empty file. @default true */
  durable?: boolean;
}

export async function createFileSink(options: CreateFileSinkOptions): Promise<ByteSink> {
  const { path } = options;
  const temporary = `${path}.tmp`;
  const durable = options.durable ?? true;
  await mkdir(dirname(path), { recursive: true });
  const handle: FileHandle = await open(temporary, "w");
  const buffer = new Uint8Array(options.bufferSize ?? 1024 * 1024);
  let buffered = 0;
  let state: "open" | "committed" | "aborted" = "open";

  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.length - done, 1 << 30));
      done += bytesWritten;
    }
  };
  const flush = async (): Promise<void> => {
    if (buffered === 0) return;
    const bytes = buffer.subarray(0, buffered);
    buffered = 0;
    await writeAll(bytes);
  };

  return {
    async write(chunk: Uint8Array): Promise<void> {
      if (state !== "open") throw new InternalError(`${path}: a write came after the file was ${state}; this is a bug in tvhub, please report it.`, { code: "SINK_STATE" });
      if (buffered + chunk.length <= buffer.length) {
        buffer.set(chunk, buffered);
        buffered += chunk.length;
        return;
      }
      await flush();
      if (chunk.length < buffer.length) {
        buffer.set(chunk, 0);
        buffered = chunk.length;
      } else {
        await writeAll(chunk);
      }
    },
    async commit(): Promise<void> {
      if (state !== "open") throw new InternalError(`${path}: a commit came after the file was ${state}; this is a bug in tvhub, please report it.`, { code: "SINK_STATE" });
      await flush();
      if (durable) await handle.datasync();
      await handle.close();
      await rename(temporary, path);
      state = "committed";
    },
    async abort(): Promise<void> {
      if (state !== "open") return;
      state = "aborted";
      await handle.close().catch(() => {});
      await rm(temporary, { force: true });
    },
  };
}
