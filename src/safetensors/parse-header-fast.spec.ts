import { describe, expect, it } from "vitest";
import { dtypeSizes, type Dtype } from "../tensor/dtype.js";
import { DataError } from "../errors.js";
import { parseHeaderFast } from "./parse-header-fast.js";
import { parseHeader } from "./parse-header.js";
import { rng } from "./testing/mutations.js";
import type { TensorInfo } from "./types.js";

const dtypes = Object.keys(dtypeSizes) as Dtype[];
const names = [
  "a",
  "model.layers.0.weight",
  "é",
  "😀.x",
  "lm_head",
  "}",
  ",",
  " ",
  "__metadata",
  "dtype",
  "data_offsets",
];

interface Case {
  header: string;
  tensors: TensorInfo[];
  metadata: Record<string, string> | undefined;
  dataBytes: number;
}

/** A valid header as some writer might write it: any key order, any JSON whitespace, metadata or not. */
function validCase(next: () => number): Case {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const ws = () => pick(["", "", "", " ", "\n", "\t", "\r\n  "]);
  const count = Math.floor(next() * 6);
  const tensors: TensorInfo[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const dtype = pick(dtypes);
    const shape = Array.from({ length: Math.floor(next() * 4) }, () => Math.floor(next() * 4));
    const bytes = shape.reduce((n, d) => n * d, 1) * dtypeSizes[dtype];
    tensors.push({ name: `${pick(names)}${i}`, dtype, shape, begin: offset, end: offset + bytes });
    offset += bytes;
  }
  const metadata =
    next() < 0.5
      ? undefined
      : Object.fromEntries(
          Array.from({ length: Math.floor(next() * 3) }, (_, i) => [`k${i}${pick(names)}`, pick(names)]),
        );
  const list = (values: number[]) => `[${ws()}${values.join(`${ws()},${ws()}`)}${ws()}]`;
  const members = tensors.map((t) => {
    const fields = [
      `"dtype"${ws()}:${ws()}"${t.dtype}"`,
      `"shape"${ws()}:${ws()}${list(t.shape)}`,
      `"data_offsets":${list([t.begin, t.end])}`,
    ];
    fields.sort(() => next() - 0.5);
    return `${JSON.stringify(t.name)}${ws()}:${ws()}{${ws()}${fields.join(`${ws()},${ws()}`)}${ws()}}`;
  });
  if (metadata)
    members.splice(Math.floor(next() * (members.length + 1)), 0, `"__metadata__":${ws()}${JSON.stringify(metadata)}`);
  return {
    header: `${ws()}{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}${" ".repeat(Math.floor(next() * 8))}`,
    tensors,
    metadata,
    dataBytes: offset,
  };
}

const utf8 = new TextEncoder();

function parse(header: string, dataBytes: number) {
  const bytes = utf8.encode(header);
  return parseHeader({
    name: "x.safetensors",
    fileSize: 8 + bytes.length + dataBytes,
    headerLength: bytes.length,
    bytes,
  });
}

describe("the fast header path", () => {
  it("reads what writers write exactly as the generator meant it, and the strict path agrees", () => {
    for (let i = 0; i < 2000; i++) {
      const { header, tensors, metadata, dataBytes } = validCase(rng(i));
      const fast = parseHeaderFast(utf8.encode(header));
      expect(fast, `case ${i}: ${header}`).toBeDefined();
      expect(fast?.tensors, `case ${i}`).toEqual(tensors);
      expect(fast?.metadata, `case ${i}`).toEqual(metadata);
      // The same header with one escaped key goes down the strict path, which must say the same.
      if (tensors.length === 0) continue;
      const escaped = header.replace('"dtype"', '"\\u0064type"');
      expect(parseHeaderFast(utf8.encode(escaped)), `case ${i}`).toBeUndefined();
      const strict = parse(escaped, dataBytes);
      expect(strict.tensors, `case ${i}`).toEqual(parse(header, dataBytes).tensors);
      expect(strict.metadata, `case ${i}`).toEqual(metadata);
    }
  });

  it("decides nothing about what it is unsure of", () => {
    const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    for (const header of [
      `{"a":${entry},"a":${entry}}`,
      `{"a\\n":${entry}}`,
      `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`,
      `{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}`,
      `{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}`,
      `{"a":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}`,
      `{"a":{"dtype":"F32","shape":[1234567890123456],"data_offsets":[0,4]}}`,
      `{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}`,
      `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,4]}}`,
      `{"a":{"dtype":"F4","shape":[1],"data_offsets":[0,4]}}`,
      `{"a":{"dtype":"F32","shape":[1]}}`,
      `{"__metadata__":{"k":1},"a":${entry}}`,
      `{"__metadata__":{"k":"v","k":"w"}}`,
      `{"__metadata__":null,"__metadata__":null}`,
      `{"a":${entry}}x`,
      `{"a":${entry}`,
      `{"a":{"dtype":"F32","shape":[1`,
      `[]`,
    ]) {
      expect(parseHeaderFast(utf8.encode(header)), header).toBeUndefined();
    }
  });

  it("leaves every error to the strict path, which names it", () => {
    const error = (() => {
      try {
        parse(
          `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`,
          8,
        );
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe("SAFETENSORS_DUPLICATE_NAME");
  });

  it("shares one frozen array among equal shapes", () => {
    const fast = parseHeaderFast(
      utf8.encode(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}',
      ),
    );
    expect(fast?.tensors[0]?.shape).toBe(fast?.tensors[1]?.shape);
    expect(Object.isFrozen(fast?.tensors[0]?.shape)).toBe(true);
  });
});
