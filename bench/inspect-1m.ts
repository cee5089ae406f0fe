// `npm run bench -- inspect-1m`: `tvhub inspect` of a valid file of 1,000,000 tensors (a 77 MB header), in wall
// and CPU time and peak RSS (GNU time), against baselines on the same file in the same run: `JSON.parse` of the
// header alone in node, and the reference's `safe_open` (keys and metadata) when .venv/safetensors exists.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeManyTensorFile } from "../test/helpers/many-tensors.js";

export interface InspectRow {
  what: string;
  wallSeconds: number;
  cpuSeconds: number;
  maxRssMB: number;
}

const time = "/usr/bin/time";

function measure(what: string, command: string[]): InspectRow {
  const run = spawnSync(time, ["-f", "%e %U %S %M", ...command], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`${what} failed: ${run.stderr.slice(-500)}`);
  const [wall = 0, user = 0, sys = 0, rss = 0] = (run.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return { what, wallSeconds: wall, cpuSeconds: user + sys, maxRssMB: rss / 1024 };
}

export async function runInspect1mBench(): Promise<InspectRow[]> {
  if (!existsSync(time))
    throw new Error(`${time} (GNU time) is needed to measure peak memory; install the "time" package.`);
  const dir = await mkdtemp(join(tmpdir(), "tvhub-bench-1m-"));
  try {
    const file = join(dir, "moe.safetensors");
    await writeManyTensorFile({ path: file, layers: 100, experts: 1000, weights: 10 });
    const rows = [
      measure("tvhub inspect", [process.execPath, resolve(import.meta.dirname, "cli.js"), "inspect", file]),
    ];
    const parse =
      `const b=require("fs").readFileSync(${JSON.stringify(file)});const ` +
      "n=Number(b.readBigUInt64LE(0));console.log(Object.keys(JSON.parse(b.subarray(8,8+n).toString())).length)";
    rows.push(measure("node JSON.parse of the header", [process.execPath, "-e", parse]));
    const python = resolve(import.meta.dirname, "../.venv/safetensors/bin/python");
    if (existsSync(python)) {
      const open =
        `from safetensors import safe_open\nwith safe_open(${JSON.stringify(file)}, framework="numpy") ` +
        "as f: print(len(list(f.keys())), f.metadata())";
      rows.push(measure("python safetensors 0.8.0 safe_open", [python, "-c", open]));
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatInspect1mTable(rows: InspectRow[]): string {
  const first = rows[0];
  return [
    "inspect of 1,000,000 tensors (77 MB header)",
    "what                                  wall s   cpu s   max RSS MB   cpu vs tvhub",
    ...rows.map(
      (r) =>
        `${r.what.padEnd(36)}  ${r.wallSeconds.toFixed(2).padStart(6)}  ${r.cpuSeconds.toFixed(2).padStart(6)}  ` +
        `${r.maxRssMB.toFixed(0).padStart(11)}  ` +
        `${first ? (r.cpuSeconds / first.cpuSeconds).toFixed(2).padStart(12) : ""}`,
    ),
  ].join("\n");
}
