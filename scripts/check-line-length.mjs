// The 120-character line limit on the sources (the files scripts/line-length-files.mjs lists). Biome's formatter wraps
// code at 120, but it does not break a string, a template literal, a regular expression or a comment, so this check
// reads every line. Exits 1 listing every line over the limit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkedFiles, limit, root, widthOf } from "./line-length-files.mjs";

const long = [];
for (const path of checkedFiles()) {
  let text;
  try {
    text = readFileSync(join(root, path), "utf8");
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  const lines = text.split("\n").flatMap((line, i) => (widthOf(line) > limit ? [i + 1] : []));
  if (lines.length > 0) long.push([path, lines]);
}

if (long.length > 0) {
  for (const [path, lines] of long) {
    console.error(`${path}: ${lines.length} lines over ${limit} characters: lines ${lines.join(", ")}`);
  }
  console.error(
    "Shorten them: node scripts/wrap-long-lines.mjs wraps comments and splits strings, npx biome format --write " +
      "wraps code.",
  );
  process.exit(1);
}
