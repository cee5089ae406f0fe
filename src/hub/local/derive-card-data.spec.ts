import { describe, expect, it } from "vitest";
import { deriveCardData } from "./derive-card-data.js";

describe("deriveCardData", () => {
  it("derives the Hub's tags from an adapter card", async () => {
    const readme = [
      "---",
      "base_model: org/base-model",
      "base_model_relation: adapter",
      "library_name: peft",
      "license: Apache-2.0",
      "pipeline_tag: text-generation",
      "tags: [lora, task-vector]",
      "datasets: [org/data]",
      "language: en",
      "---",
      "# Card",
    ].join("\n");
    const facts = await deriveCardData({ readme, paths: ["README.md", "adapter_model.safetensors"] });
    expect(facts.cardData).toMatchObject({
      base_model: "org/base-model",
      license: "Apache-2.0",
      tags: ["lora", "task-vector"],
    });
    expect(facts.tags).toEqual([
      "lora",
      "task-vector",
      "peft",
      "text-generation",
      "safetensors",
      "dataset:org/data",
      "en",
      "base_model:org/base-model",
      "base_model:adapter:org/base-model",
      "license:apache-2.0",
    ]);
    expect(facts.pipelineTag).toBe("text-generation");
    expect(facts.libraryName).toBe("peft");
  });

  it("infers the relation when the card does not say it", async () => {
    const merge = await deriveCardData({ readme: "---\nbase_model:\n  - a/one\n  - b/two\n---\n", paths: [] });
    expect(merge.tags).toEqual([
      "base_model:a/one",
      "base_model:merge:a/one",
      "base_model:b/two",
      "base_model:merge:b/two",
    ]);
    const adapter = await deriveCardData({ readme: "---\nbase_model: a/one\n---\n", paths: ["adapter_config.json"] });
    expect(adapter.tags).toContain("base_model:adapter:a/one");
    const quantized = await deriveCardData({ readme: "---\nbase_model: a/one\n---\n", paths: ["m.Q4_K_M.gguf"] });
    expect(quantized.tags).toContain("base_model:quantized:a/one");
    const finetune = await deriveCardData({
      readme: "---\nbase_model: a/one\nbase_model_relation: bogus\n---\n",
      paths: [],
    });
    expect(finetune.tags).toContain("base_model:finetune:a/one");
  });

  it("reads CRLF front matter with a BOM and ignores malformed or non-mapping YAML", async () => {
    expect((await deriveCardData({ readme: "\uFEFF---\r\nlicense: mit\r\n---\r\nbody", paths: [] })).tags).toEqual([
      "license:mit",
    ]);
    expect((await deriveCardData({ readme: "---\nlicense: [mit\n---\n", paths: [] })).cardData).toBeUndefined();
    expect((await deriveCardData({ readme: "---\n- a\n- b\n---\n", paths: [] })).cardData).toBeUndefined();
    expect((await deriveCardData({ readme: "no front matter\n---\nlicense: mit\n---\n", paths: [] })).tags).toEqual([]);
    expect(await deriveCardData({ readme: undefined, paths: [] })).toEqual({ tags: [] });
  });

  it("refuses alias bombs instead of expanding them", async () => {
    const bomb = ["---", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(", ")}]`,
      );
    bomb.push("---");
    expect((await deriveCardData({ readme: bomb.join("\n"), paths: [] })).cardData).toBeUndefined();
  });

  it("skips base model values that are not repo ids", async () => {
    const facts = await deriveCardData({ readme: "---\nbase_model: ['../etc', 'ok/model', 3]\n---\n", paths: [] });
    expect(facts.tags).toEqual(["base_model:ok/model", "base_model:finetune:ok/model"]);
  });

  it("tags dataset cards by their own keys, key:value, as the Hub does for datasets", async () => {
    const readme =
      "---\nlicense: CC-BY-4.0\nlanguage: [en, fr]\ntask_categories: [text-classification]\nsize_categories: " +
      "[1K<n<10K]\ntags: [reviews]\nbase_model: org/m\n---\n";
    const facts = await deriveCardData({ readme, paths: ["data/train.safetensors"], type: "dataset" });
    expect(facts.tags).toEqual([
      "reviews",
      "task_categories:text-classification",
      "size_categories:1K<n<10K",
      "language:en",
      "language:fr",
      "license:cc-by-4.0",
    ]);
    expect(facts.cardData).toMatchObject({ license: "CC-BY-4.0" });
  });
});
