import { describe, expect, it } from "vitest";
import { matchRoute } from "../match-route.js";

const repo = { type: "model", namespace: "alice", name: "m" };

describe("discussion routes", () => {
  it.each([
    ["GET", "/api/models/alice/m/discussions", { name: "listDiscussions", repo }],
    ["POST", "/api/datasets/alice/m/discussions", { name: "createDiscussion", repo: { ...repo, type: "dataset" } }],
    ["GET", "/api/models/alice/m/discussions/12", { name: "discussionDetails", repo, num: 12 }],
    ["POST", "/api/models/alice/m/discussions/3/merge", { name: "changeDiscussion", repo, num: 3, change: "merge" }],
  ])("maps the list, create, details and change endpoints: %s %s", (method, rawPath, route) => {
    expect(matchRoute({ method, rawPath })).toEqual(route);
  });

  it.each([
    ["GET", "/api/models/alice/m/discussions/0", /No such endpoint/],
    ["POST", "/api/models/alice/m/discussions/1/delete", /No such endpoint/],
    ["GET", "/api/models/alice/m/discussions/1/merge", /not supported/],
  ])(
    "refuses numbers that are not positive integers, unknown changes and wrong methods: %s %s",
    (method, rawPath, message) => {
      expect(() => matchRoute({ method, rawPath })).toThrow(message);
    },
  );
});

describe("pull request revisions in paths", () => {
  it.each([
    ["/api/models/alice/m/tree/refs/pr/1/sub/dir", { name: "tree", revision: "refs/pr/1", path: "sub/dir" }],
    ["/api/models/alice/m/commits/refs/pr/12", { name: "listCommits", revision: "refs/pr/12" }],
    ["/datasets/alice/d/resolve/refs/pr/2/a.txt", { name: "file", revision: "refs/pr/2", path: "a.txt" }],
    ["/alice/m/resolve/refs%2Fpr%2F3/a.txt", { name: "file", revision: "refs/pr/3", path: "a.txt" }],
    // A branch named "refs" keeps its files when the next segments are not pr/<n>.
    ["/alice/m/resolve/refs/prx/1", { name: "file", revision: "refs", path: "prx/1" }],
  ])(
    "reads refs/pr/N sent unencoded, as the JS client sends tree and commits paths, like refs%2Fpr%2FN: GET %s",
    (rawPath, route) => {
      expect(matchRoute({ method: "GET", rawPath })).toMatchObject(route);
    },
  );
});
