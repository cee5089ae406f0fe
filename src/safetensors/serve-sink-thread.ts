import { createHash, type Hash } from "node:crypto";
import { closeSync, fdatasyncSync, mkdirSync, openSync, renameSync, rmSync, write as writeCallback } from "node:fs";
import { promisify } from "node:util";
import { dirname } from "node:path";
import type { MessagePort } from "node:worker_threads";
import { InternalError } from "../errors.js";
import { toWireError, type FromSinkThread, type ToSinkThread, type WireError } from "./sink-thread-messages.js";

export interface ServeSinkThreadOptions {
  /** Where requests come from and replies go (the worker's parentPort). */
  port: MessagePort;
  /** The shared memory that `write` requests name by offset. */
  memory?: SharedArrayBuffer;
}

interface OpenFile {
  /** Undefined once closed (committed, or a commit that failed after closing). */
  fd: number | undefined;
  path: string;
  temporary: string;
  durable: boolean;
  hash: Hash;
  /** Bytes hashed, and where the next write goes. */
  size: number;
  /** The file's writes, commit and abort, one after the other. */
  tail: Promise<void>;
  /** The first failed write: later writes are skipped and the commit reports it. */
  failure?: WireError;
}

const writeAt = promisify(writeCallback);

/**
 * The sink thread's side (see startSinkThread): hashes and writes the files its owner streams, each through
 * `<path>.tmp` renamed on commit, like createFileSink. A chunk is hashed here as it arrives while the chunk before
 * it is still being written (by the I/O threads), so hashing and writing overlap; a file's writes, commit and abort
 * run in order. Every write is acknowledged once on disk, so its owner knows when it may reuse the bytes.
 */
export function serveSinkThread(options: ServeSinkThreadOptions): void {
  const { port, memory } = options;
  const files = new Map<number, OpenFile>();
  const reply = (message: FromSinkThread) => port.postMessage(message);
  const failed = (sink: number, error: unknown, id?: number) =>
    reply({ type: "failed", sink, ...(id === undefined ? {} : { id }), error: toWireError(error) });

  const open = (sink: number, path: string, durable: boolean): void => {
    const temporary = `${path}.tmp`;
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temporary, "w");
    files.set(sink, { fd, path, temporary, durable, hash: createHash("sha256"), size: 0, tail: Promise.resolve() });
    reply({ type: "opened", sink, fd });
  };
  const bytesOf = (file: OpenFile, request: Extract<ToSinkThread, { type: "write" }>): Uint8Array => {
    if ("bytes" in request) return request.bytes;
    if (memory && request.offset + request.length <= memory.byteLength)
      return new Uint8Array(memory, request.offset, request.length);
    throw new InternalError(
      `${file.path}: a write named bytes outside the sink thread's shared memory; this is a bug in tvhub, please ` +
        "report it.",
      { code: "SINK_THREAD_RANGE" },
    );
  };
  const writeAll = async (fd: number, bytes: Uint8Array, position: number): Promise<void> => {
    for (let done = 0; done < bytes.length; )
      done += (await writeAt(fd, bytes, done, bytes.length - done, position + done)).bytesWritten;
  };
  /**
   * Hashes the chunk now and writes it after the file's earlier writes; the acknowledgement comes once it is written.
   */
  const write = (sink: number, file: OpenFile, request: Extract<ToSinkThread, { type: "write" }>): void => {
    const fail = (error: unknown) => {
      file.failure ??= toWireError(error);
      reply({ type: "failed", sink, id: request.id, error: file.failure });
    };
    let bytes: Uint8Array;
    try {
      if (file.fd === undefined)
        throw new InternalError(
          `${file.path}: a write came after the file was closed; this is a bug in tvhub, please report it.`,
          { code: "SINK_STATE" },
        );
      bytes = bytesOf(file, request);
      file.hash.update(bytes);
    } catch (error) {
      fail(error);
      return;
    }
    const { fd } = file;
    const position = file.size;
    file.size += bytes.length;
    file.tail = file.tail.then(async () => {
      if (file.failure !== undefined) return reply({ type: "written", id: request.id });
      try {
        await writeAll(fd, bytes, position);
      } catch (error) {
        return fail(error);
      }
      reply({ type: "written", id: request.id });
    });
  };
  /** Runs after the file's writes; a failure is the request's answer. */
  const after = (sink: number, file: OpenFile, step: () => void): void => {
    file.tail = file.tail.then(() => {
      try {
        step();
      } catch (error) {
        failed(sink, error);
      }
    });
  };
  const commit = (sink: number, file: OpenFile): void => {
    if (file.failure) {
      reply({ type: "failed", sink, error: file.failure });
      return;
    }
    if (file.fd !== undefined) {
      const fd = file.fd;
      if (file.durable) fdatasyncSync(fd);
      file.fd = undefined;
      closeSync(fd);
    }
    renameSync(file.temporary, file.path);
    files.delete(sink);
    reply({ type: "committed", sink, size: file.size, sha256: file.hash.digest("hex") });
  };
  const abort = (sink: number, file: OpenFile | undefined): void => {
    files.delete(sink);
    if (file?.fd !== undefined) {
      try {
        closeSync(file.fd);
      } catch {
        // Closing is only cleanup here; the file goes anyway.
      }
    }
    if (file) rmSync(file.temporary, { force: true });
    reply({ type: "aborted", sink });
  };

  port.on("message", (request: ToSinkThread) => {
    const file = files.get(request.sink);
    try {
      switch (request.type) {
        case "open":
          return open(request.sink, request.path, request.durable);
        case "write":
          if (file && file.failure === undefined) return write(request.sink, file, request);
          return reply({ type: "written", id: request.id });
        case "commit":
          if (!file)
            throw new InternalError(
              `Sink ${request.sink} was committed but is not open; this is a bug in tvhub, please report it.`,
              { code: "SINK_STATE" },
            );
          return after(request.sink, file, () => commit(request.sink, file));
        case "abort":
          if (!file) return abort(request.sink, file);
          return after(request.sink, file, () => abort(request.sink, file));
      }
    } catch (error) {
      failed(request.sink, error);
    }
  });
  reply({ type: "ready" });
}
