import type { Command } from "commander";
import type { VocabMode } from "../plan/recipe.js";
import type { CliAppFlags } from "./create-app-context.js";
import { parseSizeFlag, parseVocabFlag } from "./parse-flags.js";

/** What commander parses from the flags addPublishFlags adds (`maxShardSize` only where the command has it). */
export interface PublishFlags {
  private?: boolean;
  createPr?: boolean;
  maxShardSize?: number;
  dryRun?: boolean;
}

/** What commander parses from the flags addReadFlags adds (`--no-cache` is CliAppFlags' `cache`). */
export interface ReadFlags extends CliAppFlags {
  force?: boolean;
  vocab?: VocabMode;
}

/** The flags of the commands that publish a model (apply, merge, publish-vector): how and whether to publish. */
export function addPublishFlags<T extends Command>(command: T, options: { maxShardSize: boolean }): T {
  command
    .option("--private", "create the repo private")
    .option(
      "--create-pr",
      "publish as a new pull request on the Hub repo's main branch, for review, instead of committing to main",
    );
  if (options.maxShardSize) {
    command.option("--max-shard-size <size>", "largest shard, e.g. 5GB (default) or 500MB", parseSizeFlag);
  }
  command.option("--dry-run", "check and print the plan and the bytes a real run would download; write nothing");
  return command;
}

/**
 * The flags of the commands that read a base and its fine-tunes (or vectors) tensor by tensor: how strict the checks
 * are and where the bytes come from. `vocab` says what extending the vocabulary means for the command.
 */
export function addReadFlags<T extends Command>(command: T, vocab: string): T {
  command
    .option("--force", "proceed past lineage mismatches (never past shape mismatches)")
    .option("--vocab <mode>", vocab, parseVocabFlag)
    .option("--no-cache", "read byte ranges instead of keeping downloads in the Hub cache");
  return command;
}
