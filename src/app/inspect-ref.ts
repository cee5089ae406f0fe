import { openLocalModel } from "../safetensors/open-local-model.js";
import type { AppContext } from "./app-context.js";
import { inspect, type InspectReport } from "./inspect.js";
import { openInput } from "./open-input.js";
import { resolveRef } from "./resolve-ref.js";

export interface InspectRefOptions {
  context: AppContext;
  /**
   * A model folder, a `.safetensors` file, an index file, `org/name` or `org/name@revision` (a branch, tag or
   * commit).
   */
  ref: string;
  /** Whether the report lists every tensor (see InspectOptions). @default true */
  listTensors?: boolean;
}

/** Names that are files on disk whatever else they look like: `out/model.safetensors` is not a repo id. */
const filePattern = /\.(safetensors|json|bin|pt|pth|ckpt|pkl)$/i;

/**
 * `inspect` for any reference: a local model is opened from disk, a Hub model is pinned to one commit and read
 * through range requests of its safetensors headers (and its index); no weight byte is transferred either way.
 */
export async function inspectRef(options: InspectRefOptions): Promise<InspectReport> {
  const { context } = options;
  const ref = filePattern.test(options.ref)
    ? { kind: "local" as const, path: options.ref }
    : resolveRef(context, options.ref, "the model");
  if (ref.kind === "local") {
    const model = await openLocalModel({ path: ref.path });
    try {
      return inspect({ model, listTensors: options.listTensors !== false });
    } finally {
      await model.close();
    }
  }
  const input = await openInput({ ref, text: options.ref, hub: context.hub });
  try {
    const { repo, revision } = input.resolved;
    const report = inspect({ model: input.model, listTensors: options.listTensors !== false });
    return repo === undefined || revision === undefined
      ? report
      : { ...report, source: { repo, revision, url: `${context.hub.hubUrl}/${repo}` } };
  } finally {
    await input.close();
  }
}
