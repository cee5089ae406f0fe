import type { Dtype } from "../tensor/dtype.js";
import { byteLength, formatShape } from "../tensor/shape.js";
import { compareCodePoints } from "./compare-code-points.js";
import { corrupt } from "./errors.js";
import { maxHeaderLength } from "./parse-header.js";
import type { TensorInfo } from "./types.js";

/** A tensor to be written, before any of its data exists. */
export interface PlannedTensor {
  name: string;
  dtype: Dtype;
  shape: readonly number[];
}

/** Everything about one file that can be known before its data: the header bytes and where each tensor goes. */
export interface FileLayout {
  /** The file's first bytes: the u64 length, the JSON header and its space padding. */
  header: Uint8Array;
  /** N: the JSON header's length including padding, a multiple of 8. */
  headerLength: number;
  /** Tensors in header order, which is the order their bytes must be written in. */
  tensors: TensorInfo[];
  dataSize: number;
  fileSize: number;
  metadata?: Record<string, string>;
}

export interface LayoutFileOptions {
  tensors: readonly PlannedTensor[];
  /** `__metadata__`, e.g. `{ format: "pt" }` as Transformers writes. */
  metadata?: Record<string, string>;
  /** What messages call the file. @default "the planned file" */
  name?: string;
}

/**
 * The reference's `Dtype` enum order (huggingface/safetensors `safetensors/src/tensor.rs`; 0.8.0, less the
 * sub-byte F4 and F6 types tvhub does not read), which its serializer sorts by, descending, so 8-byte types come
 * first and every tensor stays aligned to its size.
 */
export const referenceDtypeOrder: readonly Dtype[] = [
  "BOOL",
  "U8",
  "I8",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "C64",
  "F64",
  "I64",
  "U64",
];
const dtypeRank = new Map(referenceDtypeOrder.map((dtype, rank) => [dtype, rank]));

const utf8 = new TextEncoder();

/**
 * Computes a file's header exactly as the reference's `prepare` does: tensors sorted by dtype (descending
 * enum order) then by name, contiguous offsets from 0, JSON with `__metadata__` first and each entry's keys in
 * the order dtype, shape, data_offsets, no whitespace, then spaces up to a multiple of 8 bytes.
 * The reference keeps `__metadata__` in a HashMap, so its key order is arbitrary when there are several keys;
 * here they are sorted, which makes the output deterministic and equal to the reference's for one key.
 */
export function layoutFile(options: LayoutFileOptions): FileLayout {
  const name = options.name ?? "the planned file";
  const seen = new Set<string>();
  for (const tensor of options.tensors) {
    if (tensor.name === "__metadata__" || !isWellFormed(tensor.name)) {
      throw corrupt(
        "SAFETENSORS_WRITE_BAD_PLAN",
        name,
        `${JSON.stringify(tensor.name)} cannot be a tensor name in a safetensors file.`,
      );
    }
    if (seen.has(tensor.name)) {
      throw corrupt(
        "SAFETENSORS_WRITE_BAD_PLAN",
        name,
        `the plan has two tensors named ${JSON.stringify(tensor.name)}; each name must be unique.`,
      );
    }
    if (!dtypeRank.has(tensor.dtype)) {
      throw corrupt(
        "SAFETENSORS_WRITE_BAD_PLAN",
        name,
        `tensor ${JSON.stringify(tensor.name)} has dtype ${String(tensor.dtype)}, which safetensors does not define.`,
      );
    }
    seen.add(tensor.name);
  }
  const sorted = [...options.tensors].sort(
    (a, b) => (dtypeRank.get(b.dtype) ?? 0) - (dtypeRank.get(a.dtype) ?? 0) || compareCodePoints(a.name, b.name),
  );
  let offset = 0;
  const tensors: TensorInfo[] = sorted.map((tensor) => {
    const bytes = byteLength(tensor.dtype, tensor.shape);
    if (bytes === undefined || !Number.isSafeInteger(offset + bytes)) {
      throw corrupt(
        "SAFETENSORS_WRITE_BAD_PLAN",
        name,
        `tensor ${JSON.stringify(tensor.name)} has shape ${formatShape(tensor.shape)}, which is not a list of ` +
          "non-negative integers of a writable size.",
      );
    }
    const info: TensorInfo = {
      name: tensor.name,
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      begin: offset,
      end: offset + bytes,
    };
    offset += bytes;
    return info;
  });

  const parts: string[] = [];
  const metadata = options.metadata;
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string" || !isWellFormed(key) || !isWellFormed(value)) {
        throw corrupt(
          "SAFETENSORS_WRITE_BAD_PLAN",
          name,
          `__metadata__ entry ${JSON.stringify(key)} must be a string.`,
        );
      }
    }
    const entries = Object.keys(metadata)
      .sort(compareCodePoints)
      .map((key) => `${JSON.stringify(key)}:${JSON.stringify(metadata[key])}`);
    parts.push(`"__metadata__":{${entries.join(",")}}`);
  }
  for (const t of tensors) {
    parts.push(
      `${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],` +
        `"data_offsets":[${t.begin},${t.end}]}`,
    );
  }
  const json = utf8.encode(`{${parts.join(",")}}`);
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  if (headerLength > maxHeaderLength) {
    throw corrupt(
      "SAFETENSORS_WRITE_BAD_PLAN",
      name,
      `the header would be ${headerLength} bytes, more than the ${maxHeaderLength} the format allows; split the ` +
        "tensors over more shards.",
    );
  }
  const header = new Uint8Array(8 + headerLength).fill(0x20, 8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(headerLength), true);
  header.set(json, 8);
  return {
    header,
    headerLength,
    tensors,
    dataSize: offset,
    fileSize: header.length + offset,
    ...(metadata === undefined ? {} : { metadata: { ...metadata } }),
  };
}

/**
 * UTF-8 cannot encode a lone surrogate (the reference's names are Rust Strings); ES2024's isWellFormed, for Node 20
 * typings.
 */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
