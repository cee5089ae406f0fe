import { describe, expect, it } from "vitest";
import { isPublishablePath, isPortionRecordPath, isWeightsPath } from "./is-publishable-path.js";

/** What tvhub writes at the root of a repo. */
const written = [
  "README.md",
  ".gitattributes",
  "tvhub.json",
  "task_vector.safetensors",
  // A task vector published as a LoRA adapter (publish-vector --lora-rank).
  "adapter_config.json",
  "adapter_model.safetensors",
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
  // A picture the card links to (tvhub demo adds them).
  "negation-vs-lambda.svg",
];
/** Anything else, including tvhub names in subfolders. */
const other = [
  "train.py",
  "pytorch_model.bin",
  "data/train.csv",
  "sub/model.safetensors",
  "LICENSE",
  "sub/adapter_config.json",
  "images/plot.svg",
  "plot.png",
];

describe("isPublishablePath", () => {
  it.each(written)("accepts what tvhub writes at the root of a repo: %s", (path) => {
    expect(isPublishablePath(path)).toBe(true);
  });

  it.each(other)("rejects anything else, including tvhub names in subfolders: %s", (path) => {
    expect(isPublishablePath(path)).toBe(false);
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

describe("isPortionRecordPath", () => {
  it.each([".tvhub/portion-1-of-3.json", ".tvhub/portion-12-of-120.json"])(
    "accepts the record a job of a matrix run commits, which a publish target may then hold: %s",
    (path) => {
      expect(isPortionRecordPath(path)).toBe(true);
      expect(isPublishablePath(path)).toBe(true);
    },
  );

  it.each([
    ".tvhub/notes.json",
    ".tvhub/portion-0-of-3.json",
    ".tvhub/portion-1-of-3.json.bak",
    "shard-1-of-3.json",
    "x/.tvhub/portion-1-of-3.json",
    ".tvhub/portion-01-of-3.json",
  ])("rejects other files under .tvhub and near misses: %s", (path) => {
    expect(isPortionRecordPath(path)).toBe(false);
    expect(isPublishablePath(path)).toBe(false);
  });
});
