import type { GradSaveFunc, Tensor, Tensor2D, Tensor3D } from "@tensorflow/tfjs";
import { InternalError } from "../../errors.js";
import type { Tf } from "../load-tf.js";
import { applyActivation } from "./activation.js";
import { patchCount, type VitConfig } from "./config.js";

export interface VitForwardOptions {
  tf: Tf;
  config: VitConfig;
  /** The model's tensors by their Transformers names (see vitTensorShapes), already checked against the config. */
  params: ReadonlyMap<string, Tensor>;
  /**
   * Preprocessed pixels cut into patches: [batch, P, C·ph·pw], patches in row-major grid order and each patch's
   * values in (channel, row, column) order, so that the Conv2d patch projection is one matrix product.
   */
  patches: Tensor3D;
}

/**
 * The forward pass of Transformers' ViTForImageClassification in inference mode: patch projection, CLS token,
 * position embeddings, pre-LayerNorm encoder layers, final LayerNorm and the classifier on the CLS token.
 * Returns the logits [batch, num_labels]. Differentiable, so the demo's training script uses it too; the caller
 * owns the returned tensor (wrap calls in tf.tidy).
 */
export function vitForward(options: VitForwardOptions): Tensor2D {
  const { tf, config, params, patches } = options;
  const param = (name: string): Tensor => {
    const tensor = params.get(name);
    if (tensor === undefined)
      throw new InternalError(
        `The ViT forward pass is missing tensor ${name}; check tensors before the forward pass.`,
        { code: "VIT_MISSING_TENSOR", subject: name },
      );
    return tensor;
  };
  const [batch, count, patchSize] = patches.shape;
  const h = config.hiddenSize;
  const tokens = patchCount(config) + 1;
  if (count !== tokens - 1 || patchSize !== config.numChannels * config.patchSize[0] * config.patchSize[1]) {
    throw new InternalError(
      `Patches have shape [${patches.shape.join(", ")}], not [batch, ${tokens - 1}, ` +
        `${config.numChannels * config.patchSize[0] * config.patchSize[1]}].`,
      { code: "VIT_BAD_PATCHES" },
    );
  }

  const matMul = plainMatMul(tf);
  /** nn.Linear on the last axis: x·Wᵀ + b with W as [out, in]. */
  const linear = (x: Tensor, prefix: string, withBias = true): Tensor => {
    const weight = param(`${prefix}.weight`);
    const [outFeatures, inFeatures] = weight.shape as [number, number];
    const flat = tf.reshape(x, [-1, inFeatures]);
    let y: Tensor = matMul(flat, tf.transpose(weight));
    if (withBias) y = tf.add(y, param(`${prefix}.bias`));
    return tf.reshape(y, [...x.shape.slice(0, -1), outFeatures]);
  };
  const layerNorm = (x: Tensor, prefix: string): Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, config.layerNormEps)));
    return tf.add(tf.mul(normalized, param(`${prefix}.weight`)), param(`${prefix}.bias`));
  };

  const projection = tf.reshape(param("vit.embeddings.patch_embeddings.projection.weight"), [h, patchSize]) as Tensor2D;
  const embedded = tf.add(
    tf.reshape(matMul(tf.reshape(patches, [-1, patchSize]), tf.transpose(projection)), [batch, count, h]),
    param("vit.embeddings.patch_embeddings.projection.bias"),
  );
  const cls = tf.tile(param("vit.embeddings.cls_token"), [batch, 1, 1]);
  let hidden: Tensor = tf.add(tf.concat([cls, embedded], 1), param("vit.embeddings.position_embeddings"));

  const heads = config.numAttentionHeads;
  const headSize = h / heads;
  const scale = 1 / Math.sqrt(headSize);
  const splitHeads = (x: Tensor): Tensor => tf.transpose(tf.reshape(x, [batch, tokens, heads, headSize]), [0, 2, 1, 3]);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `vit.encoder.layer.${i}`;
    const normed = layerNorm(hidden, `${layer}.layernorm_before`);
    const query = splitHeads(linear(normed, `${layer}.attention.attention.query`, config.qkvBias));
    const key = splitHeads(linear(normed, `${layer}.attention.attention.key`, config.qkvBias));
    const value = splitHeads(linear(normed, `${layer}.attention.attention.value`, config.qkvBias));
    const scores = tf.mul(matMul(query, tf.transpose(key, [0, 1, 3, 2])), scale);
    const context = matMul(tf.softmax(scores, -1), value);
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, tokens, h]);
    hidden = tf.add(linear(merged, `${layer}.attention.output.dense`), hidden);
    const intermediate = applyActivation(
      tf,
      config.hiddenAct,
      linear(layerNorm(hidden, `${layer}.layernorm_after`), `${layer}.intermediate.dense`),
    );
    hidden = tf.add(linear(intermediate, `${layer}.output.dense`), hidden);
  }

  // LayerNorm is per token and only the CLS token reaches the classifier, so normalize just that one.
  const clsHidden = tf.reshape(tf.slice(hidden, [0, 0, 0], [batch, 1, h]), [batch, h]);
  return linear(layerNorm(clsHidden, "vit.layernorm"), "classifier") as Tensor2D;
}

type MatMul = (a: Tensor, b: Tensor) => Tensor;
const matMuls = new WeakMap<Tf, MatMul>();

/**
 * tf.matMul whose gradient transposes its operands explicitly instead of asking for transposed products: the wasm
 * backend runs a transposed BatchMatMul some 20–40× slower than a plain one at these sizes (measured on tfjs 4.22),
 * and a plain product with a materialized transpose is exact, so the forward values are unchanged.
 */
function plainMatMul(tf: Tf): MatMul {
  let matMul = matMuls.get(tf);
  if (matMul === undefined) {
    const swapLast = (t: Tensor): Tensor =>
      tf.transpose(
        t,
        [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : 2 * all.length - 3 - i)),
      );
    const product = tf.customGrad((a, b, save) => {
      (save as GradSaveFunc)([a as Tensor, b as Tensor]);
      return {
        value: tf.matMul(a as Tensor, b as Tensor),
        gradFunc: (dy, saved) => {
          const [sa, sb] = saved as [Tensor, Tensor];
          return [tf.matMul(dy as Tensor, swapLast(sb)), tf.matMul(swapLast(sa), dy as Tensor)];
        },
      };
    });
    matMul = (a, b) => product(a, b) as Tensor;
    matMuls.set(tf, matMul);
  }
  return matMul;
}
