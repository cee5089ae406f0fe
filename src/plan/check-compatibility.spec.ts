import { describe, expect, it } from "vitest";
import type { LocatedTensor } from "../safetensors/types.js";
import {
  checkCompatibility,
  type CheckedInput,
  type CompatibilityReport,
  type Finding,
} from "./check-compatibility.js";
import { formatCompatibilityReport } from "./format-compatibility-report.js";
import { bytesOf, decoderTensorSpecs, locateTensors } from "./testing/model-headers.js";
import { readConfig, readTotalSize, realModel, type RealModelOptions } from "./testing/real-models.js";
import type { ResolvedModel } from "./types.js";

const llamaId = "meta-llama--Llama-3.1-8B";
const irfanId = "Irfanuruchi--Llama-3.1-8B-Computer-Networks-LLM";
/** A real model with its tensors placed by its own index. */
const byOwnIndex = (id: string, options: Omit<RealModelOptions, "id" | "weightMapOf"> = {}) =>
  realModel({ id, weightMapOf: id, ...options });
const base = byOwnIndex(llamaId, { revision: "d04e592bb4f6aa9cfee91e2e20afa771667e1d4b" });
const finetuneCard = { base_model: "meta-llama/Llama-3.1-8B" };

function finetuned(model: ResolvedModel, card: Record<string, unknown> | undefined = finetuneCard): CheckedInput {
  return { ...model, kind: "finetuned", ...(card === undefined ? {} : { card }) };
}

function codes(report: CompatibilityReport): string[] {
  return report.findings.map((f) => `${f.severity} ${f.code} ${f.subject}`);
}

function only(report: CompatibilityReport, code: string): Finding {
  const found = report.findings.filter((f) => f.code === code);
  expect(found).toHaveLength(1);
  return found[0] as Finding;
}

describe("the fixtures reproduce the real indexes", () => {
  it.each([
    [llamaId, 291],
    [irfanId, 739],
  ])("%s: %i tensors, as many bytes as its index's total_size", (id, count) => {
    const model = byOwnIndex(id);
    expect(model.tensors).toHaveLength(count);
    expect(model.tensors.reduce((n, t) => n + t.end - t.begin, 0)).toBe(readTotalSize(id));
  });
});

describe("checkCompatibility on real configs", () => {
  it("a fine-tune with the base's layout and a card naming the base: nothing to report", () => {
    const report = checkCompatibility({
      base,
      inputs: [finetuned(realModel({ id: llamaId, ref: "org/llama-math", weightMapOf: llamaId }))],
    });
    expect(report).toMatchObject({ ok: true, counts: { error: 0, lineage: 0, warning: 0 }, findings: [] });
    expect(formatCompatibilityReport({ report })).toBe("org/llama-math vs base meta-llama/Llama-3.1-8B: compatible\n");
  });

  it("TAIDE grew the vocabulary by 60,000 tokens: its own error code, naming the option that handles it", () => {
    const taide = finetuned(byOwnIndex("TLLM--Llama-3.1-TAIDE-LX-8B-Chat"), {});
    const report = checkCompatibility({ base, inputs: [taide] });
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual(["error VOCAB_MISMATCH vocab_size", "warning UNKNOWN_LINEAGE base_model"]);
    const vocab = only(report, "VOCAB_MISMATCH");
    expect(vocab.tensors).toEqual(["model.embed_tokens.weight", "lm_head.weight"]);
    expect(vocab.message).toBe(
      "TLLM/Llama-3.1-TAIDE-LX-8B-Chat has 188256 vocabulary rows where meta-llama/Llama-3.1-8B has 128256 " +
        "(model.embed_tokens.weight, lm_head.weight): the fine-tune added 60000 tokens; set vocab: extend in the " +
        "recipe (--vocab extend on the command line) to merge the 128256 shared rows and take the 60000 added " +
        "rows from the fine-tune.",
    );

    const extended = checkCompatibility({ base, inputs: [taide], vocab: "extend" });
    expect(extended.ok).toBe(true);
    expect(codes(extended)).toEqual(["warning UNKNOWN_LINEAGE base_model", "warning VOCAB_MISMATCH vocab_size"]);
    expect(only(extended, "VOCAB_MISMATCH").message).toContain(
      "the 60000 added rows, with the tokenizer, come from TLLM/Llama-3.1-TAIDE-LX-8B-Chat",
    );
  });

  it(
    "FlagAlpha (Llama 3, F16): rope/context warnings with identical shapes, a dtype note, and a lineage " + "mismatch",
    () => {
      const flag = finetuned(realModel({ id: "FlagAlpha--Llama3-Chinese-8B-Instruct", weightMapOf: llamaId }), {
        base_model: "meta-llama/Meta-Llama-3-8B-Instruct",
      });
      const report = checkCompatibility({ base, inputs: [flag] });
      expect(codes(report)).toEqual([
        "lineage BASE_MISMATCH base_model",
        "warning CONTEXT_MISMATCH rope_scaling",
        "warning CONTEXT_MISMATCH max_position_embeddings",
        "warning DTYPE_DIFFERS dtype",
      ]);
      expect(report.ok).toBe(false);
      expect(report.findings.find((f) => f.subject === "max_position_embeddings")?.message).toBe(
        "max_position_embeddings is 8192 in FlagAlpha/Llama3-Chinese-8B-Instruct and 131072 in " +
          "meta-llama/Llama-3.1-8B; no tensor shape depends on it, but different position settings (Llama 3 vs " +
          "3.1, say) often mean a different base, so check which base FlagAlpha/Llama3-Chinese-8B-Instruct was " +
          "fine-tuned from.",
      );
      expect(report.findings.find((f) => f.subject === "rope_scaling")?.message).toContain(
        "rope_scaling is absent in FlagAlpha/Llama3-Chinese-8B-Instruct and " +
          '{"factor":8,"high_freq_factor":4,"low_freq_factor":1,' +
          '"original_max_position_embeddings":8192,"rope_type":"llama3"} ' +
          "in meta-llama/Llama-3.1-8B",
      );
      const dtype = only(report, "DTYPE_DIFFERS");
      expect(dtype.tensors).toHaveLength(291);
      expect(dtype.message).toContain(
        "291 tensors of FlagAlpha/Llama3-Chinese-8B-Instruct are F16 where meta-llama/Llama-3.1-8B has BF16",
      );
      expect(only(report, "BASE_MISMATCH").message).toBe(
        "FlagAlpha/Llama3-Chinese-8B-Instruct declares base_model meta-llama/Meta-Llama-3-8B-Instruct, not " +
          "meta-llama/Llama-3.1-8B; a task vector against another base is noise, so use that base, or --force if " +
          "you know meta-llama/Llama-3.1-8B holds the same weights.",
      );

      const forced = checkCompatibility({ base, inputs: [flag], force: true });
      expect(forced).toMatchObject({ ok: true, forced: true, counts: { error: 0, lineage: 1, warning: 3 } });
    },
  );

  it("Irfanuruchi is quantized (bitsandbytes int8): refused, with the quantized tensors named", () => {
    const quantized = finetuned(byOwnIndex(irfanId));
    const report = checkCompatibility({ base, inputs: [quantized], force: true });
    expect(report.ok).toBe(false);
    expect(only(report, "QUANTIZED").message).toBe(
      "Irfanuruchi/Llama-3.1-8B-Computer-Networks-LLM is quantized (quantization_config, quant_method " +
        "bitsandbytes); quantized weights are not arithmetic-compatible, so use the unquantized fine-tune " +
        "(usually the repo this one was quantized from).",
    );
    const notComputable = only(report, "NOT_COMPUTABLE");
    expect(notComputable.tensors).toHaveLength(224);
    expect(notComputable.message).toContain(
      "224 tensors are I8 in Irfanuruchi/Llama-3.1-8B-Computer-Networks-LLM but BF16 in meta-llama/Llama-3.1-8B",
    );
    const extra = report.findings.filter((f) => f.code === "EXTRA_TENSOR");
    expect(extra).toHaveLength(448);
    expect(extra.every((f) => /\.(SCB|weight_format)$/.test(f.subject))).toBe(true);
    expect(report.findings.find((f) => f.code === "CONTEXT_MISMATCH")?.subject).toBe("rope_scaling");
    expect(only(report, "DTYPE_DIFFERS").tensors).toHaveLength(67);
    expect(report.counts).toEqual({ error: 450, lineage: 0, warning: 2 });

    const text = formatCompatibilityReport({ report, maxLines: 8 });
    expect(text.split("\n")[0]).toBe(
      "Irfanuruchi/Llama-3.1-8B-Computer-Networks-LLM vs base meta-llama/Llama-3.1-8B: not compatible (450 errors, " +
        "2 warnings)",
    );
    expect(text).toContain("  QUANTIZED  Irfanuruchi/");
    expect(text).toContain(
      "  EXTRA_TENSOR  ...and 445 more like this for Irfanuruchi/Llama-3.1-8B-Computer-Networks-LLM",
    );
    expect(text.split("\n").filter((line) => line.startsWith("  ")).length).toBeLessThanOrEqual(8 + 2);
  });

  it("gpt2 vs gpt2-large: every size field and shape differs (legacy key names compared by meaning)", () => {
    const gpt2 = realModel({ id: "openai-community--gpt2" });
    const large = finetuned(realModel({ id: "openai-community--gpt2-large" }), { base_model: "openai-community/gpt2" });
    const report = checkCompatibility({ base: gpt2, inputs: [large] });
    const sizes = report.findings.filter((f) => f.code === "SIZE_MISMATCH");
    expect(sizes.map((f) => f.subject)).toEqual(["hidden_size", "num_hidden_layers", "num_attention_heads"]);
    expect(sizes[0]?.message).toBe(
      "hidden_size (n_embd) is 1280 in openai-community/gpt2-large and 768 in openai-community/gpt2; the models " +
        "have different shapes, so openai-community/gpt2-large was not fine-tuned from this base.",
    );
    expect(report.findings.find((f) => f.subject === "wte.weight")?.code).toBe("SHAPE_MISMATCH");
    expect(report.findings.find((f) => f.subject === "wte.weight")?.message).toContain(
      "wte.weight is [50257, 1280] in openai-community/gpt2-large but [50257, 768]",
    );
    // 24 extra layers of 12 parameters each, plus their causal-mask buffers (warnings, not errors).
    expect(report.findings.filter((f) => f.code === "EXTRA_TENSOR")).toHaveLength(24 * 12);
    expect(report.findings.filter((f) => f.code === "BUFFER_DIFFERS" && f.subject.startsWith("h.3"))).toHaveLength(6);
    expect(report.ok).toBe(false);
  });
});

describe("lineage", () => {
  const ft = realModel({ id: llamaId, ref: "org/ft", weightMapOf: llamaId });
  const check = (card: Record<string, unknown> | null, extra: Partial<Parameters<typeof checkCompatibility>[0]> = {}) =>
    checkCompatibility({
      base,
      inputs: [card === null ? { ...ft, kind: "finetuned" } : finetuned(ft, card)],
      ...extra,
    });

  it("no card or no base_model: unknown lineage, a warning", () => {
    for (const card of [null, {}, { base_model: [] }, { base_model: "  " }, { base_model: 7 }]) {
      expect(codes(check(card))).toEqual(["warning UNKNOWN_LINEAGE base_model"]);
    }
    expect(check(null).ok).toBe(true);
  });

  it("a list of bases passes when it contains the given base; a URL form is understood", () => {
    expect(check({ base_model: ["org/other", "meta-llama/Llama-3.1-8B"] }).findings).toEqual([]);
    expect(check({ base_model: "https://huggingface.co/meta-llama/Llama-3.1-8B" }).findings).toEqual([]);
  });

  it("only the casing differs: a warning that says so", () => {
    const report = check({ base_model: "Meta-Llama/llama-3.1-8b" });
    expect(codes(report)).toEqual(["warning BASE_CASING base_model"]);
    expect(report.findings[0]?.message).toBe(
      "org/ft declares base_model Meta-Llama/llama-3.1-8b, which differs from meta-llama/Llama-3.1-8B only in " +
        "letter case; the Hub treats repo ids case-insensitively, so it is the same repo.",
    );
  });

  it("an old name the Hub redirects is accepted when the caller resolved it as an alias", () => {
    const card = { base_model: "meta-llama/Meta-Llama-3.1-8B" };
    expect(codes(check(card))).toEqual(["lineage BASE_MISMATCH base_model"]);
    expect(check(card, { baseAliases: ["meta-llama/Meta-Llama-3.1-8B"] }).findings).toEqual([]);
  });

  it("a fine-tune of the base's own parent: the message says τ would undo the base's fine-tuning", () => {
    const instruct = {
      ...base,
      ref: "org/llama-instruct",
      repo: "org/llama-instruct",
      card: { base_model: "meta-llama/Llama-3.1-8B" },
    };
    const report = checkCompatibility({ base: instruct, inputs: [finetuned(ft)] });
    expect(only(report, "BASE_MISMATCH").message).toContain(
      "(meta-llama/Llama-3.1-8B is the parent of org/llama-instruct, so τ would also undo org/llama-instruct's own " +
        "fine-tuning)",
    );
  });

  it("a local base cannot be compared with a declared base", () => {
    const local: ResolvedModel = { ref: "./models/base", config: base.config ?? {}, tensors: base.tensors };
    const report = checkCompatibility({ base: local, inputs: [finetuned(ft)] });
    expect(codes(report)).toEqual(["warning LINEAGE_UNVERIFIED base_model"]);
  });

  it("the base itself as the fine-tune", () => {
    const same = { ...base, ref: "meta-llama/Llama-3.1-8B@main" };
    expect(codes(checkCompatibility({ base, inputs: [finetuned(same)] }))).toEqual(["warning SAME_AS_BASE ref"]);
  });

  it("a PEFT adapter is not a fine-tune with full weights", () => {
    const report = check({ base_model: "meta-llama/Llama-3.1-8B", library_name: "peft" });
    expect(only(report, "ADAPTER").severity).toBe("error");
  });
});

describe("task-vector inputs", () => {
  const vectorTensors = base.tensors
    .filter((t) => t.name.includes("layers.0."))
    .map((t) => ({ ...t, dtype: "F32" as const, end: t.begin + (t.end - t.begin) * 2 }));
  const vector = (tensors: LocatedTensor[], record?: Record<string, unknown>): CheckedInput => ({
    ref: "org/math-tv",
    repo: "org/math-tv",
    kind: "vector",
    card: { base_model: "meta-llama/Llama-3.1-8B" },
    tensors,
    ...(record === undefined ? {} : { record }),
  });

  it("may omit tensors (zero deltas) and store another float dtype without a finding", () => {
    expect(checkCompatibility({ base, inputs: [vector(vectorTensors)] }).findings).toEqual([]);
  });

  it("take the base from tvhub.json; another commit of it is a lineage finding unless its weights are the same", () => {
    const other = "0123456789abcdef0123456789abcdef01234567";
    const inputs = [vector(vectorTensors, { base: { repo: "meta-llama/Llama-3.1-8B", revision: other } })];
    const report = checkCompatibility({ base, inputs });
    expect(codes(report)).toEqual(["lineage BASE_REVISION_DIFFERS base.revision"]);
    expect(report.ok).toBe(false);
    expect(report.findings[0]?.message).toContain("pin the base to meta-llama/Llama-3.1-8B@0123456789ab");
    expect(checkCompatibility({ base, inputs, force: true }).ok).toBe(true);
    expect(checkCompatibility({ base, inputs, sameWeightRevisions: [other] }).findings).toEqual([]);
    const wrong = checkCompatibility({ base, inputs: [vector(vectorTensors, { base: { repo: "org/other" } })] });
    expect(codes(wrong)).toEqual(["lineage BASE_MISMATCH base_model"]);
  });

  it("never hold integer tensors or tensors the base lacks", () => {
    const bad = [
      ...vectorTensors.map((t) => (t.name.endsWith("up_proj.weight") ? { ...t, dtype: "I32" as const } : t)),
      { ...(vectorTensors[0] as LocatedTensor), name: "extra.weight" },
    ];
    const report = checkCompatibility({ base, inputs: [vector(bad)] });
    expect(codes(report)).toEqual(["error NOT_COMPUTABLE dtype", "error EXTRA_TENSOR extra.weight"]);
    expect(only(report, "NOT_COMPUTABLE").message).toBe(
      "org/math-tv holds 1 I32 tensor (e.g. model.layers.0.mlp.up_proj.weight); a task vector only holds float " +
        "tensors, so it was not written by tvhub or is damaged.",
    );
  });
});

describe("tensor-level findings", () => {
  const llamaConfig = readConfig(llamaId);
  const tiny = (config: Record<string, unknown>, dtype: "BF16" | "F8_E4M3" = "BF16") =>
    locateTensors({ specs: decoderTensorSpecs({ ...config, num_hidden_layers: 1 }, dtype) });
  const tinyBase: ResolvedModel = {
    ref: "org/base",
    repo: "org/base",
    config: { ...llamaConfig, num_hidden_layers: 1 },
    tensors: tiny(llamaConfig),
  };
  const ftCard = { base_model: "org/base" };
  const input = (
    tensors: LocatedTensor[],
    config: Record<string, unknown> = tinyBase.config ?? {},
    ref = "org/ft",
  ): CheckedInput => ({ ref, repo: ref, kind: "finetuned", config, card: ftCard, tensors });

  it("missing tensor, shape mismatch and an 8-bit float format", () => {
    const tensors = tinyBase.tensors
      .filter((t) => t.name !== "model.norm.weight")
      .map((t) =>
        t.name.endsWith("q_proj.weight")
          ? { ...t, shape: [4096, 4095] }
          : t.name.endsWith("up_proj.weight")
            ? { ...t, dtype: "F8_E4M3" as const }
            : t,
      );
    const report = checkCompatibility({ base: tinyBase, inputs: [input(tensors)] });
    expect(codes(report)).toEqual([
      "error UNSUPPORTED_DTYPE dtype",
      "error SHAPE_MISMATCH model.layers.0.self_attn.q_proj.weight",
      "error MISSING_TENSOR model.norm.weight",
    ]);
  });

  it("a checkpoint saved under another prefix is one finding, not hundreds", () => {
    const prefixed = tinyBase.tensors.map((t) => ({ ...t, name: `transformer.${t.name}` }));
    const report = checkCompatibility({ base: tinyBase, inputs: [input(prefixed)] });
    expect(codes(report)).toEqual(["error NAME_PREFIX_MISMATCH transformer."]);
    expect(report.findings[0]?.message).toContain(
      'names its tensors with the prefix "transformer." that org/base lacks (12 tensors)',
    );
  });

  it("a fine-tune with an untied head on a tied base: the extra lm_head is explained", () => {
    const qwen = readConfig("Qwen--Qwen2.5-0.5B");
    const tied: ResolvedModel = {
      ref: "Qwen/Qwen2.5-0.5B",
      repo: "Qwen/Qwen2.5-0.5B",
      config: qwen,
      tensors: locateTensors({ specs: decoderTensorSpecs(qwen, "BF16") }),
    };
    const untied = locateTensors({ specs: decoderTensorSpecs({ ...qwen, tie_word_embeddings: false }, "BF16") });
    const report = checkCompatibility({
      base: tied,
      inputs: [
        {
          ref: "org/qwen-ft",
          kind: "finetuned",
          config: { ...qwen, tie_word_embeddings: false },
          card: { base_model: "Qwen/Qwen2.5-0.5B" },
          tensors: untied,
        },
      ],
    });
    expect(codes(report)).toEqual(["error EXTRA_TENSOR lm_head.weight"]);
    expect(report.findings[0]?.message).toContain(
      "the base ties its head to the input embeddings; this fine-tune stores an untied one",
    );
  });

  it(
    "architecture and model_type mismatch (Mistral vs Llama), and Mistral's missing head_dim is not a size " +
      "mismatch",
    () => {
      const mistral = readConfig("mistralai--Mistral-7B-v0.1");
      const report = checkCompatibility({
        base: { ...tinyBase, config: { ...mistral, num_hidden_layers: 1, vocab_size: 128256 } },
        inputs: [
          input(tinyBase.tensors, {
            ...mistral,
            head_dim: 128,
            num_hidden_layers: 1,
            vocab_size: 128256,
            architectures: ["LlamaForCausalLM"],
            model_type: "llama",
          }),
        ],
      });
      expect(codes(report).filter((c) => c.startsWith("error"))).toEqual([
        "error ARCHITECTURE_MISMATCH architectures",
        "error MODEL_TYPE_MISMATCH model_type",
      ]);
    },
  );

  it("a shrunk vocabulary is an error even with vocab: extend", () => {
    const shrunk = tiny({ ...llamaConfig, vocab_size: 128000 });
    const report = checkCompatibility({
      base: tinyBase,
      inputs: [input(shrunk, { ...llamaConfig, num_hidden_layers: 1, vocab_size: 128000 })],
      vocab: "extend",
    });
    expect(codes(report)).toEqual(["error VOCAB_MISMATCH vocab_size"]);
    expect(report.findings[0]?.message).toContain(
      "its vocabulary shrank, and vocab: extend only handles a fine-tune that added tokens",
    );
  });

  it("two inputs that grow the vocabulary to different sizes cannot be merged", () => {
    const a = input(
      tiny({ ...llamaConfig, vocab_size: 130000 }),
      { ...llamaConfig, num_hidden_layers: 1, vocab_size: 130000 },
      "org/a",
    );
    const b = input(
      tiny({ ...llamaConfig, vocab_size: 131000 }),
      { ...llamaConfig, num_hidden_layers: 1, vocab_size: 131000 },
      "org/b",
    );
    const same = input(
      tiny({ ...llamaConfig, vocab_size: 130000 }),
      { ...llamaConfig, num_hidden_layers: 1, vocab_size: 130000 },
      "org/c",
    );
    expect(codes(checkCompatibility({ base: tinyBase, inputs: [a, b], vocab: "extend" }))[0]).toBe(
      "error VOCAB_CONFLICT vocab_size",
    );
    expect(checkCompatibility({ base: tinyBase, inputs: [a, same], vocab: "extend" }).ok).toBe(true);
  });

  it("vocab_size differs in config.json but the tensors agree: a warning", () => {
    const report = checkCompatibility({
      base: tinyBase,
      inputs: [input(tinyBase.tensors, { ...llamaConfig, num_hidden_layers: 1, vocab_size: 128320 })],
    });
    expect(codes(report)).toEqual(["warning VOCAB_SIZE_FIELD vocab_size"]);
  });

  it("integer tensors: copied from the base, a note; a differing buffer, a warning", () => {
    const withIds = [
      ...tinyBase.tensors,
      {
        name: "model.position_ids",
        dtype: "I64" as const,
        shape: [1, 8],
        file: "model.safetensors",
        begin: 0,
        end: 64,
      },
    ];
    const b: ResolvedModel = { ...tinyBase, tensors: withIds };
    const ftIds = withIds.map((t) => (t.dtype === "I64" ? { ...t, shape: [1, 16], end: 128 } : t));
    const report = checkCompatibility({ base: b, inputs: [input(ftIds)] });
    expect(codes(report)).toEqual(["warning NON_FLOAT_COPIED dtype", "warning BUFFER_DIFFERS model.position_ids"]);
  });

  it("no config.json on either side: warnings, tensors still checked", () => {
    const { config: _config, ...bare } = tinyBase;
    const report = checkCompatibility({
      base: bare,
      inputs: [{ ...input(tinyBase.tensors), config: undefined } as unknown as CheckedInput],
    });
    expect(codes(report)).toEqual(["warning CONFIG_MISSING config.json", "warning CONFIG_MISSING config.json"]);
  });

  it("no tensors at all", () => {
    const report = checkCompatibility({ base: tinyBase, inputs: [input([])] });
    expect(codes(report)).toEqual(["error NO_TENSORS safetensors"]);
  });

  it("the report is plain data for --json", () => {
    const report = checkCompatibility({ base: tinyBase, inputs: [input(tinyBase.tensors.slice(1))] });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(bytesOf({ dtype: "BF16", shape: [2, 3] })).toBe(12);
  });
});
