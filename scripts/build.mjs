await import("./build-wasm.mjs"); // the WebAssembly kernels first: src/arithmetic/simd imports the module it generates
await import("./build-native.mjs"); // the optional native matrix kernels (a no-op when they are up to date)
// Bundles the entry points with esbuild. The CLI keeps its npm dependencies external (they are installed
// next to it); the GitHub Action bundle is self-contained because the runner runs it without `npm ci`.
import { build } from "esbuild";
import { existsSync } from "node:fs";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: false,
  logLevel: "warning",
};
const banner = {
  js:
    "import { createRequire as __tvhubCreateRequire } from 'node:module'; const require = " +
    "__tvhubCreateRequire(import.meta.url);",
};

const entries = [
  { in: "src/cli/bin.ts", out: "dist/cli.js", external: true },
  { in: "src/index.ts", out: "dist/index.js", external: true },
  { in: "bench/main.ts", out: "dist/bench.js", external: true },
  { in: "src/action/index.ts", out: "dist/action.js", external: false },
  // Compute and sink threads load this beside dist/cli.js and dist/action.js (committed with it); without it (tests on
  // sources) jobs run on the main thread.
  { in: "src/engine/compute-worker.ts", out: "dist/compute-worker.js", external: false },
];

for (const entry of entries) {
  if (!existsSync(entry.in)) continue;
  await build({
    ...common,
    entryPoints: [entry.in],
    outfile: entry.out,
    packages: entry.external ? "external" : undefined,
    banner: entry.out === "dist/cli.js" ? { js: "#!/usr/bin/env node\n" + banner.js } : banner,
  });
}
