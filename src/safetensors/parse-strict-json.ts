/**
 * A strict JSON parser for untrusted headers and index files. `JSON.parse` cannot be used directly: it keeps
 * the last of two duplicate keys without a word (two tensors with one name would silently become one), and it
 * turns `1e2`, `1.0` and `100` into the same number where the reference (serde_json into `usize`) accepts only
 * the last. This parser keeps objects as Maps in document order, refuses duplicate keys, keeps every number's
 * source text, refuses unpaired surrogate escapes (serde_json does too) and bounds nesting, so a hostile header
 * can neither blow the stack nor hide a name.
 */

import { Ascii as Char } from "./ascii.js";
import { defineOwn } from "./define-own.js";

/** A JSON number with its exact source text. */
export class JsonNumber {
  constructor(readonly raw: string) {}

  /** The value when the text is a plain non-negative integer (no sign, fraction or exponent), else undefined. */
  get unsignedInteger(): number | undefined {
    return /^(?:0|[1-9][0-9]*)$/.test(this.raw) ? Number(this.raw) : undefined;
  }

  get value(): number {
    return Number(this.raw);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export interface JsonProblem {
  /** What is wrong, in words that fit after "the header is not valid JSON: ". */
  reason: string;
  /** UTF-16 offset into the text. */
  position: number;
  /** Set when the problem is a key that occurs twice in one object. */
  duplicateKey?: string;
  /** The keys leading to the object with the duplicate key (empty: the top level). */
  path?: string[];
}

/** Thrown by `parseStrictJson`; callers turn it into a DataError that names their file. */
export class JsonSyntaxError extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.reason);
    this.name = "JsonSyntaxError";
  }
}

export interface ParseStrictJsonOptions {
  text: string;
  /** Deepest nesting accepted; tvhub's schemas need 3. @default 32 */
  maxDepth?: number;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value instanceof Map;
}

export function describeJsonValue(value: JsonValue | undefined): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (typeof value === "string") return `the string ${JSON.stringify(truncate(value))}`;
  if (value instanceof JsonNumber) return `the number ${truncate(value.raw)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return "an object";
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * An object whose values must all be strings, as a plain record: every key an own property (`__proto__` included,
 * as a JSON reader in another language would keep it). `notString` is the error for the first value that is not.
 */
export function toStringRecord(
  object: JsonObject,
  notString: (key: string, value: JsonValue) => Error,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of object) {
    if (typeof value !== "string") throw notString(key, value);
    defineOwn(record, key, value);
  }
  return record;
}

export function parseStrictJson(options: ParseStrictJsonOptions): JsonValue {
  return new StrictJsonReader(options.text, options.maxDepth ?? 32).parseDocument();
}

const needsSlowPath = /[\\\u0000-\u001f]/;

/** The two-character escapes and what each stands for (`\u` has four hex digits more). */
const simpleEscapes = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);

/**
 * The parser, also for a reader of one known document shape (a safetensors header) that walks the top-level
 * object itself and parses one member value at a time, so that a huge document never becomes one tree.
 */
export class StrictJsonReader {
  /** The UTF-16 offset of the next character to read. */
  pos = 0;
  private readonly path: string[] = [];

  constructor(
    readonly text: string,
    private readonly maxDepth: number,
  ) {}

  /** Parses one value as the member `key` of the top-level object (so a duplicate key in it names its path). */
  parseMember(key: string): JsonValue {
    this.path.push(key);
    try {
      return this.parseValue(1);
    } finally {
      this.path.pop();
    }
  }

  /** Reads a quoted string at `pos`; fails when there is none. */
  parseKey(): string {
    if (this.text.charCodeAt(this.pos) !== Char.Quote)
      this.fail(`expected a quoted key but found ${this.describeHere()}`);
    return this.parseString();
  }

  /** Consumes `code` between optional whitespace, or fails saying what was expected. */
  expect(code: number, what: string): void {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== code) this.fail(`expected ${what} but found ${this.describeHere()}`);
    this.pos++;
    this.skipWhitespace();
  }

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the end of the value`);
    return value;
  }

  fail(reason: string, extra: Partial<JsonProblem> = {}): never {
    throw new JsonSyntaxError({ reason, position: this.pos, ...extra });
  }

  describeHere(): string {
    if (this.pos >= this.text.length) return "end of text";
    const code = this.text.charCodeAt(this.pos);
    return code >= 0x21 && code <= 0x7e
      ? `"${this.text[this.pos]}"`
      : `character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }

  skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code === Char.Space || code === Char.Newline || code === Char.Return || code === Char.Tab) pos++;
      else break;
    }
    this.pos = pos;
  }

  private parseValue(depth: number): JsonValue {
    const code = this.text.charCodeAt(this.pos);
    switch (code) {
      case Char.OpenBrace:
        return this.parseObject(depth + 1);
      case Char.OpenBracket:
        return this.parseArray(depth + 1);
      case Char.Quote:
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral("true", true);
      case 0x66: // f
        return this.parseLiteral("false", false);
      case 0x6e: // n
        return this.parseLiteral("null", null);
      default:
        if (code === Char.Minus || (code >= Char.Zero && code <= Char.Nine)) return this.parseNumber();
        return this.fail(`expected a value but found ${this.describeHere()}`);
    }
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail(`expected a value but found ${this.describeHere()}`);
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail(`values are nested deeper than ${this.maxDepth} levels`);
  }

  private parseObject(depth: number): JsonObject {
    const object: JsonObject = new Map();
    if (this.opensEmpty(depth, Char.CloseBrace)) return object;
    for (;;) {
      const keyPosition = this.pos;
      const key = this.parseKey();
      if (object.has(key)) {
        this.pos = keyPosition;
        this.fail(`the key ${JSON.stringify(key)} occurs twice in one object`, {
          duplicateKey: key,
          path: [...this.path],
        });
      }
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== Char.Colon)
        this.fail(`expected ":" after a key but found ${this.describeHere()}`);
      this.pos++;
      this.skipWhitespace();
      this.path.push(key);
      object.set(key, this.parseValue(depth));
      this.path.pop();
      if (this.closes(Char.CloseBrace, "}")) return object;
    }
  }

  private parseArray(depth: number): JsonValue[] {
    const array: JsonValue[] = [];
    if (this.opensEmpty(depth, Char.CloseBracket)) return array;
    for (;;) {
      array.push(this.parseValue(depth));
      if (this.closes(Char.CloseBracket, "]")) return array;
    }
  }

  /** Steps into the `{` or `[` at `pos`; true when the container is empty (its `close` consumed too). */
  private opensEmpty(depth: number, close: Char): boolean {
    this.enter(depth);
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== close) return false;
    this.pos++;
    return true;
  }

  /**
   * After a member or element: true when `close` ends the container (consumed); false after a comma and the
   * white space behind it, where the next one starts.
   */
  private closes(close: Char, closeText: string): boolean {
    this.skipWhitespace();
    const next = this.text.charCodeAt(this.pos);
    if (next === close) {
      this.pos++;
      return true;
    }
    if (next !== Char.Comma) this.fail(`expected "," or "${closeText}" but found ${this.describeHere()}`);
    this.pos++;
    this.skipWhitespace();
    return false;
  }

  private parseNumber(): JsonNumber {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === Char.Minus) pos++;
    const intStart = pos;
    pos = this.skipDigits(pos);
    if (pos === intStart) {
      this.pos = pos;
      this.fail(`expected a digit but found ${this.describeHere()}`);
    }
    if (text.charCodeAt(intStart) === Char.Zero && pos > intStart + 1) {
      this.pos = intStart;
      this.fail("a number has a leading zero");
    }
    if (text.charCodeAt(pos) === Char.Dot) {
      const fracEnd = this.skipDigits(pos + 1);
      if (fracEnd === pos + 1) {
        this.pos = fracEnd;
        this.fail(`expected a digit after "." but found ${this.describeHere()}`);
      }
      pos = fracEnd;
    }
    const e = text.charCodeAt(pos);
    if (e === Char.LowerE || e === Char.UpperE) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === Char.Plus || sign === Char.Minus) pos++;
      const expEnd = this.skipDigits(pos);
      if (expEnd === pos) {
        this.pos = pos;
        this.fail(`expected a digit in an exponent but found ${this.describeHere()}`);
      }
      pos = expEnd;
    }
    this.pos = pos;
    return new JsonNumber(text.slice(start, pos));
  }

  private skipDigits(from: number): number {
    const text = this.text;
    let pos = from;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code >= Char.Zero && code <= Char.Nine) pos++;
      else return pos;
    }
  }

  private parseString(): string {
    const text = this.text;
    this.pos++; // opening quote
    // Fast path: most keys and values have no escapes and no control characters.
    const close = text.indexOf('"', this.pos);
    if (close >= 0) {
      const raw = text.slice(this.pos, close);
      if (!needsSlowPath.test(raw)) {
        this.pos = close + 1;
        return raw;
      }
    }
    let out = "";
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= text.length) this.fail("a string is not closed");
      const code = text.charCodeAt(this.pos);
      if (code === Char.Quote) {
        out += text.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20)
        this.fail(
          `a string contains the control character U+${code.toString(16).toUpperCase().padStart(4, "0")} unescaped`,
        );
      if (code !== Char.Backslash) {
        this.pos++;
        continue;
      }
      out += text.slice(runStart, this.pos);
      out += this.parseEscape();
      runStart = this.pos;
    }
  }

  /** Reads one escape sequence starting at the backslash; returns the characters it stands for. */
  private parseEscape(): string {
    const text = this.text;
    const letter = text[this.pos + 1];
    const simple = letter === undefined ? undefined : simpleEscapes.get(letter);
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    switch (letter) {
      case "u": {
        const unit = this.hex4(this.pos + 2);
        this.pos += 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) this.fail("a string has an unpaired low surrogate escape");
        if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
        if (text[this.pos] !== "\\" || text[this.pos + 1] !== "u")
          this.fail("a string has an unpaired high surrogate escape");
        const low = this.hex4(this.pos + 2);
        if (low < 0xdc00 || low > 0xdfff) this.fail("a string has an unpaired high surrogate escape");
        this.pos += 6;
        return String.fromCharCode(unit, low);
      }
      default:
        this.pos++;
        return this.fail(`a string has an invalid escape "\\${letter ?? ""}"`);
    }
  }

  private hex4(at: number): number {
    const digits = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
      this.pos = at;
      this.fail("a \\u escape needs four hex digits");
    }
    return parseInt(digits, 16);
  }
}
