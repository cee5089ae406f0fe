import { describe, expect, it } from "vitest";
import { parseRange } from "./parse-range.js";

describe("parseRange", () => {
  it("serves the whole body without a header or with one it does not slice", () => {
    expect(parseRange({ header: undefined, size: 10 })).toEqual({ kind: "full" });
    expect(parseRange({ header: "items=0-1", size: 10 })).toEqual({ kind: "full" });
    expect(parseRange({ header: "bytes=0-1,4-5", size: 10 })).toEqual({ kind: "full" });
    expect(parseRange({ header: "bytes=5-2", size: 10 })).toEqual({ kind: "full" });
    expect(parseRange({ header: "bytes=-", size: 10 })).toEqual({ kind: "full" });
  });

  it("reads closed, open and suffix ranges, clamping the end", () => {
    expect(parseRange({ header: "bytes=0-0", size: 10 })).toEqual({ kind: "partial", start: 0, end: 0 });
    expect(parseRange({ header: "bytes=2-5", size: 10 })).toEqual({ kind: "partial", start: 2, end: 5 });
    expect(parseRange({ header: "bytes=7-", size: 10 })).toEqual({ kind: "partial", start: 7, end: 9 });
    expect(parseRange({ header: "bytes=8-100", size: 10 })).toEqual({ kind: "partial", start: 8, end: 9 });
    expect(parseRange({ header: "bytes=-3", size: 10 })).toEqual({ kind: "partial", start: 7, end: 9 });
    expect(parseRange({ header: "bytes=-30", size: 10 })).toEqual({ kind: "partial", start: 0, end: 9 });
  });

  it("says unsatisfiable when the range starts past the end", () => {
    expect(parseRange({ header: "bytes=10-12", size: 10 })).toEqual({ kind: "unsatisfiable" });
    expect(parseRange({ header: "bytes=-0", size: 10 })).toEqual({ kind: "unsatisfiable" });
    expect(parseRange({ header: "bytes=0-0", size: 0 })).toEqual({ kind: "unsatisfiable" });
  });

  it("handles offsets beyond 4 GiB exactly", () => {
    const size = 2 ** 33;
    expect(parseRange({ header: `bytes=${2 ** 32}-${2 ** 32 + 9}`, size })).toEqual({
      kind: "partial",
      start: 2 ** 32,
      end: 2 ** 32 + 9,
    });
  });
});
