import { describe, expect, it } from "vitest";
import { RemoteError, UsageError } from "../errors.js";
import { interruptedError, leftoverClause, withLeftovers } from "./publish-leftovers.js";

const base = { repo: "alice/tv", hubUrl: "http://127.0.0.1:1", committed: false as const, removed: false, kept: 0 };

describe("what a publish that did not finish left", () => {
  it(
    "says the created repo was removed, the bytes a rerun does not send again, or a commit that may have " + "landed",
    () => {
      expect(leftoverClause({ ...base, removed: true })).toBe(
        "nothing was committed, and the repo this run created was removed",
      );
      expect(leftoverClause({ ...base, kept: 1_085_600 })).toBe(
        "nothing was committed; the 1.09 MB uploaded stay on the Hub, so rerunning the same command does not send " +
          "them again",
      );
      expect(leftoverClause({ ...base, committed: "maybe", kept: 10 })).toBe(
        "the commit may have landed: look at http://127.0.0.1:1/alice/tv/commits/main before rerunning",
      );
      // A removed repo holds no commit, whatever the lost answer said.
      expect(leftoverClause({ ...base, committed: "maybe", removed: true })).toBe(
        "nothing was committed, and the repo this run created was removed",
      );
      expect(leftoverClause(base)).toBeUndefined();
    },
  );

  it("puts it in parentheses before the full stop of a Hub failure, and leaves other errors alone", () => {
    const error = new RemoteError(
      "Publishing to alice/tv on http://127.0.0.1:1 failed: the Hub answered HTTP 500; rerun later.",
      { code: "HUB_SERVER_ERROR", subject: "alice/tv" },
    );
    const told = withLeftovers(error, { ...base, removed: true });
    expect(told.message).toBe(
      "Publishing to alice/tv on http://127.0.0.1:1 failed: the Hub answered HTTP 500; rerun later (nothing was " +
        "committed, and the repo this run created was removed).",
    );
    expect(told.code).toBe("HUB_SERVER_ERROR");
    expect(withLeftovers(error, base)).toBe(error);
    const usage = new UsageError("Bad.", { code: "X" });
    expect(withLeftovers(usage, { ...base, removed: true })).toBe(usage);
  });

  it("makes an interruption one sentence, with its own code", () => {
    const error = interruptedError({ ...base, removed: true });
    expect(error.code).toBe("INTERRUPTED");
    expect(error.message).toBe(
      "Interrupted while publishing to alice/tv: nothing was committed, and the repo this run created was removed; " +
        "rerun the same command to publish.",
    );
    expect(interruptedError(base).message).toBe(
      "Interrupted while publishing to alice/tv: nothing was committed; rerun the same command to publish.",
    );
  });
});
