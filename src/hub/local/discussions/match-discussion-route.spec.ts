import { describe, expect, it } from "vitest";
import { matchRoute } from "../match-route.js";

const repo = { type: "model", namespace: "alice", name: "m" };

describe("discussion routes", () => {
  it("maps the list, create, details and change endpoints", () => {
    expect(matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions" })).toEqual({ name: "listDiscussions", repo });
    expect(matchRoute({ method: "POST", rawPath: "/api/datasets/alice/m/discussions" })).toEqual({
      name: "createDiscussion",
      repo: { ...repo, type: "dataset" },
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions/12" })).toEqual({ name: "discussionDetails", repo, num: 12 });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/alice/m/discussions/3/merge" })).toEqual({
      name: "changeDiscussion",
      repo,
      num: 3,
      change: "merge",
    });
  });

  it("refuses numbers that are not positive integers, unknown changes and wrong methods", () => {
    expect(() => matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions/0" })).toThrow(/No such endpoint/);
    expect(() => matchRoute({ method: "POST", rawPath: "/api/models/alice/m/discussions/1/delete" })).toThrow(/No such endpoint/);
    expect(() => matchRoute({ method: "GET", rawPath: "/api/models/alice/m/discussions/1/merge" })).toThrow(/not supported/);
  });
});
