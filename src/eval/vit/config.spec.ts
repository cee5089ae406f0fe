import { describe, expect, it } from "vitest";
import { DataError } from "../../errors.js";
import { parseVitConfig, patchCount } from "./config.js";

const subject = "org/model/config.json";

describe("parseVitConfig", () => {
  it("reads a Transformers ViTConfig and fills ViTConfig's defaults", () => {
    const config = parseVitConfig({
      subject,
      json: {
        architectures: ["ViTForImageClassification"],
        model_type: "vit",
        hidden_size: 64,
        num_attention_heads: 4,
        image_size: 28,
        patch_size: 7,
        num_channels: 1,
        id2label: { "1": "one", "0": "zero" },
      },
    });
    expect(config).toEqual({
      hiddenSize: 64,
      numHiddenLayers: 12,
      numAttentionHeads: 4,
      intermediateSize: 3072,
      hiddenAct: "gelu",
      layerNormEps: 1e-12,
      imageSize: [28, 28],
      patchSize: [7, 7],
      numChannels: 1,
      qkvBias: true,
      numLabels: 2,
      id2label: ["zero", "one"],
    });
    expect(patchCount(config)).toBe(16);
  });

  it("names labels LABEL_i from num_labels when there is no id2label, as PretrainedConfig does", () => {
    expect(parseVitConfig({ subject, json: { num_labels: 3 } }).id2label).toEqual(["LABEL_0", "LABEL_1", "LABEL_2"]);
    expect(parseVitConfig({ subject, json: {} }).numLabels).toBe(2);
  });

  it("accepts image and patch sizes given as pairs", () => {
    const config = parseVitConfig({ subject, json: { image_size: [32, 48], patch_size: [8, 16] } });
    expect(config.imageSize).toEqual([32, 48]);
    expect(patchCount(config)).toBe(12);
  });

  const rejected: Array<[string, Record<string, unknown>, RegExp]> = [
    ["another architecture", { model_type: "bert" }, /model_type.*"bert".*only "vit"/],
    [
      "a ViT without the classification head",
      { architectures: ["ViTModel"] },
      /architectures.*ViTForImageClassification/,
    ],
    [
      "heads that do not divide the width",
      { hidden_size: 10, num_attention_heads: 3 },
      /hidden_size.*multiple of num_attention_heads/,
    ],
    [
      "an image size not made of whole patches",
      { image_size: 30, patch_size: 7 },
      /image_size.*multiple of patch_size/,
    ],
    ["an activation it does not implement", { hidden_act: "mish" }, /hidden_act.*"mish"/],
    ["a fractional width", { hidden_size: 6.5 }, /hidden_size.*positive integer/],
    ["id2label with a gap", { id2label: { "0": "a", "2": "c" } }, /id2label.*keys 0\.\.1/],
    ["num_labels that contradicts id2label", { id2label: { "0": "a" }, num_labels: 4 }, /num_labels.*4.*1 entries/],
  ];
  for (const [what, json, message] of rejected) {
    it(`rejects ${what} with a DataError naming the field`, () => {
      let caught: unknown;
      try {
        parseVitConfig({ subject, json });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DataError);
      expect((caught as DataError).message).toMatch(message);
      expect((caught as DataError).message).toContain(subject);
    });
  }
});
