import { describe, expect, it } from "vitest";
import { rememberAsync } from "./remember-async.js";

describe("rememberAsync", () => {
  it("loads once and shares the result", async () => {
    let calls = 0;
    const get = rememberAsync(async () => ++calls);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    expect(await get()).toBe(1);
    expect(calls).toBe(1);
  });

  it("forgets a failure, so the next call loads again", async () => {
    let calls = 0;
    const get = rememberAsync(async () => {
      calls++;
      if (calls === 1) throw new Error("first fails");
      return "second";
    });
    await expect(get()).rejects.toThrow("first fails");
    expect(await get()).toBe("second");
    expect(calls).toBe(2);
  });
});
