import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelRef } from "../hub/index.js";
import type { Recipe } from "../plan/recipe.js";
import type { Plan, PlanInput } from "../plan/types.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { inStagingFolder } from "../engine/stage-output.js";
import type { ExecuteResult } from "../engine/execute-plan.js";
import { publishAdapter, type LoraOptions, type PublishedAdapter } from "./publish-adapter.js";
import { planTaskVector } from "./plan-task-vector.js";

export interface PublishMergeAdapterOptions {
  context: AppContext;
  target: ModelRef;
  recipe: Recipe;
  /** The merge's plan (its first input is the base). */
  plan: Plan;
  /** Writes the merged weights into a folder, as a merge would publish them. */
  writeMerged: (dir: string) => AsyncGenerator<ProgressEvent, ExecuteResult>;
  /** config.json and the other files a merge copies beside its weights. */
  sideFiles: ReadonlyArray<{ path: string; bytes: Uint8Array }>;
  commitTitle: string;
  /** The recipe's `output.lora`. */
  lora: NonNullable<Recipe["output"]["lora"]>;
}

/**
 * A merge published as a LoRA adapter of merged − base (a recipe's `output.lora`): the merged weights are written to
 * a work folder exactly as `tvhub merge` would publish them, then τ = merged − base goes through publish-vector's
 * adapter path against the same pinned base. The work folder is removed afterwards, so the disk holds the merged
 * model once, for the length of the run.
 */
export async function* publishMergeAdapter(
  options: PublishMergeAdapterOptions,
): AsyncGenerator<ProgressEvent, PublishedAdapter> {
  const { context, plan, recipe } = options;
  const base = plan.inputs[0] as PlanInput;
  const staging = {
    parent: context.workDir,
    prefix: "tvhub-merged-",
    what: "the merged model (kept until it is factored)",
    needed: plan.layout.writeBytes,
    advice: "set TMPDIR to a folder on a disk with room",
  };
  return yield* inStagingFolder(staging, async function* (dir) {
    yield* options.writeMerged(dir);
    for (const file of options.sideFiles) await writeFile(join(dir, file.path), file.bytes);
    const baseRef = base.repo === undefined ? base.ref : `${base.repo}${base.revision ? `@${base.revision}` : ""}`;
    await writeFile(join(dir, "README.md"), `---\nbase_model: ${base.repo ?? base.ref}\n---\n`);
    // The work folder's own lineage findings (a local folder beside the base) say nothing about the merge: dropped.
    const {
      checked,
      finetuned,
      plan: tauPlan,
    } = yield* withoutLogsAbout(planTaskVector({ context, base: baseRef, finetuned: dir }), dir);
    try {
      const lora: LoraOptions = {
        rank: options.lora.rank,
        ...(options.lora.max_error === undefined ? {} : { maxError: options.lora.max_error }),
        ...(options.lora.max_rank === undefined ? {} : { maxRank: options.lora.max_rank }),
        embeddings: options.lora.embeddings,
        svd: { oversampling: options.lora.oversampling, iterations: options.lora.iterations, seed: options.lora.seed },
      };
      const terms = plan.terms.map((term) => {
        const input = plan.inputs[term.input] as PlanInput;
        return `${term.lambda}·τ(${input.repo ?? input.ref}${input.revision ? `@${input.revision.slice(0, 10)}` : ""})`;
      });
      return yield* publishAdapter({
        context,
        target: options.target,
        plan: tauPlan,
        base: checked.base,
        inputs: tauPlan.inputs.map((input) => (input.role === "base" ? checked.base : finetuned)),
        source: {
          label: "merge",
          formula: `θ(merge) − θ(base), θ(merge) = ${plan.method ?? recipe.method} of ${terms.join(", ")}`,
          record: {
            merge: {
              method: plan.method ?? recipe.method,
              terms: plan.terms.map((term) => ({
                input: plan.inputs[term.input]?.repo ?? plan.inputs[term.input]?.ref,
                revision: plan.inputs[term.input]?.revision ?? null,
                lambda: term.lambda,
              })),
            },
          },
        },
        lora,
        commitTitle: options.commitTitle,
        private: recipe.output.private,
      });
    } finally {
      await checked.close();
    }
  });
}

async function* withoutLogsAbout<T>(
  run: AsyncGenerator<ProgressEvent, T>,
  text: string,
): AsyncGenerator<ProgressEvent, T> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
    if (step.value.type === "log" && step.value.message.includes(text)) continue;
    yield step.value;
  }
}
