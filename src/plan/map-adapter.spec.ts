import { describe, expect, it } from "vitest";
import type { LocatedTensor } from "../safetensors/types.js";
import type { Dtype } from "../tensor/dtype.js";
import { mapAdapter } from "./map-adapter.js";
import { parseLoraConfig } from "./parse-lora-config.js";
import type { ResolvedModel } from "./types.js";

const tensor = (name: string, shape: number[], dtype: Dtype = "F32"): LocatedTensor =>
  ({ name, dtype, shape, begin: 0, end: 0, file: "x.safetensors" }) as LocatedTensor;
const base = (tensors: LocatedTensor[]): ResolvedModel => ({ ref: "org/base", tensors });
const adapter = (tensors: LocatedTensor[], config: Record<string, unknown> = {}) => ({
  ref: "org/lora",
  tensors,
  adapter: {
    config: parseLoraConfig({ ref: "org/lora", config: { peft_type: "LORA", r: 2, lora_alpha: 4, ...config } }),
  },
});
const p = "base_model.model.";

describe("mapAdapter", () => {
  it(
    "maps Linear, Conv1D (GPT-2's unprefixed checkpoint names) and embedding factors to base tensors, from " + "shapes",
    () => {
      const mapping = mapAdapter({
        base: base([
          tensor("model.q.weight", [6, 4]),
          tensor("h.0.attn.c_attn.weight", [4, 12]),
          tensor("model.embed.weight", [10, 4]),
        ]),
        adapter: adapter([
          tensor(`${p}model.q.lora_A.weight`, [2, 4]),
          tensor(`${p}model.q.lora_B.weight`, [6, 2]),
          tensor(`${p}transformer.h.0.attn.c_attn.lora_A.weight`, [2, 4]),
          tensor(`${p}transformer.h.0.attn.c_attn.lora_B.weight`, [12, 2]),
          tensor(`${p}model.embed.lora_embedding_A`, [2, 10]),
          tensor(`${p}model.embed.lora_embedding_B`, [4, 2]),
        ]),
      });
      expect(mapping.terms.get("model.q.weight")).toMatchObject({ kind: "lora", transpose: false, rank: 2, scale: 2 });
      expect(mapping.terms.get("h.0.attn.c_attn.weight")).toMatchObject({
        kind: "lora",
        transpose: true,
        module: "transformer.h.0.attn.c_attn",
      });
      expect(mapping.terms.get("model.embed.weight")).toMatchObject({ kind: "lora", transpose: true });
    },
  );

  it("lets fan_in_fan_out decide only a square weight's layout", () => {
    const tensors = [tensor(`${p}h.0.c_proj.lora_A.weight`, [2, 4]), tensor(`${p}h.0.c_proj.lora_B.weight`, [4, 2])];
    const square = base([tensor("h.0.c_proj.weight", [4, 4])]);
    expect(
      mapAdapter({ base: square, adapter: adapter(tensors, { fan_in_fan_out: true }) }).terms.get("h.0.c_proj.weight"),
    ).toMatchObject({ transpose: true });
    expect(mapAdapter({ base: square, adapter: adapter(tensors) }).terms.get("h.0.c_proj.weight")).toMatchObject({
      transpose: false,
    });
  });

  it("accepts keys that kept one adapter name or lost the prefix; refuses several adapters", () => {
    const b = base([tensor("q.weight", [3, 3])]);
    expect(
      mapAdapter({
        base: b,
        adapter: adapter([
          tensor(`${p}q.lora_A.default.weight`, [2, 3]),
          tensor(`${p}q.lora_B.default.weight`, [3, 2]),
        ]),
      }).terms.has("q.weight"),
    ).toBe(true);
    expect(
      mapAdapter({
        base: b,
        adapter: adapter([tensor("q.lora_A.weight", [2, 3]), tensor("q.lora_B.weight", [3, 2])]),
      }).terms.has("q.weight"),
    ).toBe(true);
    expect(() =>
      mapAdapter({
        base: b,
        adapter: adapter([tensor(`${p}q.lora_A.one.weight`, [2, 3]), tensor(`${p}q.lora_B.two.weight`, [3, 2])]),
      }),
    ).toThrow(/several adapters \(one, two\)/);
  });

  it("full copies and biases are saved − base; a lora_B bias without lora_bias is ignored, as PEFT does", () => {
    const mapping = mapAdapter({
      base: base([tensor("q.weight", [3, 3]), tensor("q.bias", [3]), tensor("head.weight", [2, 3])]),
      adapter: adapter([
        tensor(`${p}q.lora_A.weight`, [2, 3]),
        tensor(`${p}q.lora_B.weight`, [3, 2]),
        tensor(`${p}q.lora_B.bias`, [3]),
        tensor(`${p}q.base_layer.bias`, [3]),
        tensor(`${p}head.weight`, [2, 3]),
      ]),
    });
    expect(mapping.terms.get("q.bias")).toEqual({ kind: "full", name: "q.bias", saved: `${p}q.base_layer.bias` });
    expect(mapping.terms.get("head.weight")).toEqual({ kind: "full", name: "head.weight", saved: `${p}head.weight` });
    expect(mapping.ignored).toEqual([`${p}q.lora_B.bias`]);
  });

  it(
    "refuses a missing factor, a convolution, a wrong rank, a full copy of another shape and a quantized " + "factor",
    () => {
      const b = base([tensor("q.weight", [3, 3]), tensor("conv.weight", [3, 3, 1, 1])]);
      const refuse =
        (tensors: LocatedTensor[], config = {}) =>
        () =>
          mapAdapter({ base: b, adapter: adapter(tensors, config) });
      expect(refuse([tensor(`${p}q.lora_A.weight`, [2, 3])])).toThrow(/has no B factor/);
      expect(
        refuse([tensor(`${p}conv.lora_A.weight`, [2, 3, 1, 1]), tensor(`${p}conv.lora_B.weight`, [3, 2, 1, 1])]),
      ).toThrow(/convolutions is not implemented/);
      expect(refuse([tensor(`${p}q.lora_A.weight`, [2, 3]), tensor(`${p}q.lora_B.weight`, [3, 2])], { r: 4 })).toThrow(
        /rank 2 but adapter_config.json gives q r = 4/,
      );
      expect(refuse([tensor(`${p}q.weight`, [3, 4])])).toThrow(/is \[3, 4\] but q.weight is \[3, 3\]/);
      expect(refuse([tensor(`${p}q.lora_A.weight`, [2, 3], "I8"), tensor(`${p}q.lora_B.weight`, [3, 2])])).toThrow(
        /is I8/,
      );
    },
  );
});
