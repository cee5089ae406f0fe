/**
 * PEFT LoRA adapters read as fine-tunes, end to end against `tvhub hub serve` and local folders: publish-vector's
 * dense τ of Llama, GPT-2 and BERT adapters (rank_pattern, alpha_pattern, rsLoRA, fan_in_fan_out, an embedding
 * LoRA, modules_to_save, trained biases) equals s·B·A computed independently, bit for bit; every refusal is one
 * `tvhub: ...` line naming the field or both shapes, before any weight byte is read.
 */
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadBytes, parseSafetensorsBytes, uploadFolder } from "./helpers/hub-io.js";
import {
  bertModules,
  expectedDelta,
  gpt2Modules,
  llamaModules,
  writeLoraAdapter,
  type LoraAdapter,
} from "./helpers/lora-adapter.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { decodeElement, dtypeBytes, encodeElement } from "./helpers/reference-float.js";
import { runCli } from "./helpers/run-cli.js";
import {
  decodeFloats,
  loadModelConfig,
  scaleConfig,
  tensorsFromConfig,
  tinyLlamaConfig,
  writeSynthModel,
  type Config,
  type SynthModel,
} from "./helpers/synth.js";

const token = "hf_alice_adapter_read_token";
let hub: LocalHubProcess;
let work: string;
let llamaBase: SynthModel;
let llama: LoraAdapter;
let gpt2Base: SynthModel;
let gpt2: LoraAdapter;
let bertBase: SynthModel;
let bert: LoraAdapter;
let llamaConfig: Config;

const env = () => ({ HF_HOME: join(work, "hf-home"), HF_TOKEN: token, HF_ENDPOINT: hub.url });
const upload = (repo: string, dir: string) => uploadFolder({ hubUrl: hub.url, token, repo, dir });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-adapter-read-"));
  hub = await startLocalHub({ users: [{ name: "alice", token }] });

  llamaConfig = tinyLlamaConfig();
  llamaBase = await writeSynthModel({
    dir: join(work, "llama-base"),
    tensors: tensorsFromConfig(llamaConfig),
    config: llamaConfig,
    seed: 11,
  });
  await upload("alice/llama-base", llamaBase.dir);
  const V = llamaConfig.vocab_size as number;
  const H = llamaConfig.hidden_size as number;
  const rankPattern = { "model.layers.1.mlp.down_proj": 4 };
  llama = await writeLoraAdapter({
    dir: join(work, "llama-lora"),
    seed: 21,
    config: {
      base_model_name_or_path: "alice/llama-base",
      task_type: "CAUSAL_LM",
      r: 8,
      lora_alpha: 16,
      target_modules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "embed_tokens"],
      rank_pattern: rankPattern,
      alpha_pattern: { down_proj: 2 },
      modules_to_save: ["lm_head"],
    },
    modules: [
      ...llamaModules(llamaConfig, 8, rankPattern),
      { module: "model.embed_tokens", out: H, in: V, rank: 8, embedding: true },
    ],
    full: [{ name: "lm_head.weight", shape: [V, H] }],
  });
  await upload("alice/llama-lora", llama.dir);

  const gpt2Config = scaleConfig(loadModelConfig("openai-community--gpt2"), {
    hiddenSize: 64,
    headDim: 16,
    layers: 2,
    vocabSize: 256,
    positions: 32,
  });
  gpt2Base = await writeSynthModel({
    dir: join(work, "gpt2-base"),
    tensors: tensorsFromConfig(gpt2Config),
    config: gpt2Config,
    seed: 12,
  });
  const gH = gpt2Config.n_embd as number;
  gpt2 = await writeLoraAdapter({
    dir: join(work, "gpt2-lora"),
    seed: 22,
    config: {
      base_model_name_or_path: "openai-community/gpt2",
      task_type: "CAUSAL_LM",
      r: 4,
      lora_alpha: 12,
      use_rslora: true,
      fan_in_fan_out: true,
      target_modules: ["c_attn"],
      bias: "all",
    },
    modules: gpt2Modules(gpt2Config, 4),
    full: [
      { name: "transformer.h.0.attn.c_attn.base_layer.bias", shape: [3 * gH] },
      { name: "transformer.h.1.ln_1.bias", shape: [gH] },
    ],
  });

  const bertConfig = scaleConfig(loadModelConfig("google-bert--bert-base-uncased"), {
    hiddenSize: 64,
    headDim: 16,
    layers: 2,
    vocabSize: 256,
    positions: 32,
  });
  bertBase = await writeSynthModel({
    dir: join(work, "bert-base"),
    tensors: tensorsFromConfig(bertConfig, { bertPositionIds: false }),
    config: bertConfig,
    seed: 13,
  });
  const bH = bertConfig.hidden_size as number;
  bert = await writeLoraAdapter({
    dir: join(work, "bert-lora"),
    seed: 23,
    config: {
      base_model_name_or_path: "google-bert/bert-base-uncased",
      task_type: "SEQ_CLS",
      r: 2,
      lora_alpha: 4,
      target_modules: ["query", "value"],
      alpha_pattern: { "bert.encoder.layer.1.attention.self.value": 8 },
      modules_to_save: ["pooler"],
    },
    modules: bertModules(bertConfig, 2),
    full: [
      { name: "bert.pooler.dense.weight", shape: [bH, bH] },
      { name: "bert.pooler.dense.bias", shape: [bH] },
    ],
  });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

type Tensors = Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>;

function encode(values: Float32Array | Float64Array, dtype: string): Uint8Array {
  const out = new Uint8Array(values.length * (dtypeBytes[dtype] as number));
  for (let i = 0; i < values.length; i++) encodeElement(dtype, values[i] as number, out, i);
  return out;
}

/** fround(saved − base) per element, from the two tensors' own bytes. */
function fullDelta(saved: Float32Array, base: SynthModel, name: string): Float32Array {
  const tensor = base.tensors.find((t) => t.name === name);
  const bytes = base.bytesOf(name);
  return Float32Array.from(saved, (value, i) => Math.fround(value - decodeElement(tensor?.dtype as string, bytes, i)));
}

function savedValues(adapter: LoraAdapter, name: string): Float32Array {
  const file = parseSafetensorsBytes(new Uint8Array(readFileSync(join(adapter.dir, "adapter_model.safetensors"))));
  const t = file.get(`base_model.model.${name}`);
  if (!t) throw new Error(`no ${name} in the adapter`);
  return Float32Array.from(decodeFloats(t.dtype as "F32", t.bytes));
}

function expectBytes(tensors: Tensors, name: string, expected: Uint8Array, dtype: string): void {
  const got = tensors.get(name);
  expect(got?.dtype, name).toBe(dtype);
  expect(Buffer.from(got?.bytes ?? new Uint8Array()).equals(Buffer.from(expected)), name).toBe(true);
}

function scaleOf(alpha: number, rank: number, rslora = false): number {
  return rslora ? alpha / Math.sqrt(rank) : alpha / rank;
}

describe("tvhub publish-vector --finetuned <a PEFT LoRA adapter>", () => {
  it(
    "publishes a Llama adapter repo's τ (rank_pattern, alpha_pattern, embedding LoRA, modules_to_save) equal to " +
      "s·B·A bit for bit, in the base's dtype",
    async () => {
      const run = await runCli(
        [
          "publish-vector",
          "--base",
          "alice/llama-base",
          "--finetuned",
          "alice/llama-lora",
          "--to",
          "alice/llama-lora-tv",
          "--json",
        ],
        env(),
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const tensors: Tensors = parseSafetensorsBytes(
        await downloadBytes({ hubUrl: hub.url, repo: "alice/llama-lora-tv", path: "task_vector.safetensors" }),
      );
      const targets = llamaModules(llamaConfig, 8, { "model.layers.1.mlp.down_proj": 4 });
      expect([...tensors.keys()].sort()).toEqual(
        [...targets.map((m) => `${m.module}.weight`), "model.embed_tokens.weight", "lm_head.weight"].sort(),
      );
      for (const m of targets) {
        const alpha = m.module.endsWith("down_proj") ? 2 : 16;
        const delta = expectedDelta(llama, m.module, { rank: m.rank, scale: scaleOf(alpha, m.rank), transpose: false });
        expectBytes(tensors, `${m.module}.weight`, encode(delta, "BF16"), "BF16");
      }
      const embedding = expectedDelta(llama, "model.embed_tokens", { rank: 8, scale: 2, transpose: true });
      expectBytes(tensors, "model.embed_tokens.weight", encode(embedding, "BF16"), "BF16");
      expectBytes(
        tensors,
        "lm_head.weight",
        encode(fullDelta(savedValues(llama, "lm_head.weight"), llamaBase, "lm_head.weight"), "BF16"),
        "BF16",
      );
      const record = JSON.parse(
        new TextDecoder().decode(
          await downloadBytes({ hubUrl: hub.url, repo: "alice/llama-lora-tv", path: "tvhub.json" }),
        ),
      ) as { finetuned: { repo: string }; omitted: Array<{ name: string }> };
      expect(record.finetuned.repo).toBe("alice/llama-lora");
      expect(record.omitted.map((o) => o.name)).toContain("model.norm.weight");
    },
  );

  it(
    "takes the base from base_model_name_or_path when --base is left out, and --dtype f32 keeps s·B·A " + "exactly",
    async () => {
      const out = join(work, "llama-tv-f32");
      const run = await runCli(
        ["publish-vector", "--finetuned", "alice/llama-lora", "--to", out, "--dtype", "f32", "--json"],
        env(),
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const tensors: Tensors = parseSafetensorsBytes(
        new Uint8Array(readFileSync(join(out, "task_vector.safetensors"))),
      );
      const q = expectedDelta(llama, "model.layers.0.self_attn.q_proj", { rank: 8, scale: 2, transpose: false });
      expectBytes(tensors, "model.layers.0.self_attn.q_proj.weight", new Uint8Array(q.buffer), "F32");
      const down = expectedDelta(llama, "model.layers.1.mlp.down_proj", { rank: 4, scale: 0.5, transpose: false });
      expectBytes(tensors, "model.layers.1.mlp.down_proj.weight", new Uint8Array(down.buffer), "F32");
    },
  );

  it(
    "publishes a GPT-2 adapter folder: c_attn is a Conv1D ([in, out], fan_in_fan_out), rsLoRA scaling, trained " +
      "biases as saved − base",
    async () => {
      const out = join(work, "gpt2-tv");
      const run = await runCli(
        ["publish-vector", "--base", gpt2Base.dir, "--finetuned", gpt2.dir, "--to", out, "--dtype", "f32"],
        env(),
      );
      expect(run.code, run.stderr).toBe(0);
      const tensors: Tensors = parseSafetensorsBytes(
        new Uint8Array(readFileSync(join(out, "task_vector.safetensors"))),
      );
      for (const layer of [0, 1]) {
        const delta = expectedDelta(gpt2, `transformer.h.${layer}.attn.c_attn`, {
          rank: 4,
          scale: scaleOf(12, 4, true),
          transpose: true,
        });
        expectBytes(tensors, `h.${layer}.attn.c_attn.weight`, new Uint8Array(delta.buffer), "F32");
        expect(tensors.get(`h.${layer}.attn.c_attn.weight`)?.shape).toEqual([64, 192]);
      }
      const bias = fullDelta(
        savedValues(gpt2, "transformer.h.0.attn.c_attn.base_layer.bias"),
        gpt2Base,
        "h.0.attn.c_attn.bias",
      );
      expectBytes(tensors, "h.0.attn.c_attn.bias", new Uint8Array(bias.buffer), "F32");
      const ln = fullDelta(savedValues(gpt2, "transformer.h.1.ln_1.bias"), gpt2Base, "h.1.ln_1.bias");
      expectBytes(tensors, "h.1.ln_1.bias", new Uint8Array(ln.buffer), "F32");
      expect(tensors.has("h.0.attn.c_proj.weight")).toBe(false);
    },
  );

  it("publishes a BERT adapter folder: query and value with an alpha_pattern, the pooler saved in full", async () => {
    const out = join(work, "bert-tv");
    const run = await runCli(
      ["publish-vector", "--base", bertBase.dir, "--finetuned", bert.dir, "--to", out, "--dtype", "f32"],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const tensors: Tensors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(out, "task_vector.safetensors"))));
    const value1 = expectedDelta(bert, "bert.encoder.layer.1.attention.self.value", {
      rank: 2,
      scale: 4,
      transpose: false,
    });
    expectBytes(tensors, "bert.encoder.layer.1.attention.self.value.weight", new Uint8Array(value1.buffer), "F32");
    const query0 = expectedDelta(bert, "bert.encoder.layer.0.attention.self.query", {
      rank: 2,
      scale: 2,
      transpose: false,
    });
    expectBytes(tensors, "bert.encoder.layer.0.attention.self.query.weight", new Uint8Array(query0.buffer), "F32");
    const pooler = fullDelta(savedValues(bert, "bert.pooler.dense.weight"), bertBase, "bert.pooler.dense.weight");
    expectBytes(tensors, "bert.pooler.dense.weight", new Uint8Array(pooler.buffer), "F32");
  });
});

describe("refusals of adapters tvhub does not read exactly", () => {
  /** An adapter folder like the Llama one with changes, refused by a dry run before any weight byte is read. */
  async function refused(
    name: string,
    change: Parameters<typeof writeLoraAdapter>[0] extends infer O ? Partial<O> : never,
    args: string[] = [],
  ): Promise<string> {
    const dir = join(work, name);
    await writeLoraAdapter({
      dir,
      config: {
        base_model_name_or_path: "alice/llama-base",
        r: 8,
        lora_alpha: 16,
        target_modules: ["q_proj"],
        ...(change.config ?? {}),
      },
      modules: change.modules ?? llamaModules(llamaConfig, 8).filter((m) => m.module.endsWith("q_proj")),
      ...(change.full ? { full: change.full } : {}),
      ...(change.extra ? { extra: change.extra } : {}),
    });
    const run = await runCli(
      [
        "publish-vector",
        "--base",
        "alice/llama-base",
        "--finetuned",
        dir,
        "--to",
        join(work, `${name}-out`),
        "--dry-run",
        ...args,
      ],
      env(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    // One sentence; a failed check adds its report below it, as for any fine-tune.
    const lines = run.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^tvhub: /);
    if (!lines[0]?.includes("cannot be combined")) expect(lines).toHaveLength(1);
    expect(run.stderr).not.toContain(token);
    expect(existsSync(join(work, `${name}-out`))).toBe(false);
    return run.stderr;
  }

  it("refuses DoRA, naming use_dora", async () => {
    const H = llamaConfig.hidden_size as number;
    const message = await refused("dora", {
      config: { use_dora: true },
      extra: [
        { key: "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", dtype: "F32", shape: [H] },
      ],
    });
    expect(message).toContain("use_dora");
  });

  it("refuses a DoRA magnitude even when the config does not say use_dora", async () => {
    const H = llamaConfig.hidden_size as number;
    const message = await refused("dora-key", {
      extra: [
        { key: "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", dtype: "F32", shape: [H] },
      ],
    });
    expect(message).toContain("lora_magnitude_vector");
  });

  it("refuses IA3 and the other PEFT types, naming peft_type", async () => {
    expect(await refused("ia3", { config: { peft_type: "IA3" } })).toContain('peft_type "IA3"');
    expect(await refused("lokr", { config: { peft_type: "LOKR" } })).toContain("peft_type");
  });

  it("refuses PiSSA-style init, lora_bias and target_parameters, naming each field", async () => {
    expect(await refused("pissa", { config: { init_lora_weights: "pissa" } })).toContain("init_lora_weights");
    expect(await refused("lora-bias", { config: { lora_bias: true } })).toContain("lora_bias");
    expect(await refused("target-params", { config: { target_parameters: ["experts.gate_up_proj"] } })).toContain(
      "target_parameters",
    );
  });

  it("refuses a shape mismatch, naming both shapes", async () => {
    const message = await refused("shape", {
      modules: [{ module: "model.layers.0.self_attn.q_proj", out: 64, in: 96, rank: 8 }],
    });
    expect(message).toContain("B·A 64×96");
    expect(message).toContain("model.layers.0.self_attn.q_proj.weight, which is [64, 64]");
  });

  it("refuses a target the base does not have", async () => {
    const message = await refused("missing", { full: [{ name: "score.weight", shape: [2, 64] }] });
    expect(message).toContain("score.weight");
    expect(message).toContain("does not have");
  });

  it("refuses a rank that contradicts r or rank_pattern", async () => {
    const message = await refused("rank", { config: { rank_pattern: { "model.layers.0.self_attn.q_proj": 4 } } });
    expect(message).toContain("rank 8");
    expect(message).toContain("r = 4");
  });

  it("refuses an adapter of another base unless --force, as for any fine-tune", async () => {
    const message = await refused("wrong-base", { config: { base_model_name_or_path: "alice/other-base" } });
    expect(message).toContain("alice/other-base");
    expect(message).toContain("--force");
    const run = await runCli(
      [
        "publish-vector",
        "--base",
        "alice/llama-base",
        "--finetuned",
        join(work, "wrong-base"),
        "--to",
        join(work, "wrong-base-forced"),
        "--force",
      ],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(work, "wrong-base-forced", "task_vector.safetensors"))).toBe(true);
  });

  it("tvhub check reports a mismatched adapter with both shapes, and passes a good one", async () => {
    const bad = await runCli(["check", "--base", "alice/llama-base", "--finetuned", join(work, "shape")], env());
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain("B·A 64×96");
    const good = await runCli(["check", "--base", "alice/llama-base", "--finetuned", "alice/llama-lora"], env());
    expect(good.code, good.stdout + good.stderr).toBe(0);
  });
});

describe("adapters as terms of merge and apply, and inputs of similarity", () => {
  const baseF32 = (name: string): Float32Array => {
    const tensor = llamaBase.tensors.find((t) => t.name === name);
    const bytes = llamaBase.bytesOf(name);
    return Float32Array.from({ length: bytes.byteLength / 2 }, (_, i) =>
      decodeElement(tensor?.dtype as string, bytes, i),
    );
  };

  it(
    "merges an adapter term: θ = base + fround(λ32·τ) with τ = s·B·A, saved − base for lm_head, the base " +
      "elsewhere",
    async () => {
      const out = join(work, "merged-adapter");
      const recipe = join(work, "adapter-merge.yml");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(
        recipe,
        [
          "version: 1",
          "base: alice/llama-base",
          `output: { to: ${out}, dtype: f32 }`,
          "vectors:",
          "  - { finetuned: alice/llama-lora, weight: 0.5 }",
          "",
        ].join("\n"),
      );
      const run = await runCli(["merge", recipe, "--json"], env());
      expect(run.code, run.stderr).toBe(0);
      const merged: Tensors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(out, "model.safetensors"))));
      const lambda = Math.fround(0.5);
      const q = expectedDelta(llama, "model.layers.0.self_attn.q_proj", { rank: 8, scale: 2, transpose: false });
      const qBase = baseF32("model.layers.0.self_attn.q_proj.weight");
      expectBytes(
        merged,
        "model.layers.0.self_attn.q_proj.weight",
        new Uint8Array(
          Float32Array.from(qBase, (w, i) => Math.fround(w + Math.fround(lambda * (q[i] as number)))).buffer,
        ),
        "F32",
      );
      const head = fullDelta(savedValues(llama, "lm_head.weight"), llamaBase, "lm_head.weight");
      const headBase = baseF32("lm_head.weight");
      expectBytes(
        merged,
        "lm_head.weight",
        new Uint8Array(
          Float32Array.from(headBase, (w, i) => Math.fround(w + Math.fround(lambda * (head[i] as number)))).buffer,
        ),
        "F32",
      );
      expectBytes(merged, "model.norm.weight", new Uint8Array(baseF32("model.norm.weight").buffer), "F32");
    },
  );

  it("apply --vector takes an adapter, and negation gives base − τ", async () => {
    const out = join(work, "applied-adapter");
    const run = await runCli(
      ["apply", "--base", "alice/llama-base", "--vector", "alice/llama-lora:-1", "--to", out, "--dtype", "f32"],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const merged: Tensors = parseSafetensorsBytes(new Uint8Array(readFileSync(join(out, "model.safetensors"))));
    const emb = expectedDelta(llama, "model.embed_tokens", { rank: 8, scale: 2, transpose: true });
    const embBase = baseF32("model.embed_tokens.weight");
    expectBytes(
      merged,
      "model.embed_tokens.weight",
      new Uint8Array(
        Float32Array.from(embBase, (w, i) => Math.fround(w + Math.fround(-1 * (emb[i] as number)))).buffer,
      ),
      "F32",
    );
  });

  it("similarity of an adapter and its own dense τ is 1, with the same norm", async () => {
    const publish = await runCli(
      [
        "publish-vector",
        "--base",
        "alice/llama-base",
        "--finetuned",
        "alice/llama-lora",
        "--to",
        "alice/llama-lora-tv32",
        "--dtype",
        "f32",
      ],
      env(),
    );
    expect(publish.code, publish.stderr).toBe(0);
    const run = await runCli(
      ["similarity", "alice/llama-lora", "alice/llama-lora-tv32", "--base", "alice/llama-base", "--json"],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { matrix: Array<Array<number | null>>; inputs: Array<{ norm: number }> };
    expect(result.matrix[0]?.[1]).toBeCloseTo(1, 12);
    expect(result.inputs[0]?.norm).toBeGreaterThan(0);
    expect(result.inputs[0]?.norm).toBe(result.inputs[1]?.norm);
  });
});

describe("an adapter as a greedy candidate", () => {
  it("is screened as a LoRA fine-tune (not skipped as a PEFT card) and kept at the λ that reaches θ* = base + " +
    "0.5·τ", async () => {
    const { writeFileSync } = await import("node:fs");
    // The user's scorer: minus the squared distance of two float32 tensors to θ*, read from the candidate model.
    const scorer = join(work, "score.mjs");
    writeFileSync(
      scorer,
      [
        'import { readFileSync } from "node:fs";',
        "const [dir, targetPath] = process.argv.slice(2);",
        "function read(path) {",
        "  const bytes = readFileSync(path);",
        "  const length = Number(bytes.readBigUInt64LE(0));",
        '  const header = JSON.parse(bytes.subarray(8, 8 + length).toString("utf8"));',
        "  const out = new Map();",
        "  for (const [name, info] of Object.entries(header)) {",
        '    if (name === "__metadata__") continue;',
        "    const d = bytes.subarray(8 + length + info.data_offsets[0], 8 + length + info.data_offsets[1]);",
        "    out.set(name, new Float32Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)));",
        "  }",
        "  return out;",
        "}",
        'const model = read(dir + "/model.safetensors");',
        "let sum = 0;",
        "for (const [name, values] of read(targetPath)) { const theirs = model.get(name); for (let i = 0; i < " +
          "values.length; i++) sum += (theirs[i] - values[i]) ** 2; }",
        "console.log(JSON.stringify({ score: -sum }));",
      ].join("\n"),
    );
    const q = expectedDelta(llama, "model.layers.0.self_attn.q_proj", { rank: 8, scale: 2, transpose: false });
    const head = fullDelta(savedValues(llama, "lm_head.weight"), llamaBase, "lm_head.weight");
    const decode = (name: string) => Float32Array.from(decodeFloats("BF16", llamaBase.bytesOf(name)));
    const target = {
      "model.layers.0.self_attn.q_proj.weight": Float32Array.from(
        decode("model.layers.0.self_attn.q_proj.weight"),
        (w, i) => Math.fround(w + Math.fround(0.5 * (q[i] as number))),
      ),
      "lm_head.weight": Float32Array.from(decode("lm_head.weight"), (w, i) =>
        Math.fround(w + Math.fround(0.5 * (head[i] as number))),
      ),
    };
    const { writeSafetensors } = await safetensorsWriter();
    await writeSafetensors(join(work, "target.safetensors"), target);
    const command =
      `${JSON.stringify(process.execPath)} ${JSON.stringify(scorer)} {model} ` +
      `${JSON.stringify(join(work, "target.safetensors"))}`;
    const recipe = join(work, "greedy-adapter.yml");
    writeFileSync(
      recipe,
      [
        "version: 1",
        "base: alice/llama-base",
        "output:",
        `  to: ${join(work, "greedy-adapter-out")}`,
        "  dtype: f32",
        "greedy:",
        "  candidates:",
        "    - alice/llama-lora",
        "  evaluator:",
        "    type: command",
        `    command: ${JSON.stringify(command)}`,
        "  grid: { start: 0, stop: 1, step: 0.25 }",
        "",
      ].join("\n"),
    );
    const run = await runCli(
      ["greedy", recipe, "--to", join(work, "greedy-adapter-out"), "--json", "--no-eval-cache"],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      greedy: { skipped: unknown[]; trajectory: Array<{ candidate: string; lambda: number; kept: boolean }> };
    };
    expect(result.greedy.skipped).toEqual([]);
    const kept = result.greedy.trajectory.find((step) => step.kept);
    expect(kept?.candidate).toMatch(/^alice\/llama-lora/);
    expect(kept?.lambda).toBe(0.5);
  }, 120_000);
});

/** A minimal float32 safetensors writer for the scorer's target (independent of src/safetensors). */
async function safetensorsWriter() {
  const { writeFile } = await import("node:fs/promises");
  return {
    async writeSafetensors(path: string, tensors: Record<string, Float32Array>) {
      let offset = 0;
      const header: Record<string, unknown> = {};
      for (const [name, values] of Object.entries(tensors)) {
        header[name] = { dtype: "F32", shape: [values.length], data_offsets: [offset, offset + values.byteLength] };
        offset += values.byteLength;
      }
      let json = JSON.stringify(header);
      while ((8 + json.length) % 8 !== 0) json += " ";
      const prefix = Buffer.alloc(8);
      prefix.writeBigUInt64LE(BigInt(json.length));
      await writeFile(
        path,
        Buffer.concat([
          prefix,
          Buffer.from(json),
          ...Object.values(tensors).map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
        ]),
      );
    },
  };
}
