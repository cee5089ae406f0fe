import { describe, expect, it } from "vitest";
import { matchRoute } from "../match-route.js";

const repo = { type: "model", namespace: "alice", name: "m" };

describe("discussion routes", () => {
  it("maps the list, create, details and change endpoints", () => {
    expect(matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions" })).toEqual({
      name: "listDiscussions",
      repo,
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/datasets/alice/m/discussions" })).toEqual({
      name: "createDiscussion",
      repo: { ...repo, type: "dataset" },
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions/12" })).toEqual({
      name: "discussionDetails",
      repo,
      num: 12,
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/alice/m/discussions/3/merge" })).toEqual({
      name: "changeDiscussion",
      repo,
      num: 3,
      change: "merge",
    });
  });

  it("refuses numbers that are not positive integers, unknown changes and wrong methods", () => {
    expect(() => matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions/0" })).toThrow(
      /No such endpoint/,
    );
    expect(() => matchRoute({ method: "POST", rawPath: "/api/models/alice/m/discussions/1/delete" })).toThrow(
      /No such endpoint/,
    );
    expect(() => matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions/1/merge" })).toThrow(
      /not supported/,
    );
  });
});

describe("pull request revisions in paths", () => {
  it("reads refs/pr/N sent unencoded, as the JS client sends tree and commits paths, like refs%2Fpr%2FN", () => {
    expect(matchRoute({ method: "GET", rawPath: "/api/models/alice/m/tree/refs/pr/1/sub/dir" })).toMatchObject({
      name: "tree",
      revision: "refs/pr/1",
      path: "sub/dir",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/alice/m/commits/refs/pr/12" })).toMatchObject({
      name: "listCommits",
      revision: "refs/pr/12",
    });
    expect(matchRoute({ method: "GET", rawPath: "/datasets/alice/d/resolve/refs/pr/2/a.txt" })).toMatchObject({
      name: "file",
      revision: "refs/pr/2",
      path: "a.txt",
    });
    expect(matchRoute({ method: "GET", rawPath: "/alice/m/resolve/refs%2Fpr%2F3/a.txt" })).toMatchObject({
      name: "file",
      revision: "refs/pr/3",
      path: "a.txt",
    });
    // A branch named "refs" keeps its files when the next segments are not pr/<n>.
    expect(matchRoute({ method: "GET", rawPath: "/alice/m/resolve/refs/prx/1" })).toMatchObject({
      name: "file",
      revision: "refs",
      path: "prx/1",
    });
  });
});
