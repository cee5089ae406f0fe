import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { ProgressEvent } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { progressOnly } from "./demo-events.js";
import type { PublishedRepo } from "./demo-types.js";

export interface UploadDemoModelsOptions {
  context: AppContext;
  /** Folder by model name, as findDemoFixtures lists them. */
  models: ReadonlyMap<string, string>;
  /** `vit-tiny-digits` → `demo/vit-tiny-digits`. */
  repoOf: (name: string) => string;
}

/** Puts every committed model folder on the Hub, one commit each; returns each repo at its commit, by model name. */
export async function* uploadDemoModels(
  options: UploadDemoModelsOptions,
): AsyncGenerator<ProgressEvent, Map<string, PublishedRepo>> {
  const uploaded = new Map<string, PublishedRepo>();
  for (const [name, dir] of options.models) {
    const entries = await readdir(dir, { withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile())
      .map((entry) => ({ path: entry.name, localPath: join(dir, entry.name) }));
    const result = yield* progressOnly(
      options.context.hub.publish({
        repo: options.repoOf(name),
        files,
        commitTitle: `Upload ${name}`,
        commitDescription: "A model of tvhub's offline task-arithmetic demo (demo/models in the tvhub repository).",
      }),
    );
    uploaded.set(name, { repo: options.repoOf(name), revision: result.commitSha });
  }
  return uploaded;
}
