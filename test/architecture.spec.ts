import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve, sep } from "node:path";
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
  [/^hash-wasm/, ["hub"]],
];

/**
 * Packages whose import is expensive (tens of milliseconds each) and that only some commands use. esbuild hoists a
 * static `import ... from "pkg"` of an external package to the top of the CLI bundle, where it loads at the start of
 * every command, so these are imported with `await import("pkg")` where they are used; `import type` costs nothing.
 */
const lazyPackages = /^(@huggingface\/|@tensorflow\/|zod$|zod\/|octokit$|@octokit\/|yaml$)/;

/** Files that may import a package through a computed specifier, and why (the architecture rules cannot see it). */
const computedImports: Record<string, string> = {
  "eval/load-tf.ts": "@tensorflow/tfjs-node is an optional dependency that may not be installed",
};

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
  /** `import("x")` or `require("x")`: loaded when the code runs, not when the module is. */
  dynamic: boolean;
}

/**
 * Every import of a source file: static imports and re-exports, `import("x")` expressions (`typeof import("x")` is a
 * type, so type-only) and `require("x")` calls. A specifier that is not a string literal is reported as `(computed)`.
 */
function importsOf(source: string): ImportLine[] {
  const found: ImportLine[] = [];
  const statement = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/g;
  for (const match of source.matchAll(statement)) {
    if (match[2]) found.push({ specifier: match[2], typeOnly: Boolean(match[1]), dynamic: false });
  }
  const call = /(\btypeof\s+)?(?<![\w$.])(import|require)\s*\(\s*(?:(["'`])([^"'`$]*)\3\s*\)|([^)\s]))/g;
  for (const match of source.matchAll(call)) {
    // `import(` also starts `import("x").then(...)`; a `(` right after `import` in a statement is not a call.
    const literal = match[4];
    found.push({ specifier: literal ?? "(computed)", typeOnly: Boolean(match[1]), dynamic: true });
  }
  return found;
}

/** What breaks the SDK rules in one file: an SDK outside its owner, a static import of a lazy package, a computed import. */
function sdkViolations(file: string, source: string): string[] {
  const from = moduleOf(file);
  const name = relative(srcDir, file).split(sep).join("/");
  const violations: string[] = [];
  for (const { specifier, typeOnly, dynamic } of importsOf(source)) {
    for (const [pattern, owners] of sdkOwners) {
      if (pattern.test(specifier) && !owners.includes(from)) violations.push(`${name} imports ${specifier}; only ${owners.join(", ")} may`);
    }
    if (lazyPackages.test(specifier) && !typeOnly && !dynamic) {
      violations.push(`${name} imports ${specifier} statically; use \`await import("${specifier}")\` where it is used, so that commands that do not need it do not load it at start`);
    }
    if (specifier === "(computed)" && computedImports[name] === undefined) {
      violations.push(`${name} imports a computed specifier, which hides the package it loads; import a string literal`);
    }
  }
  return violations;
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

  it("each outside SDK is imported only by its owner module, and the heavy ones only where they are used", () => {
    const violations = files.flatMap((file) => sdkViolations(file, readFileSync(file, "utf8")));
    expect(violations).toEqual([]);
  });

  it("the owner rule sees dynamic imports, requires and computed specifiers", () => {
    const at = (path: string) => join(srcDir, path);
    expect(sdkViolations(at("app/x.ts"), `const { z } = await import("zod");`)).toEqual(["app/x.ts imports zod; only plan may"]);
    expect(sdkViolations(at("app/x.ts"), `const hub = await import(\n  '@huggingface/hub'\n);`)).toEqual(["app/x.ts imports @huggingface/hub; only hub may"]);
    expect(sdkViolations(at("app/x.ts"), "const o = require(`octokit`);")).toEqual(["app/x.ts imports octokit; only github may"]);
    expect(sdkViolations(at("app/x.ts"), `export { Octokit } from "octokit";`)).toHaveLength(2);
    expect(sdkViolations(at("app/x.ts"), `const name = "zod";\nawait import(name);`)).toEqual([
      "app/x.ts imports a computed specifier, which hides the package it loads; import a string literal",
    ]);
    expect(sdkViolations(at("plan/x.ts"), `const { z } = await import("zod");\nimport type { ZodType } from "zod";`)).toEqual([]);
    expect(sdkViolations(at("plan/x.ts"), `export type Zod = typeof import("zod");`)).toEqual([]);
    expect(sdkViolations(at("eval/x.ts"), `export type Tf = typeof import("@tensorflow/tfjs");`)).toEqual([]);
    expect(sdkViolations(at("app/x.ts"), `export type Tf = typeof import("@tensorflow/tfjs");`)).toEqual(["app/x.ts imports @tensorflow/tfjs; only eval may"]);
  });

  it("the lazy rule refuses a static import of a heavy package, even in its owner", () => {
    const at = (path: string) => join(srcDir, path);
    expect(sdkViolations(at("plan/x.ts"), `import { z } from "zod";`)).toEqual([
      'plan/x.ts imports zod statically; use `await import("zod")` where it is used, so that commands that do not need it do not load it at start',
    ]);
    expect(sdkViolations(at("card/x.ts"), `import { parse, stringify } from "yaml";`)).toHaveLength(1);
    expect(sdkViolations(at("hub/x.ts"), `import {\n  downloadFile,\n  HubApiError,\n} from "@huggingface/hub";`)).toHaveLength(1);
    expect(sdkViolations(at("card/x.ts"), `const { stringify } = await import("yaml");`)).toEqual([]);
    expect(sdkViolations(at("cli/x.ts"), `import { Command } from "commander";`)).toEqual([]);
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
    const sample = `import { x } from "../app/merge.js";\nimport type { P } from "../plan/types.js";\nconst m = await import("../app/merge.js");`;
    expect(importsOf(sample)).toEqual([
      { specifier: "../app/merge.js", typeOnly: false, dynamic: false },
      { specifier: "../plan/types.js", typeOnly: true, dynamic: false },
      { specifier: "../app/merge.js", typeOnly: false, dynamic: true },
    ]);
  });
});
