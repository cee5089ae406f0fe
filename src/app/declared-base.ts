import { UsageError } from "../errors.js";
import type { ResolvedModel } from "../plan/types.js";

/** The base a fine-tune's card (or an adapter's config) declares, when `--base` was left out. */
export function declaredBase(finetuned: ResolvedModel): string {
  // A PEFT adapter names its base in adapter_config.json (base_model_name_or_path); its card repeats it.
  const adapterBase = finetuned.adapter?.config.baseModel;
  if (adapterBase !== undefined) return adapterBase;
  const declared = finetuned.card?.base_model;
  if (typeof declared === "string" && declared.trim().length > 0) return declared.trim();
  if (Array.isArray(declared)) {
    throw new UsageError(
      `${finetuned.ref} declares several base models (${declared.join(", ")}) in its card; say which one with --base.`,
      { code: "BASE_AMBIGUOUS", subject: finetuned.ref },
    );
  }
  throw new UsageError(
    `${finetuned.ref} does not declare its base model (base_model in its card); give it with --base.`,
    {
      code: "BASE_UNKNOWN",
      subject: finetuned.ref,
    },
  );
}
