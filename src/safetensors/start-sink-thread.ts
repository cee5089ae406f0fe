import { closeSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Worker } from "node:worker_threads";
import { InternalError } from "../errors.js";
import { startReadyWorker } from "../util/start-ready-worker.js";
import {
  fromWireError,
  sinkThreadProtocol,
  type FromSinkThread,
  type SinkThreadData,
  type ToSinkThread,
} from "./sink-thread-messages.js";
import type { ByteSink, SinkWriteOptions } from "./types.js";

export interface StartSinkThreadOptions {
  /** The worker script; it serves a sink thread when its workerData asks for one (dist/compute-worker.js does). */
  workerUrl: URL;
  /**
   * Shared memory the caller's chunks live in: a chunk handed over from it crosses as an offset and the thread
   * reads it in place. Any other chunk crosses as a copy.
   */
  memory?: SharedArrayBuffer;
  /** Writes queued to the thread before `write` waits; bounds what the thread holds. @default 2 */
  depth?: number;
}

export interface OpenThreadSinkOptions {
  /** The final path; bytes go to `<path>.tmp` until commit renames it (as with createFileSink). */
  path: string;
  /** fdatasync before the rename. @default true */
  durable?: boolean;
}

/** A thread that hashes and writes files, so the thread that produces their bytes does neither. */
export interface SinkThread {
  /**
   * A file sink like createFileSink whose bytes are hashed and written on the thread: `write` resolves as soon as
   * the chunk is queued (while fewer than `depth` writes are), and the sink reports the file's sha256.
   */
  openSink(options: OpenThreadSinkOptions): Promise<ByteSink>;
  /** Stops the thread. Files still open are closed and removed; their chunks are released. */
  close(): Promise<void>;
}

/** Starts the thread and waits until it is ready; rejects when the script does not serve sink threads. */
export async function startSinkThread(options: StartSinkThreadOptions): Promise<SinkThread> {
  const workerData: SinkThreadData = {
    tvhubSinkThread: sinkThreadProtocol,
    ...(options.memory === undefined ? {} : { memory: options.memory }),
  };
  const worker = await startReadyWorker({ url: options.workerUrl, workerData });
  return connect(worker, options);
}

interface SinkState {
  temporary: string;
  /** The open file's descriptor, to close it here should the thread die. */
  fd?: number;
  /** The first failed write's error: the next write, or the commit, rejects with it. */
  failure?: Error;
  /** The open, commit or abort waiting for its reply (one at a time per file). */
  control?: { resolve: (reply: FromSinkThread) => void; reject: (error: unknown) => void };
}

function connect(worker: Worker, options: StartSinkThreadOptions): SinkThread {
  const { memory } = options;
  const depth = Math.max(1, Math.floor(options.depth ?? 2));
  /** Writes sent and not yet acknowledged, with the release of the chunk the thread reads in place. */
  const writes = new Map<number, { release?: () => void }>();
  const sinks = new Map<number, SinkState>();
  let waiting: Array<() => void> = [];
  let nextWrite = 0;
  let nextSink = 0;
  let broken: Error | undefined;
  let closing = false;

  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const resume of woken) resume();
  };
  const acknowledge = (id: number) => {
    const write = writes.get(id);
    if (!write) return;
    writes.delete(id);
    write.release?.();
    wake();
  };
  const answer = (sink: number, reply: FromSinkThread, error?: Error) => {
    const state = sinks.get(sink);
    const control = state?.control;
    if (!state || !control) return;
    state.control = undefined;
    if (error) control.reject(error);
    else control.resolve(reply);
  };
  /** The thread is gone: nothing reads the chunks any more, so they are released, and every waiting call fails. */
  const breakAll = (error: Error) => {
    broken ??= error;
    for (const write of writes.values()) write.release?.();
    writes.clear();
    for (const state of sinks.values()) {
      const control = state.control;
      state.control = undefined;
      control?.reject(broken);
    }
    wake();
  };
  /** What the thread would have done on abort, done here because it cannot any more. */
  const cleanUp = async (state: SinkState) => {
    if (state.fd !== undefined) {
      try {
        closeSync(state.fd);
      } catch {
        // Already closed by the thread, or never fully opened: the file goes anyway.
      }
      state.fd = undefined;
    }
    await rm(state.temporary, { force: true });
  };
  const request = (state: SinkState, message: ToSinkThread): Promise<FromSinkThread> => {
    if (broken) return Promise.reject(broken);
    return new Promise((resolve, reject) => {
      state.control = { resolve, reject };
      worker.postMessage(message);
    });
  };

  worker.on("message", (message: FromSinkThread) => {
    switch (message.type) {
      case "ready":
        return;
      case "written":
        return acknowledge(message.id);
      case "opened": {
        const state = sinks.get(message.sink);
        if (state) state.fd = message.fd;
        return answer(message.sink, message);
      }
      case "committed":
      case "aborted":
        return answer(message.sink, message);
      case "failed": {
        const error = fromWireError(message.error);
        if (message.id === undefined) return answer(message.sink, message, error);
        const state = sinks.get(message.sink);
        if (state) state.failure ??= error;
        return acknowledge(message.id);
      }
    }
  });
  worker.on("error", (error) =>
    breakAll(
      new InternalError(
        `The thread that writes output files failed: ${error instanceof Error ? error.message : String(error)}; ` +
          "this is a bug in tvhub, please report it.",
        { code: "SINK_THREAD_FAILED", cause: error },
      ),
    ),
  );
  worker.on("exit", (code) => {
    if (!closing)
      breakAll(
        new InternalError(
          `The thread that writes output files stopped (exit code ${code}); this is a bug in tvhub, please report it.`,
          { code: "SINK_THREAD_EXITED" },
        ),
      );
  });

  const openSink = async (sinkOptions: OpenThreadSinkOptions): Promise<ByteSink> => {
    const { path } = sinkOptions;
    if (closing)
      throw new InternalError(
        `${path}: a file was opened on a sink thread that was closed; this is a bug in tvhub, please report it.`,
        { code: "SINK_THREAD_CLOSED" },
      );
    const sink = nextSink++;
    const state: SinkState = { temporary: `${path}.tmp` };
    sinks.set(sink, state);
    try {
      await request(state, { type: "open", sink, path, durable: sinkOptions.durable ?? true });
    } catch (error) {
      sinks.delete(sink);
      if (broken) await cleanUp(state);
      throw error;
    }
    let status: "open" | "committed" | "aborted" = "open";
    let digest: string | undefined;
    const checkOpen = (what: string): void => {
      if (status !== "open") {
        throw new InternalError(
          `${path}: a ${what} came after the file was ${status}; this is a bug in tvhub, please report it.`,
          { code: "SINK_STATE" },
        );
      }
    };

    return {
      async write(chunk: Uint8Array, writeOptions?: SinkWriteOptions): Promise<void> {
        const release = writeOptions?.release;
        try {
          checkOpen("write");
          while (broken === undefined && state.failure === undefined && writes.size >= depth)
            await new Promise<void>((resume) => waiting.push(resume));
          if (broken) throw broken;
          if (state.failure) throw state.failure;
        } catch (error) {
          release?.();
          throw error;
        }
        if (chunk.length === 0) {
          release?.();
          return;
        }
        const id = nextWrite++;
        if (release && memory !== undefined && chunk.buffer === memory) {
          writes.set(id, { release });
          worker.postMessage({
            type: "write",
            sink,
            id,
            offset: chunk.byteOffset,
            length: chunk.byteLength,
          } satisfies ToSinkThread);
          return;
        }
        // A copy of exactly the chunk's bytes (a view's whole buffer would be cloned), moved rather than copied again.
        const bytes = chunk.slice();
        writes.set(id, {});
        worker.postMessage({ type: "write", sink, id, bytes } satisfies ToSinkThread, [bytes.buffer as ArrayBuffer]);
        release?.();
      },
      async commit(): Promise<void> {
        checkOpen("commit");
        if (broken) throw broken;
        if (state.failure) throw state.failure;
        let reply: FromSinkThread;
        try {
          reply = await request(state, { type: "commit", sink });
        } catch (error) {
          // The thread may have closed the file before the rename failed; never close a number that may be reused.
          if (!broken) state.fd = undefined;
          throw error;
        }
        if (reply.type !== "committed")
          throw new InternalError(
            `${path}: the sink thread answered a commit with ${reply.type}; this is a bug in tvhub, please report it.`,
            { code: "SINK_THREAD_PROTOCOL" },
          );
        status = "committed";
        digest = reply.sha256;
        sinks.delete(sink);
      },
      async abort(): Promise<void> {
        if (status !== "open") return;
        status = "aborted";
        try {
          if (!broken) await request(state, { type: "abort", sink });
        } catch (error) {
          if (!broken) throw error;
        } finally {
          sinks.delete(sink);
        }
        if (broken) await cleanUp(state);
      },
      sha256(): string {
        if (digest === undefined)
          throw new InternalError(
            `${path}: the sha256 was asked for before the file was committed; this is a bug in tvhub, please report ` +
              "it.",
            { code: "SINK_STATE" },
          );
        return digest;
      },
    };
  };

  return {
    openSink,
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      // Stopped first: only then are the chunks it may be reading released.
      await worker.terminate();
      breakAll(
        new InternalError(
          "The thread that writes output files was closed while files were open; this is a bug in tvhub, please " +
            "report it.",
          { code: "SINK_THREAD_CLOSED" },
        ),
      );
      await Promise.all([...sinks.values()].map((state) => cleanUp(state).catch(() => {})));
      sinks.clear();
    },
  };
}
