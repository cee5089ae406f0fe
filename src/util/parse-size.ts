import { UsageError } from "../errors.js";

const multipliers: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Parses sizes the way transformers' `max_shard_size` does: "5GB" is decimal, "4GiB" binary. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const multiplier = match ? multipliers[(match[2] ?? "").toLowerCase()] : undefined;
  if (!match || multiplier === undefined) {
    throw new UsageError(`"${text}" is not a size; write it like 5GB, 500MB or 2GiB.`, { code: "BAD_SIZE" });
  }
  const bytes = Math.floor(Number(match[1]) * multiplier);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(`"${text}" is not a usable size; give a positive size like 5GB.`, { code: "BAD_SIZE" });
  }
  return bytes;
}
