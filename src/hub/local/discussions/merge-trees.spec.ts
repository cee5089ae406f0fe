import { describe, expect, it } from "vitest";
import type { FileRecord } from "../types.js";
import { mergeTrees } from "./merge-trees.js";

const file = (path: string, content: string, lfs = false): FileRecord => ({
  path,
  sha256: content.padEnd(64, "0"),
  oid: content.padEnd(40, "0"),
  size: content.length,
  lfs,
});

describe("mergeTrees", () => {
  it("takes the pull request's changes when the target did not move", () => {
    const base = [file("a", "1"), file("b", "2")];
    const source = [file("a", "9"), file("c", "3")];
    expect(mergeTrees({ base, target: base, source })).toEqual({
      files: [file("a", "9"), file("c", "3")],
      conflicts: [],
    });
  });

  it("keeps both sides' changes to different files", () => {
    const base = [file("a", "1"), file("b", "2")];
    const target = [file("a", "1"), file("b", "7")];
    const source = [file("a", "5"), file("b", "2"), file("d", "4")];
    expect(mergeTrees({ base, target, source })).toEqual({
      files: [file("a", "5"), file("b", "7"), file("d", "4")],
      conflicts: [],
    });
  });

  it("accepts the same change made on both sides, and reports different changes to one path", () => {
    const base = [file("a", "1"), file("b", "2")];
    const target = [file("a", "3"), file("b", "8")];
    const source = [file("a", "3"), file("b", "9")];
    expect(mergeTrees({ base, target, source }).conflicts).toEqual(["b"]);
  });

  it("reports a deletion on one side against a change on the other, and the same content moved to LFS", () => {
    const base = [file("a", "1"), file("b", "2")];
    const target = [file("b", "5")];
    const source = [file("a", "6"), file("b", "2", true)];
    expect(mergeTrees({ base, target, source }).conflicts).toEqual(["a", "b"]);
  });

  it("reports a path that became a file on one side and a folder on the other", () => {
    const base = [file("x", "1")];
    const target = [file("x", "1"), file("m", "2")];
    const source = [file("x", "1"), file("m/y", "3")];
    expect(mergeTrees({ base, target, source }).conflicts).toEqual(["m"]);
  });
});
