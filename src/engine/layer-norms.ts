import type { NormRow } from "../card/card-types.js";
import type { TensorStatistics } from "./execute-plan.js";

// `model.layers.3.mlp…`, `h.3.attn…`, `encoder.block.3…`, `vit.encoder.layer.3…` → the layer prefix.
const layerPattern = /^(.*?\b(?:layers|layer|h|block|blocks)\.\d+)\./;

/** ‖τ‖ per layer (tensors outside layers keep their own row), in first-seen order. */
export function layerNorms(tensors: ReadonlyMap<string, TensorStatistics>): NormRow[] {
  const sums = new Map<string, number>();
  for (const [name, stats] of tensors) {
    const group = layerPattern.exec(name)?.[1] ?? name;
    sums.set(group, (sums.get(group) ?? 0) + stats.sumOfSquares);
  }
  return [...sums].map(([name, sum]) => ({ name, norm: Math.sqrt(sum) }));
}
