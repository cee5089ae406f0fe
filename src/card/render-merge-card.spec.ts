import { describe, expect, it } from "vitest";
import { parseFrontMatter } from "./front-matter.js";
import { renderMergeCard, type MergeCardOptions } from "./render-merge-card.js";

const sha = (c: string) => c.repeat(40);
const options: MergeCardOptions = {
  title: "me/merged",
  hubUrl: "http://h",
  base: { repo: "org/base", revision: sha("a") },
  method: "task_arithmetic",
  terms: [
    { kind: "vector", input: { repo: "org/tv-a", revision: sha("c") }, weight: 0.8 },
    { kind: "finetuned", input: { repo: "org/ft-b", revision: sha("d") }, weight: 0.5 },
  ],
  dtype: "BF16",
  files: [{ path: "model.safetensors", size: 1234567, sha256: "f".repeat(64) }],
  tvhubVersion: "0.1.0",
};

/** The card of the merge in `options` done with `method` and its parameters. */
function cardFor(method: string, methodParameters: MergeCardOptions["methodParameters"]): Promise<string> {
  return renderMergeCard({ ...options, method, methodParameters });
}

describe("renderMergeCard per method", () => {
  it("magnitude_prune: trim(τ) in the formula, with the density spelled out", async () => {
    const card = await cardFor("magnitude_prune", { density: 0.5 });
    expect(card).toContain("θ = θ(base) + 0.8·trim(τ₁) + 0.5·trim(τ₂)");
    expect(card).toContain("`trim(τ)` keeps the 50% of entries of τ with the largest magnitude, tensor by tensor");
    expect((await parseFrontMatter(card)).data.tags).toEqual(["merge", "task-arithmetic", "tvhub", "magnitude-prune"]);
  });

  it("dare_linear: dare(τ) with p, 1 − p and the seed that reproduces the mask", async () => {
    const card = await cardFor("dare_linear", { drop_rate: 0.9, seed: 42 });
    expect(card).toContain("θ = θ(base) + 0.8·dare(τ₁) + 0.5·dare(τ₂)");
    expect(card).toContain("with probability p = 0.9 and divides the others by 1 − p = 0.1");
    expect(card).toContain("seed 42");
    expect(card).toContain("Parameters: drop_rate=0.9, seed=42.");
    expect(card).toContain("[DARE (Yu et al., ICML 2024) with a weighted sum](https://arxiv.org/abs/2311.03099)");
  });

  it("ties and dare_ties: the election and the disjoint mean around the weighted, sparsified vectors", async () => {
    expect(await cardFor("ties", { density: 0.2 })).toContain(
      "θ = θ(base) + disjoint_mean(elect(0.8·trim(τ₁), 0.5·trim(τ₂)))",
    );
    const card = await cardFor("dare_ties", { drop_rate: 0.5, seed: 0 });
    expect(card).toContain("θ = θ(base) + disjoint_mean(elect(0.8·dare(τ₁), 0.5·dare(τ₂)))");
    expect(card).toContain("a negative weight is a vote for the opposite sign, not a subtraction");
  });

  it("the methods added from mergekit: each names its operator and parameters, from the registry", async () => {
    const crumbs = await cardFor("breadcrumbs_ties", { density: 0.9, gamma: 0.01, lambda: 1.5 });
    expect(crumbs).toContain("θ = θ(base) + 1.5·disjoint_mean(elect(0.8·crumbs(τ₁), 0.5·crumbs(τ₂)))");
    expect(crumbs).toContain("drops the 1% largest entries of τ by magnitude (the outliers), keeps the next 90%");
    expect(crumbs).toContain(
      "[Model Breadcrumbs (Davari & Belilovsky, 2023) with TIES sign election](https://arxiv.org/abs/2312.06795)",
    );
    const della = await cardFor("della_linear", { density: 0.5, epsilon: 0.1, seed: 3 });
    expect(della).toContain("θ = θ(base) + 0.8·magprune(τ₁) + 0.5·magprune(τ₂)");
    expect(della).toContain("from 0.4 for the smallest to 0.6 for the largest");
    expect(della).toContain("seed 3");
    const stock = await cardFor("model_stock", { filter_wise: true });
    expect(stock).toContain("θ = θ(base) + t·mean(0.8·τ₁, 0.5·τ₂)");
    expect(stock).toContain("computed for each row of each tensor (filter_wise)");
    expect(stock).toContain("Parameters: filter_wise=true.");
    const slerp = await cardFor("nuslerp", { nuslerp_flatten: true, nuslerp_row_wise: false });
    // t = w₂ / (w₁ + w₂) = 0.5 / 1.3.
    expect(slerp).toContain("θ = θ(base) + slerp(0.384615, τ₁, τ₂)");
    expect(slerp).toContain("for each tensor as one flat vector");
    expect((await parseFrontMatter(slerp)).data.tags).toEqual(["merge", "task-arithmetic", "tvhub", "nuslerp"]);
  });

  it("records where copied files came from, the vocabulary note and a command with its equivalent recipe", async () => {
    const card = await renderMergeCard({
      ...options,
      copiedFiles: [{ path: "tokenizer.json", from: { repo: "org/ft-b", revision: sha("d") } }],
      vocabularyNote: "the 512 rows the base has were merged",
      command: "tvhub apply --base org/base --vector org/tv-a:0.8 --to me/merged",
      recipeText: "version: 1\nbase: org/base\n",
    });
    expect(card).toContain("`tokenizer.json` (from org/ft-b@dddddddddd)");
    expect(card).toContain("Vocabulary: the 512 rows the base has were merged");
    expect(card).toContain(
      "## Command\n\n```sh\ntvhub apply --base org/base --vector org/tv-a:0.8 --to me/merged\n```",
    );
    expect(card).toContain(
      "The same merge as a recipe, for `tvhub merge`:\n\n```yaml\nversion: 1\nbase: org/base\n```",
    );
    expect(card).not.toContain("## Recipe");
    expect(card).toContain("| `model.safetensors` | 1,234,567 | `ffff");
  });
});
