import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { renderTaskVectorCard } from "../card/render-task-vector-card.js";
import type { CompatibilityReport } from "../plan/check-compatibility.js";
import type { VocabMode } from "../plan/recipe.js";
import type { Plan } from "../plan/types.js";
import type { ComputableDtype } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";
import { checkFreeSpace } from "../engine/check-free-space.js";
import { planTaskVector } from "./plan-task-vector.js";
import type { PublishedPullRequest } from "../hub/index.js";
import { checkPullRequestTarget } from "../engine/check-pull-request-target.js";
import { checkStageTarget } from "../engine/check-stage-target.js";
import { collectShards } from "../engine/collect-shards.js";
import { checkTarget } from "../engine/check-target.js";
import { diskFullError, isDiskFull } from "../engine/disk-full-error.js";
import { executePlan } from "../engine/execute-plan.js";
import { interleaveProgress } from "../engine/interleave-progress.js";
import { layerNorms } from "../engine/layer-norms.js";
import { writtenOutput } from "../engine/produced-output.js";
import { publishOutput } from "../engine/publish-output.js";
import { publishShard } from "../engine/publish-shard.js";
import { publishAdapter, type LoraOptions } from "./publish-adapter.js";
import type { AdapterTensorReport } from "../engine/execute-adapter.js";
import { UsageError } from "../errors.js";
import { shortSha } from "../card/links.js";
import { resolveRef } from "./resolve-ref.js";
import type { PublishedShard, ShardStage } from "../engine/shard-record.js";

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
  /** One job of a matrix run (its share of the files and its shard record), or the finalize step; absent: the whole run. */
  stage?: ShardStage;
  /** Publish τ as a PEFT LoRA adapter (truncated SVD of each weight) instead of the dense vector; `dtype` is then the factors'. */
  lora?: LoraOptions;
  /** Publish as a new Hub pull request on the default branch, for review, instead of committing to it. */
  createPr?: boolean;
}

export interface PublishVectorResult {
  report: CompatibilityReport;
  plan: Plan;
  dryRun: boolean;
  /** Absent on a dry run. */
  published?: {
    repo?: string;
    dir?: string;
    commit?: string;
    url: string;
    pullRequest?: PublishedPullRequest;
    files: Array<{ path: string; size: number; sha256?: string }>;
    norm: number;
  };
  /** A LoRA publish: the rank, the error over all factored tensors and each tensor's row. */
  adapter?: { r: number; overallError: number; tensors: AdapterTensorReport[] };
  /** A shard job's commit (then `published` is absent: the finalize step publishes the vector). */
  shard?: PublishedShard;
}

/** τ = θ_ft − θ_base, checked from headers first, streamed, published with its card in one commit. */
export async function* publishVector(options: PublishVectorOptions): AsyncGenerator<ProgressEvent, PublishVectorResult> {
  const { context } = options;
  const target = resolveRef(context, options.to, "--to", false);
  checkStageTarget({ stage: options.stage, target });
  if (options.lora && options.stage) {
    throw new UsageError("--lora-rank publishes one adapter file and cannot be split over a matrix (--shard, --finalize); run it as one job.", { code: "LORA_WITH_SHARDS" });
  }
  checkPullRequestTarget({ createPr: options.createPr, stage: options.stage, target });
  const { checked, finetuned, report, plan } = yield* planTaskVector({
    context,
    ...(options.base === undefined ? {} : { base: options.base }),
    finetuned: options.finetuned,
    ...(options.dtype === undefined || options.lora ? {} : { dtype: options.dtype }),
    ...(options.vocab === undefined ? {} : { vocab: options.vocab }),
    ...(options.force === undefined ? {} : { force: options.force }),
    ...(options.maxShardSize === undefined ? {} : { maxShardSize: options.maxShardSize }),
  });
  try {
    if (options.dryRun) return { report, plan, dryRun: true };

    await checkTarget({ hub: context.hub, target, produces: "tvhub/task-vector", ...(options.force === undefined ? {} : { force: options.force }) });
    const base = pinned(checked.base.resolved);
    const ft = pinned(finetuned.resolved);
    if (options.lora) {
      const license = typeof finetuned.resolved.card?.license === "string" ? finetuned.resolved.card.license : undefined;
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
      return { report, plan, dryRun: false, published: { ...adapter, norm }, adapter: { r: adapter.r, overallError: adapter.overallError, tensors: adapter.tensors } };
    }
    const commitTitle = `Task vector of ${ft.repo} against ${base.repo}`;
    // Plan inputs are [finetuned, base] or [base, finetuned]; map by role so the order is the plan's.
    const execute = (dir: string, files?: readonly string[]) =>
      interleaveProgress({
        // Downloads into the cache report through a callback (they start inside tensor reads); interleaved, a bar shows them.
        run: async function* (onProgress) {
          const inputs = plan.inputs.map((input) => (input.role === "base" ? checked.base : finetuned));
          const models = await Promise.all(inputs.map((input) => input.openForExecute({ cache: context.cache, onProgress })));
          try {
            return yield* executePlan({ plan, models, dir, prefix: "task_vector", kernels: context.kernels, statistics: true, ...(files === undefined ? {} : { files }) });
          } finally {
            // Models opened on cached files are this step's to close; the header models close with the inputs.
            await Promise.allSettled(models.filter((model, i) => model !== inputs[i]?.model).map((model) => model.close()));
          }
        },
      });
    const stage = options.stage;
    if (stage?.kind === "shard" && target.kind === "hub") {
      const shard = yield* publishShard({
        hub: context.hub,
        repo: target.repo,
        plan,
        prefix: "task_vector",
        index: stage.index,
        count: stage.count,
        workDir: context.workDir,
        execute: ({ dir, files }) => execute(dir, files),
        statistics: true,
        title: commitTitle,
        ...(options.private === undefined ? {} : { private: options.private }),
        tvhubVersion: context.tvhubVersion,
      });
      return { report, plan, dryRun: false, shard };
    }
    const finalizing = stage?.kind === "finalize" && target.kind === "hub" ? { repo: target.repo, count: stage.count } : undefined;
    const stageParent = target.kind === "local" ? dirname(target.path) : context.workDir;
    const space = {
      dir: stageParent,
      what: "the task vector",
      // The weights (only the index when finalizing: the shard jobs committed the rest), plus the card and tvhub.json.
      needed: (finalizing ? plan.layout.writeBytes - plan.layout.files.reduce((sum, f) => sum + f.fileSize, 0) : plan.layout.writeBytes) + 1024 * 1024,
      advice: target.kind === "local" ? "write --to a folder on a disk with room" : "set TMPDIR to a folder on a disk with room",
    };
    await checkFreeSpace(space);
    const stageDir = await mkdtemp(target.kind === "local" ? join(stageParent, `.${basename(target.path)}.tvhub-`) : join(stageParent, "tvhub-"));
    try {
      // Finalizing, the weights are the shard jobs' (checked on the Hub); otherwise they are computed here.
      const executed = finalizing
        ? await collectShards({
            hub: context.hub,
            repo: finalizing.repo,
            plan,
            prefix: "task_vector",
            ...(finalizing.count === undefined ? {} : { count: finalizing.count }),
            stageDir,
            statistics: true,
            tvhubVersion: context.tvhubVersion,
          })
        : writtenOutput(yield* execute(stageDir));
      const sumSquares = [...executed.tensors.values()].reduce((sum, t) => sum + t.sumOfSquares, 0);
      const norm = Math.sqrt(sumSquares);
      const weightFiles = executed.files;
      const dtypes = [...new Set(plan.outputs.map((t) => t.dtype))];
      const dtype = dtypes.length === 1 ? (dtypes[0] as string) : "mixed";
      const parameters = plan.outputs.reduce((sum, t) => sum + (elementCount(t.shape) ?? 0), 0);
      const title = target.kind === "hub" ? target.repo : basename(target.path);
      const license = typeof finetuned.resolved.card?.license === "string" ? finetuned.resolved.card.license : undefined;
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
        reconstruction: executed.reconstruction,
        files: weightFiles,
        tvhub: context.tvhubVersion,
      };
      const card = await renderTaskVectorCard({
        title,
        hubUrl: context.hub.hubUrl,
        base,
        finetuned: ft,
        dtype,
        tensorCount: plan.outputs.length,
        parameters,
        omitted: plan.omitted,
        norm,
        layerNorms: layerNorms(executed.tensors),
        ...(executed.reconstruction.mismatches > 0
          ? {
              reconstruction: {
                inexactElements: executed.reconstruction.mismatches,
                totalElements: executed.reconstruction.elements,
                maxAbsError: executed.reconstruction.maxAbsError,
              },
            }
          : {}),
        ...(license === undefined ? {} : { license }),
        files: weightFiles,
        tvhubVersion: context.tvhubVersion,
      });
      await writeFile(join(stageDir, "tvhub.json"), `${JSON.stringify(record, null, 2)}\n`);
      await writeFile(join(stageDir, "README.md"), card);
      const files = [...executed.staged, "tvhub.json", "README.md"];
      const published = yield* publishOutput({
        hub: context.hub,
        target,
        stageDir,
        files,
        commitTitle,
        commitDescription: `τ = θ(${ft.repo}@${ft.revision ?? "local"}) − θ(${base.repo}@${base.revision ?? "local"}), ${dtype}, made with tvhub ${context.tvhubVersion}.`,
        ...(options.private === undefined ? {} : { private: options.private }),
        ...(executed.keep === undefined ? {} : { keep: executed.keep }),
        ...(executed.head === undefined ? {} : { parentCommit: executed.head }),
        ...(options.createPr === true && { createPr: true }),
      });
      return { report, plan, dryRun: false, published: { ...published, files: weightFiles, norm } };
    } catch (error) {
      throw isDiskFull(error) ? diskFullError({ ...space, cause: error }) : error;
    } finally {
      await rm(stageDir, { recursive: true, force: true });
    }
  } finally {
    await checked.close();
  }
}

function pinned(model: { ref: string; repo?: string; revision?: string }) {
  return { repo: model.repo ?? model.ref, ...(model.revision === undefined ? {} : { revision: model.revision }) };
}

export { incompatible } from "./incompatible-error.js";
