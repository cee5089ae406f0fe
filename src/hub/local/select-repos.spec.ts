import { describe, expect, it } from "vitest";
import { parseRepoQuery, selectRepos, type RepoListing } from "./select-repos.js";

const repo = (id: string, lastModified: string, tags: string[] = []): RepoListing => ({
  id,
  author: id.split("/")[0] ?? "",
  tags,
  createdAt: "2024-01-01T00:00:00.000Z",
  lastModified,
  usedStorage: id.length,
});

const repos = [
  repo("alice/base", "2024-01-01T00:00:00.000Z"),
  repo("alice/ft-a", "2024-01-03T00:00:00.000Z", ["base_model:alice/base", "base_model:finetune:alice/base"]),
  repo("Bob/ft-b", "2024-01-02T00:00:00.000Z", ["base_model:alice/base", "base_model:adapter:alice/base", "lora"]),
  repo("bob/other", "2024-01-04T00:00:00.000Z", ["lora"]),
];

const ids = (list: RepoListing[]): string[] => list.map((r) => r.id);

describe("selectRepos", () => {
  it("filters by tags (all of them), author and search", () => {
    const query = parseRepoQuery(new URLSearchParams("filter=base_model:alice/base&filter=lora"));
    expect(ids(selectRepos({ repos, query, limit: 10 }).page)).toEqual(["Bob/ft-b"]);
    expect(
      ids(selectRepos({ repos, query: parseRepoQuery(new URLSearchParams("author=bob")), limit: 10 }).page),
    ).toEqual(["bob/other", "Bob/ft-b"]);
    expect(
      ids(selectRepos({ repos, query: parseRepoQuery(new URLSearchParams("search=FT")), limit: 10 }).page),
    ).toEqual(["alice/ft-a", "Bob/ft-b"]);
  });

  it("sorts newest first by default, ascending on request, ties by id", () => {
    expect(ids(selectRepos({ repos, query: parseRepoQuery(new URLSearchParams()), limit: 10 }).page)).toEqual([
      "bob/other",
      "alice/ft-a",
      "Bob/ft-b",
      "alice/base",
    ]);
    expect(
      ids(selectRepos({ repos, query: parseRepoQuery(new URLSearchParams("sort=id&direction=1")), limit: 10 }).page),
    ).toEqual(["Bob/ft-b", "alice/base", "alice/ft-a", "bob/other"]);
    expect(
      ids(selectRepos({ repos, query: parseRepoQuery(new URLSearchParams("sort=downloads")), limit: 10 }).page),
    ).toEqual(["Bob/ft-b", "alice/base", "alice/ft-a", "bob/other"]);
  });

  it("pages with a keyset cursor that survives an insertion before it", () => {
    const query = parseRepoQuery(new URLSearchParams("sort=id&direction=1"));
    const first = selectRepos({ repos, query, limit: 2 });
    expect(ids(first.page)).toEqual(["Bob/ft-b", "alice/base"]);
    expect(first.next).toEqual({ value: "alice/base", id: "alice/base" });
    const grown = [...repos, repo("aaa/new", "2024-01-05T00:00:00.000Z")];
    const second = selectRepos({ repos: grown, query, after: first.next, limit: 2 });
    expect(ids(second.page)).toEqual(["alice/ft-a", "bob/other"]);
    expect(second.next).toBeUndefined();
  });

  it("refuses unknown sort keys and directions", () => {
    expect(() => parseRepoQuery(new URLSearchParams("sort=stars"))).toThrow(/Cannot sort by "stars"/);
    expect(() => parseRepoQuery(new URLSearchParams("direction=up"))).toThrow(/direction/);
  });
});
