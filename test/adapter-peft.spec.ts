/**
 * tvhub against the real PEFT (0.21, .venv/peft): tiny transformers models (Llama, GPT-2, BERT) get LoRA adapters
 * from PEFT itself (rank_pattern, alpha_pattern with a float and a `^` key, rsLoRA, fan_in_fan_out, an embedding
 * LoRA with its saved base layer, modules_to_save, bias: all, SEQ_CLS's classifier), saved with save_pretrained
 * (test/python/peft_lora_deltas.py). tvhub's dense τ must match PEFT's get_delta_weight within float32's
 * dot-product bound (PyTorch's matmul sums in its own order), reproduce merge_and_unload's full tensors exactly,
 * leave alone exactly what PEFT leaves alone, and the test helpers must write PEFT's key names and config.
 * Skipped, with a message, only where python3 is absent.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseSafetensorsBytes } from "./helpers/hub-io.js";
import { llamaModules, peftDefaults, writeLoraAdapter } from "./helpers/lora-adapter.js";
import { hasPython, pythonScript, runVenv } from "./helpers/python-venv.js";
import { runCli } from "./helpers/run-cli.js";

type Tensors = Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>;

let work: string;
const read = (path: string): Tensors => parseSafetensorsBytes(new Uint8Array(readFileSync(path)));
const floats = (t: { bytes: Uint8Array } | undefined): Float32Array => {
  if (!t) throw new Error("missing tensor");
  return new Float32Array(t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.byteLength));
};
const u = 2 ** -24;

if (!hasPython) console.warn("adapter-peft.spec.ts skipped: python3 is not installed, so the real PEFT cannot run.");

describe.skipIf(!hasPython)("tvhub reads adapters that the real PEFT saved", () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "tvhub-adapter-peft-"));
    const run = await runVenv({
      venv: "peft",
      program: "python",
      args: [pythonScript("peft_lora_deltas.py"), work],
      env: {},
    });
    expect(run.code, run.stderr).toBe(0);
  }, 300_000);

  for (const name of ["llama", "gpt2", "bert"]) {
    it(`${name}: τ is PEFT's delta within the bound, full tensors are merge_and_unload's exactly, and the rest is ` +
      "untouched", async () => {
      const dir = join(work, name);
      const out = join(dir, "tv");
      const run = await runCli(
        [
          "publish-vector",
          "--base",
          join(dir, "base"),
          "--finetuned",
          join(dir, "adapter"),
          "--to",
          out,
          "--dtype",
          "f32",
        ],
        { HF_HOME: join(work, "hf-home") },
      );
      expect(run.code, run.stderr).toBe(0);
      const tau = read(join(out, "task_vector.safetensors"));
      const base = read(join(dir, "base", "model.safetensors"));
      const merged = read(join(dir, "merged.safetensors"));
      const deltas = read(join(dir, "deltas.safetensors"));
      const adapter = read(join(dir, "adapter", "adapter_model.safetensors"));
      const scaling = JSON.parse(readFileSync(join(dir, "scaling.json"), "utf8")) as Record<string, number>;
      // The base file and the PEFT model may name a tensor with or without the task class's prefix.
      const inBase = (peftName: string): string =>
        base.has(peftName) ? peftName : peftName.replace(/^transformer\./, "");
      expect(deltas.size).toBeGreaterThan(0);

      let exact = 0;
      let total = 0;
      for (const [peftName, delta] of deltas) {
        const module = peftName.replace(/\.weight$/, "");
        const got = floats(tau.get(inBase(peftName)));
        const want = floats(delta);
        expect(got.length, peftName).toBe(want.length);
        // |Σ|B||A|| per element, from the adapter's own factors, for the bound.
        const embedding = adapter.has(`base_model.model.${module}.lora_embedding_A`);
        const a = floats(adapter.get(`base_model.model.${module}.${embedding ? "lora_embedding_A" : "lora_A.weight"}`));
        const b = floats(adapter.get(`base_model.model.${module}.${embedding ? "lora_embedding_B" : "lora_B.weight"}`));
        const rank = adapter.get(`base_model.model.${module}.${embedding ? "lora_embedding_A" : "lora_A.weight"}`)
          ?.shape[0] as number;
        const inF = a.length / rank;
        const outF = b.length / rank;
        const s = scaling[module] as number;
        const gamma = ((rank + 1) * u) / (1 - (rank + 1) * u);
        const transpose = embedding || delta.shape[0] !== outF;
        for (let o = 0; o < outF; o++) {
          for (let i = 0; i < inF; i++) {
            let abs = 0;
            for (let k = 0; k < rank; k++) abs += Math.abs((b[o * rank + k] as number) * (a[k * inF + i] as number));
            const index = transpose ? i * outF + o : o * inF + i;
            // Each side is within γ·|s|·Σ|b·a| of the exact product (plus rounding s once), so they are within twice
            // that.
            const bound = 2 * gamma * Math.abs(s) * abs + 2 * u * Math.abs(want[index] as number);
            const difference = Math.abs((got[index] as number) - (want[index] as number));
            expect(difference, `${peftName}[${index}]`).toBeLessThanOrEqual(bound);
            if (Object.is(got[index], want[index])) exact++;
            total++;
          }
        }
      }
      console.log(`${name}: ${exact} of ${total} LoRA elements are bit-identical to PyTorch's B @ A · s`);

      for (const [mergedName, tensor] of merged) {
        const baseName = inBase(mergedName);
        const baseTensor = base.get(baseName);
        if (baseTensor?.dtype !== "F32") continue;
        const m = floats(tensor);
        const w = floats(baseTensor);
        const t = tau.get(baseName);
        const changed = m.some((value, i) => !Object.is(value, w[i]));
        if (t === undefined) {
          // What tvhub leaves out, PEFT did not change.
          expect(changed, `${mergedName} changed in PEFT's merge but has no τ`).toBe(false);
          continue;
        }
        const values = floats(t);
        if (!deltas.has(mergedName)) {
          // A saved full tensor (modules_to_save, a trained bias): τ = saved − base, exactly merged − base.
          for (let i = 0; i < m.length; i++)
            expect(values[i], `${mergedName}[${i}]`).toBe(Math.fround((m[i] as number) - (w[i] as number)));
        }
      }
    }, 120_000);
  }

  it("the test helpers write PEFT's key names and adapter_config.json", async () => {
    const peftConfig = JSON.parse(
      readFileSync(join(work, "llama", "adapter", "adapter_config.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(Object.keys(peftDefaults).sort()).toEqual(Object.keys(peftConfig).sort());
    // Sorted keys, as save_pretrained writes them (json.dumps(sort_keys=True)).
    expect(Object.keys(peftConfig)).toEqual(Object.keys(peftConfig).sort());

    const peftKeys = [...read(join(work, "llama", "adapter", "adapter_model.safetensors")).keys()].sort();
    const config = {
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
    };
    const ours = await writeLoraAdapter({
      dir: join(work, "helper-llama"),
      config: { ...peftConfig },
      modules: [
        ...llamaModules(config, 8, { "model.layers.1.mlp.down_proj": 4 }),
        { module: "model.embed_tokens", out: 32, in: 96, rank: 8, embedding: true },
      ],
      full: [
        { name: "lm_head.weight", shape: [96, 32] },
        { name: "model.embed_tokens.base_layer.weight", shape: [96, 32] },
      ],
    });
    expect(ours.keys).toEqual(peftKeys);
    // The same fields, values and order (JSON writes PEFT's 0.0 as 0: the same number).
    const oursConfig = JSON.parse(readFileSync(join(work, "helper-llama", "adapter_config.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(Object.keys(oursConfig)).toEqual(Object.keys(peftConfig));
    expect(oursConfig).toEqual(peftConfig);
  });
});
