import { describe, expect, it } from "vitest";
import { parseFrontMatter } from "./front-matter.js";
import { renderMergeCard } from "./render-merge-card.js";
import { renderTaskVectorCard } from "./render-task-vector-card.js";

const sha = (c: string) => c.repeat(40);

const cardOptions = {
  title: "me/ft-tv",
  hubUrl: "http://127.0.0.1:9",
  base: { repo: "org/base", revision: sha("a") },
  finetuned: { repo: "org/ft", revision: sha("b") },
  dtype: "BF16",
  tensorCount: 3,
  parameters: 1234567,
  omitted: [{ name: "pos_ids", reason: "I64, not a float tensor" }],
  norm: 12.5,
  layerNorms: [{ name: "layers.0", norm: 1.25 }],
  reconstruction: { inexactElements: 7, totalElements: 100, maxAbsError: 0.001 },
  license: "apache-2.0",
  files: [{ path: "task_vector.safetensors", size: 10, sha256: "f".repeat(64) }],
  tvhubVersion: "0.1.0",
};
const card = await renderTaskVectorCard(cardOptions);

describe("renderTaskVectorCard", () => {
  it(
    "has front matter that makes it discoverable under the base, as a fine-tune and not as a PEFT " + "adapter",
    async () => {
      const { data } = await parseFrontMatter(card);
      expect(data).toEqual({
        base_model: "org/base",
        base_model_relation: "finetune",
        library_name: "tvhub",
        license: "apache-2.0",
        tags: ["task-vector", "tvhub"],
      });
    },
  );

  it("states the arithmetic with pinned revisions, the statistics and the exactness", async () => {
    expect(card).toContain(`τ = θ(org/ft@bbbbbbbbbb) − θ(org/base@aaaaaaaaaa)`);
    expect(card).toContain(`| base | [org/base](http://127.0.0.1:9/org/base/tree/${sha("a")}) | \`${sha("a")}\` |`);
    expect(card).toContain("parameters: 1,234,567");
    expect(card).toContain("7 of 100 elements do not reproduce");
    expect(card).toContain("`pos_ids`: I64, not a float tensor");
  });

  it(
    "advises only what would make the vector exact for its dtype: f32 for a 16-bit vector, nothing for an f32 " + "one",
    async () => {
      expect(card).toContain("Publish with `--dtype f32` for an exact vector");
      const f32 = await renderTaskVectorCard({ ...cardOptions, dtype: "F32" });
      expect(f32).toContain("Stored in F32: 7 of 100 elements do not reproduce the fine-tuned weights exactly");
      expect(f32).not.toContain("--dtype f32");
      expect(f32).toContain("tvhub computes τ in float32");
      expect(f32).toContain("no `--dtype` makes them exact");
    },
  );
});

describe("renderMergeCard", () => {
  const options = {
    title: "me/merged",
    hubUrl: "http://h",
    base: { repo: "org/base", revision: sha("a") },
    method: "task_arithmetic",
    terms: [
      { kind: "vector" as const, input: { repo: "org/tv-a", revision: sha("c") }, weight: 0.5 },
      { kind: "finetuned" as const, input: { repo: "org/ft-b", revision: sha("d") }, weight: -1 },
    ],
    dtype: "BF16",
    recipeText: "version: 1\nbase: org/base\n",
    files: [],
    tvhubVersion: "0.1.0",
  };

  it("lists every parent and says it is a merge", async () => {
    const { data } = await parseFrontMatter(await renderMergeCard(options));
    expect(data.base_model).toEqual(["org/base", "org/tv-a", "org/ft-b"]);
    expect(data.base_model_relation).toBe("merge");
    expect(data.tags).toEqual(["merge", "task-arithmetic", "tvhub"]);
  });

  it("renders the arithmetic as a formula, with negation as subtraction, and the recipe verbatim", async () => {
    const card = await renderMergeCard(options);
    expect(card).toContain("θ = θ(base) + 0.5·τ₁ − 1·τ₂");
    expect(card).toContain(
      "| τ₂ | θ([org/ft-b](http://h/org/ft-b/tree/" + sha("d") + ")) − θ(base) | `" + sha("d") + "` | -1 | negation |",
    );
    expect(card).toContain("```yaml\nversion: 1\nbase: org/base\n```");
  });

  it("shows the greedy trajectory with the reason for each decision", async () => {
    const card = await renderMergeCard({
      ...options,
      trajectory: [{ round: 1, candidate: "org/tv-a", lambda: 0.5, score: 0.9, kept: true, reason: "best gain +0.1" }],
    });
    expect(card).toContain("| 1 | `org/tv-a` | 0.5 | 0.9 | yes | best gain +0.1 |");
  });
});
