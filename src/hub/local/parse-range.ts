/** What a `Range` header asks of a body of known size. */
export type ByteRange = { kind: "full" } | { kind: "partial"; start: number; end: number } | { kind: "unsatisfiable" };

export interface ParseRangeOptions {
  /** The raw `Range` request header, if any. */
  header: string | undefined;
  /** Size of the body in bytes. */
  size: number;
}

/**
 * Reads a single `bytes=` range (RFC 9110 §14.1.2). Anything this server does not serve as a slice (no header,
 * another unit, several ranges, bad syntax) means the full body, which RFC 9110 allows a server to send instead.
 * `end` is inclusive and clamped to the last byte.
 */
export function parseRange(options: ParseRangeOptions): ByteRange {
  const { header, size } = options;
  if (header === undefined) return { kind: "full" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return { kind: "full" };
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return { kind: "full" };
  if (first === "") {
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: "full" };
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return { kind: "full" };
  if (last !== "" && end < start) return { kind: "full" };
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end: Math.min(end, size - 1) };
}
