import { defineOwn } from "./define-own.js";
import { corrupt } from "./errors.js";
import {
  JsonNumber,
  JsonSyntaxError,
  describeJsonValue,
  isJsonObject,
  parseStrictJson,
  toStringRecord,
  type JsonValue,
} from "./parse-strict-json.js";
import type { SafetensorsIndex } from "./types.js";

/** Real indexes are 20–60 kB; one of 100 MB would describe millions of tensors. */
export const maxIndexBytes = 100_000_000;

export interface ParseIndexOptions {
  /** The index file's name for messages. */
  name: string;
  bytes: Uint8Array;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Parses `*.safetensors.index.json`: `weight_map` must map each tensor name, once, to a safe relative
 * `.safetensors` name. Other top-level keys are ignored (Transformers ignores them too); `metadata` is kept.
 */
export function parseIndex(options: ParseIndexOptions): SafetensorsIndex {
  const { name, bytes } = options;
  const fix = "fix or regenerate the index.";
  if (bytes.length > maxIndexBytes) {
    throw corrupt(
      "SAFETENSORS_INDEX_TOO_LARGE",
      name,
      `the index is ${bytes.length} bytes, more than the ${maxIndexBytes} tvhub accepts; ${fix}`,
    );
  }
  let root: JsonValue;
  try {
    root = parseStrictJson({ text: utf8.decode(bytes) });
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      const { duplicateKey, path, reason, position } = error.problem;
      if (duplicateKey !== undefined && path?.length === 1 && path[0] === "weight_map") {
        throw corrupt(
          "SAFETENSORS_INDEX_DUPLICATE_KEY",
          name,
          `weight_map lists tensor ${JSON.stringify(duplicateKey)} twice, so it would be in two shards; ${fix}`,
          error,
        );
      }
      throw corrupt(
        "SAFETENSORS_INDEX_JSON",
        name,
        `the index is not valid JSON (${reason} at character ${position}); ${fix}`,
        error,
      );
    }
    throw corrupt("SAFETENSORS_INDEX_JSON", name, `the index is not valid UTF-8 text; ${fix}`, error);
  }
  if (!isJsonObject(root)) {
    throw corrupt(
      "SAFETENSORS_INDEX_SCHEMA",
      name,
      `the index must be a JSON object but it is ${describeJsonValue(root)}; ${fix}`,
    );
  }
  const weightMap = root.get("weight_map");
  if (!isJsonObject(weightMap)) {
    throw corrupt(
      "SAFETENSORS_INDEX_SCHEMA",
      name,
      `the index must have a "weight_map" object (tensor name → shard file) but it is ` +
        `${describeJsonValue(weightMap)}; ${fix}`,
    );
  }
  const weight_map = toStringRecord(weightMap, (tensor, file) =>
    corrupt(
      "SAFETENSORS_INDEX_SCHEMA",
      name,
      `weight_map maps tensor ${JSON.stringify(tensor)} to ${describeJsonValue(file)} instead of a file name; ${fix}`,
    ),
  );
  for (const [tensor, file] of Object.entries(weight_map)) {
    if (!isSafeShardName(file)) {
      throw corrupt(
        "SAFETENSORS_INDEX_BAD_FILE",
        name,
        `weight_map maps tensor ${JSON.stringify(tensor)} to ${JSON.stringify(file.slice(0, 200))}, which is not a ` +
          `relative .safetensors file name inside the model; ${fix}`,
      );
    }
  }
  const index: SafetensorsIndex = { weight_map };
  const metadata = root.get("metadata");
  if (metadata !== undefined && metadata !== null) {
    if (!isJsonObject(metadata)) {
      throw corrupt(
        "SAFETENSORS_INDEX_SCHEMA",
        name,
        `the index's "metadata" must be an object but it is ${describeJsonValue(metadata)}; ${fix}`,
      );
    }
    const plain = toPlain(metadata) as Record<string, unknown> & { total_size?: number };
    // total_size is informative only (files written with tied weights miscount it); keep it when it is a number.
    if (
      plain.total_size !== undefined &&
      (typeof plain.total_size !== "number" || !Number.isFinite(plain.total_size))
    ) {
      delete plain.total_size;
    }
    index.metadata = plain;
  }
  return index;
}

/** A name that stays inside the model root on every OS: relative, `/`-separated, no `.`/`..` segments. */
export function isSafeShardName(file: string): boolean {
  if (file.length === 0 || file.length > 1024 || !file.endsWith(".safetensors")) return false;
  if (/[\u0000-\u001f\u007f\\:*?"<>|]/.test(file)) return false;
  return file.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

function toPlain(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (isJsonObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of value) defineOwn(out, key, toPlain(item));
    return out;
  }
  return value;
}
