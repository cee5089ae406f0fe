import { DataError, InternalError, RemoteError, type TvhubError, UsageError } from "../errors.js";

/**
 * What a sink thread and the thread that owns it say to each other. The version travels in `workerData`: a worker
 * script from another build never says it is ready, and its owner writes on its own thread instead.
 */
export const sinkThreadProtocol = 1;

export interface SinkThreadData {
  tvhubSinkThread: number;
  /** Memory whose bytes travel by offset: the thread reads chunks handed over from it in place. */
  memory?: SharedArrayBuffer;
}

export type ToSinkThread =
  | { type: "open"; sink: number; path: string; durable: boolean }
  /** Bytes `[offset, offset + length)` of the shared memory, or a copy of bytes that are not there. */
  | { type: "write"; sink: number; id: number; offset: number; length: number }
  | { type: "write"; sink: number; id: number; bytes: Uint8Array }
  | { type: "commit"; sink: number }
  | { type: "abort"; sink: number };

export type FromSinkThread =
  | { type: "ready" }
  /** `fd` lets the owner close the file itself should the thread die. */
  | { type: "opened"; sink: number; fd: number }
  /** The write `id` is done with its bytes: written, or skipped because the file had already failed. */
  | { type: "written"; id: number }
  | { type: "committed"; sink: number; size: number; sha256: string }
  | { type: "aborted"; sink: number }
  /** An open, write (`id`), commit or abort failed; after a failed write, the file's later writes are skipped. */
  | { type: "failed"; sink: number; id?: number; error: WireError };

/** An error as it crosses threads: Node's system errors keep their code (ENOSPC, EACCES), errno, syscall and path. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const { code, errno, syscall, path } = error as NodeJS.ErrnoException;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof errno === "number" ? { errno } : {}),
    ...(typeof syscall === "string" ? { syscall } : {}),
    ...(typeof path === "string" ? { path } : {}),
  };
}

const tvhubErrors: Record<string, typeof TvhubError> = { UsageError, DataError, RemoteError, InternalError };

/** The error as the thread threw it, so callers that look at `code` (a full disk) see what a write here would give. */
export function fromWireError(wire: WireError): Error {
  const Class = tvhubErrors[wire.name];
  if (Class)
    return new Class(wire.message, {
      code: wire.code ?? "SINK_THREAD_ERROR",
      ...(wire.path === undefined ? {} : { subject: wire.path }),
    });
  const error: Error & Partial<NodeJS.ErrnoException> = new Error(wire.message);
  if (wire.name !== "Error") error.name = wire.name;
  if (wire.code !== undefined) error.code = wire.code;
  if (wire.errno !== undefined) error.errno = wire.errno;
  if (wire.syscall !== undefined) error.syscall = wire.syscall;
  if (wire.path !== undefined) error.path = wire.path;
  return error;
}
