// publish-vector --lora-rank end to end: a tiny real transformers Llama and a fine-tune of it (rank-4 updates of every
// Linear, noise elsewhere) are uploaded to a local Hub; tvhub publishes τ as a LoRA adapter; the real PEFT
// (.venv/peft, made by scripts/setup-python.sh) loads it with PeftModel.from_pretrained and merge_and_unload.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadBytes, parseSafetensorsBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";
import { gemmReference } from "../src/arithmetic/low-rank/matrix-kernels.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const hasPython = spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0;
const python = resolve(import.meta.dirname, "../.venv/peft/bin/python");
const script = resolve(import.meta.dirname, "python/peft_load_adapter.py");
const token = "hf_alice_lora_write_token";

let hub: LocalHubProcess;
let work: string;

interface WeightReport {
  kind: "lora" | "full" | "untouched";
  rank?: number;
  max_abs_vs_base_plus_ba?: number;
  scale?: number;
  equals_saved?: boolean;
  equals_base?: boolean;
  relative_error_vs_ft?: number;
}

function runPython(args: string[]): { stdout: string; stderr: string } {
  const run = spawnSync(python, [script, ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${script} ${args.join(" ")} failed: ${run.stderr}`);
  return { stdout: run.stdout, stderr: run.stderr };
}

async function download(repo: string, path: string, dir: string): Promise<void> {
  writeFileSync(join(dir, path), await downloadBytes({ hubUrl: hub.url, repo, path }));
}

describe.skipIf(!hasPython)("publish-vector --lora-rank, loaded by the real PEFT", () => {
  beforeAll(async () => {
    if (!existsSync(python))
      throw new Error(
        `${python} is missing: run bash scripts/setup-python.sh (it installs torch, peft and transformers).`,
      );
    work = mkdtempSync(join(tmpdir(), "tvhub-lora-write-"));
    runPython(["make", work]);
    writeFileSync(
      join(work, "ft", "README.md"),
      "---\nbase_model: alice/tiny-llama\nlicense: mit\n---\n# a fine-tune\n",
    );
    hub = await startLocalHub({ users: [{ name: "alice", token }] });
    await uploadFolder({ hubUrl: hub.url, token, repo: "alice/tiny-llama", dir: join(work, "base") });
    await uploadFolder({ hubUrl: hub.url, token, repo: "alice/tiny-llama-ft", dir: join(work, "ft") });
  }, 180_000);

  afterAll(async () => {
    await hub?.stop();
  });

  const env = () => ({ HF_HOME: join(work, "hf-home"), HF_TOKEN: token, HF_ENDPOINT: hub.url });

  it("publishes an adapter that PEFT loads, whose merge is base + B·A and gives back the rank-4 " +
    "fine-tune", async () => {
    const run = await runCli(
      [
        "publish-vector",
        "--finetuned",
        "alice/tiny-llama-ft",
        "--to",
        "alice/tiny-llama-ft-lora4",
        "--lora-rank",
        "4",
        "--json",
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      repo: string;
      commit: string;
      adapter: { r: number; overallError: number };
    };
    expect(result.repo).toBe("alice/tiny-llama-ft-lora4");
    expect(result.adapter.r).toBe(4);
    // τ of every Linear has rank 4 exactly: --lora-rank 4 gives it back within 1e-6.
    expect(result.adapter.overallError).toBeLessThanOrEqual(1e-6);

    const dir = join(work, "adapter-4");
    mkdirSync(dir, { recursive: true });
    for (const path of ["adapter_config.json", "adapter_model.safetensors", "README.md", "tvhub.json"])
      await download(result.repo, path, dir);
    const config = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8")) as Record<string, unknown>;
    const baseCommit = (JSON.parse(readFileSync(join(dir, "tvhub.json"), "utf8")) as { base: { revision: string } })
      .base.revision;
    expect(config).toMatchObject({
      peft_type: "LORA",
      r: 4,
      lora_alpha: 4,
      base_model_name_or_path: "alice/tiny-llama",
      revision: baseCommit,
      task_type: "CAUSAL_LM",
      use_rslora: false,
      use_dora: false,
    });
    expect(config.target_modules).toEqual([
      "down_proj",
      "gate_proj",
      "k_proj",
      "o_proj",
      "q_proj",
      "up_proj",
      "v_proj",
    ]);
    expect(config.modules_to_save).toContain("model.embed_tokens");
    expect(config.modules_to_save).toContain("lm_head");
    expect(config.modules_to_save).toContain("model.layers.0.input_layernorm");

    const tensors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(dir, "adapter_model.safetensors"))));
    expect(tensors.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")).toMatchObject({
      dtype: "F32",
      shape: [4, 32],
    });
    expect(tensors.get("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight")).toMatchObject({
      dtype: "F32",
      shape: [16, 4],
    });
    expect(tensors.get("base_model.model.model.embed_tokens.weight")).toMatchObject({ shape: [96, 32] });
    const header = readFileSync(join(dir, "adapter_model.safetensors"));
    expect(header.subarray(8, 8 + Number(header.readBigUInt64LE(0))).toString()).toContain(
      '"__metadata__":{"format":"pt"}',
    );

    const card = readFileSync(join(dir, "README.md"), "utf8");
    expect(card).toContain("library_name: peft");
    expect(card).toContain("base_model_relation: adapter");
    expect(card).toContain("base_model: alice/tiny-llama");
    expect(card).toContain("oversampling 10, 2 power iterations, seed 0");
    expect(card).toMatch(
      joinPatterns(
        /\| `model\.layers\.0\.self_attn\.q_proj\.weight` \| \[32, 32\] \| 4 /,
        /\| [0-9.e-]+ \| 100\.00% \| 1,024 \| 4,096 \|/,
      ),
    );

    const checked = runPython(["check", work, dir]);
    // PEFT names every adapter key it could not place; there must be none.
    expect(checked.stderr).not.toMatch(/missing|unexpected/i);
    const report = JSON.parse(checked.stdout) as { weights: Record<string, WeightReport> };
    const weights = Object.entries(report.weights);
    expect(weights.filter(([, w]) => w.kind === "lora")).toHaveLength(14);
    for (const [name, w] of weights) {
      if (w.kind === "lora") {
        // merge_and_unload is base + B·A, to float32 rounding of the sum and of B·A's four products.
        expect(w.max_abs_vs_base_plus_ba, name).toBeLessThanOrEqual(8 * 2 ** -24 * (w.scale ?? 1));
        expect(w.relative_error_vs_ft, name).toBeLessThanOrEqual(1e-6);
      } else if (w.kind === "full") {
        expect(w.equals_saved, name).toBe(true);
        expect(w.relative_error_vs_ft, name).toBe(0);
      }
    }
  }, 180_000);

  it("the published adapter, read back as a fine-tune, gives back B·A bit for bit and the rank-4 τ within " +
    "1e-6", async () => {
    const dir = join(work, "adapter-4");
    const run = await runCli(
      [
        "publish-vector",
        "--base",
        "alice/tiny-llama",
        "--finetuned",
        "alice/tiny-llama-ft-lora4",
        "--to",
        join(work, "round-trip"),
        "--dtype",
        "f32",
        "--json",
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const tau = parseSafetensorsBytes(
      new Uint8Array(readFileSync(join(work, "round-trip", "task_vector.safetensors"))),
    );
    const factors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(dir, "adapter_model.safetensors"))));
    const floats = (bytes: Uint8Array) => new Float32Array(bytes.slice().buffer);
    const base = parseSafetensorsBytes(new Uint8Array(readFileSync(join(work, "base", "model.safetensors"))));
    const ft = parseSafetensorsBytes(new Uint8Array(readFileSync(join(work, "ft", "model.safetensors"))));
    let checked = 0;
    for (const [name, got] of tau) {
      const module = name.replace(/\.weight$/, "");
      const a = factors.get(`base_model.model.${module}.lora_A.weight`);
      const b = factors.get(`base_model.model.${module}.lora_B.weight`);
      const values = floats(got.bytes);
      const original = floats(ft.get(name)!.bytes).map((x, i) => x - floats(base.get(name)!.bytes)[i]!);
      if (a && b) {
        // B·A with scaling 1 (lora_alpha = r) in the reader's order is the product the writer measured its error on.
        const [rows, rank] = b.shape as [number, number];
        const cols = a.shape[1]!;
        const heap = new Float32Array(rows * rank + rank * cols + rows * cols);
        heap.set(floats(b.bytes), 0);
        heap.set(floats(a.bytes), rows * rank);
        gemmReference(heap, {
          a: 0,
          lda: rank,
          b: rows * rank,
          ldb: cols,
          c: rows * rank + rank * cols,
          ldc: cols,
          m: rows,
          k: rank,
          n: cols,
        });
        expect(Buffer.from(values.buffer).equals(Buffer.from(heap.slice(rows * rank + rank * cols).buffer)), name).toBe(
          true,
        );
        let diff = 0;
        let norm = 0;
        original.forEach((x, i) => {
          diff += (x - values[i]!) ** 2;
          norm += x * x;
        });
        expect(Math.sqrt(diff / norm), name).toBeLessThanOrEqual(1e-6);
        checked++;
      } else {
        // A modules_to_save copy: τ = saved − base = the fine-tune's own τ, exactly.
        expect(Array.from(values), name).toEqual(Array.from(original));
      }
    }
    expect(checked).toBe(14);
  }, 180_000);

  it("a lower rank loses energy, and the card and tvhub.json say how much per tensor", async () => {
    const run = await runCli(
      [
        "publish-vector",
        "--finetuned",
        "alice/tiny-llama-ft",
        "--to",
        join(work, "adapter-2"),
        "--lora-rank",
        "2",
        "--json",
      ],
      env(),
    );
    expect(run.code).toBe(0);
    const record = JSON.parse(readFileSync(join(work, "adapter-2", "tvhub.json"), "utf8")) as {
      format: string;
      lora: { r: number; overallError: number; svd: { oversampling: number; iterations: number; seed: number } };
      tensors: Array<{
        name: string;
        kind: string;
        rank?: number;
        relativeError?: number;
        retainedEnergy?: number;
        bytes: number;
        denseBytes: number;
      }>;
    };
    expect(record.format).toBe("tvhub/lora-adapter");
    expect(record.lora).toMatchObject({ r: 2, svd: { oversampling: 10, iterations: 2, seed: 0 } });
    const q = record.tensors.find((t) => t.name === "model.layers.0.self_attn.q_proj.weight");
    expect(q).toMatchObject({ kind: "lora", rank: 2, bytes: 2 * (32 + 32) * 4, denseBytes: 32 * 32 * 4 });
    // Dropping two of four components: error² + retained energy = 1 (Eckart–Young), both well away from 0 and 1.
    expect(q!.relativeError!).toBeGreaterThan(0.05);
    expect(q!.relativeError! ** 2 + q!.retainedEnergy!).toBeCloseTo(1, 4);
    const checked = runPython(["check", work, join(work, "adapter-2")]);
    const report = JSON.parse(checked.stdout) as { weights: Record<string, WeightReport> };
    const w = report.weights["model.layers.0.self_attn.q_proj.weight"]!;
    expect(w.rank).toBe(2);
    expect(w.relative_error_vs_ft).toBeCloseTo(q!.relativeError!, 4);
  }, 180_000);

  it("the same inputs give the same adapter bytes, run after run", async () => {
    const a = await runCli(
      ["publish-vector", "--finetuned", "alice/tiny-llama-ft", "--to", join(work, "det-a"), "--lora-rank", "3"],
      env(),
    );
    const b = await runCli(
      ["publish-vector", "--finetuned", "alice/tiny-llama-ft", "--to", join(work, "det-b"), "--lora-rank", "3"],
      env(),
    );
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(
      readFileSync(join(work, "det-a", "adapter_model.safetensors")).equals(
        readFileSync(join(work, "det-b", "adapter_model.safetensors")),
      ),
    ).toBe(true);
  }, 180_000);
  it("--lora-rank auto --max-error picks each tensor's smallest rank within the error, in rank_pattern", async () => {
    const to = join(work, "adapter-auto");
    const run = await runCli(
      [
        "publish-vector",
        "--finetuned",
        "alice/tiny-llama-ft",
        "--to",
        to,
        "--lora-rank",
        "auto",
        "--max-error",
        "0.3",
        "--json",
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const record = JSON.parse(readFileSync(join(to, "tvhub.json"), "utf8")) as {
      lora: { r: number; maxError: number };
      tensors: Array<{ name: string; module: string; kind: string; rank?: number; relativeError?: number }>;
    };
    const config = JSON.parse(readFileSync(join(to, "adapter_config.json"), "utf8")) as {
      r: number;
      lora_alpha: number;
      rank_pattern: Record<string, number>;
      alpha_pattern: Record<string, number>;
    };
    const factored = record.tensors.filter((t) => t.kind === "lora");
    expect(factored).toHaveLength(14);
    for (const t of factored) {
      expect(t.relativeError!, t.name).toBeLessThanOrEqual(0.3);
      // A true rank of 4: never more than 4 components for 30%.
      expect(t.rank!, t.name).toBeLessThanOrEqual(4);
      expect(config.rank_pattern[t.module] ?? config.r, t.name).toBe(t.rank);
      expect(config.alpha_pattern[t.module] ?? config.lora_alpha, t.name).toBe(t.rank);
    }
    expect(config.r).toBe(Math.max(...factored.map((t) => t.rank!)));
    expect(new Set(factored.map((t) => t.rank)).size).toBeGreaterThan(1);
    // The smallest: one component fewer misses the target (measured with a fixed rank on the same tensor).
    const q = factored.find((t) => t.name === "model.layers.0.self_attn.q_proj.weight")!;
    const lower = join(work, "adapter-lower");
    expect(
      (
        await runCli(
          ["publish-vector", "--finetuned", "alice/tiny-llama-ft", "--to", lower, "--lora-rank", String(q.rank! - 1)],
          env(),
        )
      ).code,
    ).toBe(0);
    const lowerRecord = JSON.parse(readFileSync(join(lower, "tvhub.json"), "utf8")) as {
      tensors: Array<{ name: string; relativeError?: number }>;
    };
    expect(lowerRecord.tensors.find((t) => t.name === q.name)!.relativeError!).toBeGreaterThan(0.3);
  }, 180_000);

  it("a recipe's output.lora publishes the merge as an adapter of merged − base", async () => {
    const recipe = join(work, "merge-lora.yml");
    writeFileSync(
      recipe,
      `version: 1\nbase: alice/tiny-llama\noutput:\n  to: alice/tiny-llama-half-lora\n  lora:\n    rank: ` +
        `4\nvectors:\n  - finetuned: alice/tiny-llama-ft\n    weight: 0.5\n`,
    );
    const run = await runCli(["merge", recipe, "--json"], env());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const dir = join(work, "merge-lora");
    mkdirSync(dir, { recursive: true });
    for (const path of ["adapter_config.json", "adapter_model.safetensors", "tvhub.json", "README.md"])
      await download("alice/tiny-llama-half-lora", path, dir);
    const record = JSON.parse(readFileSync(join(dir, "tvhub.json"), "utf8")) as {
      format: string;
      merge: { method: string; terms: Array<{ input: string; lambda: number }> };
      lora: { r: number; overallError: number };
    };
    expect(record).toMatchObject({
      format: "tvhub/lora-adapter",
      merge: { method: "task_arithmetic", terms: [{ input: "alice/tiny-llama-ft", lambda: 0.5 }] },
      lora: { r: 4 },
    });
    // 0.5·τ of a rank-4 τ is rank 4, up to the rounding of the merged float32 weights.
    expect(record.lora.overallError).toBeLessThan(1e-5);
    const checked = runPython(["check", work, dir]);
    const report = JSON.parse(checked.stdout) as { weights: Record<string, WeightReport> };
    const q = report.weights["model.layers.0.self_attn.q_proj.weight"]!;
    expect(q.kind).toBe("lora");
    expect(q.max_abs_vs_base_plus_ba!).toBeLessThanOrEqual(8 * 2 ** -24 * q.scale!);
  }, 180_000);

  it.each([
    [["--max-error", "0.1"], /--max-error applies to a LoRA adapter; add --lora-rank/],
    [["--lora-rank", "auto"], /--lora-rank auto needs --max-error/],
    [["--lora-rank", "8", "--max-error", "0.1"], /--max-error and --lora-max-rank go with --lora-rank auto/],
    [["--lora-rank", "0"], /--lora-rank.*whole number of at least 1/],
    [["--lora-rank", "auto", "--max-error", "1.5"], /--max-error.*between 0 and 1/],
    [["--lora-rank", "4", "--portion", "1/2"], /cannot be split over a matrix/],
  ])("refuses %j with one sentence and exit 2", async (flags, message) => {
    const run = await runCli(
      ["publish-vector", "--finetuned", "alice/tiny-llama-ft", "--to", "alice/refused", ...flags],
      env(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tvhub: /);
    expect(run.stderr).toMatch(message);
  });
});
