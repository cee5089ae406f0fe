import { describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { normalizeEtag, resolveCachePaths } from "./resolve-cache-paths.js";

const sha = "0123456789abcdef0123456789abcdef01234567";
const etag = "a".repeat(64);

describe("resolveCachePaths", () => {
  const paths = resolveCachePaths({ cacheDir: "/c", repo: "org/m" });

  it("uses huggingface_hub's layout", () => {
    expect(paths.repoDir).toBe("/c/models--org--m");
    expect(paths.blob(etag)).toBe(`/c/models--org--m/blobs/${etag}`);
    expect(paths.incomplete(etag)).toBe(`/c/models--org--m/blobs/${etag}.incomplete`);
    expect(paths.snapshot(sha, "sub/model.safetensors")).toBe(
      `/c/models--org--m/snapshots/${sha}/sub/model.safetensors`,
    );
    expect(paths.ref("main")).toBe("/c/models--org--m/refs/main");
    expect(paths.ref("refs/pr/1")).toBe("/c/models--org--m/refs/refs/pr/1");
    expect(paths.noExist(sha, "README.md")).toBe(`/c/models--org--m/.no_exist/${sha}/README.md`);
  });

  it("refuses repo paths and names that could escape the cache", () => {
    for (const bad of ["../x", "a/../../x", "/etc/passwd", "a\\b", "", "a//b"]) {
      expect(() => paths.snapshot(sha, bad)).toThrow(DataError);
    }
    expect(() => paths.blob("../../x")).toThrow(DataError);
    expect(() => paths.snapshot("..", "x")).toThrow(DataError);
  });
});

describe("normalizeEtag", () => {
  it("drops quotes and the weak marker", () => {
    expect(normalizeEtag(`"${etag}"`)).toBe(etag);
    expect(normalizeEtag(`W/"abc"`)).toBe("abc");
    expect(normalizeEtag("abc")).toBe("abc");
  });
});
