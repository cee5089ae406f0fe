import { describe, expect, it } from "vitest";
import { isPublishablePath, isWeightsPath } from "./is-publishable-path.js";

describe("isPublishablePath", () => {
  it("accepts what tvhub writes at the root of a repo", () => {
    for (const path of [
      "README.md",
      ".gitattributes",
      "tvhub.json",
      "task_vector.safetensors",
      "model-00001-of-00002.safetensors",
      "model.safetensors.index.json",
      "config.json",
      "generation_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "special_tokens_map.json",
      "tokenizer.model",
      "vocab.json",
      "merges.txt",
    ]) {
      expect(isPublishablePath(path), path).toBe(true);
    }
  });

  it("rejects anything else, including tvhub names in subfolders", () => {
    for (const path of ["train.py", "pytorch_model.bin", "data/train.csv", "sub/model.safetensors", "LICENSE", "adapter_config.json"]) {
      expect(isPublishablePath(path), path).toBe(false);
    }
  });
});

describe("isWeightsPath", () => {
  it("matches safetensors files and their index only", () => {
    expect(isWeightsPath("model.safetensors")).toBe(true);
    expect(isWeightsPath("model.safetensors.index.json")).toBe(true);
    expect(isWeightsPath("config.json")).toBe(false);
    expect(isWeightsPath("x/model.safetensors")).toBe(false);
  });
});
