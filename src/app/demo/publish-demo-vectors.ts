import { InternalError } from "../../errors.js";
import type { ProgressEvent } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { publishVector } from "../publish-vector.js";
import { info, progressOnly } from "./demo-events.js";
import { demoFinetunes, finetuneName } from "./demo-setup.js";
import type { DemoVector } from "./demo-types.js";

export interface PublishDemoVectorsOptions {
  context: AppContext;
  tasks: readonly string[];
  repoOf: (name: string) => string;
}

/** `tvhub publish-vector` of every fine-tune the demo uses, to `<fine-tune>-tv`. */
export async function* publishDemoVectors(
  options: PublishDemoVectorsOptions,
): AsyncGenerator<ProgressEvent, DemoVector[]> {
  const { context } = options;
  const vectors: DemoVector[] = [];
  for (const task of demoFinetunes(options.tasks)) {
    const finetuned = options.repoOf(finetuneName(task));
    const to = `${finetuned}-tv`;
    const result = yield* progressOnly(publishVector({ context, finetuned, to }));
    const published = result.published;
    if (published?.commit === undefined)
      throw new InternalError(`publish-vector ${finetuned} returned no commit.`, { code: "DEMO_NO_COMMIT" });
    vectors.push({
      task,
      finetuned,
      repo: to,
      revision: published.commit,
      norm: published.norm,
      bytes: published.files.reduce((sum, file) => sum + file.size, 0),
    });
    yield info(`publish-vector ${finetuned} → ${to} (‖τ‖ = ${published.norm.toFixed(3)})`);
  }
  return vectors;
}
