import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Tensor } from "@tensorflow/tfjs";
import { DataError } from "../../errors.js";
import type { ImageSet } from "../read-image-set.js";
import type { Tf } from "../load-tf.js";
import { patchCount } from "./config.js";
import { toPatches } from "./image-processor.js";
import type { VitModel } from "./load-vit-model.js";
import { vitTensorShapes } from "./tensor-shapes.js";
import { vitForward } from "./vit-forward.js";

export interface ComputeVitLogitsOptions {
  tf: Tf;
  model: VitModel;
  images: ImageSet;
  /** Images per forward pass. @default 256 */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Runs the model on every image of the set; returns the logits, N × num_labels row-major. */
export async function computeVitLogits(options: ComputeVitLogitsOptions): Promise<Float32Array> {
  const { tf, model, images, signal } = options;
  const { config, processor } = model;
  const batchSize = Math.max(1, options.batchSize ?? 256);
  const [height, width] = config.imageSize;
  if (
    images.height !== height ||
    images.width !== width ||
    processor.size[0] !== height ||
    processor.size[1] !== width
  ) {
    throw new DataError(
      `${images.name} has ${images.height}×${images.width} images but ${model.name} takes ${height}×${width} (its ` +
        `image processor resizes to ${processor.size.join("×")}); give an evaluation set of the model's image ` +
        "size, the evaluator does not resize.",
      { code: "EVAL_IMAGE_SIZE", subject: images.name },
    );
  }
  if (images.channels !== 1 && images.channels !== config.numChannels) {
    throw new DataError(
      `${images.name} has ${images.channels}-channel images but ${model.name} takes ${config.numChannels} channels; ` +
        `give grayscale or ${config.numChannels}-channel images.`,
      {
        code: "EVAL_IMAGE_CHANNELS",
        subject: images.name,
      },
    );
  }
  signal?.throwIfAborted();
  const shapes = vitTensorShapes(config);
  const params = new Map<string, Tensor>();
  const labels = config.numLabels;
  const logits = new Float32Array(images.count * labels);
  const patches = patchCount(config);
  const patchLength = config.numChannels * config.patchSize[0] * config.patchSize[1];
  try {
    for (const [name, shape] of shapes)
      params.set(name, tf.tensor(model.tensors.get(name) as Float32Array, shape, "float32"));
    for (let start = 0; start < images.count; start += batchSize) {
      const count = Math.min(batchSize, images.count - start);
      const input = toPatches({ pixels: images.pixels, channels: images.channels, start, count, config, processor });
      const batch = tf.tidy(() =>
        vitForward({ tf, config, params, patches: tf.tensor3d(input, [count, patches, patchLength]) }),
      );
      try {
        logits.set(await batch.data<"float32">(), start * labels);
      } finally {
        batch.dispose();
      }
      // Lets an abort (a timer, Ctrl-C) land between batches.
      await yieldToEventLoop();
      signal?.throwIfAborted();
    }
  } finally {
    for (const tensor of params.values()) tensor.dispose();
  }
  return logits;
}
