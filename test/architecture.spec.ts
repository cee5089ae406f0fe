import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const srcDir = resolve(import.meta.dirname, "../src");
const repoDir = resolve(srcDir, "..");

/**
 * The rows of a layer picture (the fenced block under "## Layers"), top row first: each row's leading words that
 * name a folder or a top-level file of src/. The rest of the line is its description.
 */
function layerRows(markdown: string): string[][] {
  const section = markdown.slice(markdown.indexOf("## Layers"));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const modules = new Set(readdirSync(srcDir).map((name) => name.replace(/\.ts$/, "")));
  return block
    .split("\n")
    .map((line) => {
      const words = line.trim().split(/\s+/);
      const end = words.findIndex((word) => !modules.has(word));
      return end === -1 ? words : words.slice(0, end);
    })
    .filter((row) => row.length > 0 && row[0] !== "");
}

/**
 * ARCHITECTURE.md's picture of the layers, which DESIGN.md "Layers" draws too: an import may only point at a lower row.
 */
const pictured = layerRows(readFileSync(join(repoDir, "ARCHITECTURE.md"), "utf8"));
const layerOf: Record<string, number> = Object.fromEntries(
  pictured.flatMap((row, i) => row.map((name) => [name, pictured.length - i])),
);
/** The library's entry re-exports the use cases, above everything. */
layerOf.index = pictured.length + 1;

/** Imports allowed between siblings of one row: card renders plan types; util's helpers throw errors' classes. */
const siblingExceptions: Record<string, "type" | "any"> = { "card->plan": "type", "util->errors": "any" };

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
  // The local Hub's browse pages (hub/local/pages) render cards; nothing else renders HTML.
  [/^(markdown-it|katex|@vscode\/markdown-it-katex)/, ["hub"]],
];

/**
 * Packages whose import is expensive (tens of milliseconds each) and that only some commands use. esbuild hoists a
 * static `import ... from "pkg"` of an external package to the top of the CLI bundle, where it loads at the start of
 * every command, so these are imported with `await import("pkg")` where they are used; `import type` costs nothing.
 */
const lazyPackages =
  /^(@huggingface\/|@tensorflow\/|zod($|\/)|octokit$|@octokit\/|yaml$|markdown-it$|katex$|@vscode\/markdown-it-katex$)/;

/** Files that may import a package through a computed specifier, and why (the architecture rules cannot see it). */
const computedImports: Record<string, string> = {
  "eval/load-tf.ts": "@tensorflow/tfjs-node is an optional dependency that may not be installed",
};

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

/**
 * What breaks the SDK rules in one file: an SDK outside its owner, a static import of a lazy package, a computed
 * import.
 */
function sdkViolations(file: string, source: string): string[] {
  const from = moduleOf(file);
  const name = relative(srcDir, file).split(sep).join("/");
  const violations: string[] = [];
  for (const { specifier, typeOnly, dynamic } of importsOf(source)) {
    for (const [pattern, owners] of sdkOwners) {
      if (pattern.test(specifier) && !owners.includes(from))
        violations.push(`${name} imports ${specifier}; only ${owners.join(", ")} may`);
    }
    if (lazyPackages.test(specifier) && !typeOnly && !dynamic) {
      violations.push(
        `${name} imports ${specifier} statically; use \`await import("${specifier}")\` where it is used, so that ` +
          "commands that do not need it do not load it at start",
      );
    }
    if (specifier === "(computed)" && computedImports[name] === undefined) {
      violations.push(
        `${name} imports a computed specifier, which hides the package it loads; import a string literal`,
      );
    }
  }
  return violations;
}

/** `process` members that read the environment or the command line, or end the process. */
const processMembers = /^(env|argv|execArgv|exit|exitCode|stdin|stdout\.isTTY|stderr\.isTTY)\b/;

/**
 * Every way a source file reads the environment, argv or exits, however it is written: `process.env`, `process["env"]`,
 * optional chaining, `globalThis.process`, destructuring `const { env } = process`, and any import of the `process`
 * module. `process.pid`, `process.kill` and `process.platform` are facts about the machine, not inputs.
 */
function processReads(source: string): string[] {
  const found: string[] = [];
  const member = /(?<![\w$])(?:globalThis\s*\??\.\s*)?process\s*(?:\?\.\s*|\.\s*|\[\s*["'`])([\w.]+)/g;
  for (const match of source.matchAll(member)) {
    const name = match[1] ?? "";
    const hit = processMembers.exec(name);
    if (hit) found.push(`process.${hit[1]}`);
  }
  if (/\}\s*=\s*(?:globalThis\s*\??\.\s*)?process\b(?!\s*[.?[])/.test(source)) found.push("destructuring of process");
  if (/globalThis\s*\[\s*["'`]process["'`]\s*\]/.test(source)) found.push("globalThis.process");
  for (const { specifier } of importsOf(source)) {
    if (specifier === "process" || specifier === "node:process") found.push(`an import of ${specifier}`);
  }
  // `const p = process;` or `f(process)` hands the object on, where a read of `p.env` would go unseen.
  if (
    !found.includes("destructuring of process") &&
    /(?:[=(,:]|\breturn)\s*(?:globalThis\s*\??\.\s*)?process\s*(?=[;,)\n}])/.test(source)
  )
    found.push("process as a value");
  return found;
}

/**
 * The folder edge one file import makes, taken where the two paths part: `app/greedy/x.ts` -> `engine/y.ts` is
 * `app -> engine`, `app/greedy/x.ts` -> `app/demo/y.ts` is `app/greedy -> app/demo`. A folder and its own subfolder
 * are one unit (a use case and its parts), so an import between them is no folder edge.
 */
function folderPairs(from: string, to: string): Array<[string, string]> {
  const a = from.split("/").slice(0, -1);
  const b = to.split("/").slice(0, -1);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  if (common === a.length || common === b.length) return [];
  return [[a.slice(0, common + 1).join("/"), b.slice(0, common + 1).join("/")]];
}

/** The cycles of a directed graph (one per strongly connected component of two or more), each as `a -> b -> a`. */
function cyclesOf(graph: Map<string, Set<string>>): string[] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const members: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      members.push(top);
      if (top === node) break;
    }
    if (members.length > 1) cycles.push(cyclePath(graph, new Set(members)));
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** One cycle through a component, from its first member in sort order back to it, for the failure message. */
function cyclePath(graph: Map<string, Set<string>>, members: Set<string>): string {
  const start = [...members].sort()[0] ?? "";
  const path = [start];
  const seen = new Set([start]);
  for (let at = start; ; ) {
    const targets = [...(graph.get(at) ?? [])].filter((to) => members.has(to)).sort();
    const back = targets.includes(start) && path.length === members.size;
    const to = back ? start : (targets.find((t) => !seen.has(t)) ?? start);
    path.push(to);
    if (to === start) return path.join(" -> ");
    seen.add(to);
    at = to;
  }
}

/**
 * The source files something runs: the bundles' entry points (scripts/build.mjs), the AssemblyScript kernels
 * (scripts/build-wasm.mjs), and whatever scripts/ and bench/ import, followed through static and dynamic imports.
 */
function reachedFromEntries(): Set<string> {
  const root = resolve(srcDir, "..");
  const toolFiles = ["scripts", "bench"].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((name) => /\.(ts|mjs)$/.test(name))
      .map((name) => join(root, dir, name)),
  );
  const queue: string[] = [];
  for (const tool of toolFiles) {
    const source = readFileSync(tool, "utf8");
    for (const match of source.matchAll(/["'](src\/[\w./-]+\.ts)["']/g)) queue.push(join(root, match[1] ?? ""));
    for (const { specifier } of importsOf(source)) {
      if (specifier.startsWith(".")) queue.push(resolve(dirname(tool), specifier).replace(/\.js$/, ".ts"));
    }
  }
  const reached = new Set<string>();
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    const name = relative(srcDir, file);
    if (name.startsWith("..") || reached.has(name)) continue;
    reached.add(name);
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const { specifier } of importsOf(source)) {
      if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier).replace(/\.js$/, ".ts"));
    }
  }
  return reached;
}

const files = walk(srcDir);

describe("architecture", () => {
  it("finds the source tree", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it("the layer picture names every folder of src/, each once", () => {
    const named = pictured.flat();
    expect(new Set(named).size).toBe(named.length);
    const folders = readdirSync(srcDir).filter((name) => statSync(join(srcDir, name)).isDirectory());
    expect(folders.filter((name) => !named.includes(name))).toEqual([]);
    expect(named).toEqual(expect.arrayContaining(["engine", "eval", "app", "plan", "errors", "util"]));
  });

  const design = resolve(repoDir, "../shared/DESIGN.md");
  it.skipIf(!existsSync(design))(
    "ARCHITECTURE.md draws the layers DESIGN.md declares (the project's shared design, beside the repo)",
    () => {
      expect(layerRows(readFileSync(design, "utf8"))).toEqual(pictured);
    },
  );

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
        const exception = siblingExceptions[`${from}->${target}`];
        if (exception === "any" || (exception === "type" && typeOnly)) continue;
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
    expect(sdkViolations(at("app/x.ts"), `const { z } = await import("zod");`)).toEqual([
      "app/x.ts imports zod; only plan may",
    ]);
    expect(sdkViolations(at("app/x.ts"), `const hub = await import(\n  '@huggingface/hub'\n);`)).toEqual([
      "app/x.ts imports @huggingface/hub; only hub may",
    ]);
    expect(sdkViolations(at("app/x.ts"), "const o = require(`octokit`);")).toEqual([
      "app/x.ts imports octokit; only github may",
    ]);
    expect(sdkViolations(at("app/x.ts"), `export { Octokit } from "octokit";`)).toHaveLength(2);
    expect(sdkViolations(at("app/x.ts"), `const name = "zod";\nawait import(name);`)).toEqual([
      "app/x.ts imports a computed specifier, which hides the package it loads; import a string literal",
    ]);
    expect(
      sdkViolations(at("plan/x.ts"), `const { z } = await import("zod");\nimport type { ZodType } from "zod";`),
    ).toEqual([]);
    expect(sdkViolations(at("plan/x.ts"), `export type Zod = typeof import("zod");`)).toEqual([]);
    expect(sdkViolations(at("eval/x.ts"), `export type Tf = typeof import("@tensorflow/tfjs");`)).toEqual([]);
    expect(sdkViolations(at("app/x.ts"), `export type Tf = typeof import("@tensorflow/tfjs");`)).toEqual([
      "app/x.ts imports @tensorflow/tfjs; only eval may",
    ]);
  });

  it("the lazy rule refuses a static import of a heavy package, even in its owner", () => {
    const at = (path: string) => join(srcDir, path);
    expect(sdkViolations(at("plan/x.ts"), `import { z } from "zod";`)).toEqual([
      'plan/x.ts imports zod statically; use `await import("zod")` where it is used, so that commands that do not ' +
        "need it do not load it at start",
    ]);
    expect(sdkViolations(at("card/x.ts"), `import { parse, stringify } from "yaml";`)).toHaveLength(1);
    expect(
      sdkViolations(at("hub/x.ts"), `import {\n  downloadFile,\n  HubApiError,\n} from "@huggingface/hub";`),
    ).toHaveLength(1);
    expect(sdkViolations(at("card/x.ts"), `const { stringify } = await import("yaml");`)).toEqual([]);
    expect(sdkViolations(at("cli/x.ts"), `import { Command } from "commander";`)).toEqual([]);
  });

  it("only cli/ and action/ read the environment, argv or exit the process", () => {
    const violations = files.flatMap((file) => {
      const from = moduleOf(file);
      if (from === "cli" || from === "action") return [];
      return processReads(readFileSync(file, "utf8")).map((read) => `${relative(srcDir, file)} uses ${read}`);
    });
    expect(violations).toEqual([]);
  });

  it("the environment rule sees every way of writing a read", () => {
    const reads = (source: string) => processReads(source);
    expect(reads("const token = process.env.HF_TOKEN;")).toEqual(["process.env"]);
    expect(reads("const token = process['env'].HF_TOKEN;")).toEqual(["process.env"]);
    expect(reads('const token = process [ "env" ] ["HF_TOKEN"];')).toEqual(["process.env"]);
    expect(reads("const token = process?.env?.HF_TOKEN;")).toEqual(["process.env"]);
    expect(reads("const a = process[`argv`];")).toEqual(["process.argv"]);
    expect(reads("const { env } = process;")).toEqual(["destructuring of process"]);
    expect(reads("const {\n  argv,\n  env: e,\n} = globalThis.process;")).toEqual(["destructuring of process"]);
    expect(reads("const e = globalThis.process.env;")).toEqual(["process.env"]);
    expect(reads('const p = globalThis["process"];')).toEqual(["globalThis.process"]);
    expect(reads('import { env } from "node:process";')).toEqual(["an import of node:process"]);
    expect(reads("import proc from 'process';")).toEqual(["an import of process"]);
    expect(reads('const { argv } = await import("node:process");')).toEqual(["an import of node:process"]);
    expect(reads("process.exitCode = 2;")).toEqual(["process.exitCode"]);
    expect(reads("if (process.stdout.isTTY) draw();")).toEqual(["process.stdout.isTTY"]);
    expect(reads("const p = process;")).toEqual(["process as a value"]);
    expect(reads("fn(process);")).toEqual(["process as a value"]);
    expect(reads("process.kill(pid, 0); const me = process.pid; if (process.platform === 'win32') {}")).toEqual([]);
    expect(reads("const subprocess = spawn(x); subprocess.env = 1; const processEnv = 2;")).toEqual([]);
  });

  it("no import cycle, between files or between folders", () => {
    const edges = new Map<string, Set<string>>();
    const folderEdges = new Map<string, Set<string>>();
    const add = (graph: Map<string, Set<string>>, from: string, to: string) => {
      if (from !== to) (graph.get(from) ?? graph.set(from, new Set()).get(from))?.add(to);
    };
    for (const file of files) {
      const from = relative(srcDir, file);
      for (const { specifier } of importsOf(readFileSync(file, "utf8"))) {
        if (!specifier.startsWith(".")) continue;
        const to = relative(srcDir, resolve(dirname(file), specifier).replace(/\.js$/, ".ts"));
        // A type-only import is erased before anything runs, but a cycle through one still ties the two files
        // together (neither can be understood or moved alone), so it counts like any other import.
        add(edges, from, to);
        for (const [a, b] of folderPairs(from, to)) add(folderEdges, a, b);
      }
    }
    expect(cyclesOf(edges)).toEqual([]);
    expect(cyclesOf(folderEdges)).toEqual([]);
  });

  it("the cycle rule finds a cycle and names its members", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a", "d"])],
      ["d", new Set<string>()],
    ]);
    expect(cyclesOf(graph)).toEqual(["a -> b -> c -> a"]);
    expect(folderPairs("app/greedy/run.ts", "app/merge.ts")).toEqual([]);
    expect(folderPairs("app/merge.ts", "engine/execute-plan.ts")).toEqual([["app", "engine"]]);
    expect(folderPairs("app/greedy/a.ts", "engine/x/b.ts")).toEqual([["app", "engine"]]);
    expect(folderPairs("app/greedy/a.ts", "app/demo/b.ts")).toEqual([["app/greedy", "app/demo"]]);
    expect(folderPairs("errors.ts", "util/x.ts")).toEqual([]);
  });

  it("every source file outside testing/ is used: reached from an entry point, a build script or a bench", () => {
    const reached = reachedFromEntries();
    const unused = files
      .map((file) => relative(srcDir, file))
      .filter((name) => !name.split("/").includes("testing") && !reached.has(name));
    expect(unused).toEqual([]);
  });

  it("only specs import the testing/ helpers", () => {
    const violations = files.flatMap((file) => {
      if (relative(srcDir, file).split("/").includes("testing")) return [];
      return importsOf(readFileSync(file, "utf8"))
        .filter(({ specifier }) => specifier.startsWith(".") && /(^|\/)testing\//.test(specifier))
        .map(({ specifier }) => `${relative(srcDir, file)} imports ${specifier}`);
    });
    expect(violations).toEqual([]);
  });

  it("the rule itself catches an upward import", () => {
    const sample =
      `import { x } from "../app/merge.js";\nimport type { P } from "../plan/types.js";\nconst m = ` +
      `await import("../app/merge.js");`;
    expect(importsOf(sample)).toEqual([
      { specifier: "../app/merge.js", typeOnly: false, dynamic: false },
      { specifier: "../plan/types.js", typeOnly: true, dynamic: false },
      { specifier: "../app/merge.js", typeOnly: false, dynamic: true },
    ]);
  });
});
