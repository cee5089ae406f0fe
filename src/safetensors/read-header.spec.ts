import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { bufferSource } from "./buffer-source.js";
import { readHeader } from "./read-header.js";
import type { ByteSource } from "./types.js";

const file = "model-00002-of-00003.safetensors";
const utf8 = new TextEncoder();

/** A file from header text and data bytes; `length` overrides the u64 header-length field. */
function craft(header: string, data: number | Uint8Array = 0, length?: bigint): Uint8Array {
  const json = utf8.encode(header);
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function entry(dtype: string, shape: unknown, offsets: unknown): string {
  return JSON.stringify({ dtype, shape, data_offsets: offsets });
}

async function failure(bytes: Uint8Array): Promise<DataError> {
  try {
    await readHeader({ source: bufferSource({ bytes, name: file }) });
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return error as DataError;
  }
  throw new Error("the header was accepted");
}

/** One crafted file per rule; each must fail with its own code and a one-sentence message naming the file. */
const rules: Array<[code: string, description: string, bytes: Uint8Array]> = [
  ["SAFETENSORS_TOO_SMALL", "a file shorter than the length field", new Uint8Array([1, 0, 0])],
  ["SAFETENSORS_HEADER_TOO_LARGE", "N above 100,000,000", craft("{}", 0, 100_000_001n)],
  ["SAFETENSORS_HEADER_TOO_LARGE", "N = 2^64 - 1", craft("{}", 0, 2n ** 64n - 1n)],
  ["SAFETENSORS_HEADER_LENGTH", "N beyond the end of the file", craft("{}", 0, 1000n)],
  [
    "SAFETENSORS_HEADER_UTF8",
    "a header that is not UTF-8",
    (() => {
      const b = craft('{"a":1}');
      b[10] = 0xff;
      return b;
    })(),
  ],
  [
    "SAFETENSORS_HEADER_START",
    "a header that starts with a letter",
    craft('x{"a":' + entry("F32", [1], [0, 4]) + "}", 4),
  ],
  ["SAFETENSORS_HEADER_START", "a header of spaces only", craft("        ")],
  ["SAFETENSORS_HEADER_START", "an empty header", craft("")],
  ["SAFETENSORS_HEADER_START", "a JSON array", craft("[]")],
  ["SAFETENSORS_HEADER_JSON", "truncated JSON", craft('{"a":')],
  ["SAFETENSORS_HEADER_JSON", "garbage after the object", craft("{}x")],
  [
    "SAFETENSORS_HEADER_JSON",
    "deeply nested arrays",
    craft(`{"__metadata__":${"[".repeat(10_000)}${"]".repeat(10_000)}}`),
  ],
  [
    "SAFETENSORS_DUPLICATE_NAME",
    "a tensor name twice",
    craft(`{"a":${entry("U8", [1], [0, 1])},"a":${entry("U8", [1], [1, 2])}}`, 2),
  ],
  ["SAFETENSORS_BAD_METADATA", "a non-string metadata value", craft('{"__metadata__":{"format":1}}')],
  ["SAFETENSORS_BAD_METADATA", "metadata that is not an object", craft('{"__metadata__":"pt"}')],
  ["SAFETENSORS_BAD_ENTRY", "an entry that is not an object", craft('{"a":[1]}')],
  ["SAFETENSORS_BAD_ENTRY", "an entry that is null", craft('{"a":null}')],
  [
    "SAFETENSORS_BAD_ENTRY",
    "an entry with an extra key twice",
    craft(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":0,"x":1}}`, 1),
  ],
  ["SAFETENSORS_BAD_ENTRY", "an entry without data_offsets", craft('{"a":{"dtype":"U8","shape":[1]}}', 1)],
  [
    "SAFETENSORS_BAD_ENTRY",
    "an entry with a key twice",
    craft('{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1),
  ],
  ["SAFETENSORS_BAD_DTYPE", "an unknown dtype", craft(`{"a":${entry("F4", [2], [0, 1])}}`, 1)],
  ["SAFETENSORS_BAD_DTYPE", "a dtype that is a number", craft('{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', 4)],
  ["SAFETENSORS_BAD_SHAPE", "a negative dimension", craft(`{"a":${entry("U8", [-1], [0, 0])}}`)],
  [
    "SAFETENSORS_BAD_SHAPE",
    "a dimension written 2.0",
    craft('{"a":{"dtype":"U8","shape":[2.0],"data_offsets":[0,2]}}', 2),
  ],
  [
    "SAFETENSORS_BAD_SHAPE",
    "a dimension written 2e0",
    craft('{"a":{"dtype":"U8","shape":[2e0],"data_offsets":[0,2]}}', 2),
  ],
  ["SAFETENSORS_BAD_SHAPE", "a shape that is a string", craft(`{"a":${entry("U8", "2", [0, 2])}}`, 2)],
  ["SAFETENSORS_BAD_OFFSETS", "one offset", craft(`{"a":${entry("U8", [2], [0])}}`, 2)],
  ["SAFETENSORS_BAD_OFFSETS", "begin after end", craft(`{"a":${entry("U8", [0], [4, 0])}}`, 4)],
  ["SAFETENSORS_BAD_OFFSETS", "an offset that is a string", craft(`{"a":${entry("U8", [2], [0, "2"])}}`, 2)],
  [
    "SAFETENSORS_OVERFLOW",
    "a dimension beyond 2^53",
    craft('{"a":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,1]}}', 1),
  ],
  [
    "SAFETENSORS_OVERFLOW",
    "a shape whose product overflows",
    craft(`{"a":${entry("F64", [2 ** 30, 2 ** 30, 2 ** 30], [0, 8])}}`, 8),
  ],
  [
    "SAFETENSORS_SIZE_MISMATCH",
    "offsets that do not match shape × dtype",
    craft(`{"lm_head.weight":${entry("F32", [3, 4], [0, 10])}}`, 10),
  ],
  [
    "SAFETENSORS_OFFSETS_GAP",
    "a hole between tensors",
    craft(`{"a":${entry("U8", [4], [0, 4])},"b":${entry("U8", [4], [8, 12])}}`, 12),
  ],
  ["SAFETENSORS_OFFSETS_GAP", "data that does not start at 0", craft(`{"a":${entry("U8", [4], [4, 8])}}`, 8)],
  [
    "SAFETENSORS_OFFSETS_OVERLAP",
    "overlapping tensors",
    craft(`{"a":${entry("U8", [8], [0, 8])},"b":${entry("U8", [8], [4, 12])}}`, 12),
  ],
  [
    "SAFETENSORS_OFFSETS_OVERLAP",
    "two tensors on the same bytes",
    craft(`{"a":${entry("U8", [8], [0, 8])},"b":${entry("U8", [8], [0, 8])}}`, 8),
  ],
  ["SAFETENSORS_TRUNCATED", "a file cut short", craft(`{"a":${entry("F32", [4], [0, 16])}}`, 8)],
  ["SAFETENSORS_TRAILING_BYTES", "bytes after the last tensor", craft(`{"a":${entry("F32", [4], [0, 16])}}`, 20)],
];

describe("readHeader rejects every rule violation with its own code", () => {
  it.each(rules)("%s: %s", async (code, _description, bytes) => {
    const error = await failure(bytes);
    expect(error.code).toBe(code);
    expect(error.subject).toBe(file);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    expect(error.message).toMatch(/^[^\n]+\.$/);
  });

  it("covers every header code the module defines", () => {
    const codes = new Set(rules.map(([code]) => code));
    expect(codes.size).toBe(18);
  });

  it("words the size mismatch as the user needs it", async () => {
    const error = await failure(rules.find(([code]) => code === "SAFETENSORS_SIZE_MISMATCH")?.[2] ?? new Uint8Array());
    expect(error.message).toBe(
      'model-00002-of-00003.safetensors: tensor "lm_head.weight" has data_offsets [0, 10] but shape [3, 4] in F32 ' +
        "needs 48 bytes; the file is corrupt or was not written as safetensors.",
    );
  });

  it("names the duplicated tensor", async () => {
    const error = await failure(
      craft(`{"x.weight":${entry("U8", [1], [0, 1])},"x.weight":${entry("U8", [1], [1, 2])}}`, 2),
    );
    expect(error.message).toContain('tensor "x.weight" twice');
  });

  it("refuses a huge N before reading or allocating it", async () => {
    const reads: Array<[number, number]> = [];
    const bytes = craft("{}", 0, 99_999_999n);
    const source: ByteSource = {
      name: file,
      size: bytes.length,
      read: async (start, end) => {
        reads.push([start, end]);
        return bytes.subarray(start, end);
      },
    };
    await expect(readHeader({ source })).rejects.toMatchObject({ code: "SAFETENSORS_HEADER_LENGTH" });
    expect(reads).toEqual([[0, bytes.length]]);
  });
});

describe("readHeader accepts valid files", () => {
  it("orders tensors by offset whatever the JSON order, keeping zero-length and rank-0 tensors", async () => {
    const header =
      `{"z":${entry("F32", [], [0, 4])},"a":${entry("U8", [0, 3], [4, 4])},` +
      `"__metadata__":{"format":"pt","é":"ü"},"m":${entry("I64", [1], [4, 12])}}`;
    const parsed = await readHeader({ source: bufferSource({ bytes: craft(header, 12), name: file }) });
    expect(parsed.tensors.map((t) => [t.name, t.begin, t.end])).toEqual([
      ["z", 0, 4],
      ["a", 4, 4],
      ["m", 4, 12],
    ]);
    expect(parsed.metadata).toEqual({ format: "pt", é: "ü" });
    expect(parsed.tensors[0]?.shape).toEqual([]);
  });

  it("accepts padding with spaces and JSON whitespace, and unicode and escaped names", async () => {
    const header = `{ "\\u00e9t\\u00e9\\ud83d\\ude00" : ${entry("U8", [2], [0, 2])} }\n      `;
    const parsed = await readHeader({ source: bufferSource({ bytes: craft(header, 2), name: file }) });
    expect(parsed.tensors[0]?.name).toBe("été😀");
    expect(parsed.dataStart).toBe(8 + utf8.encode(header).length);
  });

  it(
    "accepts what the reference accepts: __metadata__ null, whitespace before {, an unknown entry key, C64 and " +
      "F8_E8M0",
    async () => {
      const read = (header: string, data: number) =>
        readHeader({ source: bufferSource({ bytes: craft(header, data), name: file }) });
      expect((await read(`{"__metadata__":null,"a":${entry("F32", [1], [0, 4])}}`, 4)).metadata).toBeUndefined();
      expect((await read(` \n\t\r{"a":${entry("F32", [1], [0, 4])}}`, 4)).tensors).toHaveLength(1);
      const extra = await read(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"future":{"x":[1.5,null]}}}`, 2);
      expect(extra.tensors).toEqual([{ name: "a", dtype: "U8", shape: [2], begin: 0, end: 2 }]);
      const odd = await read(`{"c":${entry("C64", [2], [0, 16])},"s":${entry("F8_E8M0", [3], [16, 19])}}`, 19);
      expect(odd.tensors.map((t) => [t.name, t.dtype])).toEqual([
        ["c", "C64"],
        ["s", "F8_E8M0"],
      ]);
    },
  );

  it("reads entries the same on the fast path and the strict one (escapes, key order, whitespace)", async () => {
    const fast =
      `{"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},` +
      `"b":{"data_offsets":[12,14],"shape":[1],"dtype":"BF16"}}`;
    const slow =
      `{"a":{"dtype":"F\u0031\u0036","shape":[2,3],"data_offsets":[0,12]},"b":{ "data_offsets" : [ 12 , ` +
      `14 ] , "shape" : [ 1 ] , "d\u0074ype" : "BF16" }}`;
    const [one, two] = await Promise.all(
      [fast, slow].map((header) => readHeader({ source: bufferSource({ bytes: craft(header, 14), name: file }) })),
    );
    expect(two?.tensors).toEqual(one?.tensors);
    expect(one?.tensors).toEqual([
      { name: "a", dtype: "F16", shape: [2, 3], begin: 0, end: 12 },
      { name: "b", dtype: "BF16", shape: [1], begin: 12, end: 14 },
    ]);
  });

  it("reports a JSON syntax error after a schema error, as a parser of the whole text first would", async () => {
    const error = await failure(craft(`{"a":${entry("XX", [1], [0, 4])},"b":{"dtype":"F32",}}`, 4));
    expect(error.code).toBe("SAFETENSORS_HEADER_JSON");
  });

  it("reads a header larger than the first read", async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `model.layers.${i}.weight`);
    const header = `{${names.map((name, i) => `"${name}":${entry("U8", [1], [i, i + 1])}`).join(",")}}`;
    expect(header.length).toBeGreaterThan(64 * 1024);
    const parsed = await readHeader({ source: bufferSource({ bytes: craft(header, 3000), name: file }) });
    expect(parsed.tensors).toHaveLength(3000);
  });

  it("reads every golden file of the reference implementation", async () => {
    const dir = resolve(import.meta.dirname, "../../test/fixtures/safetensors");
    const files = readdirSync(dir).filter((name) => name.endsWith(".safetensors"));
    expect(files).toHaveLength(5);
    for (const name of files) {
      const bytes = new Uint8Array(readFileSync(join(dir, name)));
      const parsed = await readHeader({ source: bufferSource({ bytes, name }) });
      expect(parsed.fileSize).toBe(bytes.length);
    }
    const doc = await readHeader({
      source: bufferSource({ bytes: new Uint8Array(readFileSync(join(dir, "doc-example-unpadded.safetensors"))) }),
    });
    expect(doc.headerLength).toBe(60);
    expect(doc.tensors).toEqual([{ name: "test", dtype: "I32", shape: [2, 2], begin: 0, end: 16 }]);
  });
});
