import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { createCommandEvaluator } from "../../eval/command-evaluator.js";
import type { CreateEndpointEvaluatorOptions } from "../../eval/endpoint-evaluator.js";
import type { Evaluator } from "../../eval/evaluator.js";
import type { CreateTfjsEvaluatorOptions } from "../../eval/create-tfjs-evaluator.js";
import { readImageSet, type ImageSet } from "../../eval/read-image-set.js";
import type { EvaluatorSpec } from "../../plan/recipe.js";

/**
 * The evaluators that load a large library (TensorFlow.js, @huggingface/inference), given by the composition root:
 * the CLI passes both; the Action's self-contained bundle leaves them out and runs command evaluators only.
 */
export interface EvaluatorFactories {
  /** `createTfjsEvaluator` (src/eval). */
  tfjs?: (options: CreateTfjsEvaluatorOptions) => Evaluator;
  /** `createEndpointEvaluator` (src/eval). */
  endpoint?: (options: CreateEndpointEvaluatorOptions) => Evaluator;
}

export interface CreateGreedyEvaluatorOptions {
  /** The recipe's `greedy.evaluator`, defaults applied. */
  spec: EvaluatorSpec;
  /** @default none: command evaluators only */
  factories?: EvaluatorFactories;
  /** What messages call the spec: `recipes/x.yml: greedy.evaluator`. */
  source: string;
  /** The folder relative dataset paths resolve against (the recipe file's). @default the current directory */
  dir?: string;
  /** Sent to an endpoint evaluator as a bearer token. */
  endpointToken?: string;
  /** Receives a command evaluator's output line by line. */
  onOutput?: (output: { stream: "stdout" | "stderr"; line: string }) => void;
}

export interface GreedyEvaluator {
  evaluator: Evaluator;
  /** It takes tensors in memory (tfjs), so candidates need never be written to disk. */
  inMemory: boolean;
  /**
   * Everything besides the model that decides a score, as the evaluation cache's scope: the evaluator, its command
   * or datasets (absolute paths), the metric and direction. A timeout or a batch size does not change a score.
   */
  scope: string;
  /** What the card calls the score. */
  metric: string;
}

/** The evaluator a greedy recipe describes: a command of the user's, the built-in tfjs ViT accuracy, or an endpoint. */
export async function createGreedyEvaluator(options: CreateGreedyEvaluatorOptions): Promise<GreedyEvaluator> {
  const { spec } = options;
  switch (spec.type) {
    case "command": {
      const evaluator = createCommandEvaluator({
        command: spec.command,
        ...(spec.metric === undefined ? {} : { metric: spec.metric }),
        direction: spec.direction,
        timeoutSeconds: spec.timeout_seconds,
        ...(options.onOutput === undefined ? {} : { onOutput: options.onOutput }),
      });
      const metric = `${spec.metric ?? "score"}${
        spec.direction === "minimize" ? " (minimized: the table shows " + "minus the value)" : ""
      }`;
      return {
        evaluator,
        inMemory: false,
        scope: JSON.stringify(["command", spec.command, spec.metric ?? null, spec.direction]),
        metric,
      };
    }
    case "tfjs": {
      const create = options.factories?.tfjs;
      if (!create) throw unavailable(options.source, "tfjs", "TensorFlow.js");
      if (spec.metric === "loss") {
        throw new UsageError(
          `${options.source}: the tfjs evaluator measures accuracy; set metric: accuracy, or score the loss with a ` +
            "command evaluator.",
          {
            code: "GREEDY_TFJS_METRIC",
            subject: "greedy.evaluator.metric",
          },
        );
      }
      const paths = await findImageSets({
        dataset: spec.dataset,
        dir: options.dir ?? ".",
        split: spec.split,
        source: options.source,
      });
      const datasets: Array<string | ImageSet> =
        spec.max_examples === undefined
          ? paths
          : await Promise.all(
              paths.map(async (path) => firstImages(await readImageSet({ path }), spec.max_examples as number)),
            );
      const evaluator = create({ datasets, batchSize: spec.batch_size });
      return {
        evaluator,
        inMemory: true,
        scope: JSON.stringify(["tfjs", "accuracy", paths, spec.max_examples ?? null]),
        metric: `accuracy on ${paths.map((path) => basename(path, ".safetensors")).join(", ")} (mean)`,
      };
    }
    case "endpoint": {
      const create = options.factories?.endpoint;
      if (!create) throw unavailable(options.source, "endpoint", "@huggingface/inference");
      const dataset = resolve(options.dir ?? ".", spec.dataset);
      const evaluator = create({
        url: spec.url,
        dataset,
        metric: spec.metric,
        task: spec.task,
        ...(spec.parameters === undefined ? {} : { parameters: spec.parameters }),
        ...(spec.max_examples === undefined ? {} : { maxExamples: spec.max_examples }),
        ...(options.endpointToken === undefined ? {} : { accessToken: options.endpointToken }),
      });
      return {
        evaluator,
        inMemory: false,
        scope: JSON.stringify([
          "endpoint",
          spec.url,
          spec.task,
          spec.parameters ?? null,
          dataset,
          spec.metric,
          spec.max_examples ?? null,
        ]),
        metric: `${spec.metric} on ${basename(dataset)}`,
      };
    }
  }
}

function unavailable(source: string, type: string, library: string): UsageError {
  return new UsageError(
    `${source}: the ${type} evaluator needs ${library}, which this build of tvhub leaves out (the GitHub Action ` +
      "runs command evaluators); run tvhub greedy from the CLI, or score with type: command.",
    {
      code: "GREEDY_EVALUATOR_UNAVAILABLE",
      subject: "greedy.evaluator.type",
    },
  );
}

/** Names a split is written with in file names: `digits-val.safetensors`, `rotated_validation.safetensors`. */
const splitNames: Record<string, string[]> = {
  validation: ["validation", "val", "valid", "dev"],
  test: ["test"],
  train: ["train"],
};

interface FindImageSetsOptions {
  dataset: string;
  /** What a relative dataset path is relative to. */
  dir: string;
  split: string;
  source: string;
}

/**
 * The evaluation sets of a tfjs dataset: a `.safetensors` file is one set; a folder holds one set per task, and the
 * split picks the files (`<dir>/<split>/*.safetensors`, else files named `*-<split>` or `*_<split>`, where
 * validation also matches `val`, `valid` and `dev`), so test images never steer the search.
 */
async function findImageSets(options: FindImageSetsOptions): Promise<string[]> {
  const path = resolve(options.dir, options.dataset);
  const info = await stat(path).catch(() => undefined);
  const hint =
    "give a .safetensors evaluation set (an images tensor U8 [N, height, width] and a labels tensor, as " +
    "demo/data holds) or a folder of them; a relative path is relative to the recipe's " +
    `folder${options.dir === "." ? "" : ` (${options.dir})`}`;
  if (info === undefined) {
    throw new UsageError(`${options.source}: the tfjs dataset ${options.dataset} does not exist; ${hint}.`, {
      code: "GREEDY_DATASET_MISSING",
      subject: options.dataset,
    });
  }
  if (info.isFile()) return [path];
  const names = splitNames[options.split] ?? [options.split];
  const sub = join(path, options.split);
  const inSub = (await stat(sub).catch(() => undefined))?.isDirectory() ? await safetensorsIn(sub) : [];
  if (inSub.length > 0) return inSub;
  const all = await safetensorsIn(path);
  const matching = all.filter((file) =>
    names.some((name) => new RegExp(`[-_.]${name}\\.safetensors$`).test(basename(file))),
  );
  if (matching.length === 0) {
    throw new UsageError(
      `${options.source}: the folder ${options.dataset} holds no ${options.split} set (${
        all.length === 0
          ? "no .safetensors files"
          : `files: ${all
              .map((file) => basename(file))
              .slice(0, 8)
              .join(", ")}`
      }); name the files *-${names[0]}.safetensors, put them in ${options.split}/, or give one file.`,
      { code: "GREEDY_DATASET_SPLIT", subject: options.dataset },
    );
  }
  return matching;
}

async function safetensorsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".safetensors"))
    .map((entry) => join(dir, entry.name))
    .sort();
}

/** The first `count` images of a set (the set's order is the file's, so the subset is the same every run). */
function firstImages(set: ImageSet, count: number): ImageSet {
  if (set.count <= count) return set;
  const perImage = set.channels * set.height * set.width;
  return { ...set, count, pixels: set.pixels.subarray(0, count * perImage), labels: set.labels.subarray(0, count) };
}
