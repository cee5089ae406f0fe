import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseRetryDelay } from "./parse-retry-delay.js";

describe("parseRetryDelay", () => {
  it("reads whole milliseconds, and nothing when unset", () => {
    expect(parseRetryDelay(undefined)).toBeUndefined();
    expect(parseRetryDelay("")).toBeUndefined();
    expect(parseRetryDelay("0")).toBe(0);
    expect(parseRetryDelay(" 20 ")).toBe(20);
  });

  it("refuses anything else in one sentence", () => {
    for (const text of ["-1", "0.5", "1e3", "fast", "10000000"]) {
      expect(() => parseRetryDelay(text)).toThrow(UsageError);
      expect(() => parseRetryDelay(text)).toThrow(
        /^TVHUB_RETRY_DELAY_MS must be a whole number of milliseconds up to 999999, such as 500; got ".*"\.$/,
      );
    }
  });
});
