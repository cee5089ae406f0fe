import { UsageError } from "../errors.js";
import type { ResolvedModel } from "../plan/types.js";

/** The base a fine-tune's card declares (`base_model`), when `--base` was left out. */
export function declaredBase(finetuned: ResolvedModel): string {
  const declared = finetuned.card?.base_model;
  if (typeof declared === "string" && declared.trim().length > 0) return declared.trim();
  if (Array.isArray(declared)) {
    throw new UsageError(
      `${finetuned.ref} declares several base models (${declared.join(", ")}) in its card; say which one with --base.`,
      { code: "BASE_AMBIGUOUS", subject: finetuned.ref },
    );
  }
  throw new UsageError(`${finetuned.ref} does not declare its base model (base_model in its card); give it with --base.`, {
    code: "BASE_UNKNOWN",
    subject: finetuned.ref,
  });
}
