import type { ProgressEvent } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { loadTensorsInMemory } from "../greedy/load-tensors-in-memory.js";
import { openInput, type OpenedInput } from "../open-input.js";
import { progressOnly } from "./demo-events.js";
import type { DemoVector, PublishedRepo } from "./demo-types.js";

/** A model's float tensors and the files the evaluator needs with them. */
export interface ModelTensors {
  name: string;
  tensors: ReadonlyMap<string, Float32Array>;
  config: unknown;
  preprocessorConfig?: unknown;
}

export interface ReadDemoModelOptions {
  context: AppContext;
  published: PublishedRepo;
}

/** A model repo at a commit, read from the Hub into float32 with its config and image processor. */
export async function* readDemoModel(options: ReadDemoModelOptions): AsyncGenerator<ProgressEvent, ModelTensors> {
  const { context, published } = options;
  const input = await openHubInput(context, published);
  try {
    const loaded = yield* progressOnly(
      loadTensorsInMemory({
        base: await input.openForExecute({ cache: context.cache }),
        start: [],
        candidates: new Map(),
        kernels: context.kernels,
      }),
    );
    const processor = await input.readFile("preprocessor_config.json");
    return {
      name: `${published.repo}@${published.revision.slice(0, 10)}`,
      tensors: loaded.start,
      config: input.resolved.config ?? {},
      ...(processor ? { preprocessorConfig: JSON.parse(new TextDecoder().decode(processor)) as unknown } : {}),
    };
  } finally {
    await input.close();
  }
}

export interface ReadDemoVectorsOptions {
  context: AppContext;
  base: PublishedRepo;
  vectors: readonly DemoVector[];
}

/** Every published vector's τ in float32, by its pinned reference (`repo@revision`). */
export async function* readDemoVectors(
  options: ReadDemoVectorsOptions,
): AsyncGenerator<ProgressEvent, Map<string, Map<string, Float32Array>>> {
  const { context } = options;
  const inputs: OpenedInput[] = [];
  try {
    const baseInput = await openHubInput(context, options.base);
    inputs.push(baseInput);
    const candidates = new Map<string, { kind: "vector"; model: Awaited<ReturnType<OpenedInput["openForExecute"]>> }>();
    for (const vector of options.vectors) {
      const input = await openHubInput(context, vector);
      inputs.push(input);
      candidates.set(`${vector.repo}@${vector.revision}`, {
        kind: "vector",
        model: await input.openForExecute({ cache: context.cache }),
      });
    }
    const loaded = yield* progressOnly(
      loadTensorsInMemory({
        base: await baseInput.openForExecute({ cache: context.cache }),
        start: [],
        candidates,
        kernels: context.kernels,
      }),
    );
    return loaded.vectors;
  } finally {
    await Promise.allSettled(inputs.map((input) => input.close()));
  }
}

function openHubInput(context: AppContext, published: PublishedRepo): Promise<OpenedInput> {
  const text = `${published.repo}@${published.revision}`;
  return openInput({
    ref: { kind: "hub", repo: published.repo, revision: published.revision },
    text,
    hub: context.hub,
  });
}
