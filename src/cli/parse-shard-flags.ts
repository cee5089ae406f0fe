import { InvalidArgumentError } from "commander";
import type { ShardStage } from "../engine/shard-record.js";
import { UsageError } from "../errors.js";

/** `--shards N`: how many jobs a matrix run has (1 to 1000). */
export function parseShardsFlag(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000) throw new InvalidArgumentError("give a whole number of jobs from 1 to 1000.");
  return Number(value);
}

/** `--shard i/N`: which job of the matrix this is. */
export function parseShardFlag(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count || count > 1000) {
    throw new InvalidArgumentError("give the job as i/N with 1 ≤ i ≤ N ≤ 1000, e.g. 2/3 (tvhub plan --shards N lists them).");
  }
  return { index, count };
}

export interface ShardStageFlags {
  shard?: { index: number; count: number };
  finalize?: boolean;
  shards?: number;
  dryRun?: boolean;
}

/** The stage the flags ask for, after checking they go together; undefined for a whole run in one process. */
export function shardStageOf(flags: ShardStageFlags): ShardStage | undefined {
  const bad = (message: string) => new UsageError(message, { code: "CLI_BAD_SHARD_FLAGS", subject: "--shard" });
  if (flags.shard !== undefined && flags.finalize === true) {
    throw bad("--shard and --finalize are different jobs of a matrix run; give one of them.");
  }
  if ((flags.shard !== undefined || flags.finalize === true) && flags.dryRun === true) {
    throw bad(`--dry-run writes nothing, but ${flags.shard !== undefined ? "--shard" : "--finalize"} commits to the Hub; to see the jobs, run tvhub plan --shards N.`);
  }
  if (flags.shard !== undefined) {
    if (flags.shards !== undefined && flags.shards !== flags.shard.count) {
      throw bad(`--shards ${flags.shards} disagrees with --shard ${flags.shard.index}/${flags.shard.count}; drop --shards, the job names the count.`);
    }
    return { kind: "shard", index: flags.shard.index, count: flags.shard.count };
  }
  if (flags.finalize === true) return flags.shards === undefined ? { kind: "finalize" } : { kind: "finalize", count: flags.shards };
  if (flags.shards !== undefined) throw bad("--shards goes with --finalize (or tvhub plan); to run one job of a matrix, give --shard i/N.");
  return undefined;
}
