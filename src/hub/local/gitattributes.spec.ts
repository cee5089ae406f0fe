import { describe, expect, it } from "vitest";
import { defaultGitattributes, isLfsPath, parseGitattributes } from "./gitattributes.js";

describe("gitattributes", () => {
  const defaults = parseGitattributes(defaultGitattributes);

  it("sends weights through LFS and text files inline with the Hub's defaults", () => {
    expect(isLfsPath("model.safetensors", defaults)).toBe(true);
    expect(isLfsPath("shards/model-00001-of-00002.safetensors", defaults)).toBe(true);
    expect(isLfsPath("pytorch_model.bin", defaults)).toBe(true);
    expect(isLfsPath("data.tar.gz", defaults)).toBe(true);
    expect(isLfsPath("runs/events.out.tfevents.1.host", defaults)).toBe(true);
    expect(isLfsPath("saved_model/variables/v.data", defaults)).toBe(true);
    expect(isLfsPath("config.json", defaults)).toBe(false);
    expect(isLfsPath("README.md", defaults)).toBe(false);
    expect(isLfsPath("model.safetensors.index.json", defaults)).toBe(false);
    expect(isLfsPath("other/saved_model/x", defaults)).toBe(false);
  });

  it("lets a later line unset the filter, anchors patterns with a slash, and skips comments", () => {
    const rules = parseGitattributes("# weights\n*.bin filter=lfs\nkeep/*.bin -filter\n/top.txt filter=lfs\n");
    expect(isLfsPath("a/b.bin", rules)).toBe(true);
    expect(isLfsPath("keep/b.bin", rules)).toBe(false);
    expect(isLfsPath("keep/deeper/b.bin", rules)).toBe(true);
    expect(isLfsPath("top.txt", rules)).toBe(true);
    expect(isLfsPath("sub/top.txt", rules)).toBe(false);
  });

  it("understands ** and character classes", () => {
    const rules = parseGitattributes("data/**/*.csv filter=lfs\n**/blob[0-9] filter=lfs\nfile? filter=lfs\n");
    expect(isLfsPath("data/x.csv", rules)).toBe(true);
    expect(isLfsPath("data/a/b/x.csv", rules)).toBe(true);
    expect(isLfsPath("blob7", rules)).toBe(true);
    expect(isLfsPath("deep/blob7", rules)).toBe(true);
    expect(isLfsPath("deep/blobx", rules)).toBe(false);
    expect(isLfsPath("file1", rules)).toBe(true);
    expect(isLfsPath("file12", rules)).toBe(false);
  });
});
