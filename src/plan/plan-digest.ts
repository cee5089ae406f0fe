import { createHash } from "node:crypto";
import type { Plan } from "./types.js";

export interface PlanDigestOptions {
  plan: Plan;
  /** The output files' prefix (`model`, `task_vector`): part of every file name. */
  prefix: string;
  /** Two versions of tvhub may write different bytes for the same plan. */
  tvhubVersion: string;
}

/**
 * A fingerprint of everything that decides a run's output bytes: the pinned inputs, the terms, the method and its
 * parameters, every output tensor's expression, dtype and shape, and the file layout. The jobs of a matrix run each
 * plan on their own; equal digests say they planned the same output, so their files belong together.
 */
export function planDigest(options: PlanDigestOptions): string {
  const { plan } = options;
  const fingerprint = {
    tvhub: options.tvhubVersion,
    prefix: options.prefix,
    operation: plan.operation,
    inputs: plan.inputs.map((input) => [input.role, input.ref, input.repo ?? null, input.revision ?? null]),
    terms: plan.terms,
    method: plan.method ?? null,
    parameters: plan.parameters ?? null,
    outputs: plan.outputs,
    vocab: plan.vocab ?? null,
    layout: { files: plan.layout.files, index: plan.layout.index ?? null, maxShardSize: plan.layout.maxShardSize },
  };
  return createHash("sha256").update(JSON.stringify(fingerprint)).digest("hex");
}
