// One line per source file: the sha256 of esbuild's whitespace-minified transform of it. Layout and comments do not
// reach that output, so the same lines before and after a formatter run prove it changed no code:
//   node scripts/code-fingerprint.mjs > before.txt; npx biome format --write .; node scripts/code-fingerprint.mjs |
// diff before.txt -
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { transformSync } from "esbuild";

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  // AssemblyScript (its decorators are not TypeScript) and the committed bundle are not formatted.
  .filter((path) => /\.(ts|mjs)$/.test(path) && !path.startsWith("dist/") && !path.includes("/assembly/"))
  .sort();
for (const path of files) {
  let source;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    continue;
  }
  const { code } = transformSync(source, {
    loader: path.endsWith(".ts") ? "ts" : "js",
    format: "esm",
    minifyWhitespace: true,
    legalComments: "none",
  });
  console.log(`${createHash("sha256").update(code).digest("hex")} ${path}`);
}
