import { InternalError } from "../../errors.js";
import type { ProgressEvent } from "../../util/progress.js";
import { publishVector } from "../publish-vector.js";
import { buildDemoRecipe } from "./build-demo-recipe.js";
import { info, percent, progressOnly } from "./demo-events.js";
import { demoSetup, finetuneName } from "./demo-setup.js";
import type { DemoModel, LoraDemoResult } from "./demo-types.js";
import type { DemoSession } from "./open-demo-session.js";

export interface RunDemoLoraOptions {
  session: DemoSession;
  /** The fine-tune whose τ is published as adapters. */
  task: string;
  ranks: readonly number[];
  finetuneOf: (task: string) => DemoModel;
}

/**
 * `publish-vector --lora-rank r` of one fine-tune at each rank, then `tvhub merge` of base + the adapter (an
 * adapter is a fine-tune whose τ is its update), read back and scored on the task and the control. Undefined when
 * no rank is asked for.
 */
export async function* runDemoLora(
  options: RunDemoLoraOptions,
): AsyncGenerator<ProgressEvent, LoraDemoResult | undefined> {
  const { session, task, finetuneOf } = options;
  if (options.ranks.length === 0) return undefined;
  const { control } = demoSetup;
  const finetuned = session.repoOf(finetuneName(task));
  const dense = session.vectorOf(task);
  const result: LoraDemoResult = {
    task,
    dense: {
      bytes: dense.bytes,
      test: { [task]: finetuneOf(task).test[task] as number, [control]: finetuneOf(task).test[control] as number },
    },
    ranks: [],
  };
  for (const rank of options.ranks) {
    const to = `${finetuned}-lora-r${rank}`;
    const published = yield* progressOnly(publishVector({ context: session.context, finetuned, to, lora: { rank } }));
    if (published.published?.commit === undefined || published.adapter === undefined)
      throw new InternalError(`publish-vector --lora-rank ${rank} ${finetuned} returned no adapter.`, {
        code: "DEMO_NO_COMMIT",
      });
    const name = `lora-r${rank}-${task}`;
    const merged = yield* session.publishMerge(
      name,
      await buildDemoRecipe({
        comment: [
          `The fine-tune on ${task} as its rank-${rank} LoRA adapter reproduces it: θ = θ_base + τ_adapter (tvhub ` +
            "demo).",
        ],
        base: session.baseRepo.repo,
        to: session.repoOf(`${demoSetup.base}-${name}`),
        terms: [{ finetuned: to, weight: 1 }],
      }),
    );
    const test = yield* session.measurePublished(merged, [task, control]);
    const bytes = published.published.files.reduce((sum, file) => sum + file.size, 0);
    result.ranks.push({
      rank,
      error: published.adapter.overallError,
      bytes,
      adapter: { repo: to, revision: published.published.commit },
      test,
      published: merged,
    });
    yield info(
      `LoRA rank ${rank} of τ(${task}) → ${to}: ${(bytes / 1024).toFixed(0)} KB, error ` +
        `${published.adapter.overallError.toFixed(3)}, ${task} ${percent(test[task] as number)} (the fine-tune: ` +
        `${percent(result.dense.test[task] as number)})`,
    );
  }
  return result;
}
