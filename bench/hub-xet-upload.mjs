#!/usr/bin/env node
// Xet versus classic LFS uploads from the real Python client into `tvhub hub serve`, on loopback.
//
//   npm run build && bash scripts/setup-python.sh && node bench/hub-xet-upload.mjs [--size-mb 512] [--passes 2]
//
// Writes one file of --size-mb (half float32 values shaped like weights, half random bytes), then uploads it with
// .venv/hf2's huggingface_hub, alternating: with its defaults (Xet: chunking in hf_xet, xorbs and a shard to the
// server's CAS, which verifies and rebuilds the file) and with HF_HUB_DISABLE_XET=1 (one LFS PUT). Each upload goes to
// a new repo with an empty Xet cache and new bytes, so nothing is deduplicated. After each, the file is fetched over
// resolve and its sha256 compared. Prints one JSON line with the median seconds of each path and their ratio; the ratio
// is what to compare across machines (both paths run on the same loaded cores in the same run).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, openSync, writeSync, closeSync, rmSync } from "node:fs";
import { get } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith("--") ? [[arg.slice(2), all[i + 1]]] : [])),
);
const sizeBytes = Number(args["size-mb"] ?? 512) * 1024 * 1024;
const passes = Number(args.passes ?? 2);
const token = "hf_bench_local_token";
const python = resolve(import.meta.dirname, "../.venv/hf2/bin/python");

const work = mkdtempSync(join(tmpdir(), "tvhub-xet-bench-"));
const file = join(work, "weights.bin");

/** Writes the file for one run (its own seed: stored xorbs and objects of earlier runs must not make a run cheaper). */
function writeFile(seed) {
  const hash = createHash("sha256");
  const fd = openSync(file, "w");
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (let written = 0; written < sizeBytes; written += block.length) {
    const weights = written < sizeBytes / 2;
    for (let i = 0; i < block.length; i += 4) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      if (weights) block.writeFloatLE(((seed >>> 8) / 2 ** 24 - 0.5) * 0.04, i);
      else block.writeUInt32LE(seed, i);
    }
    const piece = block.subarray(0, Math.min(block.length, sizeBytes - written));
    writeSync(fd, piece);
    hash.update(piece);
  }
  closeSync(fd);
  return hash.digest("hex");
}

const server = spawn(
  process.execPath,
  [
    resolve(import.meta.dirname, "../dist/cli.js"),
    "hub",
    "serve",
    "--dir",
    join(work, "hub"),
    "--port",
    "0",
    "--quiet",
    "--user",
    `bench:${token}`,
  ],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const url = await new Promise((done) => server.stdout.once("data", (chunk) => done(String(chunk).split("\n")[0])));

const upload = `
import sys
from huggingface_hub import HfApi
api = HfApi(token=sys.argv[2])
api.create_repo(sys.argv[3])
api.upload_file(path_or_fileobj=sys.argv[1], path_in_repo="weights.bin", repo_id=sys.argv[3])
`;
const seconds = { xet: [], lfs: [] };
let run = 0;
try {
  for (let pass = 0; pass < passes; pass++) {
    for (const kind of pass % 2 === 0 ? ["xet", "lfs"] : ["lfs", "xet"]) {
      const sha256 = writeFile(run + 1);
      const repo = `bench/${kind}-${run++}`;
      const home = join(work, `home-${run}`);
      const env = {
        PATH: process.env.PATH,
        HOME: home,
        HF_HOME: home,
        HF_XET_CACHE: join(home, "xet"),
        HF_ENDPOINT: url,
        HF_HUB_DISABLE_PROGRESS_BARS: "1",
        NO_PROXY: "127.0.0.1",
      };
      if (kind === "lfs") env.HF_HUB_DISABLE_XET = "1";
      const started = performance.now();
      execFileSync(python, ["-c", upload, file, token, repo], { env, stdio: ["ignore", "ignore", "inherit"] });
      seconds[kind].push((performance.now() - started) / 1000);
      if ((await servedSha256(`${url}/${repo}/resolve/main/weights.bin`)) !== sha256)
        throw new Error(`the ${kind} upload came back with other bytes`);
      rmSync(home, { recursive: true, force: true });
    }
  }
} finally {
  server.kill("SIGTERM");
}
/** node:http rather than fetch: hashing 100s of MB on a loaded machine outlasts the server's keep-alive timeout, and
 * undici then reports the closed idle socket as an error although the whole body arrived. */
function servedSha256(target) {
  return new Promise((done, fail) => {
    get(target, { agent: false }, (response) => {
      if (response.statusCode !== 200) fail(new Error(`GET ${target} answered ${response.statusCode}`));
      const served = createHash("sha256");
      response
        .on("data", (chunk) => served.update(chunk))
        .on("end", () => done(served.digest("hex")))
        .on("error", fail);
    }).on("error", fail);
  });
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const mb = sizeBytes / 1e6;
console.log(
  JSON.stringify({
    sizeMB: Math.round(mb),
    passes,
    xetSeconds: +median(seconds.xet).toFixed(2),
    lfsSeconds: +median(seconds.lfs).toFixed(2),
    xetMBps: Math.round(mb / median(seconds.xet)),
    lfsMBps: Math.round(mb / median(seconds.lfs)),
    xetOverLfs: +(median(seconds.xet) / median(seconds.lfs)).toFixed(2),
    runs: { xet: seconds.xet.map((t) => +t.toFixed(2)), lfs: seconds.lfs.map((t) => +t.toFixed(2)) },
    loadavg: loadavg()[0].toFixed(1),
  }),
);
rmSync(work, { recursive: true, force: true });
