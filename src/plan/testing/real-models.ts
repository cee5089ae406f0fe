// Test support for src/plan specs: ResolvedModel inputs built from the real configs and indexes in
// test/fixtures/models (copies of the shared models folder), with tensor headers derived by model-headers.ts.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Dtype } from "../../tensor/dtype.js";
import type { ResolvedModel } from "../types.js";
import { decoderTensorSpecs, gpt2TensorSpecs, locateTensors, quantizeInt8, type TensorSpec } from "./model-headers.js";

const fixturesDir = resolve(import.meta.dirname, "../../../test/fixtures/models");

export function readConfig(id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixturesDir, id, "config.json"), "utf8")) as Record<string, unknown>;
}

export function readWeightMap(id: string): Record<string, string> {
  const index = JSON.parse(readFileSync(join(fixturesDir, id, "model.safetensors.index.json"), "utf8")) as {
    weight_map: Record<string, string>;
  };
  return index.weight_map;
}

export function readTotalSize(id: string): number {
  const index = JSON.parse(readFileSync(join(fixturesDir, id, "model.safetensors.index.json"), "utf8")) as {
    metadata: { total_size: number };
  };
  return index.metadata.total_size;
}

const dtypes: Record<string, Dtype> = { bfloat16: "BF16", float16: "F16", float32: "F32" };

export interface RealModelOptions {
  /** The folder in test/fixtures/models, e.g. `meta-llama--Llama-3.1-8B`. */
  id: string;
  /** Defaults to the Hub id the folder is named after. */
  ref?: string;
  revision?: string;
  card?: Record<string, unknown>;
  /** Whose index to place tensors by (FlagAlpha republished Meta's); without one, README §5 sharding. */
  weightMapOf?: string;
  /** Replace the derived tensor specs. */
  mapSpecs?: (specs: TensorSpec[]) => TensorSpec[];
}

/** A resolved model with the real config and the tensors the README's shape rules derive from it. */
export function realModel(options: RealModelOptions): ResolvedModel {
  const config = readConfig(options.id);
  const repo = options.id.replace("--", "/");
  let specs =
    config.model_type === "gpt2"
      ? gpt2TensorSpecs(config)
      : decoderTensorSpecs(config, dtypes[String(config.torch_dtype)] ?? "F32");
  if (config.quantization_config !== undefined) specs = quantizeInt8(specs);
  if (options.mapSpecs !== undefined) specs = options.mapSpecs(specs);
  const tensors = locateTensors({
    specs,
    ...(options.weightMapOf === undefined ? {} : { weightMap: readWeightMap(options.weightMapOf) }),
  });
  const model: ResolvedModel = { ref: options.ref ?? repo, repo, config, tensors };
  if (options.revision !== undefined) model.revision = options.revision;
  if (options.card !== undefined) model.card = options.card;
  return model;
}
