import { InvalidArgumentError, Option, type Command } from "commander";
import type { PortionStage } from "../engine/portion-record.js";
import { UsageError } from "../errors.js";

/** `--portions N`: how many jobs a matrix run has (1 to 1000). */
export function parsePortionsFlag(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new InvalidArgumentError("give a whole number of jobs from 1 to 1000.");
  return Number(value);
}

/** `--portion i/N`: which job of the matrix this is. */
export function parsePortionFlag(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count || count > 1000) {
    throw new InvalidArgumentError(
      "give the job as i/N with 1 ≤ i ≤ N ≤ 1000, e.g. 2/3 (tvhub plan --portions N lists them).",
    );
  }
  return { index, count };
}

export interface PortionStageFlags {
  portion?: { index: number; count: number };
  finalize?: boolean;
  portions?: number;
  /** The names of `--portion` and `--portions` before 0.2 (a shard is a safetensors file), kept as hidden aliases. */
  shard?: { index: number; count: number };
  shards?: number;
  dryRun?: boolean;
}

/**
 * `--portion i/N`, `--finalize` and `--portions N` of a command that publishes weights, and the hidden aliases
 * `--shard` and `--shards` that workflows written before the rename still pass.
 */
export function addPortionFlags(command: Command, options: { plan: string; finalizeWrites: string }): Command {
  return command
    .option(
      "--portion <i/N>",
      `one job of a matrix run: compute and commit only this portion of the files (${options.plan} lists them)`,
      parsePortionFlag,
    )
    .option(
      "--finalize",
      `after every --portion job: check the portions on the Hub, then write ${options.finalizeWrites}`,
    )
    .option(
      "--portions <n>",
      "with --finalize, how many jobs the matrix had (default: the portion records on the Hub say)",
      parsePortionsFlag,
    )
    .addOption(new Option("--shard <i/N>").argParser(parsePortionFlag).hideHelp())
    .addOption(new Option("--shards <n>").argParser(parsePortionsFlag).hideHelp());
}

/** The stage the flags ask for, after checking they go together; undefined for a whole run in one process. */
export function portionStageOf(given: PortionStageFlags): PortionStage | undefined {
  const portion = given.portion ?? given.shard;
  const portions = given.portions ?? given.shards;
  const flags = {
    ...given,
    ...(portion === undefined ? {} : { portion }),
    ...(portions === undefined ? {} : { portions }),
  };
  const bad = (message: string) => new UsageError(message, { code: "CLI_BAD_PORTION_FLAGS", subject: "--portion" });
  if (flags.portion !== undefined && flags.finalize === true) {
    throw bad("--portion and --finalize are different jobs of a matrix run; give one of them.");
  }
  if ((flags.portion !== undefined || flags.finalize === true) && flags.dryRun === true) {
    throw bad(
      `--dry-run writes nothing, but ${flags.portion !== undefined ? "--portion" : "--finalize"} commits to the ` +
        "Hub; to see the jobs, run tvhub plan --portions N.",
    );
  }
  if (flags.portion !== undefined) {
    if (flags.portions !== undefined && flags.portions !== flags.portion.count) {
      throw bad(
        `--portions ${flags.portions} disagrees with --portion ${flags.portion.index}/${flags.portion.count}; drop ` +
          "--portions, the job names the count.",
      );
    }
    return { kind: "portion", index: flags.portion.index, count: flags.portion.count };
  }
  if (flags.finalize === true)
    return flags.portions === undefined ? { kind: "finalize" } : { kind: "finalize", count: flags.portions };
  if (flags.portions !== undefined)
    throw bad("--portions goes with --finalize (or tvhub plan); to run one job of a matrix, give --portion i/N.");
  return undefined;
}
