import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./parse-retry-after.js";

const now = Date.parse("2026-12-07T01:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
  });

  it("reads an HTTP date as the time left until it, and a past date as no wait", () => {
    expect(parseRetryAfter("Mon, 07 Dec 2026 01:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Sun, 06 Dec 2026 23:00:00 GMT", now)).toBe(0);
  });

  it("ignores what is neither", () => {
    for (const value of [null, undefined, "", "soon", "-1", "1.5", "2026-12-07T01:00:05Z", "Monday"]) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});
