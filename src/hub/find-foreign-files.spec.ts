import { describe, expect, it } from "vitest";
import { findForeignFiles } from "./find-foreign-files.js";

describe("findForeignFiles", () => {
  it("accepts a new repo: nothing, or the Hub's .gitattributes and a stub card", () => {
    expect(findForeignFiles([])).toEqual([]);
    expect(findForeignFiles([".gitattributes", "README.md"])).toEqual([]);
  });

  it("accepts the files of an earlier tvhub publish, and only those", () => {
    const earlier = [
      ".gitattributes",
      "README.md",
      "tvhub.json",
      "task_vector-00001-of-00002.safetensors",
      "task_vector.safetensors.index.json",
    ];
    expect(findForeignFiles(earlier)).toEqual([]);
    expect(findForeignFiles([...earlier, "config.json", "tokenizer.json", "model.safetensors"])).toEqual([]);
    expect(findForeignFiles([...earlier, "train.py", "data/x.csv"])).toEqual(["train.py", "data/x.csv"]);
  });

  it("refuses a model's own repo or folder, even though tvhub writes files of the same names elsewhere", () => {
    expect(
      findForeignFiles([
        ".gitattributes",
        "README.md",
        "config.json",
        "model-00001-of-00002.safetensors",
        "model.safetensors.index.json",
      ]),
    ).toEqual(["config.json", "model-00001-of-00002.safetensors", "model.safetensors.index.json"]);
    expect(findForeignFiles(["task_vector.safetensors"])).toEqual(["task_vector.safetensors"]);
  });

  it(
    "treats a repo holding a matrix run's shard records as tvhub's: the next job and the finalize step may publish " +
      "there",
    () => {
      const inProgress = [
        ".gitattributes",
        ".tvhub/portion-1-of-3.json",
        "model-00001-of-00004.safetensors",
        "model-00002-of-00004.safetensors",
      ];
      expect(findForeignFiles(inProgress)).toEqual([]);
      expect(findForeignFiles([...inProgress, "train.py"])).toEqual(["train.py"]);
    },
  );
});
