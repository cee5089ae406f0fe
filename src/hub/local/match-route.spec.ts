import { describe, expect, it } from "vitest";
import { HttpError } from "./http-error.js";
import { matchRoute } from "./match-route.js";

const me = { type: "model", namespace: "me", name: "m1" };
const dataset = (name: string) => ({ type: "dataset", namespace: "me", name });

function statusOf(method: string, rawPath: string): number {
  try {
    matchRoute({ method, rawPath });
    return 200;
  } catch (error) {
    return error instanceof HttpError ? error.status : 500;
  }
}

/** [method, raw path, the route it names]: every API call the official client makes. */
const apiRoutes: [string, string, object][] = [
  ["GET", "/api/whoami-v2", { name: "whoami" }],
  ["POST", "/api/repos/create", { name: "createRepo" }],
  ["DELETE", "/api/repos/delete", { name: "deleteRepo" }],
  ["GET", "/api/models", { name: "listRepos", type: "model" }],
  ["GET", "/api/datasets", { name: "listRepos", type: "dataset" }],
  ["GET", "/api/models/me/m1", { name: "repoInfo", repo: me, revision: "HEAD" }],
  ["GET", "/api/models/me/m1/revision/HEAD", { name: "repoInfo", repo: me, revision: "HEAD" }],
  ["GET", "/api/models/me/m1/tree/main", { name: "tree", repo: me, revision: "main", path: "" }],
  ["GET", "/api/models/me/m1/tree/main/a/b%20c", { name: "tree", repo: me, revision: "main", path: "a/b c" }],
  ["POST", "/api/models/me/m1/paths-info/main", { name: "pathsInfo", repo: me, revision: "main" }],
  ["POST", "/api/models/me/m1/preupload/main", { name: "preupload", repo: me, revision: "main" }],
  ["POST", "/api/models/me/m1/commit/main", { name: "commit", repo: me, revision: "main" }],
  ["GET", "/api/models/me/m1/commits/main", { name: "listCommits", repo: me, revision: "main" }],
  ["GET", "/api/models/me/m1/refs", { name: "listRefs", repo: me }],
  ["POST", "/api/models/me/m1/branch/dev", { name: "createBranch", repo: me, branch: "dev" }],
  ["DELETE", "/api/models/me/m1/branch/dev", { name: "deleteBranch", repo: me, branch: "dev" }],
  ["POST", "/api/models/me/m1/tag/main", { name: "createTag", repo: me, revision: "main" }],
  ["DELETE", "/api/models/me/m1/tag/v1.0", { name: "deleteTag", repo: me, tag: "v1.0" }],
  ["POST", "/api/models/me/m1/super-squash/main", { name: "superSquash", repo: me, branch: "main" }],
  ["POST", "/api/repos/move", { name: "moveRepo" }],
  ["POST", "/api/validate-yaml", { name: "validateYaml" }],
  ["PUT", "/api/models/me/m1/settings", { name: "updateSettings", repo: me }],
];

/** LFS and file paths, for models and datasets. */
const fileRoutes: [string, string, object][] = [
  ["POST", "/me/m1.git/info/lfs/objects/batch", { name: "lfsBatch", repo: me }],
  ["POST", "/datasets/me/d.git/info/lfs/objects/batch", { name: "lfsBatch", repo: dataset("d") }],
  ["PUT", `/lfs-upload/models/me/m1/${"a".repeat(64)}`, { name: "lfsUpload", repo: me, sha256: "a".repeat(64) }],
  [
    "HEAD",
    "/me/m1/raw/main/model.safetensors",
    { name: "file", repo: me, revision: "main", path: "model.safetensors", raw: true, head: true },
  ],
  [
    "GET",
    "/datasets/me/d/resolve/refs%2Fpr%2F1/data/train.parquet",
    { name: "file", repo: dataset("d"), revision: "refs/pr/1", path: "data/train.parquet", raw: false, head: false },
  ],
];

/** Browse pages at the Hub's page paths, beside resolve and raw: [method, raw path, the page, whether HEAD]. */
const pageRoutes: [string, string, object, boolean][] = [
  ["GET", "/me/m1", { page: "repo", repo: me }, false],
  ["GET", "/me/m1/tree/main/a/b", { page: "tree", repo: me, revision: "main", path: "a/b" }, false],
  ["GET", "/me/m1/tree/refs%2Fpr%2F1", { page: "tree", repo: me, revision: "refs/pr/1", path: "" }, false],
  ["HEAD", "/me/m1/blob/main/README.md", { page: "blob", repo: me, revision: "main", path: "README.md" }, true],
  ["GET", "/datasets/me/d1/commits/v1", { page: "commits", repo: dataset("d1"), revision: "v1" }, false],
  [
    "GET",
    "/-/browse/katex/fonts/KaTeX_Main-Regular.woff2",
    { page: "asset", path: "katex/fonts/KaTeX_Main-Regular.woff2" },
    false,
  ],
];

/** [method, raw path, the status it is refused with]. */
const refusals: [string, string, number][] = [
  // traversal, backslashes, NUL, empty segments and broken escapes: 400 before routing
  ["GET", "/me/m1/resolve/main/../../etc/passwd", 400],
  ["GET", "/me/m1/resolve/main/%2e%2e/secret", 400],
  ["GET", "/me/m1/resolve/main//etc/passwd", 400],
  ["GET", "/me/m1/resolve/main/a%5Cb", 400],
  ["GET", "/me/m1/resolve/main/a%00b", 400],
  ["GET", "/api/models/../../x", 400],
  ["GET", "/me/m1/resolve/main/%E0%A4%A", 400],
  // unknown paths: 404
  ["GET", "/api/unknown", 404],
  ["GET", "/me", 404],
  ["GET", "/me/m1/blob/main", 404],
  ["GET", "/me/m1/commits/main/extra", 404],
  // a known path with the wrong method: 405
  ["GET", "/api/validate-yaml", 405],
  ["GET", "/api/repos/create", 405],
  ["PUT", "/me/m1/resolve/main/x", 405],
  ["POST", "/me/m1", 405],
];

describe("matchRoute", () => {
  it.each(apiRoutes)("routes the API the official client calls: %s %s", (method, rawPath, route) => {
    expect(matchRoute({ method, rawPath })).toEqual(route);
  });

  it.each(fileRoutes)("routes LFS and file paths for models and datasets: %s %s", (method, rawPath, route) => {
    expect(matchRoute({ method, rawPath })).toEqual(route);
  });

  it.each(pageRoutes)("routes the browse page %s %s", (method, rawPath, page, head) => {
    expect(matchRoute({ method, rawPath })).toEqual({ name: "page", page, head });
  });

  it("routes resolve beside the browse pages", () => {
    expect(matchRoute({ method: "GET", rawPath: "/me/m1/resolve/main/README.md" }).name).toBe("file");
  });

  it.each(refusals)("refuses %s %s with %i", (method, rawPath, status) => {
    expect(statusOf(method, rawPath)).toBe(status);
  });
});
