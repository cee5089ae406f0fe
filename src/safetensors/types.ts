import type { Dtype } from "../tensor/dtype.js";

/**
 * Random access to the bytes of one file: a local file, a Hub file read with range requests, a buffer.
 * `read(start, end)` returns exactly the bytes [start, end) or throws.
 */
export interface ByteSource {
  /** What error messages call it: a path, or `org/repo@sha:file`. */
  readonly name: string;
  readonly size: number;
  /**
   * `into`, when given and large enough, may receive the bytes (the result is then a view of its first `end − start`
   * bytes), so a caller that reads many ranges can reuse a few buffers; a source may also ignore it.
   */
  read(start: number, end: number, into?: Uint8Array): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** One tensor as a safetensors header declares it; offsets are relative to the start of the data section. */
export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** data_offsets[0] */
  begin: number;
  /** data_offsets[1] */
  end: number;
}

/** A parsed and validated header of one .safetensors file. */
export interface SafetensorsHeader {
  /** N, the JSON header's byte length (the file's first 8 bytes). */
  headerLength: number;
  /** 8 + N: where tensor data starts in the file. */
  dataStart: number;
  /** Total file size in bytes. */
  fileSize: number;
  /** Tensors in data-offset order. */
  tensors: TensorInfo[];
  metadata?: Record<string, string>;
}

/** model.safetensors.index.json */
export interface SafetensorsIndex {
  metadata?: Record<string, unknown> & { total_size?: number };
  weight_map: Record<string, string>;
}

/** A tensor located in one file of a (possibly sharded) model. */
export interface LocatedTensor extends TensorInfo {
  /** The file (shard) name relative to the model root, e.g. `model-00001-of-00003.safetensors`. */
  file: string;
}

/**
 * Opens one file of a model by its name relative to the model root (a local path join, or a Hub file at a pinned
 * revision).
 */
export type OpenFile = (file: string) => Promise<ByteSource>;

/** One .safetensors file of a model, with its validated header. */
export interface ModelFile {
  /** The name relative to the model root. */
  file: string;
  header: SafetensorsHeader;
}

export interface ReadTensorOptions {
  /** First element to read. @default 0 */
  elementOffset?: number;
  /** How many elements. @default all from elementOffset to the end */
  count?: number;
  /** A buffer the source may read into (see ByteSource.read); use the returned array, which may be another. */
  into?: Uint8Array;
}

export interface StreamTensorOptions {
  /** First byte, relative to the tensor's data. @default 0 */
  start?: number;
  /** End byte (exclusive), relative to the tensor's data. @default the tensor's byte length */
  end?: number;
  /** Bytes per chunk, rounded down to whole elements (at least one). @default 8 MiB */
  chunkSize?: number;
}

/** A model (one file or shards behind an index) whose headers are read and validated, and whose data is read lazily. */
export interface SafetensorsModel {
  /** What messages call it: a folder or file path, or `org/repo@sha`. */
  readonly name: string;
  readonly layout: "single" | "sharded";
  /** `model.safetensors.index.json` or `task_vector.safetensors.index.json`, when sharded. */
  readonly indexFile?: string;
  readonly index?: SafetensorsIndex;
  /** The files in index order (shard 1 first). */
  readonly files: readonly ModelFile[];
  /** Every tensor, file by file, in data-offset order within a file. */
  tensors(): LocatedTensor[];
  has(name: string): boolean;
  /** The tensor's location; a DataError when there is no such tensor. */
  tensor(name: string): LocatedTensor;
  /** A tensor's bytes, or an element slice of them; reads only those bytes. */
  readTensor(name: string, options?: ReadTensorOptions): Promise<Uint8Array>;
  /** A byte range of a tensor in chunks, reading one chunk ahead of the consumer. */
  streamTensor(name: string, options?: StreamTensorOptions): AsyncGenerator<Uint8Array, void, undefined>;
  close(): Promise<void>;
}

/** Where a writer's bytes go: a file that appears under its final name only on commit, a buffer, an upload. */
export interface ByteSink {
  /**
   * Resolves when the sink takes the next chunk. Without `release` the chunk is copied (or written) by then and
   * the caller may reuse it at once; with it, see SinkWriteOptions.
   */
  write(chunk: Uint8Array, options?: SinkWriteOptions): Promise<void>;
  /** Everything was written: make it visible (rename into place). */
  commit(): Promise<void>;
  /** Give up: leave nothing behind. Safe to call more than once, and after a failed write. */
  abort(): Promise<void>;
  /**
   * Present on a sink that hashes what it writes itself (on a thread of its own, off the caller's): the lowercase hex
   * sha256 of every byte written, once `commit` has resolved. A writer then leaves the hashing to the sink.
   */
  sha256?(): string;
}

export interface SinkWriteOptions {
  /**
   * The caller hands the chunk over: it will not touch the bytes until the sink calls `release`, so the sink may
   * keep and write them without a copy. The sink calls it exactly once, when it no longer needs them: written, or
   * dropped because the write failed or the file was aborted (also when `write` itself rejects).
   */
  release?: () => void;
}

/** A file as written: what an uploader needs (LFS wants the size and the sha256 of the content). */
export interface WrittenFile {
  /** Relative name in the model, e.g. `model-00001-of-00002.safetensors`. */
  file: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
}
