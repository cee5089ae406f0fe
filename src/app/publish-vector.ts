import { basename } from "node:path";
import type { PinnedInput } from "../card/card-types.js";
import { shortSha } from "../card/links.js";
import { renderTaskVectorCard } from "../card/render-task-vector-card.js";
import type { AdapterTensorReport } from "../engine/execute-adapter.js";
import { checkPullRequestTarget } from "../engine/check-pull-request-target.js";
import { checkStageTarget } from "../engine/check-stage-target.js";
import { checkTarget } from "../engine/check-target.js";
import { layerNorms } from "../engine/layer-norms.js";
import { produceOutput, type DescribedOutput } from "../engine/produce-output.js";
import type { PublishedOutput } from "../engine/publish-output.js";
import type { ProducedOutput } from "../engine/produced-output.js";
import type { PublishedPortion, PortionStage } from "../engine/portion-record.js";
import { UsageError } from "../errors.js";
import type { ModelRef } from "../hub/index.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { Plan } from "../plan/types.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { planTaskVector } from "./plan-task-vector.js";
import { publishAdapter, type LoraOptions } from "./publish-adapter.js";
import { resolveRef } from "./resolve-ref.js";
import { pickDefined } from "../util/pick-defined.js";

export interface PublishVectorOptions {
  context: AppContext;
  /** Absent: the fine-tuned model's card names it. */
  base?: string;
  finetuned: string;
  /** `org/name` or a folder. */
  to: string;
  /** Default: the fine-tuned model's dtype. */
  dtype?: ComputableDtype;
  private?: boolean;
  maxShardSize?: number;
  dryRun?: boolean;
  /** Proceed past lineage mismatches (never shape mismatches). */
  force?: boolean;
  vocab?: VocabMode;
  /**
   * One job of a matrix run (its share of the files and its portion record), or the finalize step; absent: the whole
   * run.
   */
  stage?: PortionStage;
  /**
   * Publish τ as a PEFT LoRA adapter (truncated SVD of each weight) instead of the dense vector; `dtype` is then the
   * factors'.
   */
  lora?: LoraOptions;
  /** Publish as a new Hub pull request on the default branch, for review, instead of committing to it. */
  createPr?: boolean;
}

export interface PublishVectorResult {
  report: CompatibilityReport;
  plan: Plan;
  dryRun: boolean;
  /** Absent on a dry run. */
  published?: PublishedOutput & { files: Array<{ path: string; size: number; sha256?: string }>; norm: number };
  /** A LoRA publish: the rank, the error over all factored tensors and each tensor's row. */
  adapter?: { r: number; overallError: number; tensors: AdapterTensorReport[] };
  /** A portion job's commit (then `published` is absent: the finalize step publishes the vector). */
  portion?: PublishedPortion;
}

/** τ = θ_ft − θ_base, checked from headers first, streamed, published with its card in one commit. */
export async function* publishVector(
  options: PublishVectorOptions,
): AsyncGenerator<ProgressEvent, PublishVectorResult> {
  const { context } = options;
  const target = resolveRef(context, options.to, "--to", false);
  checkStageTarget({ stage: options.stage, target });
  if (options.lora && options.stage) {
    throw new UsageError(
      "--lora-rank publishes one adapter file and cannot be split over a matrix (--portion, --finalize); run it as " +
        "one job.",
      { code: "LORA_WITH_PORTIONS" },
    );
  }
  checkPullRequestTarget({ createPr: options.createPr, stage: options.stage, target });
  const { checked, finetuned, report, plan } = yield* planTaskVector({
    context,
    ...(options.base === undefined ? {} : { base: options.base }),
    finetuned: options.finetuned,
    ...(options.dtype === undefined || options.lora ? {} : { dtype: options.dtype }),
    ...pickDefined(options, ["vocab", "force", "maxShardSize"]),
  });
  try {
    if (options.dryRun) return { report, plan, dryRun: true };

    await checkTarget({
      hub: context.hub,
      target,
      produces: "tvhub/task-vector",
      ...(options.force === undefined ? {} : { force: options.force }),
    });
    const base = pinned(checked.base.resolved);
    const ft = pinned(finetuned.resolved);
    if (options.lora) {
      const license =
        typeof finetuned.resolved.card?.license === "string" ? finetuned.resolved.card.license : undefined;
      const adapter = yield* publishAdapter({
        context,
        target,
        plan,
        base: checked.base,
        inputs: plan.inputs.map((input) => (input.role === "base" ? checked.base : finetuned)),
        source: {
          label: "fine-tuned",
          input: ft,
          formula: `θ(${ft.repo}@${shortSha(ft.revision)}) − θ(${base.repo}@${shortSha(base.revision)})`,
          record: { finetuned: { repo: ft.repo, revision: ft.revision ?? null } },
        },
        lora: { ...options.lora, ...(options.dtype === undefined ? {} : { dtype: options.dtype }) },
        commitTitle: `LoRA adapter of the task vector of ${ft.repo} against ${base.repo}`,
        ...(options.private === undefined ? {} : { private: options.private }),
        ...(license === undefined ? {} : { license }),
        ...(options.createPr === true && { createPr: true }),
      });
      const norm = Math.sqrt(adapter.tensors.reduce((sum, t) => sum + (Number.isNaN(t.norm) ? 0 : t.norm ** 2), 0));
      return {
        report,
        plan,
        dryRun: false,
        published: { ...adapter, norm },
        adapter: { r: adapter.r, overallError: adapter.overallError, tensors: adapter.tensors },
      };
    }
    const commitTitle = `Task vector of ${ft.repo} against ${base.repo}`;
    // Plan inputs are [finetuned, base] or [base, finetuned]; map by role so the order is the plan's.
    const inputs = plan.inputs.map((input) => (input.role === "base" ? checked.base : finetuned));
    const license = typeof finetuned.resolved.card?.license === "string" ? finetuned.resolved.card.license : undefined;
    const output = yield* produceOutput({
      context,
      target,
      ...(options.stage === undefined ? {} : { stage: options.stage }),
      plan,
      inputs,
      prefix: "task_vector",
      statistics: true,
      what: "the task vector",
      commitTitle,
      ...(options.private === undefined ? {} : { private: options.private }),
      ...(options.createPr === true && { createPr: true }),
      describe: (produced) =>
        describeTaskVector({
          context,
          target,
          plan,
          base,
          ft,
          produced,
          ...(license === undefined ? {} : { license }),
        }),
    });
    if (output.kind === "portion") return { report, plan, dryRun: false, portion: output.portion };
    return {
      report,
      plan,
      dryRun: false,
      published: { ...output.published, files: output.files, norm: output.extra.norm },
    };
  } finally {
    await checked.close();
  }
}

interface DescribeTaskVectorOptions {
  context: AppContext;
  target: ModelRef;
  plan: Plan;
  base: PinnedInput;
  ft: PinnedInput;
  produced: ProducedOutput;
  license?: string;
}

/** The card stage of a task vector: tvhub.json, the card with its norms, and the commit's description. */
async function describeTaskVector(options: DescribeTaskVectorOptions): Promise<DescribedOutput<{ norm: number }>> {
  const { context, target, plan, base, ft, produced } = options;
  const norm = Math.sqrt([...produced.tensors.values()].reduce((sum, t) => sum + t.sumOfSquares, 0));
  const dtypes = [...new Set(plan.outputs.map((t) => t.dtype))];
  const dtype = dtypes.length === 1 ? (dtypes[0] as string) : "mixed";
  const parameters = plan.outputs.reduce((sum, t) => sum + (elementCount(t.shape) ?? 0), 0);
  const record = {
    format: "tvhub/task-vector",
    version: 1,
    base: { repo: base.repo, revision: base.revision ?? null },
    finetuned: { repo: ft.repo, revision: ft.revision ?? null },
    dtype,
    tensors: plan.outputs.length,
    parameters,
    omitted: plan.omitted,
    norm,
    reconstruction: produced.reconstruction,
    files: produced.files,
    tvhub: context.tvhubVersion,
  };
  const card = await renderTaskVectorCard({
    title: target.kind === "hub" ? target.repo : basename(target.path),
    hubUrl: context.hub.hubUrl,
    base,
    finetuned: ft,
    dtype,
    tensorCount: plan.outputs.length,
    parameters,
    omitted: plan.omitted,
    norm,
    layerNorms: layerNorms(produced.tensors),
    ...(produced.reconstruction.mismatches > 0
      ? {
          reconstruction: {
            inexactElements: produced.reconstruction.mismatches,
            totalElements: produced.reconstruction.elements,
            maxAbsError: produced.reconstruction.maxAbsError,
          },
        }
      : {}),
    ...(options.license === undefined ? {} : { license: options.license }),
    files: produced.files,
    tvhubVersion: context.tvhubVersion,
  });
  const commitDescription =
    `τ = θ(${ft.repo}@${ft.revision ?? "local"}) − ` +
    `θ(${base.repo}@${base.revision ?? "local"}), ${dtype}, made with tvhub ${context.tvhubVersion}.`;
  return { record, card, commitDescription, extra: { norm } };
}

function pinned(model: { ref: string; repo?: string; revision?: string }): PinnedInput {
  return { repo: model.repo ?? model.ref, ...(model.revision === undefined ? {} : { revision: model.revision }) };
}

export { incompatible } from "./incompatible-error.js";
