import { describe, expect, it } from "vitest";
import { readConfigFields, sameValue, showValue } from "./read-config-fields.js";
import { readConfig } from "./testing/real-models.js";

const sizes = (config: Record<string, unknown>) =>
  Object.fromEntries([...readConfigFields({ config }).sizes].map(([name, f]) => [name, `${f.value} (${f.key})`]));

describe("readConfigFields", () => {
  it("reads GPT-2's legacy names and Transformers' defaults", () => {
    expect(sizes(readConfig("openai-community--gpt2"))).toEqual({
      vocab_size: "50257 (vocab_size)",
      hidden_size: "768 (n_embd)",
      num_hidden_layers: "12 (n_layer)",
      num_attention_heads: "12 (n_head)",
      num_key_value_heads: "12 (default)",
      intermediate_size: "3072 (default)",
      head_dim: "64 (default)",
    });
  });

  it("reads T5's names, decoder depth included", () => {
    expect(sizes(readConfig("google-t5--t5-base"))).toMatchObject({
      hidden_size: "768 (d_model)",
      num_hidden_layers: "12 (num_layers)",
      num_attention_heads: "12 (num_heads)",
      intermediate_size: "3072 (d_ff)",
      head_dim: "64 (d_kv)",
      num_decoder_layers: "12 (default)",
    });
  });

  it("gives Mistral (no head_dim key) the same head_dim as a config that states it", () => {
    const mistral = readConfigFields({ config: readConfig("mistralai--Mistral-7B-v0.1") }).sizes.get("head_dim");
    const llama = readConfigFields({ config: readConfig("TLLM--Llama-3.1-TAIDE-LX-8B-Chat") }).sizes.get("head_dim");
    expect([mistral?.value, mistral?.key, llama?.value, llama?.key]).toEqual([128, "default", 128, "head_dim"]);
  });

  it("normalises rope_scaling: key order, 8.0 vs 8, and the legacy `type` key", () => {
    const meta = readConfigFields({ config: readConfig("meta-llama--Llama-3.1-8B") }).context.get("rope_scaling");
    const taide = readConfigFields({ config: readConfig("TLLM--Llama-3.1-TAIDE-LX-8B-Chat") }).context.get(
      "rope_scaling",
    );
    expect(sameValue(meta, taide)).toBe(true);
    const linear = readConfigFields({
      config: readConfig("Irfanuruchi--Llama-3.1-8B-Computer-Networks-LLM"),
    }).context.get("rope_scaling");
    expect(linear).toEqual({ factor: 8, rope_type: "linear" });
    expect(
      readConfigFields({ config: { rope_scaling: { type: "dynamic", factor: "2.0" } } }).context.get("rope_scaling"),
    ).toEqual({ factor: 2, rope_type: "dynamic" });
    expect(
      readConfigFields({ config: readConfig("FlagAlpha--Llama3-Chinese-8B-Instruct") }).context.has("rope_scaling"),
    ).toBe(false);
  });

  it("reads quantization, architectures, model_type and tying", () => {
    const fields = readConfigFields({ config: readConfig("Irfanuruchi--Llama-3.1-8B-Computer-Networks-LLM") });
    expect([fields.quantization, fields.architectures, fields.modelType, fields.tieWordEmbeddings]).toEqual([
      "bitsandbytes",
      ["LlamaForCausalLM"],
      "llama",
      false,
    ]);
    expect(readConfigFields({ config: { quantization_config: { bits: 4 } } }).quantization).toBe("unknown");
    expect(readConfigFields({ config: { quantization_config: null } }).quantization).toBeUndefined();
  });

  it("ignores values that are not numbers and nulls", () => {
    expect(sizes({ hidden_size: "wide", n_embd: null, d_model: "512" })).toEqual({ hidden_size: "512 (d_model)" });
  });
});

describe("sameValue and showValue", () => {
  it("compare parsed JSON regardless of key order", () => {
    expect(sameValue({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(showValue({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(showValue(undefined)).toBe("absent");
  });
});
