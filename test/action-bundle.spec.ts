/**
 * The stale-bundle check: the runner executes the committed dist/action.js and the dist/compute-worker.js it starts
 * threads from as they are (no npm ci), so they must be exactly what the sources build to. After changing anything
 * src/action or src/engine/compute-worker.ts reaches, run `npm run build` and commit both with the change.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { resolve } from "node:path";
import { build } from "esbuild";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { inputNames } from "../src/action/inputs.js";
import { outputNames } from "../src/action/outputs.js";

const root = resolve(import.meta.dirname, "..");

/** A committed bundle; the working-tree file when git cannot say (a tarball, say). */
function committedBundle(path: string): Buffer {
  try {
    return execFileSync("git", ["show", `HEAD:${path}`], {
      cwd: root,
      maxBuffer: 64 * 2 ** 20,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return readFileSync(resolve(root, path));
  }
}

// The runner runs the Action from the repository as committed: the bundle, and the compute/sink worker script it
// starts threads from (without it the Action would compute on one thread).
const bundles = [
  { entry: "src/action/index.ts", out: "dist/action.js", minimum: 100_000 },
  { entry: "src/engine/compute-worker.ts", out: "dist/compute-worker.js", minimum: 20_000 },
];

describe("the committed Action bundles", () => {
  for (const bundle of bundles) {
    it(`${bundle.out} is what ${bundle.entry} builds to (run npm run build and commit ${bundle.out})`, async () => {
      // The same options as scripts/build.mjs gives the self-contained entries.
      const result = await build({
        absWorkingDir: root,
        entryPoints: [bundle.entry],
        outfile: bundle.out,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "esm",
        sourcemap: false,
        logLevel: "silent",
        write: false,
        banner: {
          js:
            "import { createRequire as __tvhubCreateRequire } from 'node:module'; const require = " +
            "__tvhubCreateRequire(import.meta.url);",
        },
      });
      const built = Buffer.from(result.outputFiles[0]?.contents ?? new Uint8Array());
      const committed = committedBundle(bundle.out);
      expect(built.length).toBeGreaterThan(bundle.minimum);
      const same = built.equals(committed);
      if (!same) {
        let at = 0;
        while (at < built.length && built[at] === committed[at]) at++;
        const context = built.subarray(Math.max(0, at - 80), at + 80).toString("utf8");
        expect.fail(
          `${bundle.out} is stale (first difference at byte ${at}, near: ${JSON.stringify(context)}); run npm run ` +
            `build and commit ${bundle.out}.`,
        );
      }
      expect(same).toBe(true);
    });
  }

  it("import nothing outside Node itself, so the runner needs no node_modules", () => {
    for (const bundle of bundles) {
      const source = readFileSync(resolve(root, bundle.out), "utf8");
      const imports = [
        ...source.matchAll(/(?:^|\n)import\s[^;]*?from\s*["']([^"']+)["']|\brequire\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1] ?? m[2] ?? "");
      expect(imports.length, bundle.out).toBeGreaterThan(0);
      const isBuiltin = (specifier: string) =>
        specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0] ?? "");
      expect(
        imports.filter((specifier) => !isBuiltin(specifier)),
        bundle.out,
      ).toEqual([]);
    }
  });
});

describe("action.yml", () => {
  const action = parse(readFileSync(resolve(root, "action.yml"), "utf8")) as {
    runs: { using: string; main: string };
    inputs: Record<string, { description?: string; default?: string }>;
    outputs: Record<string, { description?: string }>;
  };

  it("runs the committed bundle on node24", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/action.js" });
  });

  it("declares exactly the inputs the Action reads and the outputs it sets, each described", () => {
    expect(Object.keys(action.inputs)).toEqual([...inputNames]);
    expect(Object.keys(action.outputs)).toEqual([...outputNames]);
    for (const entry of [...Object.values(action.inputs), ...Object.values(action.outputs)])
      expect(entry.description?.length).toBeGreaterThan(10);
  });

  it("defaults github-token to the job's token, comment to true and dry-run to the event-based default", () => {
    expect(action.inputs["github-token"]?.default).toBe("${{ github.token }}");
    expect(action.inputs.comment?.default).toBe("true");
    expect(action.inputs["dry-run"]?.default).toBe("");
  });
});
