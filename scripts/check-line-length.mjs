// The 120-character line limit on the sources. Biome's formatter wraps code at 120, but it does not break a string,
// a template literal or a comment; the lines of those that were longer when the limit came are counted per file in
// scripts/line-length-baseline.json, and a file may not gain one. `--update` rewrites the baseline (after shortening
// lines, so the counts only go down). Exits 1 listing every line over the limit in a file over its count.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkedFiles, limit, root, widthOf } from "./line-length-files.mjs";

const baselinePath = join(root, "scripts/line-length-baseline.json");
const files = checkedFiles();

const long = new Map();
for (const path of files) {
  let text;
  try {
    text = readFileSync(join(root, path), "utf8");
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  const lines = text.split("\n").flatMap((line, i) => (widthOf(line) > limit ? [i + 1] : []));
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
      `${path}: ${lines.length} lines over ${limit} characters (allowed ${baseline[path] ?? 0}): lines ` +
        `${lines.join(", ")}`,
    );
  }
  console.error(
    "Shorten them: node scripts/wrap-long-lines.mjs wraps comments and splits strings, npx biome format --write " +
      "wraps code.",
  );
  process.exit(1);
}
