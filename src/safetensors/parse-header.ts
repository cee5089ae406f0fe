import { isUtf8 } from "node:buffer";
import { dtypeSizes, isDtype, type Dtype } from "../tensor/dtype.js";
import { byteLength, formatShape } from "../tensor/shape.js";
import { corrupt, notSafetensors, type SafetensorsErrorCode } from "./errors.js";
import { parseHeaderFast, type FastHeader } from "./parse-header-fast.js";
import {
  JsonNumber,
  JsonSyntaxError,
  StrictJsonReader,
  describeJsonValue,
  isJsonObject,
  toStringRecord,
  type JsonValue,
} from "./parse-strict-json.js";
import type { SafetensorsHeader, TensorInfo } from "./types.js";

/** The reference's `MAX_HEADER_SIZE`: a longer header is refused before a byte of it is read. */
export const maxHeaderLength = 100_000_000;

const metadataKey = "__metadata__";
const entryKeys = ["dtype", "shape", "data_offsets"] as const;

export interface ParseHeaderLengthOptions {
  /** The file's name for messages. */
  name: string;
  fileSize: number;
  /** The file's first 8 bytes (or fewer, when the file is that short). */
  bytes: Uint8Array;
}

/**
 * Reads and checks N, the little-endian u64 header length, against the format's cap and the file size:
 * nothing may allocate N bytes before this says N is plausible.
 */
export function parseHeaderLength(options: ParseHeaderLengthOptions): number {
  const { name, fileSize, bytes } = options;
  if (fileSize < 8 || bytes.length < 8) {
    throw corrupt(
      "SAFETENSORS_TOO_SMALL",
      name,
      `the file is ${fileSize} bytes long, too short for the 8-byte header length a safetensors file starts with; ` +
        "it is truncated or not a safetensors file.",
    );
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderLength)) {
    throw corrupt(
      "SAFETENSORS_HEADER_TOO_LARGE",
      name,
      `the header length field says ${n} bytes, more than the ${maxHeaderLength.toLocaleString("en-US")} the format ` +
        `allows; ${notSafetensors}`,
    );
  }
  const length = Number(n);
  if (length > fileSize - 8) {
    throw corrupt(
      "SAFETENSORS_HEADER_LENGTH",
      name,
      `the header length field says ${length} bytes but only ${fileSize - 8} bytes follow it; the file is truncated ` +
        "or not a safetensors file.",
    );
  }
  return length;
}

export interface ParseHeaderOptions {
  name: string;
  fileSize: number;
  /** N, as returned by `parseHeaderLength`. */
  headerLength: number;
  /** The N header bytes (the file's bytes [8, 8 + N)). */
  bytes: Uint8Array;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses and validates a header the way the reference's `SafeTensors::read_metadata` does, and stricter where
 * the reference is lenient (duplicate names and keys, numbers beyond 2^53; docs/formats.md says why for each): a
 * file that passes is one whose every tensor can be read at its offsets and whose bytes are all accounted for.
 */
export function parseHeader(options: ParseHeaderOptions): SafetensorsHeader {
  const { name, fileSize, headerLength, bytes } = options;
  if (!isUtf8(bytes)) {
    throw corrupt(
      "SAFETENSORS_HEADER_UTF8",
      name,
      `the ${headerLength}-byte header is not valid UTF-8; ${notSafetensors}`,
    );
  }
  const { metadata, tensors } = parseHeaderFast(bytes) ?? parseHeaderStrict(name, utf8.decode(bytes));

  // The reference sorts by (begin, end) before checking; files from old writers are in name order.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let position = 0;
  let previous: TensorInfo | undefined;
  for (const tensor of tensors) {
    if (tensor.begin < position) {
      throw corrupt(
        "SAFETENSORS_OFFSETS_OVERLAP",
        name,
        `tensor ${quote(tensor.name)} starts at data offset ${tensor.begin}, inside tensor ` +
          `${quote(previous?.name ?? "")} which ends at ${position}; ${notSafetensors}`,
      );
    }
    if (tensor.begin > position) {
      const after =
        previous === undefined
          ? "the data section starts at offset 0"
          : `tensor ${quote(previous.name)} ends at ${position}`;
      throw corrupt(
        "SAFETENSORS_OFFSETS_GAP",
        name,
        `tensor ${quote(tensor.name)} starts at data offset ${tensor.begin} but ${after}, leaving ` +
          `${tensor.begin - position} bytes that belong to no tensor; ${notSafetensors}`,
      );
    }
    const needed = byteLength(tensor.dtype, tensor.shape);
    if (needed === undefined) {
      throw corrupt(
        "SAFETENSORS_OVERFLOW",
        name,
        `tensor ${quote(tensor.name)} has shape ${formatShape(tensor.shape)} in ${tensor.dtype}, whose byte size ` +
          `overflows; ${notSafetensors}`,
      );
    }
    if (tensor.end - tensor.begin !== needed) {
      throw corrupt(
        "SAFETENSORS_SIZE_MISMATCH",
        name,
        `tensor ${quote(tensor.name)} has data_offsets [${tensor.begin}, ${tensor.end}] but shape ` +
          `${formatShape(tensor.shape)} in ${tensor.dtype} needs ${needed} bytes; ${notSafetensors}`,
      );
    }
    position = tensor.end;
    previous = tensor;
  }

  const dataStart = 8 + headerLength;
  const available = fileSize - dataStart;
  if (position > available) {
    throw corrupt(
      "SAFETENSORS_TRUNCATED",
      name,
      `the header says the tensor data takes ${position} bytes but the file has only ${available} after the header; ` +
        "the file is truncated (an interrupted download?), so fetch it again.",
    );
  }
  if (position < available) {
    throw corrupt(
      "SAFETENSORS_TRAILING_BYTES",
      name,
      `the file has ${available - position} bytes after the end of the last tensor's data, which the format does ` +
        `not allow; ${notSafetensors}`,
    );
  }
  return { headerLength, dataStart, fileSize, tensors, ...(metadata === undefined ? {} : { metadata }) };
}

/**
 * The strict path, for every header the fast path was unsure of, with every error its own code and message. It
 * walks the top-level object itself and turns each entry into a TensorInfo as soon as it is parsed, so that even a
 * huge header (or a huge broken one) never becomes one JSON tree. A JSON syntax error anywhere wins over a schema
 * error (as when the whole text is parsed first), so the first schema error is thrown only once the text is known
 * to be JSON.
 */
function parseHeaderStrict(name: string, text: string): FastHeader {
  const first = text.search(/[^ \t\n\r]/);
  if (first < 0 || text.charCodeAt(first) !== 0x7b) {
    const start =
      first < 0
        ? text.length === 0
          ? "it is empty"
          : "it is only whitespace"
        : `it starts with ${JSON.stringify(text.slice(first, first + 1))}`;
    throw corrupt(
      "SAFETENSORS_HEADER_START",
      name,
      `the header must be a JSON object starting with "{" but ${start}; ${notSafetensors}`,
    );
  }
  try {
    return readMembers(name, text, first);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw jsonError(name, error);
  }
}

function readMembers(name: string, text: string, start: number): FastHeader {
  const reader = new StrictJsonReader(text, 32);
  reader.pos = start + 1;
  reader.skipWhitespace();
  const names = new Set<string>();
  const tensors: TensorInfo[] = [];
  let metadata: Record<string, string> | undefined;
  let schemaError: unknown;
  if (text.charCodeAt(reader.pos) === 0x7d) reader.pos++;
  else {
    for (;;) {
      const keyAt = reader.pos;
      const key = reader.parseKey();
      if (names.has(key)) {
        reader.pos = keyAt;
        reader.fail(`the key ${JSON.stringify(key)} occurs twice in one object`, { duplicateKey: key, path: [] });
      }
      names.add(key);
      reader.expect(0x3a, '":" after a key');
      const value = reader.parseMember(key);
      try {
        if (key === metadataKey) metadata = parseMetadata(name, value);
        else tensors.push(parseEntry(name, key, value));
      } catch (error) {
        schemaError ??= error;
      }
      reader.skipWhitespace();
      const next = text.charCodeAt(reader.pos);
      reader.pos++;
      if (next === 0x2c) {
        reader.skipWhitespace();
        continue;
      }
      if (next === 0x7d) break;
      reader.pos--;
      reader.fail(`expected "," or "}" but found ${reader.describeHere()}`);
    }
  }
  reader.skipWhitespace();
  if (reader.pos < text.length) reader.fail(`unexpected ${reader.describeHere()} after the end of the value`);
  if (schemaError !== undefined) throw schemaError;
  return { metadata, tensors };
}

function jsonError(name: string, error: JsonSyntaxError) {
  const [code, problem] = headerJsonProblem(error.problem);
  return corrupt(code, name, `${problem}; ${notSafetensors}`, error);
}

/** What a strict JSON reader's complaint means in a header: a duplicate's place names what was written twice. */
function headerJsonProblem(problem: JsonSyntaxError["problem"]): [SafetensorsErrorCode, string] {
  const { duplicateKey, path, reason, position } = problem;
  if (duplicateKey === undefined || path === undefined) {
    return ["SAFETENSORS_HEADER_JSON", `the header is not valid JSON (${reason} at character ${position})`];
  }
  if (path.length === 0) {
    const what = duplicateKey === metadataKey ? "__metadata__" : `tensor ${quote(duplicateKey)}`;
    return [
      "SAFETENSORS_DUPLICATE_NAME",
      `the header lists ${what} twice (a JSON reader would silently keep only the last)`,
    ];
  }
  if (path[0] === metadataKey)
    return ["SAFETENSORS_BAD_METADATA", `__metadata__ has the key ${quote(duplicateKey)} twice`];
  return ["SAFETENSORS_BAD_ENTRY", `tensor ${quote(path[0] ?? "")} has the key ${quote(duplicateKey)} twice`];
}

/** `null` is no metadata, as in the reference (an `Option`): some writers serialize an absent map that way. */
function parseMetadata(name: string, value: JsonValue): Record<string, string> | undefined {
  if (value === null) return undefined;
  if (!isJsonObject(value)) {
    throw corrupt(
      "SAFETENSORS_BAD_METADATA",
      name,
      `__metadata__ must be an object of strings but it is ${describeJsonValue(value)}; ${notSafetensors}`,
    );
  }
  return toStringRecord(value, (key, item) =>
    corrupt(
      "SAFETENSORS_BAD_METADATA",
      name,
      `__metadata__ must map strings to strings but ${quote(key)} is ${describeJsonValue(item)}; ${notSafetensors}`,
    ),
  );
}

function parseEntry(name: string, tensor: string, value: JsonValue): TensorInfo {
  if (!isJsonObject(value)) {
    throw corrupt(
      "SAFETENSORS_BAD_ENTRY",
      name,
      `tensor ${quote(tensor)} must be an object with dtype, shape and data_offsets but it is ` +
        `${describeJsonValue(value)}; ${notSafetensors}`,
    );
  }
  // Other keys are ignored, as the reference's serde does: a newer writer's extra field does not make a file
  // unreadable.
  for (const key of entryKeys) {
    if (!value.has(key)) {
      throw corrupt("SAFETENSORS_BAD_ENTRY", name, `tensor ${quote(tensor)} has no ${key}; ${notSafetensors}`);
    }
  }
  const dtype = value.get("dtype");
  if (typeof dtype !== "string" || !isDtype(dtype)) {
    const what =
      typeof dtype === "string" ? `"${dtype.slice(0, 40)}", which tvhub does not read` : describeJsonValue(dtype);
    throw corrupt(
      "SAFETENSORS_BAD_DTYPE",
      name,
      `tensor ${quote(tensor)} has dtype ${what} (known: ${Object.keys(dtypeSizes).join(", ")}); ${notSafetensors}`,
    );
  }
  const shape = integerList(name, tensor, "shape", value.get("shape"), "SAFETENSORS_BAD_SHAPE");
  const offsets = integerList(name, tensor, "data_offsets", value.get("data_offsets"), "SAFETENSORS_BAD_OFFSETS");
  const [begin, end] = offsets;
  if (offsets.length !== 2 || begin === undefined || end === undefined || begin > end) {
    throw corrupt(
      "SAFETENSORS_BAD_OFFSETS",
      name,
      `tensor ${quote(tensor)} has data_offsets ${formatShape(offsets)}, which is not a pair [begin, end] with ` +
        `begin <= end; ${notSafetensors}`,
    );
  }
  return { name: tensor, dtype: dtype satisfies Dtype, shape, begin, end };
}

function integerList(
  name: string,
  tensor: string,
  field: "shape" | "data_offsets",
  value: JsonValue | undefined,
  code: "SAFETENSORS_BAD_SHAPE" | "SAFETENSORS_BAD_OFFSETS",
): number[] {
  if (!Array.isArray(value)) {
    throw corrupt(
      code,
      name,
      `tensor ${quote(tensor)} has ${field} ${describeJsonValue(value)}, not a list of integers; ${notSafetensors}`,
    );
  }
  return value.map((item) => {
    const integer = item instanceof JsonNumber ? item.unsignedInteger : undefined;
    if (integer === undefined) {
      throw corrupt(
        code,
        name,
        `tensor ${quote(tensor)} has ${describeJsonValue(item)} in its ${field}, where only non-negative integers ` +
          `are allowed; ${notSafetensors}`,
      );
    }
    if (!Number.isSafeInteger(integer)) {
      throw corrupt(
        "SAFETENSORS_OVERFLOW",
        name,
        `tensor ${quote(tensor)} has ${(item as JsonNumber).raw.slice(0, 40)} in its ${field}, beyond the 2^53 that ` +
          `any real file stays under; ${notSafetensors}`,
      );
    }
    return integer;
  });
}

/** Tensor names come from untrusted files: quote them, and keep a hostile one from flooding a message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
