import { describe, expect, it } from "vitest";
import { RemoteError } from "../errors.js";
import type { HubClient, RepoFile } from "../hub/index.js";
import type { ResolvedModel } from "../plan/types.js";
import { findSameWeightRevisions } from "./find-same-weight-revisions.js";

const sha = (c: string) => c.repeat(40);
const weights = (hash: string): RepoFile[] => [
  { path: "README.md", size: 10, oid: "readme-oid" },
  { path: "model-00001-of-00002.safetensors", size: 100, lfsSha256: `${hash}1` },
  { path: "model-00002-of-00002.safetensors", size: 50, lfsSha256: `${hash}2` },
  { path: "model.safetensors.index.json", size: 20, oid: "index-oid" },
];

/** A Hub whose base repo has four commits: b (pinned), c (only the card changed), d (new weights), e (gone). */
function hubWith(calls: string[]): HubClient {
  const commits: Record<string, RepoFile[]> = {
    [sha("b")]: weights("x"),
    [sha("c")]: [...weights("x").slice(1), { path: "README.md", size: 12, oid: "other" }],
    [sha("d")]: weights("y"),
  };
  return {
    hubUrl: "http://hub",
    modelInfo: async ({ repo, sha: commit }) => {
      calls.push(commit);
      const files = commits[commit];
      if (!files) throw new RemoteError(`${repo}@${commit} does not exist.`, { code: "HUB_NOT_FOUND" });
      return { repo, sha: commit, private: false, tags: [], files };
    },
  } as Partial<HubClient> as HubClient;
}

const base: ResolvedModel = { ref: "org/base", repo: "org/base", revision: sha("b"), tensors: [] };
const vector = (revision: string, repo = "org/base"): ResolvedModel => ({
  ref: `org/tv-${revision[0]}`,
  repo: `org/tv-${revision[0]}`,
  record: { base: { repo, revision } },
  tensors: [],
});

describe("findSameWeightRevisions", () => {
  it("names the recorded commits whose weight files have the pinned commit's hashes", async () => {
    const calls: string[] = [];
    const same = await findSameWeightRevisions({
      hub: hubWith(calls),
      base,
      inputs: [vector(sha("c")), vector(sha("d")), vector(sha("e"))],
    });
    expect(same).toEqual([sha("c")]);
    expect(calls.sort()).toEqual([sha("b"), sha("c"), sha("d"), sha("e")]);
  });

  it(
    "asks the Hub nothing when every vector was computed against the pinned commit, another repo, or the base is " +
      "local",
    async () => {
      const calls: string[] = [];
      const hub = hubWith(calls);
      expect(
        await findSameWeightRevisions({
          hub,
          base,
          inputs: [vector(sha("b")), vector(sha("c"), "org/other"), { ref: "org/ft", tensors: [] }],
        }),
      ).toEqual([]);
      expect(
        await findSameWeightRevisions({ hub, base: { ref: "./base", tensors: [] }, inputs: [vector(sha("c"))] }),
      ).toEqual([]);
      expect(calls).toEqual([]);
    },
  );

  it("compares repo ids without regard to case, as the Hub does", async () => {
    expect(await findSameWeightRevisions({ hub: hubWith([]), base, inputs: [vector(sha("c"), "Org/Base")] })).toEqual([
      sha("c"),
    ]);
  });
});
