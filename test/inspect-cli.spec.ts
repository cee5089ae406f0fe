import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel, type SynthModel } from "./helpers/synth.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const repo = resolve(import.meta.dirname, "..");
const cli = join(repo, "dist/cli.js");

/**
 * `npm test` builds first; when a spec is run alone, rebuild a missing or stale bundle so the test runs the current
 * code.
 */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  if (!existsSync(cli) || statSync(cli).mtimeMs < newest(join(repo, "src"))) {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: repo, stdio: "ignore" });
  }
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: repo, env: { PATH: process.env.PATH ?? "" } },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

let root: string;
let model: SynthModel;

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "tvhub-inspect-cli-"));
  const config = tinyLlamaConfig();
  model = await writeSynthModel({
    dir: join(root, "base"),
    tensors: [...tensorsFromConfig(config), { name: "model.position_ids", dtype: "I64", shape: [1, 32] }],
    config,
    maxShardSize: 150_000,
  });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("tvhub inspect", () => {
  it("prints one JSON object describing a sharded model", async () => {
    const { code, stdout, stderr } = await run(["inspect", model.dir, "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      layout: string;
      index: { file: string; totalSize: number };
      totals: { tensors: number; parameters: number; tensorBytes: number; fileBytes: number };
      dtypes: Array<{ dtype: string; tensors: number; parameters: number }>;
      files: Array<{ file: string; size: number }>;
      metadata: Record<string, string>;
      tensors: Array<{ name: string; dtype: string; shape: number[]; file: string }>;
    };
    expect(report.layout).toBe("sharded");
    expect(report.index).toEqual({ file: "model.safetensors.index.json", totalSize: model.layout.totalSize });
    expect(report.files.map((f) => f.file)).toEqual(model.layout.files.map((f) => f.file));
    expect(report.files.map((f) => f.size)).toEqual(model.written.files.map((f) => f.size));
    expect(report.totals.tensors).toBe(model.tensors.length);
    expect(report.totals.tensorBytes).toBe(model.layout.totalSize);
    expect(report.dtypes.map((d) => d.dtype)).toEqual(["BF16", "I64"]);
    expect(report.dtypes[1]).toEqual({ dtype: "I64", tensors: 1, parameters: 32, bytes: 256 });
    expect(report.metadata).toEqual({ format: "pt" });
    expect(report.tensors[0]?.name).toBe("lm_head.weight");
    const names = report.tensors.map((t) => t.name);
    expect(names.indexOf("model.layers.0.mlp.up_proj.weight")).toBeLessThan(
      names.indexOf("model.layers.1.input_layernorm.weight"),
    );
    expect(report.tensors.find((t) => t.name === "model.embed_tokens.weight")).toMatchObject({
      dtype: "BF16",
      shape: [512, 64],
    });
  });

  it("prints aligned tables, folding repeated layers unless --tensors is given", async () => {
    const folded = await run(["inspect", model.dir]);
    expect(folded.code).toBe(0);
    expect(folded.stdout).toMatch(/^\S+base \(sharded: \d+ files and model\.safetensors\.index\.json\)\n/);
    expect(folded.stdout).toMatch(/\nmodel\.layers\.\{0-1\}\.self_attn\.q_proj\.weight +BF16 +\[64, 64\] +2 +8,192\n/);
    expect(folded.stdout).toContain('__metadata__: format="pt"');
    const all = await run(["inspect", model.dir, "--tensors"]);
    expect(all.stdout).toMatch(
      /\nmodel\.layers\.1\.self_attn\.q_proj\.weight +BF16 +\[64, 64\] +4,096 +model-\d{5}-of-\d{5}\.safetensors\n/,
    );
    expect(all.stdout.split("\n").length).toBeGreaterThan(model.tensors.length);
  });

  it("inspects a single file given by path, and a fine-tune's task_vector-style folder", async () => {
    const ft = await fineTune({ base: model, dir: join(root, "tv"), prefix: "task_vector" });
    const { code, stdout } = await run(["inspect", join(ft.dir, "task_vector.safetensors"), "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      layout: "single",
      index: null,
      totals: { tensors: model.tensors.length },
    });
  });

  it("exits 1 with one line on stderr for a corrupt file", async () => {
    const shard = join(model.dir, model.layout.files[1]?.file ?? "");
    const corrupt = join(root, "corrupt.safetensors");
    const bytes = await readFile(shard);
    await writeFile(corrupt, bytes.subarray(0, bytes.length - 3));
    const { code, stdout, stderr } = await run(["inspect", corrupt, "--json"]);
    expect(code).toBe(1);
    // With --json, scripts read the failure on stdout; people read the same sentence on stderr.
    expect(JSON.parse(stdout)).toEqual({
      error: { code: expect.stringMatching(/^SAFETENSORS_/), message: stderr.replace(/^tvhub: /, "").trimEnd() },
    });
    expect(stderr).toMatch(
      joinPatterns(
        /^tvhub: \S*corrupt\.safetensors: /,
        /the header says the tensor data takes \d+ bytes but the file has only \d+ after the header; .*\.\n$/,
      ),
    );
    expect(stderr.split("\n")).toHaveLength(2);
  });

  it("exits 1 for a folder of PyTorch pickles, saying how to convert", async () => {
    const dir = join(root, "pickles");
    await import("node:fs/promises").then((fs) => fs.mkdir(dir));
    await writeFile(join(dir, "pytorch_model.bin"), "not really");
    const { code, stderr } = await run(["inspect", dir]);
    expect(code).toBe(1);
    expect(stderr).toContain("safe_serialization=True");
  });

  it("exits 2 on usage errors: a missing argument, an unknown flag, a path that does not exist", async () => {
    const missing = await run(["inspect"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument");
    const flag = await run(["inspect", model.dir, "--bogus"]);
    expect(flag.code).toBe(2);
    const nowhere = await run(["inspect", join(root, "nowhere")]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(
      /^tvhub: \S*nowhere: there is no such file or folder; give a model folder or a \.safetensors file\.\n$/,
    );
  });
});
