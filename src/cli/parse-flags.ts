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
