import { describe, expect, it } from "vitest";
import { discussionsPerPage, parseDiscussionQuery, selectDiscussions } from "./select-discussions.js";
import type { DiscussionRecord, DiscussionStatus } from "./types.js";

const record = (num: number, status: DiscussionStatus, isPullRequest: boolean, author = "alice"): DiscussionRecord => ({
  num,
  title: `#${num}`,
  status,
  isPullRequest,
  author,
  createdAt: "2026-01-01T00:00:00.000Z",
  events: [],
});

describe("selectDiscussions", () => {
  const records = [
    record(4, "merged", true),
    record(3, "draft", true, "bob"),
    record(2, "closed", false),
    record(1, "open", false, "Bob"),
  ];

  it("filters by type, status (open takes drafts, closed takes merged) and author, case-insensitively", () => {
    const nums = (query: string): number[] =>
      selectDiscussions(records, parseDiscussionQuery(new URLSearchParams(query))).page.map((r) => r.num);
    expect(nums("")).toEqual([4, 3, 2, 1]);
    expect(nums("type=pull_request")).toEqual([4, 3]);
    expect(nums("type=discussion&status=open")).toEqual([1]);
    expect(nums("status=open")).toEqual([3, 1]);
    expect(nums("status=closed")).toEqual([4, 2]);
    expect(nums("author=bob")).toEqual([3, 1]);
  });

  it("pages by p from 0 with the total count, so the client knows when to stop", () => {
    const many = Array.from({ length: discussionsPerPage + 3 }, (_, i) =>
      record(discussionsPerPage + 3 - i, "open", false),
    );
    const second = selectDiscussions(many, parseDiscussionQuery(new URLSearchParams("p=1")));
    expect(second).toMatchObject({ count: discussionsPerPage + 3, start: discussionsPerPage });
    expect(second.page.map((r) => r.num)).toEqual([3, 2, 1]);
  });

  it("refuses filters the Hub does not know", () => {
    expect(() => parseDiscussionQuery(new URLSearchParams("status=merged"))).toThrow(/open or closed/);
    expect(() => parseDiscussionQuery(new URLSearchParams("type=issue"))).toThrow(/pull_request/);
    expect(() => parseDiscussionQuery(new URLSearchParams("p=-1"))).toThrow(/integer from 0/);
  });
});
