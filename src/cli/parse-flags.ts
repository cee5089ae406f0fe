import { InvalidArgumentError } from "commander";
import { parseComputableDtype, type ComputableDtype } from "../tensor/dtype.js";
import { parseSize } from "../util/parse-size.js";

/** commander argument parsers: a bad value is a usage error (exit 2) that names the flag. */
export function parseDtypeFlag(value: string): ComputableDtype | "auto" {
  if (value === "auto") return "auto";
  const dtype = parseComputableDtype(value);
  if (!dtype) throw new InvalidArgumentError("use auto, bf16, f16, f32 or f64.");
  return dtype;
}

export function parseSizeFlag(value: string): number {
  try {
    return parseSize(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

export function parseVocabFlag(value: string): "refuse" | "extend" {
  if (value !== "refuse" && value !== "extend") throw new InvalidArgumentError("use refuse or extend.");
  return value;
}

/** `--lora-rank`: a whole number ≥ 1, or auto (with --max-error). */
export function parseLoraRankFlag(value: string): number | "auto" {
  if (value === "auto") return "auto";
  const rank = Number(value);
  if (!Number.isSafeInteger(rank) || rank < 1)
    throw new InvalidArgumentError("use a whole number of at least 1, or auto (with --max-error).");
  return rank;
}

/** `--max-error`: a relative Frobenius error, strictly between 0 and 1. */
export function parseMaxErrorFlag(value: string): number {
  const error = Number(value);
  if (!Number.isFinite(error) || error <= 0 || error >= 1)
    throw new InvalidArgumentError("use a relative error between 0 and 1, e.g. 0.05.");
  return error;
}

/** A whole number ≥ `min` (power iterations, oversampling, seeds, ranks). */
export function wholeNumberFlag(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`use a whole number of at least ${min}.`);
    return n;
  };
}

export function parseLoraEmbeddingsFlag(value: string): "save" | "lora" {
  if (value !== "save" && value !== "lora")
    throw new InvalidArgumentError("use save (modules_to_save, the default) or lora.");
  return value;
}
