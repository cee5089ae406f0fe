import { parseModelRef, type ModelRef } from "../hub/index.js";
import type { AppContext } from "./app-context.js";

/** Reads a model reference with the context's rule for local folders. */
export function resolveRef(context: AppContext, text: string, label: string, allowRevision = true): ModelRef {
  return parseModelRef({
    text,
    label,
    allowRevision,
    isDirectory: context.isDirectory,
    ...(context.homeDir === undefined ? {} : { homeDir: context.homeDir }),
  });
}
