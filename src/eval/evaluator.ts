/**
 * What every evaluator implements (tfjs, command, endpoint): score a model, higher is better. Greedy search and
 * λ selection call it once per candidate, so a candidate can be given in memory and never touch the disk.
 */
export interface Evaluator {
  /** Shown in reports and model cards, e.g. `tfjs:accuracy(rotated-val, inverted-val)`. */
  readonly name: string;
  evaluate(input: EvaluationInput): Promise<Evaluation>;
}

/** The model to score: a folder in Hub layout, or its tensors in memory with the config they belong to. */
export type EvaluationInput = (ModelDirInput | InMemoryModelInput) & {
  /** Aborts the evaluation between batches; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
};

export interface ModelDirInput {
  /** config.json (+ preprocessor_config.json) and safetensors weights, single or sharded. */
  modelDir: string;
  tensors?: undefined;
}

export interface InMemoryModelInput {
  modelDir?: undefined;
  /** Float32 values by tensor name, in the layout the checkpoint stores (row-major, PyTorch shapes). */
  tensors: ReadonlyMap<string, Float32Array>;
  /** The model's parsed config.json. */
  config: unknown;
  /** The model's parsed preprocessor_config.json, when it has one. */
  preprocessorConfig?: unknown;
  /** What messages call the model. @default "the model in memory" */
  name?: string;
}

export interface Evaluation {
  /** Higher is better. */
  score: number;
  /** Named components of the score, e.g. the accuracy on each evaluation set. */
  details?: Record<string, number>;
}
