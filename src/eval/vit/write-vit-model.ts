import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InternalError } from "../../errors.js";
import { createFileSink } from "../../safetensors/file-sink.js";
import { createTensorWriter } from "../../safetensors/create-tensor-writer.js";
import { layoutFile } from "../../safetensors/layout-file.js";
import type { WrittenFile } from "../../safetensors/types.js";
import type { ComputableDtype } from "../../tensor/dtype.js";
import { encodeFromF32 } from "../../tensor/encode-from-f32.js";
import type { VitConfig } from "./config.js";
import type { ImageProcessor } from "./image-processor.js";
import { vitTensorShapes } from "./tensor-shapes.js";

export interface WriteVitModelOptions {
  /** The folder to write (created when missing). */
  dir: string;
  config: VitConfig;
  processor: ImageProcessor;
  /** Float32 values by Transformers name; every tensor of vitTensorShapes(config). */
  tensors: ReadonlyMap<string, Float32Array>;
  /** @default "F32" */
  dtype?: ComputableDtype;
  /** The model card, README.md, when given. */
  readme?: string;
}

/**
 * Writes a Hub-layout folder that Transformers loads with `ViTForImageClassification.from_pretrained` and
 * `AutoImageProcessor.from_pretrained`: config.json, preprocessor_config.json, model.safetensors, README.md.
 */
export async function writeVitModel(options: WriteVitModelOptions): Promise<WrittenFile> {
  const { dir, config, processor, tensors } = options;
  const dtype = options.dtype ?? "F32";
  await mkdir(dir, { recursive: true });
  const shapes = vitTensorShapes(config);
  for (const [name, shape] of shapes) {
    const values = tensors.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values === undefined || values.length !== size) {
      throw new InternalError(
        `Tensor ${name} must hold ${size} values to be written, not ${values?.length ?? "none"}.`,
        { code: "VIT_WRITE_TENSOR" },
      );
    }
  }
  await writeJson(join(dir, "config.json"), vitConfigJson(config, dtype));
  await writeJson(join(dir, "preprocessor_config.json"), imageProcessorJson(processor, config));
  // Transformers marks PyTorch checkpoints this way; without it some loaders warn that the format is unknown.
  const layout = layoutFile({
    tensors: [...shapes].map(([name, shape]) => ({ name, dtype, shape })),
    metadata: { format: "pt" },
    name: join(dir, "model.safetensors"),
  });
  const writer = await createTensorWriter({
    layout,
    sink: await createFileSink({ path: join(dir, "model.safetensors") }),
    file: "model.safetensors",
  });
  let written: WrittenFile;
  try {
    for (const tensor of layout.tensors)
      await writer.writeTensor(tensor.name, encodeFromF32({ dtype, values: tensors.get(tensor.name) as Float32Array }));
    written = await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  if (options.readme !== undefined) await writeText(join(dir, "README.md"), options.readme);
  return written;
}

const torchDtypes: Record<ComputableDtype, string> = {
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  F64: "float64",
};

/**
 * config.json as `ViTConfig(...).to_json_string()` writes the fields that matter, keys sorted as Transformers sorts
 * them.
 */
export function vitConfigJson(config: VitConfig, dtype: ComputableDtype = "F32"): Record<string, unknown> {
  const size = (pair: [number, number]): number | number[] => (pair[0] === pair[1] ? pair[0] : [...pair]);
  const id2label = Object.fromEntries(config.id2label.map((label, i) => [String(i), label]));
  const label2id = Object.fromEntries(config.id2label.map((label, i) => [label, i]));
  const json: Record<string, unknown> = {
    architectures: ["ViTForImageClassification"],
    attention_probs_dropout_prob: 0,
    encoder_stride: config.patchSize[0],
    hidden_act: config.hiddenAct,
    hidden_dropout_prob: 0,
    hidden_size: config.hiddenSize,
    id2label,
    image_size: size(config.imageSize),
    initializer_range: 0.02,
    intermediate_size: config.intermediateSize,
    label2id,
    layer_norm_eps: config.layerNormEps,
    model_type: "vit",
    num_attention_heads: config.numAttentionHeads,
    num_channels: config.numChannels,
    num_hidden_layers: config.numHiddenLayers,
    patch_size: size(config.patchSize),
    qkv_bias: config.qkvBias,
    torch_dtype: torchDtypes[dtype],
  };
  return json;
}

/** preprocessor_config.json for `ViTImageProcessor`. */
export function imageProcessorJson(processor: ImageProcessor, config: VitConfig): Record<string, unknown> {
  return {
    do_normalize: processor.doNormalize,
    do_rescale: processor.doRescale,
    do_resize: true,
    image_mean: [...processor.imageMean],
    image_processor_type: "ViTImageProcessor",
    image_std: [...processor.imageStd],
    // PIL.Image.BILINEAR, ViTImageProcessor's default.
    resample: 2,
    rescale_factor: processor.rescaleFactor,
    size: { height: config.imageSize[0], width: config.imageSize[1] },
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeText(path, `${JSON.stringify(value, null, 2)}\n`);
}

async function writeText(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}
