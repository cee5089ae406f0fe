// Builds native/matrix-kernels.c (the LoRA extraction's AVX2 products) with node-gyp, the one npm ships, into
// native/build/Release/matrix_kernels.node. Optional: without a compiler, Node's headers or node-gyp (a plain `node`
// run outside npm), tvhub uses its WebAssembly kernels, which give the same bits, so this never fails the install or
// the build; it says why it skipped. Runs at `npm install`/`npm ci` (the install script) and in `npm run build`, and
// does nothing when the module is newer than its sources.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "native");
const output = join(dir, "build", "Release", "matrix_kernels.node");
const sources = ["matrix-kernels.c", "binding.gyp"].map((name) => join(dir, name));

function skip(why) {
  console.log(`tvhub: the native matrix kernels were not built (${why}); the WebAssembly kernels do the same work.`);
}

const gyp = process.env.npm_config_node_gyp;
if (process.arch !== "x64") {
  // The kernels are AVX2; other CPUs use WebAssembly SIMD.
} else if (!sources.every((path) => existsSync(path))) {
  skip("native/ is not in this package");
} else if (existsSync(output) && sources.every((path) => statSync(path).mtimeMs <= statSync(output).mtimeMs)) {
  // Up to date.
} else if (!gyp || !existsSync(gyp)) {
  skip("node-gyp is found only when npm runs this script");
} else {
  const run = spawnSync(process.execPath, [gyp, "rebuild"], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  if (run.status !== 0 || !existsSync(output)) {
    const last = `${run.stderr ?? ""}${run.error?.message ?? ""}`.trim().split("\n").slice(-3).join(" ");
    skip(`node-gyp failed: ${last.slice(0, 300)}`);
  }
}
