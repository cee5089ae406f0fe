import type { SafetensorsModel } from "../safetensors/types.js";
import type { ProgressEvent, ProgressSink } from "../util/progress.js";
import { executePlan, type ExecutePlanOptions, type ExecuteResult } from "./execute-plan.js";
import { interleaveProgress } from "./interleave-progress.js";

/** A plan input as the use cases hold it: its header model, and a way to open its weights for reading. */
export interface ExecutableInput {
  model: SafetensorsModel;
  openForExecute(options: { cache: boolean; onProgress?: ProgressSink }): Promise<SafetensorsModel>;
}

export interface ExecuteOnInputsOptions extends Omit<ExecutePlanOptions, "models"> {
  /** Every plan input, in `plan.inputs` order. */
  inputs: readonly ExecutableInput[];
  /** Keep downloads in the Hub cache. */
  cache: boolean;
}

/**
 * Opens the inputs' weights and executes the plan on them. Downloads into the cache report through a callback (they
 * start inside tensor reads); interleaved with the plan's events, a bar shows them.
 */
export function executeOnInputs(options: ExecuteOnInputsOptions): AsyncGenerator<ProgressEvent, ExecuteResult> {
  const { inputs, cache, ...execute } = options;
  return interleaveProgress({
    run: async function* (onProgress) {
      const weights: SafetensorsModel[] = [];
      try {
        for (const input of inputs) weights.push(await input.openForExecute({ cache, onProgress }));
        return yield* executePlan({ ...execute, models: weights });
      } finally {
        // Models opened on cached files are this step's to close; the header models close with the inputs.
        await Promise.allSettled(
          weights.filter((model, i) => model !== inputs[i]?.model).map((model) => model.close()),
        );
      }
    },
  });
}
