import { describe, expect, it } from "vitest";
import type { CardFacts } from "../derive-card-data.js";
import type { FileRecord } from "../types.js";
import { buildModelTree, countNodes, type TreeNode } from "./model-tree.js";
import { summarize, type RepoSummary } from "./repo-summary.js";

function repo(
  id: string,
  options: {
    card?: Record<string, unknown>;
    tags?: string[];
    record?: Record<string, unknown>;
    files?: string[];
    private?: boolean;
  } = {},
): RepoSummary {
  const [namespace = "", name = ""] = id.split("/");
  const files: FileRecord[] = (options.files ?? ["README.md"]).map((path) => ({
    path,
    sha256: "0".repeat(64),
    oid: "0".repeat(40),
    size: 10,
    lfs: false,
  }));
  const facts: CardFacts = { tags: options.tags ?? [], ...(options.card && { cardData: options.card }) };
  return summarize({
    repo: {
      _id: id,
      type: "model",
      namespace,
      name,
      private: options.private ?? false,
      createdAt: "2026-12-07T00:00:00.000Z",
    },
    commit: {
      id: "c".repeat(40),
      parents: [],
      title: "t",
      description: "",
      author: "demo",
      date: "2026-12-07T00:00:00.000Z",
      files,
    },
    facts,
    ...(options.record && { record: options.record }),
  });
}

const base = repo("demo/base");
const ft = repo("demo/ft", { card: { base_model: "demo/base" }, tags: ["base_model:finetune:demo/base"] });
const ft2 = repo("demo/ft2", { card: { base_model: "demo/ft" }, tags: ["base_model:finetune:demo/ft"] });
const tv = repo("demo/ft-tv", {
  card: { base_model: "demo/base", base_model_relation: "finetune" },
  tags: ["task-vector", "base_model:finetune:demo/base"],
  record: {
    format: "tvhub/task-vector",
    base: { repo: "demo/base", revision: "r" },
    finetuned: { repo: "demo/ft", revision: "r" },
  },
});
const lora = repo("demo/ft-lora", {
  card: { base_model: "demo/base" },
  tags: ["base_model:adapter:demo/base"],
  files: ["README.md", "adapter_config.json"],
  record: { format: "tvhub/lora-adapter", base: { repo: "demo/base" }, finetuned: { repo: "demo/ft" } },
});
const merge = repo("demo/merged", {
  card: { base_model: ["demo/base", "demo/ft-tv", "demo/gone-tv"], base_model_relation: "merge" },
  tags: ["base_model:merge:demo/base"],
  record: {
    format: "tvhub/merge",
    base: { repo: "demo/base" },
    terms: [
      { repo: "demo/ft-tv", lambda: 0.5 },
      { repo: "demo/gone-tv", lambda: -1 },
    ],
  },
});
const all = [base, ft, ft2, tv, lora, merge];

const find = (node: TreeNode, id: string): TreeNode | undefined =>
  node.id === id
    ? node
    : node.groups
        .flatMap((g) => g.nodes)
        .map((n) => find(n, id))
        .find(Boolean);

describe("summarize", () => {
  it("derives each kind from tvhub.json, adapter_config.json and the card", () => {
    expect(all.map((s) => s.kind)).toEqual(["model", "model", "model", "task-vector", "adapter", "merge"]);
    expect(tv.source).toBe("demo/ft");
    expect(merge.inputs).toEqual([
      { repo: "demo/ft-tv", lambda: 0.5 },
      { repo: "demo/gone-tv", lambda: -1 },
    ]);
    expect(repo("x/third-party", { tags: ["task-vector"] }).kind).toBe("task-vector");
    expect(repo("x/merge", { card: { base_model: ["a/b", "c/d"] }, tags: ["base_model:merge:a/b"] }).inputs).toEqual([
      { repo: "c/d" },
    ]);
  });
});

describe("buildModelTree", () => {
  it("climbs to the base and groups what was made from it by kind, recursively", () => {
    const tree = buildModelTree(all, "demo/ft-tv");
    expect(tree.id).toBe("demo/base");
    expect(tree.groups.map((g) => [g.label, g.nodes.map((n) => n.id)])).toEqual([
      ["Fine-tunes", ["demo/ft"]],
      ["Task vectors", ["demo/ft-tv"]],
      ["Adapters", ["demo/ft-lora"]],
      ["Merges", ["demo/merged"]],
    ]);
    expect(find(tree, "demo/ft")?.groups).toEqual([
      { label: "Fine-tunes", nodes: [expect.objectContaining({ id: "demo/ft2" })] },
    ]);
    expect(countNodes(tree)).toBe(6);
    const vector = find(tree, "demo/ft-tv");
    expect(vector).toMatchObject({
      current: true,
      source: { id: "demo/ft", present: true },
      usedBy: [{ id: "demo/merged", present: true }],
    });
    // An input the caller cannot see is named (the card names it) but not linked.
    expect(find(tree, "demo/merged")?.inputs).toEqual([
      { id: "demo/ft-tv", present: true, current: true, lambda: 0.5 },
      { id: "demo/gone-tv", present: false, current: false, lambda: -1 },
    ]);
  });

  it("roots a repo whose base is not on this Hub at that name, and survives a cycle", () => {
    const orphan = repo("demo/orphan-tv", {
      card: { base_model: "elsewhere/base" },
      record: { format: "tvhub/task-vector", base: { repo: "elsewhere/base" } },
    });
    expect(buildModelTree([orphan], orphan.id)).toMatchObject({
      id: "elsewhere/base",
      present: false,
      groups: [{ label: "Task vectors", nodes: [{ id: orphan.id }] }],
    });
    const a = repo("demo/a", { card: { base_model: "demo/b" } });
    const b = repo("demo/b", { card: { base_model: "demo/a" } });
    const tree = buildModelTree([a, b], "demo/a");
    expect(countNodes(tree)).toBe(2);
  });
});
