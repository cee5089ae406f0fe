import { describe, expect, it } from "vitest";
import { moduleScaling, parseLoraConfig, patternValue } from "./parse-lora-config.js";

const parse = (config: Record<string, unknown>) =>
  parseLoraConfig({ ref: "org/lora", config: { peft_type: "LORA", ...config } });

describe("parseLoraConfig", () => {
  it("reads PEFT's defaults (r 8, alpha 8, no rsLoRA) and the base", () => {
    const config = parse({ base_model_name_or_path: " meta-llama/Llama-3.1-8B ", revision: null });
    expect(config).toMatchObject({
      r: 8,
      loraAlpha: 8,
      useRslora: false,
      fanInFanOut: false,
      bias: "none",
      modulesToSave: [],
      baseModel: "meta-llama/Llama-3.1-8B",
    });
    expect(config.baseRevision).toBeUndefined();
  });

  it(
    "scales by α/r, α/√r with rsLoRA, and per module by rank_pattern and alpha_pattern (first key in file order " +
      "wins)",
    () => {
      const config = parse({
        r: 16,
        lora_alpha: 32,
        rank_pattern: { "layers.1.mlp.down_proj": 4, down_proj: 8 },
        alpha_pattern: { "^model.layers.0.self_attn.q_proj": 3.5, q_proj: 2 },
      });
      expect(moduleScaling(config, "model.layers.0.self_attn.k_proj")).toEqual({ rank: 16, alpha: 32, scale: 2 });
      expect(moduleScaling(config, "model.layers.1.mlp.down_proj")).toEqual({ rank: 4, alpha: 32, scale: 8 });
      expect(moduleScaling(config, "model.layers.2.mlp.down_proj")).toEqual({ rank: 8, alpha: 32, scale: 4 });
      expect(moduleScaling(config, "model.layers.0.self_attn.q_proj").alpha).toBe(3.5);
      expect(moduleScaling(config, "model.layers.1.self_attn.q_proj").alpha).toBe(2);
      expect(moduleScaling(parse({ r: 16, lora_alpha: 8, use_rslora: true }), "x").scale).toBe(2);
    },
  );

  it("matches pattern keys as PEFT's get_pattern_key: a whole trailing name after a dot, or the whole name", () => {
    const pattern: Array<[string, number]> = [
      ["proj", 1],
      ["^a.b", 2],
    ];
    expect(patternValue(pattern, "model.proj")).toBe(1);
    expect(patternValue(pattern, "proj")).toBe(1);
    expect(patternValue(pattern, "model.q_proj")).toBeUndefined();
    expect(patternValue(pattern, "a.b")).toBe(2);
    expect(patternValue(pattern, "x.a.b")).toBeUndefined();
  });

  it("refuses, naming the field, every type and variant whose update is not s·B·A", () => {
    const refused = (config: Record<string, unknown>) => {
      try {
        parse(config);
      } catch (error) {
        return (error as Error & { subject?: string }).subject;
      }
      return undefined;
    };
    expect(refused({ peft_type: "IA3" })).toBe("peft_type");
    expect(refused({ peft_type: "LOHA" })).toBe("peft_type");
    expect(refused({ use_dora: true })).toBe("use_dora");
    expect(refused({ lora_bias: true })).toBe("lora_bias");
    expect(refused({ target_parameters: ["mlp.experts.down_proj"] })).toBe("target_parameters");
    expect(refused({ layer_replication: [[0, 2]] })).toBe("layer_replication");
    expect(refused({ trainable_token_indices: [1, 2] })).toBe("trainable_token_indices");
    expect(refused({ init_lora_weights: "pissa_niter_4" })).toBe("init_lora_weights");
    expect(refused({ init_lora_weights: "olora" })).toBe("init_lora_weights");
    expect(refused({ r: 0 })).toBe("r");
    expect(refused({ bias: "some" })).toBe("bias");
    expect(refused({ rank_pattern: { q_proj: 2.5 } })).toBe("rank_pattern");
    expect(refused({ alpha_pattern: { "(": 2 } })).toBe("alpha_pattern");
    // Defaults and empty values of the variant fields are plain LoRA.
    expect(
      refused({
        use_dora: false,
        loftq_config: {},
        target_parameters: null,
        init_lora_weights: "gaussian",
        use_bdlora: null,
      }),
    ).toBeUndefined();
  });
});
