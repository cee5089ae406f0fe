import { patchCount, type VitConfig } from "./config.js";

/**
 * Every tensor of a Transformers ViTForImageClassification state dict, by its exact name, with its shape (Linear
 * weights are [out, in], as PyTorch stores them). The query/key/value biases are absent when `qkv_bias` is false.
 */
export function vitTensorShapes(config: VitConfig): Map<string, number[]> {
  const h = config.hiddenSize;
  const shapes = new Map<string, number[]>();
  shapes.set("vit.embeddings.cls_token", [1, 1, h]);
  shapes.set("vit.embeddings.position_embeddings", [1, patchCount(config) + 1, h]);
  shapes.set("vit.embeddings.patch_embeddings.projection.weight", [h, config.numChannels, ...config.patchSize]);
  shapes.set("vit.embeddings.patch_embeddings.projection.bias", [h]);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `vit.encoder.layer.${i}`;
    shapes.set(`${layer}.layernorm_before.weight`, [h]);
    shapes.set(`${layer}.layernorm_before.bias`, [h]);
    for (const part of ["query", "key", "value"]) {
      shapes.set(`${layer}.attention.attention.${part}.weight`, [h, h]);
      if (config.qkvBias) shapes.set(`${layer}.attention.attention.${part}.bias`, [h]);
    }
    shapes.set(`${layer}.attention.output.dense.weight`, [h, h]);
    shapes.set(`${layer}.attention.output.dense.bias`, [h]);
    shapes.set(`${layer}.layernorm_after.weight`, [h]);
    shapes.set(`${layer}.layernorm_after.bias`, [h]);
    shapes.set(`${layer}.intermediate.dense.weight`, [config.intermediateSize, h]);
    shapes.set(`${layer}.intermediate.dense.bias`, [config.intermediateSize]);
    shapes.set(`${layer}.output.dense.weight`, [h, config.intermediateSize]);
    shapes.set(`${layer}.output.dense.bias`, [h]);
  }
  shapes.set("vit.layernorm.weight", [h]);
  shapes.set("vit.layernorm.bias", [h]);
  shapes.set("classifier.weight", [config.numLabels, h]);
  shapes.set("classifier.bias", [config.numLabels]);
  return shapes;
}
