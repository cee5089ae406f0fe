import { DataError } from "../../errors.js";
import { isActivation, type Activation } from "./activation.js";

/** The fields of a Transformers `ViTConfig` that the forward pass of `ViTForImageClassification` reads. */
export interface VitConfig {
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: Activation;
  layerNormEps: number;
  /** [height, width]; Transformers accepts one number or a pair. */
  imageSize: [number, number];
  /** [height, width] */
  patchSize: [number, number];
  numChannels: number;
  qkvBias: boolean;
  numLabels: number;
  /** Class index → label name; `LABEL_i` when the config names none, as Transformers does. */
  id2label: string[];
}

/** What parseVitConfig reads. */
export interface ParseVitConfigOptions {
  /** The parsed config.json. */
  json: unknown;
  /** What error messages call the file, e.g. `demo/models/vit-tiny-digits/config.json`. */
  subject: string;
}

/**
 * ViTConfig's defaults (transformers/models/vit/configuration_vit.py), so a sparse config.json means what it means in
 * Python.
 */
const defaults = {
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: "gelu",
  layer_norm_eps: 1e-12,
  image_size: 224,
  patch_size: 16,
  num_channels: 3,
  qkv_bias: true,
} as const;

/**
 * Reads a config.json as Transformers would for `ViTForImageClassification`, and rejects what the tfjs forward pass
 * cannot run.
 */
export function parseVitConfig(options: ParseVitConfigOptions): VitConfig {
  const { json, subject } = options;
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new DataError(`${subject} is not a JSON object; give the config.json of a ViTForImageClassification model.`, {
      code: "VIT_CONFIG_INVALID",
      subject,
    });
  }
  const raw = json as Record<string, unknown>;
  const fail = (field: string, why: string): never => {
    throw new DataError(`${subject}: field "${field}" ${why}.`, {
      code: "VIT_CONFIG_INVALID",
      subject: `${subject}#${field}`,
    });
  };

  const modelType = raw["model_type"];
  if (modelType !== undefined && modelType !== "vit") {
    fail(
      "model_type",
      `is ${JSON.stringify(modelType)}, but the tfjs evaluator runs only "vit" (ViTForImageClassification) models`,
    );
  }
  const architectures = raw["architectures"];
  if (architectures !== undefined && architectures !== null) {
    if (!Array.isArray(architectures) || !architectures.includes("ViTForImageClassification")) {
      fail(
        "architectures",
        `is ${JSON.stringify(architectures)}, but the tfjs evaluator runs only ViTForImageClassification`,
      );
    }
  }

  const positiveInt = (field: keyof typeof defaults): number => {
    const value = raw[field] ?? defaults[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0)
      fail(field, "must be a positive integer");
    return value as number;
  };
  const pair = (field: "image_size" | "patch_size"): [number, number] => {
    const value = raw[field] ?? defaults[field];
    if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return [value, value];
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v > 0)
    ) {
      return [value[0] as number, value[1] as number];
    }
    return fail(field, "must be a positive integer or a pair of them");
  };

  const hiddenSize = positiveInt("hidden_size");
  const numAttentionHeads = positiveInt("num_attention_heads");
  if (hiddenSize % numAttentionHeads !== 0) {
    fail("hidden_size", `(${hiddenSize}) must be a multiple of num_attention_heads (${numAttentionHeads})`);
  }
  const imageSize = pair("image_size");
  const patchSize = pair("patch_size");
  if (imageSize[0] % patchSize[0] !== 0 || imageSize[1] % patchSize[1] !== 0) {
    fail("image_size", `(${imageSize.join("x")}) must be a multiple of patch_size (${patchSize.join("x")})`);
  }

  const hiddenAct = raw["hidden_act"] ?? defaults.hidden_act;
  if (typeof hiddenAct !== "string" || !isActivation(hiddenAct)) {
    fail("hidden_act", `is ${JSON.stringify(hiddenAct)}, which the tfjs evaluator does not implement`);
  }
  const layerNormEps = raw["layer_norm_eps"] ?? defaults.layer_norm_eps;
  if (typeof layerNormEps !== "number" || !Number.isFinite(layerNormEps) || layerNormEps < 0) {
    fail("layer_norm_eps", "must be a non-negative number");
  }
  const qkvBias = raw["qkv_bias"] ?? defaults.qkv_bias;
  if (typeof qkvBias !== "boolean") fail("qkv_bias", "must be true or false");

  const id2label = parseLabels(raw, fail);

  return {
    hiddenSize,
    numHiddenLayers: positiveInt("num_hidden_layers"),
    numAttentionHeads,
    intermediateSize: positiveInt("intermediate_size"),
    hiddenAct: hiddenAct as Activation,
    layerNormEps: layerNormEps as number,
    imageSize,
    patchSize,
    numChannels: positiveInt("num_channels"),
    qkvBias: qkvBias as boolean,
    numLabels: id2label.length,
    id2label,
  };
}

/**
 * PretrainedConfig: `id2label` wins (its keys are the class indices, as strings in JSON); otherwise `num_labels`
 * (default 2) with `LABEL_i` names.
 */
function parseLabels(raw: Record<string, unknown>, fail: (field: string, why: string) => never): string[] {
  const id2label = raw["id2label"];
  const numLabels = raw["num_labels"];
  if (id2label !== undefined && id2label !== null) {
    if (typeof id2label !== "object" || Array.isArray(id2label))
      fail("id2label", "must be an object from class index to label");
    const entries = Object.entries(id2label as Record<string, unknown>);
    const labels: string[] = new Array<string>(entries.length);
    for (const [key, label] of entries) {
      const index = Number(key);
      if (!/^\d+$/.test(key) || index >= entries.length || labels[index] !== undefined) {
        fail("id2label", `must have the keys 0..${entries.length - 1}, but has ${JSON.stringify(key)}`);
      }
      labels[index] = typeof label === "string" ? label : String(label);
    }
    if (labels.length === 0) fail("id2label", "is empty");
    if (typeof numLabels === "number" && numLabels !== labels.length) {
      fail("num_labels", `is ${numLabels}, but id2label has ${labels.length} entries`);
    }
    return labels;
  }
  const count = numLabels ?? 2;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count <= 0)
    fail("num_labels", "must be a positive integer");
  return Array.from({ length: count as number }, (_, i) => `LABEL_${i}`);
}

/** The patch grid: [rows, columns]. */
export function patchGrid(config: VitConfig): [number, number] {
  return [config.imageSize[0] / config.patchSize[0], config.imageSize[1] / config.patchSize[1]];
}

/** P, the number of patches (the sequence has P + 1 tokens with CLS). */
export function patchCount(config: VitConfig): number {
  const [rows, columns] = patchGrid(config);
  return rows * columns;
}
