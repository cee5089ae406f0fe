// Test support for specs that plan (not part of the package API): a Llama 3.1 8B scaled down to two layers of width
// 64, so that a plan, its layout and its portions are real but tiny.
import type { Dtype } from "../../tensor/dtype.js";
import type { ResolvedModel } from "../types.js";
import { decoderTensorSpecs, locateTensors, type TensorSpec } from "./model-headers.js";
import { readConfig } from "./real-models.js";

/** The real Llama 3.1 8B config with its sizes shrunk (GQA kept: four query heads share one key/value head). */
export const tinyLlamaConfig = {
  ...readConfig("meta-llama--Llama-3.1-8B"),
  hidden_size: 64,
  num_attention_heads: 4,
  num_key_value_heads: 1,
  head_dim: 16,
  intermediate_size: 128,
  num_hidden_layers: 2,
  vocab_size: 256,
};

export interface TinyLlamaOptions {
  /** The vocabulary size (256 by default): another one makes the embeddings and lm_head mismatch a 256 base. */
  vocab?: number;
  dtype?: Extract<Dtype, "BF16" | "F16" | "F32">;
  /** The pinned commit, 40 hex digits; `"a".repeat(40)` by default. */
  revision?: string;
  card?: Record<string, unknown>;
  /** Tensors the model has besides the decoder's (e.g. an integer buffer). */
  extraSpecs?: TensorSpec[];
  /** Leaves out the tensors it names. */
  drop?: (name: string) => boolean;
}

/** The tiny Llama as a resolved model at `ref` (`org/name`, or `org/name@rev`), in shards of at most 40,000 bytes. */
export function tinyLlama(ref: string, options: TinyLlamaOptions = {}): ResolvedModel {
  const config = { ...tinyLlamaConfig, vocab_size: options.vocab ?? tinyLlamaConfig.vocab_size };
  const specs = [...decoderTensorSpecs(config, options.dtype ?? "BF16"), ...(options.extraSpecs ?? [])].filter(
    (s) => !(options.drop?.(s.name) ?? false),
  );
  return {
    ref,
    repo: ref.split("@")[0] as string,
    revision: options.revision ?? "a".repeat(40),
    config,
    tensors: locateTensors({ specs, maxShardSize: 40_000 }),
    ...(options.card ? { card: options.card } : {}),
  };
}
