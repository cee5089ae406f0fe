import { DataError, UsageError } from "../errors.js";
import type { Evaluation, EvaluationInput, Evaluator } from "./evaluator.js";
import { loadTf, type TfBackend } from "./load-tf.js";
import { readImageSet, type ImageSet } from "./read-image-set.js";
import { checkVitTensors } from "./vit/check-vit-tensors.js";
import { computeVitLogits } from "./vit/compute-vit-logits.js";
import { parseVitConfig } from "./vit/config.js";
import { parseImageProcessor } from "./vit/image-processor.js";
import { loadVitModel, type VitModel } from "./vit/load-vit-model.js";
import { rememberAsync } from "../util/remember-async.js";

export interface CreateTfjsEvaluatorOptions {
  /**
   * The labelled image sets to measure accuracy on: paths of `.safetensors` files (see readImageSet) or sets
   * already in memory. The score is the mean of the accuracies, so each set (each task) weighs the same.
   */
  datasets: ReadonlyArray<string | ImageSet>;
  /** @default "auto": tfjs-node when installed, else wasm, else cpu */
  backend?: TfBackend | "auto";
  /** Where tfjs-backend-wasm's binaries are. @default the installed package's dist folder */
  wasmDir?: string;
  /** Images per forward pass. @default 256 */
  batchSize?: number;
}

/**
 * The built-in evaluator: classification accuracy of a Transformers ViTForImageClassification checkpoint, run in
 * tfjs. Evaluation sets are read once, on first use, and reused for every candidate.
 */
export function createTfjsEvaluator(options: CreateTfjsEvaluatorOptions): Evaluator {
  if (options.datasets.length === 0) {
    throw new UsageError(
      "The tfjs evaluator needs at least one evaluation set; give a .safetensors file of images and labels.",
      { code: "EVAL_NO_DATASET" },
    );
  }
  const names = options.datasets.map((dataset) =>
    typeof dataset === "string"
      ? (dataset.split(/[\\/]/).pop() ?? dataset).replace(/\.safetensors$/, "")
      : dataset.name,
  );
  // A failed read is not remembered: the next call reports it again instead of a stale rejection.
  const loadSets = rememberAsync(() =>
    Promise.all(
      options.datasets.map((dataset) =>
        typeof dataset === "string" ? readImageSet({ path: dataset }) : Promise.resolve(dataset),
      ),
    ),
  );

  return {
    name: `tfjs:accuracy(${names.join(", ")})`,
    async evaluate(input: EvaluationInput): Promise<Evaluation> {
      input.signal?.throwIfAborted();
      const [model, images, { tf }] = await Promise.all([
        resolveModel(input),
        loadSets(),
        loadTf({
          backend: options.backend ?? "auto",
          ...(options.wasmDir === undefined ? {} : { wasmDir: options.wasmDir }),
        }),
      ]);
      const details: Record<string, number> = {};
      let total = 0;
      for (const [i, set] of images.entries()) {
        const { classes, candidates } = classIndices(set, model);
        const logits = await computeVitLogits({
          tf,
          model,
          images: set,
          ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
          ...(input.signal ? { signal: input.signal } : {}),
        });
        const accuracy = accuracyOf(logits, model.config.numLabels, classes, candidates);
        const key = set.name in details ? `${set.name}#${i + 1}` : set.name;
        details[key] = accuracy;
        total += accuracy;
      }
      return { score: total / images.length, details };
    },
  };
}

function resolveModel(input: EvaluationInput): Promise<VitModel> {
  if (input.modelDir !== undefined) return loadVitModel({ dir: input.modelDir });
  const name = input.name ?? "the model in memory";
  const config = parseVitConfig({ json: input.config, subject: `${name} (config)` });
  const processor = parseImageProcessor({
    json: input.preprocessorConfig,
    subject: `${name} (preprocessor config)`,
    config,
  });
  checkVitTensors({ name, config, tensors: input.tensors });
  return Promise.resolve({ name, config, processor, tensors: input.tensors });
}

/**
 * The model's class index for each image, and the classes a prediction is chosen among. A set whose file names its
 * labels (`__metadata__.id2label`) is matched to the model's id2label by name, so a model that orders its classes
 * differently is still scored correctly, and it is scored on the classes it names only: a model with a head for
 * several tasks (the paper's setup, one head per task) predicts among the task's classes, as evaluations on a
 * label subset do (ImageNet-R and ImageNet-A against a 1,000-class model). A set without id2label is scored over
 * every class of the model.
 */
function classIndices(set: ImageSet, model: VitModel): { classes: Int32Array; candidates?: Int32Array } {
  const modelLabels = model.config.id2label;
  if (set.id2label === undefined) {
    const bad = set.labels.findIndex((label) => label >= modelLabels.length);
    if (bad >= 0) {
      throw new DataError(
        `${set.name}: image ${bad} has label ${set.labels[bad]}, but ${model.name} has only ${modelLabels.length} ` +
          "classes; evaluate it on a set of its own classes.",
        {
          code: "EVAL_LABEL_RANGE",
          subject: set.name,
        },
      );
    }
    return { classes: set.labels };
  }
  const setLabels = set.id2label;
  const byName = new Map(modelLabels.map((label, i) => [label, i]));
  const mapping = setLabels.map((label) => byName.get(label) ?? -1);
  const classes = set.labels.map((label) => {
    const index = mapping[label] ?? -1;
    if (index < 0) {
      throw new DataError(
        `${set.name}: label ${JSON.stringify(setLabels[label])} is not one of ${model.name}'s labels ` +
          `(${modelLabels.slice(0, 10).join(", ")}${modelLabels.length > 10 ? ", …" : ""}); check id2label in ` +
          "its config.json.",
        {
          code: "EVAL_LABEL_UNKNOWN",
          subject: set.name,
        },
      );
    }
    return index;
  });
  return { classes, candidates: Int32Array.from(new Set(mapping.filter((index) => index >= 0))).sort() };
}

/**
 * Top-1 accuracy among the candidate classes (every class when absent); a tie goes to the lower class index, as
 * torch.argmax does.
 */
function accuracyOf(logits: Float32Array, numLabels: number, classes: Int32Array, candidates?: Int32Array): number {
  const among = candidates ?? Int32Array.from({ length: numLabels }, (_, k) => k);
  let correct = 0;
  for (let n = 0; n < classes.length; n++) {
    // NaN logits never win a comparison: such an image is predicted as the first candidate, as before.
    let best = among[0] ?? 0;
    let bestValue = -Infinity;
    for (const k of among) {
      const value = logits[n * numLabels + k] as number;
      if (value > bestValue) {
        bestValue = value;
        best = k;
      }
    }
    if (best === classes[n]) correct++;
  }
  return correct / classes.length;
}
