import { describe, expect, it } from "vitest";
import { describePublished } from "./describe-published.js";

describe("describePublished", () => {
  const hub = "http://127.0.0.1:1/org/tv";

  it("names the repo and commit, or the folder, of a direct publish", () => {
    expect(describePublished({ repo: "org/tv", commit: "a".repeat(40), url: hub })).toBe(
      `${hub} at commit ${"a".repeat(40)}`,
    );
    expect(describePublished({ dir: "./out", url: "./out" })).toBe("./out");
  });

  it("names the pull request, its link and its ref, and says main is unchanged until the merge", () => {
    const pullRequest = { num: 3, url: `${hub}/discussions/3`, ref: "refs/pr/3" };
    expect(describePublished({ repo: "org/tv", commit: "b".repeat(40), url: hub, pullRequest })).toBe(
      `pull request #3 on ${hub}: ${hub}/discussions/3 (commit ${"b".repeat(40)} on refs/pr/3; main changes when it ` +
        "is merged)",
    );
  });
});
