import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** DESIGN.md "Layers": an import may only point at a lower layer. */
const layerOf: Record<string, number> = {
  util: 0.5,
  errors: 0,
  tensor: 1,
  safetensors: 2,
  arithmetic: 2,
  plan: 3,
  card: 3,
  hub: 3,
  github: 3,
  eval: 3,
  app: 4,
  cli: 5,
  action: 5,
  index: 6,
};

/** Type-only imports allowed between siblings (card renders plan types). */
const typeOnlyExceptions = new Set(["card->plan"]);

/** Each outside SDK has exactly one owner module. */
const sdkOwners: Array<[RegExp, string[]]> = [
  [/^@huggingface\/hub/, ["hub"]],
  [/^@huggingface\/inference/, ["eval"]],
  [/^(octokit|@octokit\/)/, ["github"]],
  [/^(commander|@commander-js\/)/, ["cli"]],
  [/^@actions\//, ["action"]],
  [/^zod/, ["plan"]],
  [/^@tensorflow\//, ["eval"]],
];

const srcDir = resolve(import.meta.dirname, "../src");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.ts$/.test(name) && !/\.spec\.ts$/.test(name) ? [path] : [];
  });
}

function moduleOf(file: string): string {
  const rel = relative(srcDir, file).split(/[\\/]/);
  return rel.length === 1 ? (rel[0] ?? "").replace(/\.ts$/, "") : (rel[0] ?? "");
}

interface ImportLine {
  specifier: string;
  typeOnly: boolean;
}

function importsOf(source: string): ImportLine[] {
  const found: ImportLine[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const match of source.matchAll(pattern)) {
    const specifier = match[3] ?? match[4];
    if (specifier) found.push({ specifier, typeOnly: Boolean(match[2]) });
  }
  return found;
}

const files = walk(srcDir);

describe("architecture", () => {
  it("finds the source tree", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it("every source file lives in a known layer", () => {
    const unknown = files.map(moduleOf).filter((m) => !(m in layerOf));
    expect(unknown).toEqual([]);
  });

  it("imports only point down the layers", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = moduleOf(file);
      for (const { specifier, typeOnly } of importsOf(readFileSync(file, "utf8"))) {
        if (!specifier.startsWith(".")) continue;
        const target = moduleOf(resolve(dirname(file), specifier).replace(/\.js$/, ".ts"));
        if (target === from) continue;
        const fromLayer = layerOf[from] ?? -1;
        const toLayer = layerOf[target] ?? 99;
        if (toLayer < fromLayer) continue;
        if (typeOnly && typeOnlyExceptions.has(`${from}->${target}`)) continue;
        violations.push(`${relative(srcDir, file)} imports ${specifier} (${from} -> ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("each outside SDK is imported only by its owner module", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = moduleOf(file);
      for (const { specifier } of importsOf(readFileSync(file, "utf8"))) {
        for (const [pattern, owners] of sdkOwners) {
          if (pattern.test(specifier) && !owners.includes(from)) {
            violations.push(`${relative(srcDir, file)} imports ${specifier}; only ${owners.join(", ")} may`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("only cli/ and action/ read the environment, argv or exit the process", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = moduleOf(file);
      if (from === "cli" || from === "action") continue;
      const source = readFileSync(file, "utf8");
      for (const forbidden of ["process.env", "process.argv", "process.exit", "process.stdout.isTTY"]) {
        if (source.includes(forbidden)) violations.push(`${relative(srcDir, file)} uses ${forbidden}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("the rule itself catches an upward import", () => {
    const sample = `import { x } from "../app/merge.js";\nimport type { P } from "../plan/types.js";`;
    expect(importsOf(sample)).toEqual([
      { specifier: "../app/merge.js", typeOnly: false },
      { specifier: "../plan/types.js", typeOnly: true },
    ]);
  });
});
