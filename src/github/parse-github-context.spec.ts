import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parseGitHubContext } from "./parse-github-context.js";

const head = "1".repeat(40);
const merge = "2".repeat(40);
const base = {
  GITHUB_REPOSITORY: "acme/models",
  GITHUB_SHA: merge,
  GITHUB_API_URL: "http://127.0.0.1:9/",
  GITHUB_SERVER_URL: "https://ghe.example",
};

describe("parseGitHubContext", () => {
  it("takes the pull request's number and head commit, not the merge commit, on pull_request", () => {
    const context = parseGitHubContext(
      { ...base, GITHUB_EVENT_NAME: "pull_request", GITHUB_REF: "refs/pull/12/merge" },
      { number: 12, pull_request: { number: 12, head: { sha: head } }, repository: { default_branch: "main" } },
    );
    expect(context).toEqual({
      eventName: "pull_request",
      owner: "acme",
      repo: "models",
      sha: head,
      prNumber: 12,
      defaultBranch: "main",
      ref: "refs/pull/12/merge",
      isDefaultBranchPush: false,
      serverUrl: "https://ghe.example",
      apiUrl: "http://127.0.0.1:9",
    });
  });

  it("recognises a push to the default branch", () => {
    const context = parseGitHubContext(
      { ...base, GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/heads/trunk" },
      { repository: { default_branch: "trunk" } },
    );
    expect(context.isDefaultBranchPush).toBe(true);
    expect(context.sha).toBe(merge);
    expect(context.prNumber).toBeUndefined();
  });

  it("does not call a push to another branch, or a dispatch, a default-branch push", () => {
    const payload = { repository: { default_branch: "main" } };
    expect(
      parseGitHubContext({ ...base, GITHUB_EVENT_NAME: "push", GITHUB_REF: "refs/heads/feature" }, payload)
        .isDefaultBranchPush,
    ).toBe(false);
    expect(
      parseGitHubContext({ ...base, GITHUB_EVENT_NAME: "workflow_dispatch", GITHUB_REF: "refs/heads/main" }, payload)
        .isDefaultBranchPush,
    ).toBe(false);
  });

  it("falls back to the ref for the pull request number and to public GitHub for the URLs", () => {
    const context = parseGitHubContext(
      {
        GITHUB_REPOSITORY: "acme/models",
        GITHUB_SHA: merge,
        GITHUB_EVENT_NAME: "pull_request_target",
        GITHUB_REF: "refs/pull/7/merge",
      },
      null,
    );
    expect(context.prNumber).toBe(7);
    expect(context.sha).toBe(merge);
    expect(context.apiUrl).toBe("https://api.github.com");
    expect(context.serverUrl).toBe("https://github.com");
  });

  it("names the variable that is missing or malformed", () => {
    expect(() => parseGitHubContext({ GITHUB_REPOSITORY: "acme/models", GITHUB_SHA: merge }, {})).toThrow(
      /GITHUB_EVENT_NAME is not set/,
    );
    expect(() => parseGitHubContext({ ...base, GITHUB_REPOSITORY: "acme", GITHUB_EVENT_NAME: "push" }, {})).toThrow(
      /GITHUB_REPOSITORY must look like owner\/name; got "acme"/,
    );
    expect(() => parseGitHubContext({ ...base, GITHUB_SHA: "abc", GITHUB_EVENT_NAME: "push" }, {})).toThrow(UsageError);
    expect(() =>
      parseGitHubContext({ ...base, GITHUB_EVENT_NAME: "pull_request", GITHUB_REF: "refs/heads/x" }, {}),
    ).toThrow(/names no pull request number/);
  });
});
