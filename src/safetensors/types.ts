import type { Dtype } from "../tensor/dtype.js";

/**
 * Random access to the bytes of one file: a local file, a Hub file read with range requests, a buffer.
 * `read(start, end)` returns exactly the bytes [start, end) or throws.
 */
export interface ByteSource {
  /** What error messages call it: a path, or `org/repo@sha:file`. */
  readonly name: string;
  readonly size: number;
  read(start: number, end: number): Promise<Uint8Array>;
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
