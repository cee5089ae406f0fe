import { describe, expect, it } from "vitest";
import { HttpError } from "./http-error.js";
import { matchRoute } from "./match-route.js";

const me = { type: "model", namespace: "me", name: "m1" };

function statusOf(method: string, rawPath: string): number {
  try {
    matchRoute({ method, rawPath });
    return 200;
  } catch (error) {
    return error instanceof HttpError ? error.status : 500;
  }
}

describe("matchRoute", () => {
  it("routes the API the official client calls", () => {
    expect(matchRoute({ method: "GET", rawPath: "/api/whoami-v2" })).toEqual({ name: "whoami" });
    expect(matchRoute({ method: "POST", rawPath: "/api/repos/create" })).toEqual({ name: "createRepo" });
    expect(matchRoute({ method: "DELETE", rawPath: "/api/repos/delete" })).toEqual({ name: "deleteRepo" });
    expect(matchRoute({ method: "GET", rawPath: "/api/models" })).toEqual({ name: "listRepos", type: "model" });
    expect(matchRoute({ method: "GET", rawPath: "/api/datasets" })).toEqual({ name: "listRepos", type: "dataset" });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1" })).toEqual({
      name: "repoInfo",
      repo: me,
      revision: "HEAD",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/revision/HEAD" })).toEqual({
      name: "repoInfo",
      repo: me,
      revision: "HEAD",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/tree/main" })).toEqual({
      name: "tree",
      repo: me,
      revision: "main",
      path: "",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/tree/main/a/b%20c" })).toEqual({
      name: "tree",
      repo: me,
      revision: "main",
      path: "a/b c",
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/me/m1/paths-info/main" })).toEqual({
      name: "pathsInfo",
      repo: me,
      revision: "main",
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/me/m1/preupload/main" })).toEqual({
      name: "preupload",
      repo: me,
      revision: "main",
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/me/m1/commit/main" })).toEqual({
      name: "commit",
      repo: me,
      revision: "main",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/commits/main" })).toEqual({
      name: "listCommits",
      repo: me,
      revision: "main",
    });
    expect(matchRoute({ method: "GET", rawPath: "/api/models/me/m1/refs" })).toEqual({ name: "listRefs", repo: me });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/me/m1/branch/dev" })).toEqual({
      name: "createBranch",
      repo: me,
      branch: "dev",
    });
    expect(matchRoute({ method: "DELETE", rawPath: "/api/models/me/m1/branch/dev" })).toEqual({
      name: "deleteBranch",
      repo: me,
      branch: "dev",
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/me/m1/tag/main" })).toEqual({
      name: "createTag",
      repo: me,
      revision: "main",
    });
    expect(matchRoute({ method: "DELETE", rawPath: "/api/models/me/m1/tag/v1.0" })).toEqual({
      name: "deleteTag",
      repo: me,
      tag: "v1.0",
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/models/me/m1/super-squash/main" })).toEqual({
      name: "superSquash",
      repo: me,
      branch: "main",
    });
    expect(matchRoute({ method: "POST", rawPath: "/api/repos/move" })).toEqual({ name: "moveRepo" });
    expect(matchRoute({ method: "POST", rawPath: "/api/validate-yaml" })).toEqual({ name: "validateYaml" });
    expect(statusOf("GET", "/api/validate-yaml")).toBe(405);
    expect(matchRoute({ method: "PUT", rawPath: "/api/models/me/m1/settings" })).toEqual({
      name: "updateSettings",
      repo: me,
    });
  });

  it("routes LFS and file paths for models and datasets", () => {
    expect(matchRoute({ method: "POST", rawPath: "/me/m1.git/info/lfs/objects/batch" })).toEqual({
      name: "lfsBatch",
      repo: me,
    });
    expect(matchRoute({ method: "POST", rawPath: "/datasets/me/d.git/info/lfs/objects/batch" })).toEqual({
      name: "lfsBatch",
      repo: { type: "dataset", namespace: "me", name: "d" },
    });
    expect(matchRoute({ method: "PUT", rawPath: `/lfs-upload/models/me/m1/${"a".repeat(64)}` })).toEqual({
      name: "lfsUpload",
      repo: me,
      sha256: "a".repeat(64),
    });
    expect(matchRoute({ method: "HEAD", rawPath: "/me/m1/raw/main/model.safetensors" })).toEqual({
      name: "file",
      repo: me,
      revision: "main",
      path: "model.safetensors",
      raw: true,
      head: true,
    });
    expect(matchRoute({ method: "GET", rawPath: "/datasets/me/d/resolve/refs%2Fpr%2F1/data/train.parquet" })).toEqual({
      name: "file",
      repo: { type: "dataset", namespace: "me", name: "d" },
      revision: "refs/pr/1",
      path: "data/train.parquet",
      raw: false,
      head: false,
    });
  });

  it("refuses traversal, backslashes, NUL and empty segments with 400 before routing", () => {
    expect(statusOf("GET", "/me/m1/resolve/main/../../etc/passwd")).toBe(400);
    expect(statusOf("GET", "/me/m1/resolve/main/%2e%2e/secret")).toBe(400);
    expect(statusOf("GET", "/me/m1/resolve/main//etc/passwd")).toBe(400);
    expect(statusOf("GET", "/me/m1/resolve/main/a%5Cb")).toBe(400);
    expect(statusOf("GET", "/me/m1/resolve/main/a%00b")).toBe(400);
    expect(statusOf("GET", "/api/models/../../x")).toBe(400);
    expect(statusOf("GET", "/me/m1/resolve/main/%E0%A4%A")).toBe(400);
  });

  it("answers 404 for unknown paths and 405 for a known path with the wrong method", () => {
    expect(statusOf("GET", "/api/unknown")).toBe(404);
    expect(statusOf("GET", "/me")).toBe(404);
    expect(statusOf("GET", "/api/repos/create")).toBe(405);
    expect(statusOf("PUT", "/me/m1/resolve/main/x")).toBe(405);
  });

  it("routes the browse pages at the Hub's page paths, beside resolve and raw", () => {
    const page = (rawPath: string, method = "GET") => matchRoute({ method, rawPath });
    expect(page("/me/m1")).toEqual({ name: "page", page: { page: "repo", repo: me }, head: false });
    expect(page("/me/m1/tree/main/a/b")).toEqual({
      name: "page",
      page: { page: "tree", repo: me, revision: "main", path: "a/b" },
      head: false,
    });
    expect(page("/me/m1/tree/refs%2Fpr%2F1")).toEqual({
      name: "page",
      page: { page: "tree", repo: me, revision: "refs/pr/1", path: "" },
      head: false,
    });
    expect(page("/me/m1/blob/main/README.md", "HEAD")).toEqual({
      name: "page",
      page: { page: "blob", repo: me, revision: "main", path: "README.md" },
      head: true,
    });
    expect(page("/datasets/me/d1/commits/v1")).toEqual({
      name: "page",
      page: { page: "commits", repo: { type: "dataset", namespace: "me", name: "d1" }, revision: "v1" },
      head: false,
    });
    expect(page("/-/browse/katex/fonts/KaTeX_Main-Regular.woff2")).toEqual({
      name: "page",
      page: { page: "asset", path: "katex/fonts/KaTeX_Main-Regular.woff2" },
      head: false,
    });
    expect(page("/me/m1/resolve/main/README.md").name).toBe("file");
    expect(statusOf("POST", "/me/m1")).toBe(405);
    expect(statusOf("GET", "/me/m1/blob/main")).toBe(404);
    expect(statusOf("GET", "/me/m1/commits/main/extra")).toBe(404);
  });
});
