import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "../../errors.js";
import { openLocalModel } from "../../safetensors/open-local-model.js";
import { decodeToF32 } from "../../tensor/decode-to-f32.js";
import { isComputable, type Dtype } from "../../tensor/dtype.js";
import { formatShape } from "../../tensor/shape.js";
import { checkVitTensors } from "./check-vit-tensors.js";
import { parseVitConfig, type VitConfig } from "./config.js";
import { parseImageProcessor, type ImageProcessor } from "./image-processor.js";
import { vitTensorShapes } from "./tensor-shapes.js";

/** A ViTForImageClassification checkpoint ready for the forward pass: float32 tensors by their Transformers names. */
export interface VitModel {
  name: string;
  config: VitConfig;
  processor: ImageProcessor;
  tensors: ReadonlyMap<string, Float32Array>;
}

export interface LoadVitModelOptions {
  /** A folder in Hub layout: config.json, optional preprocessor_config.json, model.safetensors (or shards + index). */
  dir: string;
}

/**
 * Reads a model folder; weights of any float dtype are decoded to float32, and only the tensors the forward pass uses
 * are read.
 */
export async function loadVitModel(options: LoadVitModelOptions): Promise<VitModel> {
  const { dir } = options;
  const configJson = await readJson(join(dir, "config.json"), true);
  const preprocessorJson = await readJson(join(dir, "preprocessor_config.json"), false);
  const config = parseVitConfig({ json: configJson, subject: join(dir, "config.json") });
  const processor = parseImageProcessor({
    json: preprocessorJson,
    subject: join(dir, "preprocessor_config.json"),
    config,
  });
  const model = await openLocalModel({ path: dir, prefixes: ["model"] });
  try {
    const located = new Map(
      model
        .tensors()
        .map((tensor) => [
          tensor.name,
          { length: tensor.shape.reduce((a, b) => a * b, 1), shape: tensor.shape, dtype: tensor.dtype },
        ]),
    );
    checkVitTensors({ name: dir, config, tensors: located });
    const tensors = new Map<string, Float32Array>();
    for (const name of vitTensorShapes(config).keys()) {
      const { dtype, shape } = located.get(name) as { dtype: Dtype; shape: number[] };
      if (!isComputable(dtype)) {
        throw new DataError(
          `${dir}: tensor ${name} (${formatShape(shape)}) is ${dtype}, but a ViT weight must be F32, F16, BF16 or ` +
            "F64; re-save the model with a float dtype.",
          {
            code: "VIT_BAD_DTYPE",
            subject: `${dir}:${name}`,
          },
        );
      }
      tensors.set(name, decodeToF32({ dtype, bytes: await model.readTensor(name) }));
    }
    return { name: dir, config, processor, tensors };
  } finally {
    await model.close();
  }
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return undefined;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new DataError(
        `${path} does not exist; a model folder in Hub layout has a config.json next to its safetensors weights.`,
        { code: "VIT_NO_CONFIG", subject: path },
      );
    }
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DataError(`${path} is not valid JSON (${(error as Error).message}); fix or regenerate it.`, {
      code: "VIT_CONFIG_INVALID",
      subject: path,
      cause: error,
    });
  }
}
