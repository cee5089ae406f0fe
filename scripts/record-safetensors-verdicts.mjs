#!/usr/bin/env node
// Records the reference implementation's verdicts for test/safetensors-reference.spec.ts (see the .ts beside it).
// Needs .venv/safetensors (bash scripts/setup-python.sh). Rerun it whenever src/safetensors/testing/mutations.ts
// changes what it generates; the spec says so when the cases no longer match the fixture.
//
//   node scripts/record-safetensors-verdicts.mjs [cases]     default 5000
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "..", "node_modules", ".cache", "tvhub-record-safetensors-verdicts.mjs");
await build({
  entryPoints: [join(here, "record-safetensors-verdicts.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  packages: "external",
  logLevel: "warning",
  define: { "import.meta.dirname": JSON.stringify(here) },
});
await import(pathToFileURL(outfile).href);
