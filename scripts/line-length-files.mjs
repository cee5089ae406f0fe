// The files under the 120-character line limit and how a line's width is counted, shared by the check and the
// wrapper (scripts/check-line-length.mjs, scripts/wrap-long-lines.mjs).
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export const limit = 120;
export const root = join(import.meta.dirname, "..");
const sources = /^(src|test|bench|scripts)\/.*\.(ts|mts|mjs|js)$|^[^/]+\.(ts|mjs|js)$/;
const skipped = /(^|\/)(dist|node_modules)\/|\.generated\.ts$/;

/** Width in characters (code points), as an editor counts columns. */
export const widthOf = (line) => [...line].length;

/** The checked files, relative to the repository root: tracked or new, not ignored. */
export function checkedFiles() {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((path) => sources.test(path) && !skipped.test(path));
}
