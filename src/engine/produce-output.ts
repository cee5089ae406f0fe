import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HubClient, ModelRef } from "../hub/index.js";
import type { Plan } from "../plan/types.js";
import type { ProgressEvent } from "../util/progress.js";
import { collectPortions } from "./collect-portions.js";
import type { ArithmeticKernels } from "../arithmetic/simd/arithmetic-kernels.js";
import { executeOnInputs, type ExecutableInput } from "./execute-on-inputs.js";
import { writtenOutput, type ProducedOutput } from "./produced-output.js";
import { publishOutput, type PublishedOutput } from "./publish-output.js";
import { publishPortion } from "./publish-portion.js";
import type { PublishedPortion, PortionStage } from "./portion-record.js";
import { inStagingFolder, stagingFor } from "./stage-output.js";

/** A file written next to the weights, as it is (config, tokenizer). */
export interface StagedFile {
  path: string;
  bytes: Uint8Array;
}

/** What the use case's card stage adds to the weights: tvhub.json, the card and the commit's description. */
export interface DescribedOutput<Extra> {
  record: unknown;
  card: string;
  commitDescription: string;
  /** Whatever else the use case returns with the published output (the record, the norm). */
  extra: Extra;
}

/** What the engine needs of the use cases' context (an AppContext has it). */
export interface EngineContext {
  hub: HubClient;
  kernels: ArithmeticKernels;
  /** Keep Hub downloads in the Hub cache. */
  cache: boolean;
  /** Where outputs are staged when the target is not a local folder. */
  workDir: string;
  tvhubVersion: string;
}

export interface ProduceOutputOptions<Extra> {
  context: EngineContext;
  target: ModelRef;
  /** One job of a matrix run, or its finalize step; absent: the whole run. */
  stage?: PortionStage;
  plan: Plan;
  /** The weight files' prefix: `model` or `task_vector`. */
  prefix: string;
  /** Keep each tensor's statistics (task vectors: the card's norms). */
  statistics: boolean;
  /** What the messages call the output ("the merged model"). */
  what: string;
  /** Files published next to the weights, written into the staging folder after them. */
  sideFiles?: readonly StagedFile[];
  /** Every plan input, in `plan.inputs` order: the output files (all, or a job's share) are computed from them. */
  inputs: readonly ExecutableInput[];
  commitTitle: string;
  private?: boolean;
  createPr?: boolean;
  /** The card stage: the record, card and commit description of the weights produced (a generator when it logs). */
  describe(
    produced: ProducedOutput,
  ): Promise<DescribedOutput<Extra>> | AsyncGenerator<ProgressEvent, DescribedOutput<Extra>>;
}

export type ProduceOutputResult<Extra> =
  | { kind: "portion"; portion: PublishedPortion }
  | { kind: "published"; published: PublishedOutput; files: ProducedOutput["files"]; extra: Extra };

/**
 * The one path from a plan to a published output, shared by every use case that writes weights: a matrix job
 * computes and commits its share; otherwise the output is staged (after a free-space check), its weights computed
 * here or collected from the matrix jobs' commits, the side files, tvhub.json and the card written beside them, and
 * the whole published in one commit (or into a folder).
 */
export async function* produceOutput<Extra>(
  options: ProduceOutputOptions<Extra>,
): AsyncGenerator<ProgressEvent, ProduceOutputResult<Extra>> {
  const { plan, target, stage } = options;
  const { hub, workDir, tvhubVersion } = options.context;
  const execute = (dir: string, files?: readonly string[]) =>
    executeOnInputs({
      inputs: options.inputs,
      cache: options.context.cache,
      plan,
      dir,
      prefix: options.prefix,
      kernels: options.context.kernels,
      statistics: options.statistics,
      ...(files === undefined ? {} : { files }),
    });
  if (stage?.kind === "portion" && target.kind === "hub") {
    const portion = yield* publishPortion({
      hub,
      repo: target.repo,
      plan,
      prefix: options.prefix,
      index: stage.index,
      count: stage.count,
      workDir,
      execute: ({ dir, files }) => execute(dir, files),
      statistics: options.statistics,
      title: options.commitTitle,
      ...(options.private === undefined ? {} : { private: options.private }),
      tvhubVersion,
    });
    return { kind: "portion", portion };
  }
  const finalizing =
    stage?.kind === "finalize" && target.kind === "hub" ? { repo: target.repo, count: stage.count } : undefined;
  const sideFiles = options.sideFiles ?? [];
  // The weights (only the index when finalizing: the matrix jobs committed the rest), the side files, the card and
  // tvhub.json.
  const weightBytes = finalizing
    ? plan.layout.writeBytes - plan.layout.files.reduce((sum, f) => sum + f.fileSize, 0)
    : plan.layout.writeBytes;
  const needed = weightBytes + sideFiles.reduce((sum, file) => sum + file.bytes.byteLength, 0) + 1024 * 1024;
  return yield* inStagingFolder(
    { ...stagingFor(target, workDir), what: options.what, needed },
    async function* (stageDir) {
      // Finalizing, the weights are the matrix jobs' (checked on the Hub); otherwise they are computed here.
      const produced = finalizing
        ? await collectPortions({
            hub,
            repo: finalizing.repo,
            plan,
            prefix: options.prefix,
            ...(finalizing.count === undefined ? {} : { count: finalizing.count }),
            stageDir,
            statistics: options.statistics,
            tvhubVersion,
          })
        : writtenOutput(yield* execute(stageDir));
      for (const file of sideFiles) await writeFile(join(stageDir, file.path), file.bytes);
      const describing = options.describe(produced);
      const described = Symbol.asyncIterator in describing ? yield* describing : await describing;
      await writeFile(join(stageDir, "tvhub.json"), `${JSON.stringify(described.record, null, 2)}\n`);
      await writeFile(join(stageDir, "README.md"), described.card);
      const published = yield* publishOutput({
        hub,
        target,
        stageDir,
        files: [...produced.staged, ...sideFiles.map((file) => file.path), "tvhub.json", "README.md"],
        commitTitle: options.commitTitle,
        commitDescription: described.commitDescription,
        ...(options.private === undefined ? {} : { private: options.private }),
        ...(produced.keep === undefined ? {} : { keep: produced.keep }),
        ...(produced.head === undefined ? {} : { parentCommit: produced.head }),
        ...(options.createPr === true && { createPr: true }),
      });
      return { kind: "published", published, files: produced.files, extra: described.extra };
    },
  );
}
