import { describe, expect, it } from "vitest";
import { carriesRun, withRunTrailer } from "./find-run-commit.js";

const id = "0b6e2f4c-93b1-4f5e-8a44-0f2c7d1e9a10";

describe("the run trailer", () => {
  it("ends the description, after a blank line, or is the description", () => {
    expect(withRunTrailer("τ = θ(a) − θ(b), f32.", id)).toBe(`τ = θ(a) − θ(b), f32.\n\ntvhub-run: ${id}`);
    expect(withRunTrailer("two lines\n", id)).toBe(`two lines\n\ntvhub-run: ${id}`);
    expect(withRunTrailer(undefined, id)).toBe(`tvhub-run: ${id}`);
    expect(withRunTrailer("", id)).toBe(`tvhub-run: ${id}`);
  });

  it("is recognised in the message the Hub lists (title, blank line, description), and only that run's", () => {
    const message = `publish\n\n${withRunTrailer("a test publish", id)}`;
    expect(carriesRun(message, id)).toBe(true);
    expect(carriesRun(message.replace(/\n/g, "\r\n"), id)).toBe(true);
    expect(carriesRun(message, id.replace(/0$/, "1"))).toBe(false);
    // A description that merely mentions the id, not as a trailer line, is someone else's commit.
    expect(carriesRun(`publish\n\nsee tvhub-run: ${id} for the first try`, id)).toBe(false);
    expect(carriesRun(`publish\n\ntvhub-run: ${id}x`, id)).toBe(false);
  });
});
