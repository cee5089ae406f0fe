import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { InternalError } from "../../errors.js";
import { buildPlan } from "../../plan/build-plan.js";
import type { Recipe, RecipeTerm } from "../../plan/recipe.js";
import type { InputKind, ResolvedModel } from "../../plan/types.js";
import type { SafetensorsModel } from "../../safetensors/types.js";
import { drain } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { executePlan } from "../../engine/execute-plan.js";
import type { OpenedInput } from "../open-input.js";
import type { MaterializeOptions } from "./create-directory-evaluate.js";

const smallModelBytes = 64 * 1024 * 1024;

export interface CreatePlanMaterializerOptions {
  context: AppContext;
  /**
   * The merge every candidate extends: base, output dtype and shard size, and as `vectors` the start model's terms
   * (weights with the scale applied). task_arithmetic, no overrides.
   */
  recipe: Recipe;
  /** Every model the recipe or a candidate names, by the reference the recipe writes, the base included. */
  inputs: ReadonlyMap<string, OpenedInput>;
  /** Candidate id → the recipe term that adds it. */
  candidates: ReadonlyMap<string, { kind: InputKind; ref: string }>;
  /** Written next to the weights, so the folder loads like the published model (config.json, tokenizer). */
  sideFiles: ReadonlyArray<{ path: string; bytes: Uint8Array }>;
}

export interface PlanMaterializer {
  /** Writes the start plus `terms` into `dir` with the merge executor: the bytes `tvhub merge` would publish. */
  materialize(options: MaterializeOptions): Promise<void>;
  /** Closes the weights opened for writing candidates. */
  close(): Promise<void>;
}

/**
 * Candidate folders for evaluators that read a model from disk (a command, an endpoint): each is the merge recipe
 * of the start plus the terms, planned from the headers already read and streamed by the same executor as a publish,
 * so a scored candidate and the published model are the same bytes. Inputs stay open across candidates; with the
 * Hub cache each file is downloaded once.
 */
export function createPlanMaterializer(options: CreatePlanMaterializerOptions): PlanMaterializer {
  const { context, inputs } = options;
  const models: Record<string, ResolvedModel> = Object.fromEntries(
    [...inputs].map(([ref, input]) => [ref, input.resolved]),
  );
  const { greedy: _greedy, ...base } = options.recipe;
  // The plan names each model once, by its first reference; a pinned repo and commit (or a folder) identify it.
  const byIdentity = new Map([...inputs.values()].map((input) => [identityOf(input.resolved), input]));
  const weights = new Map<OpenedInput, Promise<SafetensorsModel>>();
  const weightsOf = (input: OpenedInput) => {
    let opened = weights.get(input);
    if (!opened) {
      opened = input.openForExecute({ cache: context.cache });
      weights.set(input, opened);
    }
    return opened;
  };

  return {
    async materialize({ terms, dir, signal }) {
      const recipe: Recipe = {
        ...base,
        vectors: [
          ...base.vectors,
          ...terms.map((term): RecipeTerm => {
            const candidate = options.candidates.get(term.candidate);
            if (!candidate)
              throw new InternalError(`The greedy search asked for ${term.candidate}, which was not opened.`, {
                code: "GREEDY_UNKNOWN_CANDIDATE",
              });
            return candidate.kind === "vector"
              ? { vector: candidate.ref, weight: term.lambda }
              : { finetuned: candidate.ref, weight: term.lambda };
          }),
        ],
      };
      const plan = buildPlan({ operation: "merge", recipe, models });
      const opened = await Promise.all(
        plan.inputs.map((input) => {
          const found = byIdentity.get(identityOf(input));
          if (!found)
            throw new InternalError(`The candidate plan reads ${input.ref}, which was not opened.`, {
              code: "GREEDY_INPUT_MISSING",
            });
          return weightsOf(found);
        }),
      );
      signal?.throwIfAborted();
      // Worker threads pay for themselves on big models; a small candidate is written sooner on this thread.
      const threads = plan.layout.totalBytes < smallModelBytes ? { threads: 0 } : {};
      await drain(executePlan({ plan, models: opened, dir, prefix: "model", kernels: context.kernels, ...threads }));
      for (const file of options.sideFiles) {
        await mkdir(dirname(join(dir, file.path)), { recursive: true });
        await writeFile(join(dir, file.path), file.bytes);
      }
    },
    async close() {
      const opened = await Promise.allSettled(weights.values());
      // Header-only models close with their inputs; the ones opened for execute (cache copies) close here.
      const own = new Set([...inputs.values()].map((input) => input.model));
      await Promise.allSettled(
        opened.map((result) =>
          result.status === "fulfilled" && !own.has(result.value) ? result.value.close() : undefined,
        ),
      );
    },
  };
}

function identityOf(model: { ref: string; repo?: string; revision?: string }): string {
  return model.repo !== undefined && model.revision !== undefined
    ? `hub:${model.repo.toLowerCase()}@${model.revision}`
    : `ref:${model.ref}`;
}
