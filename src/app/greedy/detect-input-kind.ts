import type { InputKind, ResolvedModel } from "../../plan/types.js";

/**
 * Whether a model is a published task vector or a fine-tune, from what was read with its headers: a
 * `tvhub/task-vector` record, or a card tagged `task-vector` (a vector published by another tool). Everything
 * else is a fine-tuned model whose τ is computed against the base.
 */
export function detectInputKind(model: Pick<ResolvedModel, "record" | "card">): InputKind {
  if (model.record?.format === "tvhub/task-vector") return "vector";
  const tags = model.card?.tags;
  if (Array.isArray(tags) && tags.includes("task-vector")) return "vector";
  return "finetuned";
}
