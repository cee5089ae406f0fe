import { dtypeSizes, type Dtype } from "../tensor/dtype.js";
import { Ascii as Byte } from "./ascii.js";
import { defineOwn } from "./define-own.js";
import type { TensorInfo } from "./types.js";

/** What the fast path read: the same as the strict path would have, or nothing at all. */
export interface FastHeader {
  metadata: Record<string, string> | undefined;
  /** In document order. */
  tensors: TensorInfo[];
}

/**
 * The fast path of header parsing: reads a header written the way writers write it straight from its UTF-8
 * bytes into TensorInfo objects, without decoding the whole header to a string or building a JSON tree (a Map, two
 * arrays and a number object per integer cost about 1.7 kB a tensor; a 1,000,000-tensor header is 70 MB). Names
 * become strings of their own, so the header's bytes can go once it is read; equal shapes share one frozen array.
 *
 * It returns undefined, having decided nothing, at the first thing it is not sure of: an escape or a control
 * character in a string, a key twice, an unknown key or dtype, a number with a sign, fraction, exponent, leading
 * zero or more than 15 digits, a missing key, offsets that are not an ordered pair, metadata that is not an object
 * of plain strings, anything after the object but whitespace. The caller then parses the header with the strict
 * parser, whose verdicts and messages are the rules: a header this accepts is one the strict path accepts, with the
 * same result. The bytes must already be known to be valid UTF-8.
 */
export function parseHeaderFast(bytes: Uint8Array): FastHeader | undefined {
  return new FastReader(bytes).header();
}

const dtypeNames = new Map<string, Dtype>(Object.keys(dtypeSizes).map((name) => [name, name as Dtype]));

class FastReader {
  private pos = 0;
  private readonly text: Buffer;
  /** Equal shapes share one frozen array: a model's layers repeat a handful of shapes. */
  private readonly shapes = new Map<string, number[]>();
  /** Scratch for one list of integers. */
  private readonly scratch: number[] = [];

  constructor(private readonly bytes: Uint8Array) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  header(): FastHeader | undefined {
    this.skip();
    if (this.bytes[this.pos] !== Byte.OpenBrace) return undefined;
    this.pos++;
    this.skip();
    const tensors: TensorInfo[] = [];
    let metadata: Record<string, string> | undefined;
    let sawMetadata = false;
    if (this.bytes[this.pos] === Byte.CloseBrace) this.pos++;
    else {
      for (;;) {
        const key = this.string();
        if (key === undefined || !this.colon()) return undefined;
        if (key === "__metadata__") {
          if (sawMetadata) return undefined;
          sawMetadata = true;
          const value = this.metadata();
          if (value === null) return undefined;
          metadata = value;
        } else {
          const tensor = this.entry(key);
          if (tensor === undefined) return undefined;
          tensors.push(tensor);
        }
        const next = this.separator(Byte.CloseBrace);
        if (next === undefined) return undefined;
        if (!next) break;
      }
    }
    this.skip();
    if (this.pos !== this.bytes.length || hasDuplicateName(tensors)) return undefined;
    return { metadata, tensors };
  }

  /** `{"k":"v",...}` of plain strings (undefined for JSON null), or null when unsure. */
  private metadata(): Record<string, string> | undefined | null {
    if (this.bytes.subarray(this.pos, this.pos + 4).every((byte, i) => byte === "null".charCodeAt(i))) {
      this.pos += 4;
      return undefined;
    }
    if (this.bytes[this.pos] !== Byte.OpenBrace) return null;
    this.pos++;
    this.skip();
    const metadata: Record<string, string> = {};
    if (this.bytes[this.pos] === Byte.CloseBrace) {
      this.pos++;
      return metadata;
    }
    for (;;) {
      const key = this.string();
      if (key === undefined || Object.hasOwn(metadata, key) || !this.colon()) return null;
      const value = this.string();
      if (value === undefined) return null;
      defineOwn(metadata, key, value);
      const next = this.separator(Byte.CloseBrace);
      if (next === undefined) return null;
      if (!next) return metadata;
    }
  }

  private entry(name: string): TensorInfo | undefined {
    if (this.bytes[this.pos] !== Byte.OpenBrace) return undefined;
    this.pos++;
    this.skip();
    let dtype: Dtype | undefined;
    let shape: number[] | undefined;
    let begin: number | undefined;
    let end: number | undefined;
    for (;;) {
      const key = this.string();
      if (key === undefined || !this.colon()) return undefined;
      if (key === "dtype") {
        const value = dtype === undefined ? this.string() : undefined;
        dtype = value === undefined ? undefined : dtypeNames.get(value);
        if (dtype === undefined) return undefined;
      } else if (key === "shape") {
        if (shape !== undefined) return undefined;
        shape = this.shape();
        if (shape === undefined) return undefined;
      } else if (key === "data_offsets") {
        if (begin !== undefined || !this.integers() || this.scratch.length !== 2) return undefined;
        [begin = 0, end = 0] = this.scratch;
        if (begin > end) return undefined;
      } else {
        return undefined;
      }
      const next = this.separator(Byte.CloseBrace);
      if (next === undefined) return undefined;
      if (!next) break;
    }
    if (dtype === undefined || shape === undefined || begin === undefined || end === undefined) return undefined;
    return { name, dtype, shape, begin, end };
  }

  private shape(): number[] | undefined {
    const start = this.pos;
    if (!this.integers()) return undefined;
    const key = this.text.toString("latin1", start, this.pos);
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      shape = Object.freeze([...this.scratch]) as number[];
      this.shapes.set(key, shape);
    }
    return shape;
  }

  /** `[` integer (`,` integer)* `]` or `[]` into the scratch list, each at most 15 digits (so always exact). */
  private integers(): boolean {
    const bytes = this.bytes;
    this.scratch.length = 0;
    if (bytes[this.pos] !== Byte.OpenBracket) return false;
    this.pos++;
    this.skip();
    if (bytes[this.pos] === Byte.CloseBracket) {
      this.pos++;
      return true;
    }
    for (;;) {
      const first = this.pos;
      let value = 0;
      for (;;) {
        // Past the end, the index reads undefined, which no comparison lets through.
        const digit = (bytes[this.pos] ?? -1) - Byte.Zero;
        if (!(digit >= 0 && digit <= 9)) break;
        value = value * 10 + digit;
        this.pos++;
      }
      const digits = this.pos - first;
      if (digits === 0 || digits > 15 || (digits > 1 && bytes[first] === Byte.Zero)) return false;
      const after = bytes[this.pos];
      if (after === Byte.Dot || after === Byte.LowerE || after === Byte.UpperE) return false;
      this.scratch.push(value);
      const next = this.separator(Byte.CloseBracket);
      if (next === undefined) return false;
      if (!next) return true;
    }
  }

  /** A string without escapes or control characters, decoded; undefined when there is none or it has either. */
  private string(): string | undefined {
    const bytes = this.bytes;
    if (bytes[this.pos] !== Byte.Quote) return undefined;
    const start = this.pos + 1;
    const close = bytes.indexOf(Byte.Quote, start);
    if (close < 0) return undefined;
    let high = 0;
    for (let i = start; i < close; i++) {
      const byte = bytes[i] ?? 0;
      if (byte < Byte.Space || byte === Byte.Backslash) return undefined;
      high |= byte;
    }
    this.pos = close + 1;
    this.skip();
    // The caller checked the whole header is valid UTF-8, so a slice between two ASCII quotes is too.
    return high < 0x80 ? this.text.toString("latin1", start, close) : this.text.toString("utf8", start, close);
  }

  private colon(): boolean {
    if (this.bytes[this.pos] !== Byte.Colon) return false;
    this.pos++;
    this.skip();
    return true;
  }

  /** After a value: true at `,` (more follow), false at `close`, undefined at anything else. */
  private separator(close: number): boolean | undefined {
    this.skip();
    const byte = this.bytes[this.pos];
    this.pos++;
    if (byte === Byte.Comma) {
      this.skip();
      return true;
    }
    return byte === close ? false : undefined;
  }

  private skip(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    for (;;) {
      const byte = bytes[pos];
      if (byte === Byte.Space || byte === Byte.Newline || byte === Byte.Return || byte === Byte.Tab) pos++;
      else break;
    }
    this.pos = pos;
  }
}

/**
 * Whether two tensors share a name, with an open-addressing table of indices in typed arrays: a Set of 1,000,000
 * names costs some 40 MB, this 16 MB for the time of the check.
 */
function hasDuplicateName(tensors: readonly TensorInfo[]): boolean {
  let size = 16;
  while (size < tensors.length * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size); // index + 1; 0 is empty
  const hashes = new Int32Array(size);
  for (let i = 0; i < tensors.length; i++) {
    const name = (tensors[i] as TensorInfo).name;
    let hash = 0x811c9dc5;
    for (let k = 0; k < name.length; k++) hash = Math.imul(hash ^ name.charCodeAt(k), 0x01000193);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const occupant = slots[slot] ?? 0;
      if (occupant === 0) {
        slots[slot] = i + 1;
        hashes[slot] = hash;
        break;
      }
      if (hashes[slot] === hash && (tensors[occupant - 1] as TensorInfo).name === name) return true;
    }
  }
  return false;
}
