import type { Command } from "commander";
import { publishVector as runPublishVector } from "../../app/publish-vector.js";
import type { ComputableDtype } from "../../tensor/dtype.js";
import type { CliContext } from "../context.js";
import { addHubFlags } from "../hub-options.js";
import { addPublishFlags, addReadFlags, type PublishFlags, type ReadFlags } from "../publish-flags.js";
import {
  parseDtypeFlag,
  parseLoraEmbeddingsFlag,
  parseLoraRankFlag,
  parseMaxErrorFlag,
  wholeNumberFlag,
} from "../parse-flags.js";
import { UsageError } from "../../errors.js";
import { addPortionFlags, portionStageOf, type PortionStageFlags } from "../parse-portion-flags.js";
import { runUseCase } from "../run-with-progress.js";
import { printOutputResult, printVectorResult } from "../print-results.js";
import { pickDefined } from "../../util/pick-defined.js";

interface PublishVectorFlags extends PublishFlags, ReadFlags, PortionStageFlags {
  base?: string;
  finetuned: string;
  to: string;
  dtype?: ComputableDtype | "auto";
  loraRank?: number | "auto";
  maxError?: number;
  loraMaxRank?: number;
  loraEmbeddings?: "save" | "lora";
  loraOversampling?: number;
  loraIterations?: number;
  loraSeed?: number;
}

/** `tvhub publish-vector`: τ = θ_ft − θ_base, published as a task-vector repo (or written to a folder). */
export function publishVector(program: Command, context: CliContext): void {
  addHubFlags(
    addPortionFlags(
      addReadFlags(
        addPublishFlags(
          program
            .command("publish-vector")
            .description("Compute the task vector τ = θ_finetuned − θ_base and publish it with its card in one commit.")
            .option("--base <ref>", "the base model (default: the base_model the fine-tune's card declares)")
            .requiredOption("--finetuned <ref>", "the fine-tuned model: org/name, org/name@revision or a folder")
            .requiredOption("--to <repo|dir>", "where to publish: a Hub repo org/name, or a folder (./out)")
            .option("--dtype <dtype>", "dtype of τ: auto (the fine-tune's), bf16, f16 or f32 (exact)", parseDtypeFlag),
          { maxShardSize: true },
        ),
        "refuse (default), or extend: accept a fine-tune that grew the vocabulary",
      ),
      { plan: "tvhub plan --portions N", finalizeWrites: "the index, tvhub.json and the card" },
    )

      .option(
        "--lora-rank <r|auto>",
        "publish τ as a PEFT LoRA adapter of rank r (truncated SVD of each weight), or auto with --max-error",
        parseLoraRankFlag,
      )
      .option(
        "--max-error <e>",
        "with --lora-rank auto: the largest relative error ‖τ − BA‖/‖τ‖ per tensor, e.g. 0.05",
        parseMaxErrorFlag,
      )
      .option("--lora-max-rank <r>", "with --lora-rank auto: the largest rank", wholeNumberFlag(1))
      .option(
        "--lora-embeddings <mode>",
        "embeddings and heads: save (modules_to_save, full values; default) or lora",
        parseLoraEmbeddingsFlag,
      )
      .option(
        "--lora-oversampling <p>",
        "randomized SVD: extra sketch columns beyond the rank (default 10)",
        wholeNumberFlag(0),
      )
      .option("--lora-iterations <q>", "randomized SVD: power iterations (default 2)", wholeNumberFlag(0))
      .option("--lora-seed <n>", "randomized SVD: seed of the Gaussian test matrices (default 0)", wholeNumberFlag(0)),
  ).action(async (flags: PublishVectorFlags) => {
    const stage = portionStageOf(flags);
    const lora = loraOptionsOf(flags);
    const { result, stats } = await runUseCase(context, flags, (appContext) =>
      runPublishVector({
        context: appContext,
        ...(flags.base === undefined ? {} : { base: flags.base }),
        finetuned: flags.finetuned,
        to: flags.to,
        ...(flags.dtype === undefined || flags.dtype === "auto" ? {} : { dtype: flags.dtype }),
        ...pickDefined(flags, ["private", "maxShardSize", "dryRun", "force", "vocab"]),
        ...(stage === undefined ? {} : { stage }),
        ...(lora === undefined ? {} : { lora }),
        ...(flags.createPr === true && { createPr: true }),
      }),
    );
    printOutputResult(context, flags, { result, stats }, printVectorResult);
  });
}

/** The LoRA flags as the use case takes them; refuses the ones that need --lora-rank without it. */
function loraOptionsOf(flags: PublishVectorFlags) {
  const needsRank = (
    ["maxError", "loraMaxRank", "loraEmbeddings", "loraOversampling", "loraIterations", "loraSeed"] as const
  ).filter((key) => flags[key] !== undefined);
  if (flags.loraRank === undefined) {
    if (needsRank.length > 0)
      throw new UsageError(
        `--${needsRank[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to a LoRA adapter; add ` +
          "--lora-rank R (or --lora-rank auto --max-error E).",
        { code: "LORA_FLAG_WITHOUT_RANK" },
      );
    return undefined;
  }
  if (flags.loraRank === "auto" && flags.maxError === undefined)
    throw new UsageError("--lora-rank auto needs --max-error E, the largest relative error per tensor (e.g. 0.05).", {
      code: "LORA_AUTO_WITHOUT_ERROR",
    });
  if (flags.loraRank !== "auto" && (flags.maxError !== undefined || flags.loraMaxRank !== undefined))
    throw new UsageError(
      "--max-error and --lora-max-rank go with --lora-rank auto; a fixed --lora-rank keeps that many components.",
      { code: "LORA_ERROR_WITH_FIXED_RANK" },
    );
  return {
    rank: flags.loraRank,
    ...(flags.maxError === undefined ? {} : { maxError: flags.maxError }),
    ...(flags.loraMaxRank === undefined ? {} : { maxRank: flags.loraMaxRank }),
    ...(flags.loraEmbeddings === undefined ? {} : { embeddings: flags.loraEmbeddings }),
    svd: {
      ...(flags.loraOversampling === undefined ? {} : { oversampling: flags.loraOversampling }),
      ...(flags.loraIterations === undefined ? {} : { iterations: flags.loraIterations }),
      ...(flags.loraSeed === undefined ? {} : { seed: flags.loraSeed }),
    },
  };
}
