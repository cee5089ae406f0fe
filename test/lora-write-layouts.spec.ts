// publish-vector --lora-rank for the layouts other than nn.Linear, end to end through a local Hub and loaded by the
// real PEFT + transformers (.venv/peft, made by scripts/setup-python.sh): GPT-2's Conv1D weights (stored [in, out],
// written as τᵀ with fan_in_fan_out) on a tiny real GPT2LMHeadModel, and `--lora-embeddings lora` (embeddings as
// lora_embedding_A/B, heads as lora_A/B) on GPT-2 and on a tiny Llama.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gemmReference } from "../src/arithmetic/low-rank/matrix-kernels.js";
import { downloadBytes, parseSafetensorsBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";

const hasPython = spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0;
const python = resolve(import.meta.dirname, "../.venv/peft/bin/python");
const script = resolve(import.meta.dirname, "python/peft_load_adapter.py");
const token = "hf_alice_lora_layouts_token";

let hub: LocalHubProcess;
let work: string;

interface WeightReport {
  kind: "lora" | "full" | "untouched";
  layout?: "linear" | "conv1d" | "embedding";
  rank?: number;
  max_abs_vs_base_plus_ba?: number;
  scale?: number;
  equals_saved?: boolean;
  relative_error_vs_ft?: number;
}

interface TensorRecord {
  name: string;
  kind: string;
  rank?: number;
  relativeError?: number;
}

function runPython(args: string[]): { stdout: string; stderr: string } {
  const run = spawnSync(python, [script, ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${script} ${args.join(" ")} failed: ${run.stderr}`);
  return { stdout: run.stdout, stderr: run.stderr };
}

/** Downloads the adapter's files from the local Hub into a folder of `work`. */
async function downloadAdapter(repo: string, name: string): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const path of ["adapter_config.json", "adapter_model.safetensors", "tvhub.json"]) {
    writeFileSync(join(dir, path), await downloadBytes({ hubUrl: hub.url, repo, path }));
  }
  return dir;
}

/** PEFT's check of an adapter; PEFT names every adapter key it could not place, and there must be none. */
function peftCheck(model: string, adapter: string, arch: "llama" | "gpt2"): Record<string, WeightReport> {
  const checked = runPython(["check", join(work, model), adapter, arch]);
  expect(checked.stderr).not.toMatch(/missing|unexpected/i);
  return (JSON.parse(checked.stdout) as { weights: Record<string, WeightReport> }).weights;
}

const floats = (bytes: Uint8Array) => new Float32Array(bytes.slice().buffer);

describe.skipIf(!hasPython)("publish-vector --lora-rank: Conv1D and embedding layouts, loaded by the real PEFT", () => {
  beforeAll(async () => {
    if (!existsSync(python))
      throw new Error(
        `${python} is missing: run bash scripts/setup-python.sh (it installs torch, peft and transformers).`,
      );
    work = mkdtempSync(join(tmpdir(), "tvhub-lora-layouts-"));
    mkdirSync(join(work, "gpt2"));
    mkdirSync(join(work, "llama"));
    runPython(["make", join(work, "gpt2"), "gpt2"]);
    runPython(["make", join(work, "llama"), "llama"]);
    hub = await startLocalHub({ users: [{ name: "alice", token }] });
    for (const arch of ["gpt2", "llama"]) {
      writeFileSync(
        join(work, arch, "ft", "README.md"),
        `---\nbase_model: alice/tiny-${arch}\nlicense: mit\n---\n# a fine-tune\n`,
      );
      await uploadFolder({ hubUrl: hub.url, token, repo: `alice/tiny-${arch}`, dir: join(work, arch, "base") });
      await uploadFolder({ hubUrl: hub.url, token, repo: `alice/tiny-${arch}-ft`, dir: join(work, arch, "ft") });
    }
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
  });

  const env = () => ({ HF_HOME: join(work, "hf-home"), HF_TOKEN: token, HF_ENDPOINT: hub.url });

  it("GPT-2: Conv1D weights are written as τᵀ with fan_in_fan_out, and PEFT's merge is base + τ within float32 " +
    "bounds", async () => {
    const run = await runCli(
      [
        "publish-vector",
        "--finetuned",
        "alice/tiny-gpt2-ft",
        "--to",
        "alice/tiny-gpt2-ft-lora4",
        "--lora-rank",
        "4",
        "--json",
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // Every Conv1D τ has rank 4 exactly.
    expect((JSON.parse(run.stdout) as { adapter: { overallError: number } }).adapter.overallError).toBeLessThanOrEqual(
      1e-6,
    );
    const dir = await downloadAdapter("alice/tiny-gpt2-ft-lora4", "gpt2-lora4");
    const config = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({
      peft_type: "LORA",
      r: 4,
      lora_alpha: 4,
      fan_in_fan_out: true,
      bias: "lora_only",
      task_type: "CAUSAL_LM",
      base_model_name_or_path: "alice/tiny-gpt2",
    });
    expect(config.target_modules).toEqual(["c_attn", "c_fc", "c_proj"]);
    expect(config.modules_to_save).toEqual(
      expect.arrayContaining(["transformer.wte", "transformer.wpe", "transformer.ln_f"]),
    );
    // The factors of the weight [in, out] = [32, 96]: A is r × in, B is out × r, as PEFT's Conv1D LoRA holds them.
    const tensors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(dir, "adapter_model.safetensors"))));
    expect(tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight")).toMatchObject({ shape: [4, 32] });
    expect(tensors.get("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight")).toMatchObject({ shape: [96, 4] });
    expect(tensors.get("base_model.model.transformer.h.0.mlp.c_proj.lora_A.weight")).toMatchObject({ shape: [4, 128] });
    expect(tensors.get("base_model.model.transformer.h.0.mlp.c_proj.lora_B.weight")).toMatchObject({ shape: [32, 4] });
    expect(tensors.get("base_model.model.transformer.h.0.attn.c_attn.base_layer.bias")).toMatchObject({ shape: [96] });

    const weights = Object.entries(peftCheck("gpt2", dir, "gpt2"));
    const lora = weights.filter(([, w]) => w.kind === "lora");
    expect(lora).toHaveLength(8);
    for (const [name, w] of lora) {
      expect(w.layout, name).toBe("conv1d");
      // merge_and_unload is base + (B·A)ᵀ, to float32 rounding of the sum and of B·A's four products …
      expect(w.max_abs_vs_base_plus_ba, name).toBeLessThanOrEqual(8 * 2 ** -24 * w.scale!);
      // … and that is base + τ, the fine-tune, within the factorization's 1e-6.
      expect(w.relative_error_vs_ft, name).toBeLessThanOrEqual(1e-6);
    }
    for (const [name, w] of weights.filter(([, x]) => x.kind === "full")) {
      expect(w.equals_saved, name).toBe(true);
      expect(w.relative_error_vs_ft, name).toBe(0);
    }
  }, 240_000);

  it("GPT-2: the adapter read back as a fine-tune gives back (B·A)ᵀ bit for bit in the weights' own [in, out] " +
    "layout", async () => {
    const dir = join(work, "gpt2-lora4");
    const to = join(work, "gpt2-round-trip");
    const run = await runCli(
      [
        "publish-vector",
        "--base",
        "alice/tiny-gpt2",
        "--finetuned",
        "alice/tiny-gpt2-ft-lora4",
        "--to",
        to,
        "--dtype",
        "f32",
        "--json",
      ],
      env(),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const tau = parseSafetensorsBytes(new Uint8Array(readFileSync(join(to, "task_vector.safetensors"))));
    const factors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(dir, "adapter_model.safetensors"))));
    let checked = 0;
    for (const [name, got] of tau) {
      const module = name.replace(/\.weight$/, "");
      const a = factors.get(`base_model.model.${module}.lora_A.weight`);
      const b = factors.get(`base_model.model.${module}.lora_B.weight`);
      if (!a || !b || !name.endsWith(".weight")) continue;
      const [out, rank] = b.shape as [number, number];
      const inFeatures = a.shape[1]!;
      expect(got.shape, name).toEqual([inFeatures, out]);
      // B·A (out × in) in the reader's order, transposed: the same float32 products, so the same bits.
      const heap = new Float32Array(out * rank + rank * inFeatures + out * inFeatures);
      heap.set(floats(b.bytes), 0);
      heap.set(floats(a.bytes), out * rank);
      const c = out * rank + rank * inFeatures;
      gemmReference(heap, {
        a: 0,
        lda: rank,
        b: out * rank,
        ldb: inFeatures,
        c,
        ldc: inFeatures,
        m: out,
        k: rank,
        n: inFeatures,
      });
      const transposed = new Float32Array(inFeatures * out);
      for (let i = 0; i < out; i++)
        for (let j = 0; j < inFeatures; j++) transposed[j * out + i] = heap[c + i * inFeatures + j]!;
      expect(Buffer.from(floats(got.bytes).buffer).equals(Buffer.from(transposed.buffer)), name).toBe(true);
      checked++;
    }
    expect(checked).toBe(8);
  }, 240_000);

  it.each([
    ["gpt2", ["transformer.wte.weight", "transformer.wpe.weight"], []],
    ["llama", ["model.embed_tokens.weight"], ["lm_head.weight"]],
  ] as const)(
    "--lora-embeddings lora on %s: embeddings as lora_embedding_A/B, heads as lora_A/B, merged by PEFT as tvhub " +
      "measured",
    async (arch, embeddings, heads) => {
      const repo = `alice/tiny-${arch}-ft-lora-emb`;
      const run = await runCli(
        [
          "publish-vector",
          "--finetuned",
          `alice/tiny-${arch}-ft`,
          "--to",
          repo,
          "--lora-rank",
          "4",
          "--lora-embeddings",
          "lora",
          "--json",
        ],
        env(),
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const dir = await downloadAdapter(repo, `${arch}-lora-emb`);
      const config = JSON.parse(readFileSync(join(dir, "adapter_config.json"), "utf8")) as {
        target_modules: string[];
        modules_to_save: string[] | null;
      };
      const record = JSON.parse(readFileSync(join(dir, "tvhub.json"), "utf8")) as { tensors: TensorRecord[] };
      const tensors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(dir, "adapter_model.safetensors"))));
      const weights = peftCheck(arch, dir, arch);
      for (const name of [...embeddings, ...heads]) {
        const module = name.replace(/\.weight$/, "");
        const leaf = module.slice(module.lastIndexOf(".") + 1);
        expect(config.target_modules, name).toContain(leaf);
        expect(config.modules_to_save ?? [], name).not.toContain(module);
        const embedding = (embeddings as readonly string[]).includes(name);
        // The vocabulary is 96 (GPT-2's 64 positions for wpe), the hidden size 32.
        const rows = leaf === "wpe" ? 64 : 96;
        const cols = 32;
        if (embedding) {
          // nn.Embedding [V, d]: A is r × V, B is d × r, keys without ".weight", as PEFT names them.
          expect(tensors.get(`base_model.model.${module}.lora_embedding_A`), name).toMatchObject({ shape: [4, rows] });
          expect(tensors.get(`base_model.model.${module}.lora_embedding_B`), name).toMatchObject({ shape: [cols, 4] });
          expect(tensors.has(`base_model.model.${module}.lora_A.weight`), name).toBe(false);
        } else {
          expect(tensors.get(`base_model.model.${module}.lora_A.weight`), name).toMatchObject({ shape: [4, cols] });
          expect(tensors.get(`base_model.model.${module}.lora_B.weight`), name).toMatchObject({ shape: [rows, 4] });
        }
        const w = weights[name]!;
        expect(w.kind, name).toBe("lora");
        expect(w.layout, name).toBe(embedding ? "embedding" : "linear");
        expect(w.max_abs_vs_base_plus_ba!, name).toBeLessThanOrEqual(8 * 2 ** -24 * w.scale!);
        // The embeddings' noise is full rank, so rank 4 loses most of it; PEFT's merge loses exactly what tvhub's card
        // says.
        const measured = record.tensors.find((t) => t.name === name)!;
        expect(measured).toMatchObject({ kind: "lora", rank: 4 });
        expect(measured.relativeError!, name).toBeGreaterThan(0.1);
        expect(w.relative_error_vs_ft!, name).toBeCloseTo(measured.relativeError!, 4);
      }
    },
    240_000,
  );
});
