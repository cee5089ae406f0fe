import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { InternalError } from "../errors.js";
import type { ByteSink, SinkWriteOptions } from "./types.js";

export interface CreateFileSinkOptions {
  /**
   * The final path; bytes go to `<path>.tmp` until commit renames it, so a crash never leaves a truncated file there.
   */
  path: string;
  /** Size of each of the two write buffers. @default 8 MiB */
  bufferSize?: number;
  /** fsync before the rename, so a power loss cannot leave a complete-looking but empty file. @default true */
  durable?: boolean;
}

/**
 * A file written one write at a time, each overlapping with the caller's next chunk (hashing, computing). A chunk
 * handed over (`release`) is written from the caller's memory as it is, and released once on disk. Any other chunk
 * is copied into one of two buffers before `write` resolves, so the caller may reuse it at once: one buffer fills
 * while the other is on its way to disk, and memory stays at two buffers whatever the chunk sizes.
 */
export async function createFileSink(options: CreateFileSinkOptions): Promise<ByteSink> {
  const { path } = options;
  const temporary = `${path}.tmp`;
  const durable = options.durable ?? true;
  const bufferSize = options.bufferSize ?? 8 * 1024 * 1024;
  await mkdir(dirname(path), { recursive: true });
  const handle: FileHandle = await open(temporary, "w");
  // Allocated on the first copy: a caller that hands every chunk over never needs them.
  let filling: Uint8Array | undefined;
  let spare: Uint8Array | undefined;
  let filled = 0;
  /** The one write on its way to disk; a failure stays here, so the next write or the commit reports it. */
  let inFlight: Promise<void> | undefined;
  let state: "open" | "committed" | "aborted" = "open";

  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  };
  /** Starts writing `bytes`; the write before it must be done. */
  const start = (bytes: Uint8Array, release?: () => void): void => {
    const writing = writeAll(bytes);
    // The caller learns of a failure at its next write or at commit; keep it from being an unhandled rejection
    // meanwhile.
    writing.catch(() => {});
    if (release) writing.then(release, release);
    inFlight = writing;
  };
  /** Sends the filling buffer to disk once the previous write is done, and swaps buffers. */
  const ship = async (): Promise<void> => {
    await inFlight;
    if (filled === 0 || filling === undefined) return;
    start(filling.subarray(0, filled));
    [filling, spare] = [spare ?? new Uint8Array(bufferSize), filling];
    filled = 0;
  };
  const checkOpen = (what: string): void => {
    if (state !== "open") {
      throw new InternalError(
        `${path}: a ${what} came after the file was ${state}; this is a bug in tvhub, please report it.`,
        { code: "SINK_STATE" },
      );
    }
  };
  const copy = async (chunk: Uint8Array): Promise<void> => {
    let offset = 0;
    while (offset < chunk.length) {
      filling ??= new Uint8Array(bufferSize);
      const take = Math.min(chunk.length - offset, bufferSize - filled);
      filling.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === bufferSize) await ship();
    }
  };
  /** The buffered bytes go first, then the chunk straight from the caller's memory. */
  const handOver = async (chunk: Uint8Array, release: () => void): Promise<void> => {
    try {
      checkOpen("write");
      await ship();
      await inFlight;
    } catch (error) {
      release();
      throw error;
    }
    if (chunk.length === 0) release();
    else start(chunk, release);
  };

  return {
    async write(chunk: Uint8Array, options?: SinkWriteOptions): Promise<void> {
      if (options?.release) return handOver(chunk, options.release);
      checkOpen("write");
      await copy(chunk);
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
