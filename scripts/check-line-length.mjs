// The 120-character line limit on the sources. Biome's formatter wraps code at 120, but it does not break a string,
// a template literal or a comment; the lines of those that were longer when the limit came are counted per file in
// scripts/line-length-baseline.json, and a file may not gain one. `--update` rewrites the baseline (after shortening
// lines, so the counts only go down). Exits 1 listing every line over the limit in a file over its count.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const limit = 120;
const root = join(import.meta.dirname, "..");
const baselinePath = join(root, "scripts/line-length-baseline.json");
const sources = /^(src|test|bench|scripts)\/.*\.(ts|mts|mjs|js)$|^[^/]+\.(ts|mjs|js)$/;
const skipped = /(^|\/)(dist|node_modules)\/|\.generated\.ts$/;

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((path) => sources.test(path) && !skipped.test(path));

const long = new Map();
for (const path of files) {
  let text;
  try {
    text = readFileSync(join(root, path), "utf8");
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  const lines = text.split("\n").flatMap((line, i) => ([...line].length > limit ? [i + 1] : []));
  if (lines.length > 0) long.set(path, lines);
}

if (process.argv.includes("--update")) {
  const counts = Object.fromEntries(
    [...long].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, lines]) => [path, lines.length]),
  );
  writeFileSync(baselinePath, `${JSON.stringify(counts, null, 2)}\n`);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  console.log(`line-length baseline: ${total} lines over ${limit} characters in ${Object.keys(counts).length} files`);
  process.exit(0);
}

const baseline = JSON.parse(readFileSync(baselinePath, "utf8"));
const over = [...long].filter(([path, lines]) => lines.length > (baseline[path] ?? 0));
if (over.length > 0) {
  for (const [path, lines] of over) {
    console.error(
      `${path}: ${lines.length} lines over ${limit} characters (allowed ${baseline[path] ?? 0}): lines ${lines.join(", ")}`,
    );
  }
  console.error(`Shorten them (npx biome format --write wraps code; break long strings and comments by hand).`);
  process.exit(1);
}
