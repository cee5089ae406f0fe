import { DataError, UsageError } from "../errors.js";

/**
 * Every way a safetensors file, an index or a model folder can be wrong, one code each, so tests and callers
 * can tell them apart. The header codes follow the reference's `SafeTensorError` variants
 * (huggingface/safetensors `safetensors/src/tensor.rs`), split where a user benefits from a different message.
 */
export type SafetensorsErrorCode =
  // header framing
  | "SAFETENSORS_TOO_SMALL"
  | "SAFETENSORS_HEADER_TOO_LARGE"
  | "SAFETENSORS_HEADER_LENGTH"
  | "SAFETENSORS_HEADER_UTF8"
  | "SAFETENSORS_HEADER_START"
  | "SAFETENSORS_HEADER_JSON"
  // header schema
  | "SAFETENSORS_DUPLICATE_NAME"
  | "SAFETENSORS_BAD_METADATA"
  | "SAFETENSORS_BAD_ENTRY"
  | "SAFETENSORS_BAD_DTYPE"
  | "SAFETENSORS_BAD_SHAPE"
  | "SAFETENSORS_BAD_OFFSETS"
  | "SAFETENSORS_OVERFLOW"
  // header consistency with the data section
  | "SAFETENSORS_SIZE_MISMATCH"
  | "SAFETENSORS_OFFSETS_GAP"
  | "SAFETENSORS_OFFSETS_OVERLAP"
  | "SAFETENSORS_TRUNCATED"
  | "SAFETENSORS_TRAILING_BYTES"
  // reading bytes
  | "SAFETENSORS_SHORT_READ"
  | "SAFETENSORS_TENSOR_NOT_FOUND"
  // index files
  | "SAFETENSORS_INDEX_TOO_LARGE"
  | "SAFETENSORS_INDEX_JSON"
  | "SAFETENSORS_INDEX_SCHEMA"
  | "SAFETENSORS_INDEX_DUPLICATE_KEY"
  | "SAFETENSORS_INDEX_BAD_FILE"
  | "SAFETENSORS_INDEX_MISSING_SHARD"
  | "SAFETENSORS_INDEX_MISSING_TENSOR"
  | "SAFETENSORS_INDEX_UNLISTED_TENSOR"
  | "SAFETENSORS_INDEX_DUPLICATE_TENSOR"
  // model folders
  | "SAFETENSORS_NO_WEIGHTS"
  | "SAFETENSORS_PICKLE_ONLY"
  // writing
  | "SAFETENSORS_WRITE_BAD_PLAN"
  | "SAFETENSORS_WRITE_ORDER"
  | "SAFETENSORS_WRITE_LENGTH";

/** The usage-side codes: the caller asked for something that does not exist or does not fit. */
export type SafetensorsUsageCode = "SAFETENSORS_PATH_NOT_FOUND" | "SAFETENSORS_BAD_RANGE";

/** A file's content is wrong: always a DataError (exit 1) naming the file, with one code per rule. */
export function corrupt(code: SafetensorsErrorCode, subject: string, message: string, cause?: unknown): DataError {
  return new DataError(`${subject}: ${message}`, { code, subject, ...(cause === undefined ? {} : { cause }) });
}

export function badRequest(code: SafetensorsUsageCode, subject: string, message: string): UsageError {
  return new UsageError(`${subject}: ${message}`, { code, subject });
}

/** The advice every header error ends with. */
export const notSafetensors = "the file is corrupt or was not written as safetensors.";
