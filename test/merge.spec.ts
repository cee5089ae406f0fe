/**
 * `tvhub merge`, `apply` and `similarity` end to end against a local Hub: demo-like synthetic models are uploaded
 * under the names recipes/ uses, every recipe runs as written, and every output is compared with an independent
 * float32 computation written here from the papers' definitions (the order is the one src/arithmetic documents).
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArithmeticKernels } from "../src/arithmetic/simd/create-arithmetic-kernels.js";
import { merge } from "../src/app/merge.js";
import { main } from "../src/cli/main.js";
import { runMain } from "../src/cli/testing/run-main.js";
import { createHubClient, type HubClient } from "../src/hub/index.js";
import { drain } from "../src/util/progress.js";
import { deriveStream, fillRandom } from "../src/util/rng.js";
import { downloadBytes, parseSafetensorsBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import {
  decodeElement,
  dtypeBytes,
  encodeElement,
  referenceMerge,
  referenceTaskVector,
} from "./helpers/reference-float.js";
import {
  crumbsReference,
  electReference,
  groupsOf,
  magpruneReference,
  mergekitModelStock,
  modelStockReference,
  nuslerpReference,
  sumReference,
} from "./helpers/reference-methods.js";
import { runCli } from "./helpers/run-cli.js";
import {
  fineTune,
  loadModelConfig,
  scaleConfig,
  tensorsFromConfig,
  tinyLlamaConfig,
  writeSynthModel,
  type SynthModel,
} from "./helpers/synth.js";
import { joinPatterns } from "./helpers/join-patterns.js";

const recipesDir = resolve(import.meta.dirname, "../recipes");
/**
 * An example that needs a language model with a grown vocabulary, which the demo does not have: recipes/README.md shows
 * it.
 */
const vocabRecipe = resolve(import.meta.dirname, "fixtures/recipes/vocab-extend.yml");
const token = "hf_demo_merge_token";

let hub: LocalHubProcess;
let work: string;
let home: string;
const m: Record<string, SynthModel> = {};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this process (main() is the same entry point bin.ts calls), with its own HF_HOME. */
async function tvhub(args: string[]): Promise<Run> {
  return runMain(main, args, env());
}

const env = () => ({ HF_HOME: home, HF_TOKEN: token, HF_ENDPOINT: hub.url, TMPDIR: work });
const recipe = (name: string) => join(recipesDir, name);
const json = <T>(run: Run): T => {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
};

interface Tensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

async function hubFile(repo: string, path: string): Promise<Uint8Array> {
  return downloadBytes({ hubUrl: hub.url, repo, path, token });
}

/** Every tensor of a published model (single file or shards) or of a folder. */
async function tensorsOf(where: { repo: string } | { dir: string }, prefix = "model"): Promise<Map<string, Tensor>> {
  const read = async (path: string): Promise<Uint8Array | undefined> => {
    try {
      return "repo" in where ? await hubFile(where.repo, path) : new Uint8Array(readFileSync(join(where.dir, path)));
    } catch {
      return undefined;
    }
  };
  const index = await read(`${prefix}.safetensors.index.json`);
  const files = index
    ? [
        ...new Set(
          Object.values(
            (JSON.parse(new TextDecoder().decode(index)) as { weight_map: Record<string, string> }).weight_map,
          ),
        ),
      ]
    : [`${prefix}.safetensors`];
  const all = new Map<string, Tensor>();
  for (const file of files)
    for (const [name, tensor] of parseSafetensorsBytes((await read(file)) as Uint8Array)) all.set(name, tensor);
  return all;
}

const text = async (repo: string, path: string) => new TextDecoder().decode(await hubFile(repo, path));

// ------------------------------------------------------------------------------------------------------------------
// The independent float32 oracle: per element, from the papers' definitions, in the documented order.

const f32 = (model: SynthModel, name: string): Float32Array => {
  const spec = model.tensors.find((t) => t.name === name);
  if (!spec) throw new Error(`no ${name}`);
  return decodeAll(spec.dtype, model.bytesOf(name));
};

function decodeAll(dtype: string, bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength / (dtypeBytes[dtype] as number);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = decodeElement(dtype, bytes, i);
  return out;
}

function encodeAll(dtype: string, values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * (dtypeBytes[dtype] as number));
  values.forEach((v, i) => encodeElement(dtype, v, out, i));
  return out;
}

/** τ = fround(ft − base), kept in float32 (a fine-tune's τ computed on the fly is never rounded to a storage dtype). */
function tauOf(ft: SynthModel, base: SynthModel, name: string): Float32Array {
  const a = f32(ft, name);
  const b = f32(base, name);
  return a.map((v, i) => Math.fround(v - (b[i] as number)));
}

/** TIES' trim: keep the k = round(density·n) (at least 1) largest |τ|, ties at the threshold by lowest index. */
function trim(tau: Float32Array, density: number): Float32Array {
  const n = tau.length;
  const k = density >= 1 ? n : Math.min(n, Math.max(1, Math.round(density * n)));
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => Math.abs(tau[b] as number) - Math.abs(tau[a] as number) || a - b,
  );
  const out = new Float32Array(n);
  for (const i of order.slice(0, k)) out[i] = tau[i] as number;
  return out;
}

/** DARE: drop element j of term i when word j of the (seed, tensor, i) stream is below p·2^32, else τ / (1 − p). */
function dare(tau: Float32Array, p: number, seed: number, tensor: string, term: number): Float32Array {
  const words = fillRandom({
    stream: deriveStream({ seed, labels: ["dare", tensor, term] }),
    start: 0,
    out: new Uint32Array(tau.length),
  });
  const divisor = Math.fround(1 - p);
  return tau.map((v, j) => ((words[j] as number) < p * 2 ** 32 ? 0 : Math.fround(v / divisor)));
}

/** acc = base; acc = fround(acc + fround(λ32·τ̂)). */
function sumMerge(base: Float32Array, terms: Array<{ weight: number; tau: Float32Array }>): Float32Array {
  return base.map((b, j) => {
    let acc = b;
    for (const term of terms) acc = Math.fround(acc + Math.fround(Math.fround(term.weight) * (term.tau[j] as number)));
    return acc;
  });
}

/** TIES' elect and disjoint mean over v_i = fround(λ32_i·τ̂_i), then θ = base + τ_m (the method's own λ is 1). */
function tiesMerge(base: Float32Array, terms: Array<{ weight: number; tau: Float32Array }>): Float32Array {
  return base.map((b, j) => {
    const v = terms.map((term) => Math.fround(Math.fround(term.weight) * (term.tau[j] as number)));
    let sum = 0;
    for (const x of v) sum = Math.fround(sum + x);
    let mean = 0;
    if (sum !== 0) {
      let agreeing = 0;
      let count = 0;
      for (const x of v) {
        if (sum > 0 ? x > 0 : x < 0) {
          agreeing = Math.fround(agreeing + x);
          count++;
        }
      }
      mean = Math.fround(agreeing / count);
    }
    return Math.fround(b + mean);
  });
}

/** A published vector's τ of one tensor, in float32. */
function vectorTau(vector: Map<string, Tensor>, name: string): Float32Array {
  const t = vector.get(name) as Tensor;
  return decodeAll(t.dtype, t.bytes);
}

const shapeOf = (name: string): number[] => [
  ...((m.base as SynthModel).tensors.find((t) => t.name === name)?.shape ?? []),
];

/** The length of a tensor's rows, the slices along its last dimension (the whole of a 0-D or 1-D tensor). */
const rowLength = (name: string): number => {
  const shape = shapeOf(name);
  return shape.length >= 2 ? (shape.at(-1) as number) : shape.reduce((a, b) => a * b, 1);
};

function expectBytes(got: Tensor | undefined, dtype: string, expected: Uint8Array, name: string): void {
  expect(got?.dtype, name).toBe(dtype);
  expect(
    Buffer.from(got?.bytes ?? new Uint8Array()).equals(Buffer.from(expected)),
    `${name} differs from the float32 reference`,
  ).toBe(true);
}

// ------------------------------------------------------------------------------------------------------------------
// Demo-like models under the names the recipes use.

function vitConfig(): Record<string, unknown> {
  const config = scaleConfig(loadModelConfig("google--vit-base-patch16-224"), {
    hiddenSize: 32,
    headDim: 16,
    layers: 2,
    labels: 4,
    multiple: 8,
  });
  return { ...config, image_size: 32, patch_size: 16, dtype: "bfloat16" };
}

async function upload(repo: string, model: SynthModel, extra: Record<string, string> = {}): Promise<void> {
  for (const [path, content] of Object.entries(extra)) writeFileSync(join(model.dir, path), content);
  await uploadFolder({ hubUrl: hub.url, token, repo, dir: model.dir });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-merge-"));
  home = join(work, "hf-home");
  hub = await startLocalHub({ users: [{ name: "demo", token }] });

  const config = vitConfig();
  const tensors = tensorsFromConfig(config, { dtype: "BF16" });
  // Two shards, so the readers and the index are exercised.
  m.base = await writeSynthModel({
    dir: join(work, "base"),
    tensors,
    config,
    seed: 11,
    maxShardSize: 70_000,
    card: { extra: { license: "apache-2.0" } },
  });
  const ft = (name: string, seed: number, from: SynthModel = m.base as SynthModel) =>
    fineTune({
      base: from,
      dir: join(work, `ft-${name}`),
      seed,
      baseModel: "demo/vit-tiny-digits",
      deltaStd: 0.004,
      card: { extra: { license: "apache-2.0" } },
    });
  m.rotated = await ft("rotated", 21);
  m.inverted = await ft("inverted", 22);
  // Flipped is trained on top of rotated, so its τ shares rotated's: the similarity matrix has a large entry.
  m.upside = await ft("upside", 23, m.rotated);
  m.transposed = await ft("transposed", 24);
  // Another base of the same architecture, and a vector against it.
  m.otherBase = await writeSynthModel({ dir: join(work, "other-base"), tensors, config, seed: 99 });
  m.otherFt = await fineTune({
    base: m.otherBase,
    dir: join(work, "other-ft"),
    seed: 98,
    baseModel: "demo/other-base",
  });

  const lm = tinyLlamaConfig();
  const lmTensors = tensorsFromConfig(lm, { dtype: "BF16" });
  const tokenizer = (vocab: number) =>
    `${JSON.stringify({ version: "1.0", model: { type: "BPE", vocab_size: vocab } })}\n`;
  m.lmBase = await writeSynthModel({ dir: join(work, "lm-base"), tensors: lmTensors, config: lm, seed: 31 });
  m.lmExtended = await fineTune({
    base: m.lmBase,
    dir: join(work, "lm-ft-extended"),
    seed: 32,
    baseModel: "demo/lm-base",
    reshape: { "model.embed_tokens.weight": [520, 64], "lm_head.weight": [520, 64] },
    config: { vocab_size: 520 },
  });
  m.lmChat = await fineTune({ base: m.lmBase, dir: join(work, "lm-ft-chat"), seed: 33, baseModel: "demo/lm-base" });

  await Promise.all([
    upload("demo/vit-tiny-digits", m.base, {
      "preprocessor_config.json": '{"do_resize": true, "size": {"height": 32, "width": 32}}\n',
    }),
    upload("demo/vit-tiny-digits-rotated", m.rotated),
    upload("demo/vit-tiny-digits-inverted", m.inverted),
    upload("demo/vit-tiny-digits-upside", m.upside),
    upload("demo/vit-tiny-digits-transposed", m.transposed),
    // The analogy's three half-class fine-tunes, under the demo's names: A, B and C are models above.
    upload("demo/vit-tiny-digits-upright-low", m.upside),
    upload("demo/vit-tiny-digits-scrambled-low", m.rotated),
    upload("demo/vit-tiny-digits-upright-high", m.inverted),
    upload("demo/other-base", m.otherBase),
    upload("demo/other-ft", m.otherFt),
    upload("demo/lm-base", m.lmBase, {
      "tokenizer.json": tokenizer(512),
      "generation_config.json": '{"bos_token_id": 1}\n',
      "special_tokens_map.json": "{}\n",
    }),
    upload("demo/lm-ft-extended-vocab", m.lmExtended, {
      "tokenizer.json": tokenizer(520),
      "tokenizer_config.json": '{"added_tokens": 8}\n',
    }),
    upload("demo/lm-ft-chat", m.lmChat),
  ]);
  for (const [finetuned, base] of [
    ["demo/vit-tiny-digits-inverted", "demo/vit-tiny-digits"],
    ["demo/vit-tiny-digits-upside", "demo/vit-tiny-digits"],
    ["demo/vit-tiny-digits-upright-high", "demo/vit-tiny-digits"],
    ["demo/other-ft", "demo/other-base"],
  ] as const) {
    const to = finetuned === "demo/other-ft" ? "demo/vit-tiny-digits-other-tv" : `${finetuned}-tv`;
    const run = await tvhub(["publish-vector", "--base", base, "--finetuned", finetuned, "--to", to, "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const floatNames = () => (m.base as SynthModel).tensors.map((t) => t.name);
const vector = async (repo: string) => tensorsOf({ repo }, "task_vector");

describe("every recipe in recipes/ runs against the local Hub and matches an independent float32 computation", () => {
  it("has a test for every recipe", () => {
    const tested = [
      "addition.yml",
      "analogy.yml",
      "breadcrumbs-ties.yml",
      "breadcrumbs.yml",
      "dare.yml",
      "della-linear.yml",
      "della.yml",
      "greedy.yml",
      "magnitude.yml",
      "model-stock.yml",
      "negation.yml",
      "nuslerp.yml",
      "ties.yml",
    ];
    expect(
      readdirSync(recipesDir)
        .filter((f) => f.endsWith(".yml"))
        .sort(),
    ).toEqual(tested);
  });

  it(
    "addition.yml: θ = base + 0.5·τ(ft-rotated, on the fly) + 0.5·τ(tv-inverted), bit for bit, with a card that " +
      "states it",
    async () => {
      const result = json<{ repo: string; commit: string; copied: Array<{ path: string }> }>(
        await tvhub(["merge", recipe("addition.yml"), "--json"]),
      );
      expect(result.repo).toBe("demo/merged-rotated-inverted");
      const out = await tensorsOf({ repo: result.repo });
      const tv = await vector("demo/vit-tiny-digits-inverted-tv");
      const base = m.base as SynthModel;
      for (const name of floatNames()) {
        const tau = tv.get(name) as Tensor;
        const expected = referenceMerge(
          { dtype: "BF16", bytes: base.bytesOf(name) },
          [
            {
              weight: 0.5 * 1.0,
              tau: {
                dtype: "F32",
                bytes: referenceTaskVector(
                  { dtype: "BF16", bytes: (m.rotated as SynthModel).bytesOf(name) },
                  { dtype: "BF16", bytes: base.bytesOf(name) },
                  "F32",
                ),
              },
            },
            { weight: 0.5 * 1.0, tau: { dtype: tau.dtype, bytes: tau.bytes } },
          ],
          "BF16",
        );
        expectBytes(out.get(name), "BF16", expected, name);
      }
      const card = await text(result.repo, "README.md");
      expect(card).toContain("θ = θ(base) + 0.5·τ₁ + 0.5·τ₂");
      expect(card).toMatch(
        joinPatterns(
          /base_model:\n {2}- demo\/vit-tiny-digits\n/,
          / {2}- demo\/vit-tiny-digits-rotated\n {2}- demo\/vit-tiny-digits-inverted-tv\n/,
        ),
      );
      expect(card).toContain("base_model_relation: merge");
      expect(card).toContain("license: apache-2.0");
      expect(card).toContain(readFileSync(recipe("addition.yml"), "utf8").trimEnd());
      const record = JSON.parse(await text(result.repo, "tvhub.json")) as {
        format: string;
        terms: Array<{ repo: string; revision: string; lambda: number }>;
        recipe: string;
      };
      expect(record.format).toBe("tvhub/merge");
      expect(record.terms.map((t) => [t.repo, t.lambda])).toEqual([
        ["demo/vit-tiny-digits-rotated", 0.5],
        ["demo/vit-tiny-digits-inverted-tv", 0.5],
      ]);
      for (const term of record.terms) expect(card).toContain(term.revision);
      // A ViT: the processor config comes along; the config is the base's, byte for byte.
      expect(result.copied.map((f) => f.path)).toEqual(["config.json", "preprocessor_config.json"]);
      expect(await text(result.repo, "config.json")).toBe(readFileSync(join(base.dir, "config.json"), "utf8"));
    },
  );

  it("negation.yml: θ = base − 0.5·τ(ft-rotated), bit for bit", async () => {
    const result = json<{ repo: string }>(await tvhub(["merge", recipe("negation.yml"), "--json"]));
    const out = await tensorsOf({ repo: result.repo });
    const base = m.base as SynthModel;
    for (const name of floatNames()) {
      const expected = encodeAll(
        "BF16",
        sumMerge(f32(base, name), [{ weight: -0.5, tau: tauOf(m.rotated as SynthModel, base, name) }]),
      );
      expectBytes(out.get(name), "BF16", expected, name);
    }
    expect(await text(result.repo, "README.md")).toContain("θ = θ(base) − 0.5·τ₁");
  });

  it("analogy.yml: +0.5·τ_c + 0.5·τ_b − 0.5·τ_a in that order, bit for bit", async () => {
    const result = json<{ repo: string; terms: Array<{ origin: string }> }>(
      await tvhub(["merge", recipe("analogy.yml"), "--json"]),
    );
    expect(result.terms.map((t) => t.origin)).toEqual([
      "vectors[0].analogy.c",
      "vectors[0].analogy.b",
      "vectors[0].analogy.a",
    ]);
    const out = await tensorsOf({ repo: result.repo });
    // c = τ(upright-high), published; b = τ(scrambled-low) and a = τ(upright-low), computed on the fly.
    const tv = await vector("demo/vit-tiny-digits-upright-high-tv");
    const base = m.base as SynthModel;
    for (const name of floatNames()) {
      const c = tv.get(name) as Tensor;
      const expected = encodeAll(
        "BF16",
        sumMerge(f32(base, name), [
          { weight: 0.5, tau: decodeAll(c.dtype, c.bytes) },
          { weight: 0.5, tau: tauOf(m.rotated as SynthModel, base, name) },
          { weight: -0.5, tau: tauOf(m.upside as SynthModel, base, name) },
        ]),
      );
      expectBytes(out.get(name), "BF16", expected, name);
    }
    expect(await text(result.repo, "README.md")).toContain("θ = θ(base) + 0.5·τ₁ + 0.5·τ₂ − 0.5·τ₃");
  });

  it(
    "ties.yml: trim, elect, disjoint mean per the TIES paper, with keep-base and scale overrides, in " + "f32",
    async () => {
      const result = json<{ repo: string; parameters: Record<string, number> }>(
        await tvhub(["merge", recipe("ties.yml"), "--json"]),
      );
      expect(result.parameters).toEqual({ density: 0.2 });
      const out = await tensorsOf({ repo: result.repo });
      const base = m.base as SynthModel;
      const fts = [m.rotated, m.inverted, m.upside, m.transposed] as SynthModel[];
      for (const name of floatNames()) {
        let expected: Float32Array;
        if (name.startsWith("vit.embeddings.")) expected = f32(base, name);
        else {
          const weight = name.startsWith("classifier.") ? 0.5 * 1.0 : 1.0;
          expected = tiesMerge(
            f32(base, name),
            fts.map((ft) => ({ weight, tau: trim(tauOf(ft, base, name), 0.2) })),
          );
        }
        expectBytes(out.get(name), "F32", encodeAll("F32", expected), name);
      }
      const card = await text(result.repo, "README.md");
      expect(card).toContain("θ = θ(base) + disjoint_mean(elect(1·trim(τ₁), 1·trim(τ₂), 1·trim(τ₃), 1·trim(τ₄)))");
      expect(card).toContain("keeps the 20% of entries of τ with the largest magnitude");
      expect(card).toContain("`glob vit.embeddings.*`: keep base (4 tensors)");
      // The weights are F32 now, and the config says so.
      expect((JSON.parse(await text(result.repo, "config.json")) as { dtype: string }).dtype).toBe("float32");
    },
  );

  it(
    "dare.yml: drop with p = 0.9 from the seeded stream, rescale by 1/(1 − p), bit for bit, and the same bytes on " +
      "a second run",
    async () => {
      const result = json<{
        repo: string;
        files: Array<{ path: string; sha256: string }>;
        parameters: Record<string, number>;
      }>(await tvhub(["merge", recipe("dare.yml"), "--json"]));
      expect(result.parameters).toEqual({ drop_rate: 0.9, seed: 42 });
      const out = await tensorsOf({ repo: result.repo });
      const base = m.base as SynthModel;
      for (const name of floatNames()) {
        const terms = [m.rotated, m.transposed].map((ft, i) => ({
          weight: 0.8 * 1.0,
          tau: dare(tauOf(ft as SynthModel, base, name), 0.9, 42, name, i),
        }));
        expectBytes(out.get(name), "BF16", encodeAll("BF16", sumMerge(f32(base, name), terms)), name);
      }
      const card = await text(result.repo, "README.md");
      expect(card).toContain("θ = θ(base) + 0.8·dare(τ₁) + 0.8·dare(τ₂)");
      expect(card).toContain("seed 42");
      const again = json<{ files: Array<{ path: string; sha256: string }> }>(
        await tvhub(["merge", recipe("dare.yml"), "--to", join(work, "dare-again"), "--json"]),
      );
      expect(again.files).toEqual(result.files);
    },
  );

  it("magnitude.yml: the top 50% of each published vector, then 0.7·Σ, bit for bit", async () => {
    const result = json<{ repo: string; method: string }>(await tvhub(["merge", recipe("magnitude.yml"), "--json"]));
    expect(result.method).toBe("magnitude_prune");
    const out = await tensorsOf({ repo: result.repo });
    const [upside, inverted] = await Promise.all([
      vector("demo/vit-tiny-digits-upside-tv"),
      vector("demo/vit-tiny-digits-inverted-tv"),
    ]);
    const base = m.base as SynthModel;
    for (const name of floatNames()) {
      const terms = [upside, inverted].map((tv) => {
        const t = tv.get(name) as Tensor;
        return { weight: 0.7 * 1.0, tau: trim(decodeAll(t.dtype, t.bytes), 0.5) };
      });
      expectBytes(out.get(name), "BF16", encodeAll("BF16", sumMerge(f32(base, name), terms)), name);
    }
    expect(await text(result.repo, "README.md")).toContain("θ = θ(base) + 0.7·trim(τ₁) + 0.7·trim(τ₂)");
  });

  it(
    "breadcrumbs.yml and breadcrumbs-ties.yml: each τ's band below its outliers, summed or elected, bit for " + "bit",
    async () => {
      const plain = json<{ repo: string; parameters: Record<string, number> }>(
        await tvhub(["merge", recipe("breadcrumbs.yml"), "--json"]),
      );
      expect(plain.parameters).toEqual({ density: 0.9, gamma: 0.01 });
      const elected = json<{ repo: string; parameters: Record<string, number> }>(
        await tvhub(["merge", recipe("breadcrumbs-ties.yml"), "--json"]),
      );
      expect(elected.parameters).toEqual({ density: 0.8, gamma: 0.02, lambda: 1.2 });
      const [plainOut, electedOut] = await Promise.all([
        tensorsOf({ repo: plain.repo }),
        tensorsOf({ repo: elected.repo }),
      ]);
      const [inverted, upside] = await Promise.all([
        vector("demo/vit-tiny-digits-inverted-tv"),
        vector("demo/vit-tiny-digits-upside-tv"),
      ]);
      const base = m.base as SynthModel;
      for (const name of floatNames()) {
        const taus = [tauOf(m.rotated as SynthModel, base, name), vectorTau(inverted, name)];
        const sum = sumReference(
          f32(base, name),
          taus.map((tau) => crumbsReference(tau, 0.9, 0.01)),
          [0.8, 0.8],
        );
        expectBytes(plainOut.get(name), "BF16", encodeAll("BF16", sum), name);
        const three = [...taus, vectorTau(upside, name)].map((tau) => crumbsReference(tau, 0.8, 0.02));
        expectBytes(
          electedOut.get(name),
          "BF16",
          encodeAll("BF16", electReference(f32(base, name), three, [1, 1, 1], 1.2)),
          name,
        );
      }
      expect(await text(plain.repo, "README.md")).toContain("θ = θ(base) + 0.8·crumbs(τ₁) + 0.8·crumbs(τ₂)");
      expect(await text(elected.repo, "README.md")).toContain(
        "θ = θ(base) + 1.2·disjoint_mean(elect(1·crumbs(τ₁), 1·crumbs(τ₂), 1·crumbs(τ₃)))",
      );
    },
  );

  it(
    "della.yml and della-linear.yml: ranked keep probabilities per row from the seeded streams, bit for bit, the " +
      "same on a second run",
    async () => {
      const elected = json<{ repo: string; files: Array<{ sha256: string }>; parameters: Record<string, number> }>(
        await tvhub(["merge", recipe("della.yml"), "--json"]),
      );
      expect(elected.parameters).toEqual({ density: 0.5, epsilon: 0.15, lambda: 1, seed: 7 });
      const linear = json<{ repo: string; parameters: Record<string, number> }>(
        await tvhub(["merge", recipe("della-linear.yml"), "--json"]),
      );
      const [electedOut, linearOut] = await Promise.all([
        tensorsOf({ repo: elected.repo }),
        tensorsOf({ repo: linear.repo }),
      ]);
      const [inverted, upside] = await Promise.all([
        vector("demo/vit-tiny-digits-inverted-tv"),
        vector("demo/vit-tiny-digits-upside-tv"),
      ]);
      const base = m.base as SynthModel;
      for (const name of floatNames()) {
        const rows = rowLength(name);
        const one = [tauOf(m.rotated as SynthModel, base, name), vectorTau(inverted, name)].map((tau, i) =>
          magpruneReference(tau, rows, 0.5, 0.15, 7, name, i),
        );
        expectBytes(
          electedOut.get(name),
          "BF16",
          encodeAll("BF16", electReference(f32(base, name), one, [1, 1], 1)),
          name,
        );
        const two = [vectorTau(upside, name), tauOf(m.transposed as SynthModel, base, name)].map((tau, i) =>
          magpruneReference(tau, rows, 0.4, 0.2, 3, name, i),
        );
        expectBytes(
          linearOut.get(name),
          "BF16",
          encodeAll("BF16", sumReference(f32(base, name), two, [1, 1], 0.9)),
          name,
        );
      }
      const card = await text(elected.repo, "README.md");
      expect(card).toContain("θ = θ(base) + disjoint_mean(elect(1·magprune(τ₁), 1·magprune(τ₂)))");
      expect(card).toContain("seed 7");
      const again = json<{ files: Array<{ sha256: string }> }>(
        await tvhub(["merge", recipe("della.yml"), "--to", join(work, "della-again"), "--json"]),
      );
      expect(again.files).toEqual(elected.files);
    },
  );

  it(
    "model-stock.yml: t from the mean pairwise cosine, per tensor, bit for bit and close to mergekit's " + "formula",
    async () => {
      const result = json<{ repo: string; parameters: Record<string, boolean> }>(
        await tvhub(["merge", recipe("model-stock.yml"), "--json"]),
      );
      expect(result.parameters).toEqual({ filter_wise: false });
      const out = await tensorsOf({ repo: result.repo });
      const upside = await vector("demo/vit-tiny-digits-upside-tv");
      const base = m.base as SynthModel;
      for (const name of floatNames()) {
        const taus = [
          tauOf(m.rotated as SynthModel, base, name),
          tauOf(m.inverted as SynthModel, base, name),
          vectorTau(upside, name),
        ];
        const groups = groupsOf(shapeOf(name), "whole");
        expectBytes(
          out.get(name),
          "BF16",
          encodeAll("BF16", modelStockReference(f32(base, name), taus, [1, 1, 1], groups)),
          name,
        );
        const mergekit = mergekitModelStock(f32(base, name), taus, groups);
        const got = decodeAll("BF16", (out.get(name) as Tensor).bytes);
        got.forEach((x, e) =>
          expect(Math.abs(x - mergekit[e]!), name).toBeLessThanOrEqual(Math.abs(mergekit[e]!) * 2 ** -8 + 1e-6),
        );
      }
      expect(await text(result.repo, "README.md")).toContain("θ = θ(base) + t·mean(1·τ₁, 1·τ₂, 1·τ₃)");
    },
  );

  it(
    "nuslerp.yml: SLERP of τ(rotated) and τ(inverted-tv) at t = 0.6, row by row, bit for bit; a scale is " + "refused",
    async () => {
      const result = json<{ repo: string }>(await tvhub(["merge", recipe("nuslerp.yml"), "--json"]));
      const out = await tensorsOf({ repo: result.repo });
      const inverted = await vector("demo/vit-tiny-digits-inverted-tv");
      const base = m.base as SynthModel;
      for (const name of floatNames()) {
        const pair = [tauOf(m.rotated as SynthModel, base, name), vectorTau(inverted, name)];
        const expected = nuslerpReference(f32(base, name), pair, [0.4, 0.6], groupsOf(shapeOf(name), "last"));
        expectBytes(out.get(name), "BF16", encodeAll("BF16", expected), name);
      }
      expect(await text(result.repo, "README.md")).toContain("θ = θ(base) + slerp(0.6, τ₁, τ₂)");
      const scaled = join(work, "nuslerp-scaled.yml");
      writeFileSync(
        scaled,
        readFileSync(recipe("nuslerp.yml"), "utf8").replace("method: nuslerp\n", "method: nuslerp\nscale: 2\n"),
      );
      const refused = await tvhub(["merge", scaled, "--to", join(work, "never"), "--json"]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        "scale: nuslerp's weights only say where between the task vectors the merge lies",
      );
    },
  );

  it(
    "vocab-extend.yml: shared rows merged, added rows and tokenizer from the fine-tune that added them, vocab_size " +
      "520",
    async () => {
      const result = json<{
        repo: string;
        vocab: { sharedRows: number; rows: number };
        copied: Array<{ path: string; from: { repo: string } }>;
      }>(await tvhub(["merge", vocabRecipe, "--json"]));
      expect(result.vocab).toMatchObject({ sharedRows: 512, rows: 520 });
      const out = await tensorsOf({ repo: result.repo });
      const base = m.lmBase as SynthModel;
      const ext = m.lmExtended as SynthModel;
      for (const spec of base.tensors) {
        const name = spec.name;
        const baseValues = f32(base, name);
        const n = baseValues.length;
        const shared = sumMerge(baseValues, [
          {
            weight: 0.7,
            tau: f32(ext, name)
              .slice(0, n)
              .map((v, i) => Math.fround(v - (baseValues[i] as number))),
          },
          { weight: 0.3, tau: tauOf(m.lmChat as SynthModel, base, name) },
        ]);
        const grown = name === "model.embed_tokens.weight" || name === "lm_head.weight";
        const expected = grown ? new Float32Array([...shared, ...f32(ext, name).slice(n)]) : shared;
        expect(out.get(name)?.shape, name).toEqual(grown ? [520, 64] : spec.shape);
        expectBytes(out.get(name), "BF16", encodeAll("BF16", expected), name);
      }
      expect((JSON.parse(await text(result.repo, "config.json")) as { vocab_size: number }).vocab_size).toBe(520);
      expect(await text(result.repo, "tokenizer.json")).toContain('"vocab_size":520');
      expect(result.copied.find((f) => f.path === "tokenizer.json")?.from.repo).toBe("demo/lm-ft-extended-vocab");
      expect(result.copied.find((f) => f.path === "generation_config.json")?.from.repo).toBe("demo/lm-base");
      // The base's special_tokens_map.json belongs to the base's tokenizer, which the output does not use.
      expect(result.copied.map((f) => f.path)).not.toContain("special_tokens_map.json");
      const card = await text(result.repo, "README.md");
      expect(card).toMatch(
        joinPatterns(
          /Vocabulary: the 512 rows the base has were merged .* the 8 added rows \(512–519\) .* /,
          /copied unchanged from demo\/lm-ft-extended-vocab@/,
        ),
      );
    },
  );

  it(
    "vocab: extend with the grown rows from a published vector: its rows, and the tokenizer of the fine-tune it " +
      "records",
    async () => {
      const published = await tvhub([
        "publish-vector",
        "--base",
        "demo/lm-base",
        "--finetuned",
        "demo/lm-ft-extended-vocab",
        "--to",
        "demo/lm-tv-extended",
        "--vocab",
        "extend",
        "--json",
      ]);
      expect(published.code).toBe(0);
      const path = join(work, "vocab-vector.yml");
      const dir = join(work, "vocab-vector");
      writeFileSync(
        path,
        [
          "version: 1",
          "base: demo/lm-base",
          `output: { to: ${dir} }`,
          "vocab: extend",
          "vectors:",
          "  - { vector: demo/lm-tv-extended, weight: 0.7 }",
          "  - { finetuned: demo/lm-ft-chat, weight: 0.3 }",
          "",
        ].join("\n"),
      );
      const result = json<{ copied: Array<{ path: string; from: { repo: string } }> }>(
        await tvhub(["merge", path, "--json"]),
      );
      expect(result.copied.find((f) => f.path === "tokenizer.json")?.from.repo).toBe("demo/lm-ft-extended-vocab");
      expect(readFileSync(join(dir, "tokenizer.json"), "utf8")).toContain('"vocab_size":520');
      const out = await tensorsOf({ dir });
      const tv = await vector("demo/lm-tv-extended");
      const base = m.lmBase as SynthModel;
      for (const name of ["model.embed_tokens.weight", "lm_head.weight", "model.norm.weight"]) {
        const baseValues = f32(base, name);
        const t = tv.get(name) as Tensor;
        const tau = decodeAll(t.dtype, t.bytes);
        const shared = sumMerge(baseValues, [
          { weight: 0.7, tau: tau.slice(0, baseValues.length) },
          { weight: 0.3, tau: tauOf(m.lmChat as SynthModel, base, name) },
        ]);
        const expected =
          name === "model.norm.weight" ? shared : new Float32Array([...shared, ...tau.slice(baseValues.length)]);
        expectBytes(out.get(name), "BF16", encodeAll("BF16", expected), name);
      }
      // The vector's extra rows are the fine-tune's own values, so the merged model's are too.
      const grown = out.get("model.embed_tokens.weight") as Tensor;
      expect(
        Buffer.from(grown.bytes.subarray(512 * 64 * 2)).equals(
          Buffer.from((m.lmExtended as SynthModel).bytesOf("model.embed_tokens.weight").subarray(512 * 64 * 2)),
        ),
      ).toBe(true);
    },
  );

  it("vocab-extend.yml with --vocab refuse: refused at check time, with the way out", async () => {
    const run = await tvhub(["merge", vocabRecipe, "--vocab", "refuse", "--to", join(work, "never-vocab")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("VOCAB_MISMATCH");
    expect(run.stderr).toContain("set vocab: extend");
    expect(readdirSync(work)).not.toContain("never-vocab");
  });

  it("greedy.yml is a search, not a merge: merge says which command runs it", async () => {
    const run = await tvhub(["merge", recipe("greedy.yml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("run it with tvhub greedy");
  });

  it(
    "a λ too large for float32 stops the run, naming the tensor and the term, before anything is " + "published",
    async () => {
      const applied = await tvhub([
        "apply",
        "--base",
        "demo/vit-tiny-digits",
        "--vector",
        "demo/vit-tiny-digits-inverted-tv:1e39",
        "--to",
        "demo/never-inf",
      ]);
      expect(applied.code).toBe(1);
      expect(applied.stderr).toMatch(
        joinPatterns(
          /^tvhub: [\w.]+\[\d+\] would be (NaN|Infinity): the λ of term 1 \(λ = Infinity\) is too large for float32; /m,
          /nothing was written or published/m,
        ),
      );
      expect((await fetch(`${hub.url}/api/models/demo/never-inf`)).status).toBe(404);
      const path = join(work, "huge-scale.yml");
      const dir = join(work, "never-huge");
      writeFileSync(
        path,
        [
          "version: 1",
          "base: demo/vit-tiny-digits",
          `output: { to: ${dir} }`,
          "scale: 1e39",
          "vectors:",
          "  - { vector: demo/vit-tiny-digits-upside-tv, weight: 1 }",
          "",
        ].join("\n"),
      );
      const merged = await tvhub(["merge", path]);
      expect(merged.code).toBe(1);
      expect(merged.stderr).toContain("the λ of term 1 (λ = Infinity) is too large for float32");
      expect(readdirSync(work)).not.toContain("never-huge");
    },
  );

  it(
    "publishing a task vector over a merged model needs --force, and then leaves none of the merged model's " + "files",
    async () => {
      const merged = json<{ repo: string }>(await tvhub(["merge", recipe("negation.yml"), "--json"]));
      const files = async () =>
        (
          (await (await fetch(`${hub.url}/api/models/${merged.repo}`)).json()) as {
            siblings: Array<{ rfilename: string }>;
          }
        ).siblings
          .map((s) => s.rfilename)
          .sort();
      expect(await files()).toContain("config.json");
      const refused = await tvhub([
        "publish-vector",
        "--finetuned",
        "demo/vit-tiny-digits-transposed",
        "--to",
        merged.repo,
      ]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        `tvhub: ${merged.repo} holds a merged model (its tvhub.json says tvhub/merge), and this run publishes a task ` +
          "vector; publish to another repo, or pass --force to replace it (the files of the old one are " +
          `deleted).\n`,
      );
      expect(await files()).toContain("model.safetensors");
      const forced = await tvhub([
        "publish-vector",
        "--finetuned",
        "demo/vit-tiny-digits-transposed",
        "--to",
        merged.repo,
        "--force",
        "--json",
      ]);
      expect(forced.code).toBe(0);
      expect(await files()).toEqual([".gitattributes", "README.md", "task_vector.safetensors", "tvhub.json"]);
      // The other way round, into a folder: a merge over a task vector is refused too.
      const dir = join(work, "a-vector");
      json(await tvhub(["publish-vector", "--finetuned", "demo/vit-tiny-digits-transposed", "--to", dir, "--json"]));
      const over = await tvhub([
        "apply",
        "--base",
        "demo/vit-tiny-digits",
        "--vector",
        "demo/vit-tiny-digits-upside-tv",
        "--to",
        dir,
      ]);
      expect(over.code).toBe(2);
      expect(over.stderr).toContain(
        `${dir} holds a task vector (its tvhub.json says tvhub/task-vector), and this run publishes a merged model`,
      );
      expect(readdirSync(dir).sort()).toEqual(["README.md", "task_vector.safetensors", "tvhub.json"]);
    },
  );

  it("a dry run prints the plan and the bytes it would read, and publishes nothing", async () => {
    const run = await tvhub(["merge", recipe("ties.yml"), "--to", "demo/never-merged", "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Plan: merge (ties, density 0.2) of 4 terms onto demo/vit-tiny-digits");
    expect(run.stdout).toMatch(/download: .* of tensor data from 5 inputs/);
    expect((await fetch(`${hub.url}/api/models/demo/never-merged`)).status).toBe(404);
  });

  it(
    "the built CLI (jobs on worker threads) writes the same bytes as the in-process runs, for each kind of " + "kernel",
    async () => {
      const published = async (repo: string) =>
        (JSON.parse(await text(repo, "tvhub.json")) as { files: unknown }).files;
      for (const [name, repo] of [
        ["ties.yml", "demo/ties-all-tasks"],
        ["dare.yml", "demo/dare-rotated-transposed"],
        ["della.yml", "demo/della-rotated-inverted"],
        ["model-stock.yml", "demo/model-stock-three-tasks"],
        ["nuslerp.yml", "demo/nuslerp-rotated-inverted"],
      ] as const) {
        const run = await runCli(["merge", recipe(name), "--to", join(work, `spawned-${name}`), "--json"], env());
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect((JSON.parse(run.stdout) as { files: unknown }).files).toEqual(await published(repo));
      }
    },
  );

  it(
    "a matrix run: two jobs and --finalize, under the old flag names --shard and --shards (hidden aliases of " +
      "--portion and --portions), publish what one process publishes, byte for byte",
    async () => {
      const path = join(work, "sharded.yml");
      writeFileSync(
        path,
        [
          "version: 1",
          "base: demo/vit-tiny-digits",
          "output: { to: demo/sharded-ties, dtype: f32, max_shard_size: 60kB }",
          "method: ties",
          "parameters: { density: 0.5 }",
          "vectors:",
          "  - { finetuned: demo/vit-tiny-digits-rotated, weight: 1 }",
          "  - { vector: demo/vit-tiny-digits-inverted-tv, weight: 1 }",
          "",
        ].join("\n"),
      );
      const single = json<{ files: Array<{ path: string }> }>(
        await tvhub(["merge", path, "--to", join(work, "sharded-single"), "--json"]),
      );
      expect(single.files.length).toBeGreaterThanOrEqual(4);
      for (const shard of ["1/2", "2/2"])
        expect(json<{ portion: string }>(await tvhub(["merge", path, "--shard", shard, "--json"])).portion).toBe(shard);
      const finalized = json<{ repo: string; files: unknown; copied: Array<{ path: string }> }>(
        await tvhub(["merge", path, "--finalize", "--shards", "2", "--json"]),
      );
      expect(finalized.files).toEqual(single.files);
      expect(await text(finalized.repo, "README.md")).toContain(
        "θ = θ(base) + disjoint_mean(elect(1·trim(τ₁), 1·trim(τ₂)))",
      );
      expect(finalized.copied.map((f) => f.path)).toEqual(["config.json", "preprocessor_config.json"]);
      expect(JSON.parse(await text(finalized.repo, "config.json"))).toMatchObject({ dtype: "float32" });
    },
  );

  it("dare_ties: DARE's drop and rescale, then TIES' election without the trim, bit for bit", async () => {
    const path = join(work, "dare-ties.yml");
    writeFileSync(
      path,
      [
        "version: 1",
        "base: demo/vit-tiny-digits",
        `output: { to: ${join(work, "dare-ties")} }`,
        "method: dare_ties",
        "parameters: { drop_rate: 0.5, seed: 7 }",
        "vectors:",
        "  - { finetuned: demo/vit-tiny-digits-rotated, weight: 1.0 }",
        "  - { vector: demo/vit-tiny-digits-inverted-tv, weight: 0.5 }",
        "",
      ].join("\n"),
    );
    json(await tvhub(["merge", path, "--json"]));
    const out = await tensorsOf({ dir: join(work, "dare-ties") });
    const tv = await vector("demo/vit-tiny-digits-inverted-tv");
    const base = m.base as SynthModel;
    for (const name of floatNames()) {
      const t = tv.get(name) as Tensor;
      const terms = [
        { weight: 1.0, tau: dare(tauOf(m.rotated as SynthModel, base, name), 0.5, 7, name, 0) },
        { weight: 0.5, tau: dare(decodeAll(t.dtype, t.bytes), 0.5, 7, name, 1) },
      ];
      expectBytes(out.get(name), "BF16", encodeAll("BF16", tiesMerge(f32(base, name), terms)), name);
    }
  });
});

describe("tvhub apply", () => {
  const out = () => join(work, "applied");

  it(
    "θ = base + 0.3·τ(tv-inverted) − 0.1·τ(tv-upside), bit for bit; the card records the command and reads back " +
      "through inspect",
    async () => {
      const result = json<{ dir: string }>(
        await tvhub([
          "apply",
          "--base",
          "demo/vit-tiny-digits",
          "--vector",
          "demo/vit-tiny-digits-inverted-tv:0.3",
          "--vector",
          "demo/vit-tiny-digits-upside-tv:-1e-1",
          "--to",
          out(),
          "--json",
        ]),
      );
      expect(result.dir).toBe(out());
      const got = await tensorsOf({ dir: out() });
      const [inverted, upside] = await Promise.all([
        vector("demo/vit-tiny-digits-inverted-tv"),
        vector("demo/vit-tiny-digits-upside-tv"),
      ]);
      const base = m.base as SynthModel;
      for (const name of floatNames()) {
        const a = inverted.get(name) as Tensor;
        const b = upside.get(name) as Tensor;
        const expected = referenceMerge(
          { dtype: "BF16", bytes: base.bytesOf(name) },
          [
            { weight: 0.3, tau: a },
            { weight: -0.1, tau: b },
          ],
          "BF16",
        );
        expectBytes(got.get(name), "BF16", expected, name);
      }
      const card = readFileSync(join(out(), "README.md"), "utf8");
      expect(card).toContain(
        "tvhub apply --base demo/vit-tiny-digits --vector demo/vit-tiny-digits-inverted-tv:0.3 --vector " +
          "demo/vit-tiny-digits-upside-tv:-1e-1 --to ",
      );
      expect(card).toContain("θ = θ(base) + 0.3·τ₁ − 0.1·τ₂");
      expect(card).toContain("The same merge as a recipe, for `tvhub merge`:");
      const inspected = json<{ totals: { tensors: number; parameters: number } }>(
        await tvhub(["inspect", out(), "--json"]),
      );
      expect(inspected.totals.tensors).toBe(base.tensors.length);
      const human = await tvhub(["inspect", out()]);
      expect(human.stdout).toContain("BF16");
    },
  );

  it(
    "the recipe it records pins every input to the commit it read, and runs through tvhub merge to the same " + "bytes",
    async () => {
      const record = JSON.parse(readFileSync(join(out(), "tvhub.json"), "utf8")) as { recipe: string; files: unknown };
      expect(record.recipe).toMatch(/^base: demo\/vit-tiny-digits@[0-9a-f]{40}$/m);
      expect(record.recipe).toMatch(/^ {2}- vector: demo\/vit-tiny-digits-upside-tv@[0-9a-f]{40}\n {4}weight: -0\.1$/m);
      const path = join(work, "from-apply.yml");
      writeFileSync(path, record.recipe);
      const again = json<{ files: unknown }>(
        await tvhub(["merge", path, "--to", join(work, "applied-again"), "--json"]),
      );
      expect(again.files).toEqual(record.files);
    },
  );

  it("rejects a weight that is not a number, naming the flag (exit 2)", async () => {
    const run = await tvhub([
      "apply",
      "--base",
      "demo/vit-tiny-digits",
      "--vector",
      "demo/vit-tiny-digits-inverted-tv:half",
      "--to",
      join(work, "never"),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--vector 1 "demo/vit-tiny-digits-inverted-tv:half": the weight after the last colon must be a number',
    );
  });
});

describe("tvhub similarity", () => {
  it(
    "the cosine matrix of vectors and a fine-tune equals a float64 computation over every float tensor, with a " +
      "heatmap",
    async () => {
      const svg = join(work, "similarity.svg");
      const result = json<{
        matrix: Array<Array<number | null>>;
        inputs: Array<{ kind: string; norm: number }>;
        tensors: number;
      }>(
        await tvhub([
          "similarity",
          "demo/vit-tiny-digits-inverted-tv",
          "demo/vit-tiny-digits-upside-tv",
          "demo/vit-tiny-digits-rotated",
          "--base",
          "demo/vit-tiny-digits",
          "--json",
          "--svg",
          svg,
        ]),
      );
      expect(result.inputs.map((i) => i.kind)).toEqual(["vector", "vector", "finetuned"]);
      const base = m.base as SynthModel;
      const [inverted, upside] = await Promise.all([
        vector("demo/vit-tiny-digits-inverted-tv"),
        vector("demo/vit-tiny-digits-upside-tv"),
      ]);
      const taus = floatNames().map((name) =>
        [inverted.get(name) as Tensor, upside.get(name) as Tensor]
          .map((t) => decodeAll(t.dtype, t.bytes))
          .concat([tauOf(m.rotated as SynthModel, base, name)]),
      );
      const dot = (i: number, j: number) =>
        taus.reduce(
          (sum, group) =>
            sum + (group[i] as Float32Array).reduce((s, v, k) => s + v * ((group[j] as Float32Array)[k] as number), 0),
          0,
        );
      for (let i = 0; i < 3; i++) {
        expect(result.inputs[i]?.norm).toBeCloseTo(Math.sqrt(dot(i, i)), 9);
        for (let j = 0; j < 3; j++)
          expect(result.matrix[i]?.[j]).toBeCloseTo(dot(i, j) / Math.sqrt(dot(i, i) * dot(j, j)), 9);
      }
      // Flipped was fine-tuned on top of rotated, so their task vectors point the same way; the others are orthogonal.
      expect(result.matrix[1]?.[2]).toBeGreaterThan(0.5);
      expect(Math.abs(result.matrix[0]?.[1] as number)).toBeLessThan(0.1);
      const picture = readFileSync(svg, "utf8");
      expect(picture.startsWith("<svg")).toBe(true);
      for (const label of [
        "demo/vit-tiny-digits-inverted-tv",
        "demo/vit-tiny-digits-upside-tv",
        "demo/vit-tiny-digits-rotated",
      ])
        expect(picture).toContain(label);
      expect(picture).toContain(`>${(result.matrix[1]?.[2] ?? Number.NaN).toFixed(2)}<`);
    },
  );

  it("published vectors alone need no --base: they record theirs; the table names each input", async () => {
    const run = await tvhub(["similarity", "demo/vit-tiny-digits-inverted-tv", "demo/vit-tiny-digits-upside-tv"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\[1\] demo\/vit-tiny-digits-inverted-tv@[0-9a-f]{10} {2}\(task vector, ‖τ‖ = /m);
    expect(run.stdout).toContain("1.0000");
  });
});

describe("progress and transfer figures", () => {
  it(
    "one download bar per input file, named by repo; every header fetched once; downloaded = the bytes the Hub " +
      "sent",
    async () => {
      const ranges: string[] = [];
      let sent = 0;
      const counting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const url = String(input instanceof Request ? input.url : input);
        const range = new Headers(init?.headers).get("range");
        // Reads of a file's head (bytes=0-0 is the probe every open makes, not a read).
        if (url.includes("/resolve/") && range !== null && /^bytes=0-[1-9]/.test(range)) ranges.push(`${url} ${range}`);
        const body = await response.arrayBuffer();
        if (url.includes("/resolve/") && response.ok && range !== "bytes=0-0") sent += body.byteLength;
        return new Response(body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      };
      const client = createHubClient({
        hubUrl: hub.url,
        accessToken: token,
        cacheDir: join(work, "fresh-cache", "hub"),
        fetch: counting,
      });
      const context = {
        hub: client,
        kernels: createArithmeticKernels(),
        workDir: work,
        cache: true,
        isDirectory: () => false,
        tvhubVersion: "test",
      };
      const labels = new Set<string>();
      await drain(
        merge({
          context,
          recipe: { text: readFileSync(recipe("dare.yml"), "utf8"), source: "dare.yml" },
          to: join(work, "progress-out"),
        }),
        (event) => {
          if (event.type === "progress" && event.phase === "download") labels.add(event.label ?? "");
        },
      );
      // Both fine-tunes hold a model.safetensors: each gets its own bar, which says whose file it is.
      expect([...labels].filter((label) => label.endsWith("/model.safetensors")).sort()).toEqual([
        "demo/vit-tiny-digits-rotated/model.safetensors",
        "demo/vit-tiny-digits-transposed/model.safetensors",
      ]);
      expect([...labels].every((label) => /^demo\/[\w-]+\//.test(label))).toBe(true);
      expect(ranges.length).toBeGreaterThan(0);
      expect(ranges.length, ranges.join("\n")).toBe(new Set(ranges.map((r) => r.split(" ")[0])).size);
      expect(client.stats().bytesDownloaded).toBe(sent);
    },
  );
});

describe("refusals", () => {
  it(
    "a task vector computed against another base is refused from headers, before any weight byte is " + "read",
    async () => {
      const path = join(work, "wrong-base.yml");
      writeFileSync(
        path,
        [
          "version: 1",
          "base: demo/vit-tiny-digits",
          `output: { to: ${join(work, "never-wrong")} }`,
          "vectors:",
          "  - { vector: demo/vit-tiny-digits-other-tv, weight: 1 }",
          "",
        ].join("\n"),
      );
      const reads: Array<[number, number]> = [];
      let downloads = 0;
      const real = createHubClient({ hubUrl: hub.url, accessToken: token, cacheDir: join(home, "hub") });
      const watched: HubClient = {
        ...real,
        hubUrl: real.hubUrl,
        openFile: async (options) => {
          const source = await real.openFile(options);
          return {
            ...source,
            name: source.name,
            size: source.size,
            read: (start, end) => (reads.push([start, end]), source.read(start, end)),
          };
        },
        downloadToCache: (options) => {
          downloads++;
          return real.downloadToCache(options);
        },
      };
      const context = {
        hub: watched,
        kernels: createArithmeticKernels(),
        workDir: work,
        cache: true,
        isDirectory: () => false,
        tvhubVersion: "test",
      };
      const error = await drain(
        merge({ context, recipe: { text: readFileSync(path, "utf8"), source: "wrong-base.yml" } }),
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "INCOMPATIBLE" });
      expect((error as Error).message).toContain("BASE_MISMATCH");
      expect((error as Error).message).toContain(
        "demo/vit-tiny-digits-other-tv declares base_model demo/other-base, not demo/vit-tiny-digits",
      );
      expect(downloads).toBe(0);
      expect(reads.length).toBeGreaterThan(0);
      // Only the 8-byte length prefixes and the JSON headers.
      expect(reads.every(([start]) => start === 0 || start === 8)).toBe(true);
      expect(readdirSync(work)).not.toContain("never-wrong");
    },
  );

  it("an invalid recipe names the field, exit 2, from the built CLI", async () => {
    const path = join(work, "bad.yml");
    writeFileSync(
      path,
      [
        "version: 1",
        "base: demo/vit-tiny-digits",
        "output: { to: ./out }",
        "vectors:",
        "  - { vector: demo/vit-tiny-digits-inverted-tv, weight: 1 }",
        "  - { vector: demo/vit-tiny-digits-upside-tv, weight: high }",
        "",
      ].join("\n"),
    );
    const run = await runCli(["merge", path], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("vectors[1].weight: expected a number");
    expect(run.stdout).toBe("");
  });

  it("publishing over one of the inputs is refused before anything is read", async () => {
    const run = await tvhub(["merge", recipe("negation.yml"), "--to", "demo/vit-tiny-digits-rotated"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("The output demo/vit-tiny-digits-rotated is also an input of the merge");
  });
});
