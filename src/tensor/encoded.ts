import { DataError } from "../errors.js";
import { dtypeSize, type ComputableDtype } from "./dtype.js";

/** Elements of one float dtype as raw little-endian bytes, e.g. a tensor or a chunk of one read from a file. */
export interface EncodedValues {
  dtype: ComputableDtype;
  /** Any byteOffset: reads from a file or a socket are rarely aligned. */
  bytes: Uint8Array;
}

/** How many elements `bytes` holds, or a DataError when the length is not a whole number of elements. */
export function encodedLength(values: EncodedValues): number {
  const size = dtypeSize(values.dtype);
  if (values.bytes.byteLength % size !== 0) {
    throw new DataError(
      `${values.bytes.byteLength} bytes is not a whole number of ${values.dtype} elements (${size} bytes each); the ` +
        "tensor data is truncated or its declared dtype is wrong.",
      { code: "TENSOR_BYTE_LENGTH", subject: values.dtype },
    );
  }
  return values.bytes.byteLength / size;
}
