import { describe, expect, it } from "vitest";
import { defaultGitattributes, isLfsPath, parseGitattributes } from "./gitattributes.js";

/** [what the rules show, the .gitattributes text, [path, whether it goes through LFS][]]. */
const groups: [string, string, [string, boolean][]][] = [
  [
    "sends weights through LFS and text files inline with the Hub's defaults",
    defaultGitattributes,
    [
      ["model.safetensors", true],
      ["shards/model-00001-of-00002.safetensors", true],
      ["pytorch_model.bin", true],
      ["data.tar.gz", true],
      ["runs/events.out.tfevents.1.host", true],
      ["saved_model/variables/v.data", true],
      ["config.json", false],
      ["README.md", false],
      ["model.safetensors.index.json", false],
      ["other/saved_model/x", false],
    ],
  ],
  [
    "lets a later line unset the filter, anchors patterns with a slash, and skips comments",
    "# weights\n*.bin filter=lfs\nkeep/*.bin -filter\n/top.txt filter=lfs\n",
    [
      ["a/b.bin", true],
      ["keep/b.bin", false],
      ["keep/deeper/b.bin", true],
      ["top.txt", true],
      ["sub/top.txt", false],
    ],
  ],
  [
    "understands ** and character classes",
    "data/**/*.csv filter=lfs\n**/blob[0-9] filter=lfs\nfile? filter=lfs\n",
    [
      ["data/x.csv", true],
      ["data/a/b/x.csv", true],
      ["blob7", true],
      ["deep/blob7", true],
      ["deep/blobx", false],
      ["file1", true],
      ["file12", false],
    ],
  ],
];

describe.each(groups)("gitattributes %s", (_, text, cases) => {
  const rules = parseGitattributes(text);
  it.each(cases)("%s in LFS: %s", (path, lfs) => {
    expect(isLfsPath(path, rules)).toBe(lfs);
  });
});
