import { DataError } from "../errors.js";
import type { LocatedTensor } from "../safetensors/types.js";
import { isComputable } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import { moduleScaling, type LoraConfig } from "./parse-lora-config.js";
import type { ResolvedModel } from "./types.js";

/** How one base tensor's τ comes out of an adapter (docs/adapters.md, "Reading adapters"). */
export type AdapterTerm =
  | {
      kind: "lora";
      /** The base tensor it updates. */
      name: string;
      /** The module as the adapter names it (what rank_pattern and alpha_pattern match). */
      module: string;
      /** Adapter tensor names of A (`rank × in`) and B (`out × rank`). */
      a: string;
      b: string;
      rank: number;
      alpha: number;
      /** alpha / r, or alpha / √r with use_rslora, before rounding to float32. */
      scale: number;
      /** The weight stores (B·A)ᵀ: a Conv1D (GPT-2) or an embedding. */
      transpose: boolean;
      /** PEFT also saved the module's own weight (`base_layer.weight`): τ adds saved − base. */
      replaced?: string;
    }
  /** A full tensor the adapter saved (modules_to_save, a trained bias): τ = saved − base. */
  | { kind: "full"; name: string; saved: string };

export interface AdapterMapping {
  /** By base tensor name; every other base tensor has τ = 0. */
  terms: Map<string, AdapterTerm>;
  /** Adapter tensors PEFT ignores on load (a `lora_B.bias` without lora_bias), said once each. */
  ignored: string[];
}

export interface MapAdapterOptions {
  /** The adapter input: its `adapter.config` and its tensors (the adapter file's headers). */
  adapter: ResolvedModel & { adapter: { config: LoraConfig } };
  base: ResolvedModel;
}

const keyPrefix = "base_model.model.";

type Part = {
  module: string;
  role: "A" | "B" | "embA" | "embB" | "lora_bias" | "dora" | "base_weight" | "base_bias" | "full";
  adapterName?: string;
};

/**
 * Maps every adapter tensor to the base tensor it updates, from headers alone, and checks each against the base:
 * the target exists, B's rows × A's columns are the weight's `[out, in]` (or `[in, out]` for a Conv1D or an
 * embedding), the rank is the one the config gives the module. Throws a DataError naming the tensor otherwise.
 */
export function mapAdapter(options: MapAdapterOptions): AdapterMapping {
  const { adapter, base } = options;
  const config = adapter.adapter.config;
  const baseTensors = new Map(base.tensors.map((t) => [t.name, t]));
  const firstComponents = [...new Set(base.tensors.map((t) => t.name.split(".")[0] as string))];
  const refuse = (subject: string, code: string, message: string) =>
    new DataError(`${adapter.ref}: ${message}`, { code, subject });

  const modules = new Map<string, Partial<Record<Part["role"], LocatedTensor>>>();
  const adapterNames = new Set<string>();
  const ignored: string[] = [];
  for (const tensor of adapter.tensors) {
    const part = parseKey(tensor.name);
    if (part.adapterName !== undefined) adapterNames.add(part.adapterName);
    if (part.role === "dora")
      throw refuse(
        tensor.name,
        "ADAPTER_UNSUPPORTED",
        `${tensor.name} is a DoRA magnitude, and DoRA's update depends on the base weights, so tvhub does not read ` +
          "it; merge the adapter with PEFT's merge_and_unload and use that model.",
      );
    if (part.role === "lora_bias") {
      ignored.push(tensor.name);
      continue;
    }
    const entry = modules.get(part.module) ?? {};
    entry[part.role] = tensor;
    modules.set(part.module, entry);
  }
  if (adapterNames.size > 1) {
    throw refuse(
      "adapter",
      "ADAPTER_SEVERAL",
      `the adapter file holds several adapters (${[...adapterNames].sort().join(", ")}); save each with its own ` +
        "adapter_config.json and use one at a time.",
    );
  }

  const terms = new Map<string, AdapterTerm>();
  const add = (term: AdapterTerm, from: string) => {
    if (terms.has(term.name))
      throw refuse(
        from,
        "ADAPTER_DUPLICATE",
        `${from} and another adapter tensor both update ${term.name}; the adapter is damaged, so save it again with ` +
          "PEFT.",
      );
    terms.set(term.name, term);
  };
  const resolve = (name: string, from: string): LocatedTensor => {
    const found = resolveName(name, baseTensors, firstComponents);
    if (found === undefined) {
      throw refuse(
        from,
        "ADAPTER_MISSING_TARGET",
        `${from} updates ${name}, which ${base.ref} does not have (nor under another model prefix); the adapter was ` +
          "trained on another model, so use its base.",
      );
    }
    return found;
  };
  const float = (tensor: LocatedTensor) => {
    if (!isComputable(tensor.dtype))
      throw refuse(
        tensor.name,
        "NOT_COMPUTABLE",
        `${tensor.name} is ${tensor.dtype}; tvhub reads float adapters (F64, F32, F16 or BF16), so use an ` +
          "unquantized adapter.",
      );
  };

  for (const [module, parts] of modules) {
    for (const [role, suffix] of [
      ["full", ""],
      ["base_bias", ".bias"],
    ] as const) {
      const tensor = parts[role];
      if (tensor === undefined) continue;
      float(tensor);
      const target = resolve(role === "full" ? module : `${module}${suffix}`, tensor.name);
      checkSameShape(tensor, target, adapter.ref, base.ref);
      add({ kind: "full", name: target.name, saved: tensor.name }, tensor.name);
    }
    const embedding = parts.embA !== undefined || parts.embB !== undefined;
    const a = embedding ? parts.embA : parts.A;
    const b = embedding ? parts.embB : parts.B;
    if ((parts.A || parts.B) && embedding)
      throw refuse(
        module,
        "ADAPTER_DAMAGED",
        `${module} has both lora_A/lora_B and lora_embedding_A/B; the adapter is damaged, so save it again with PEFT.`,
      );
    if (a === undefined && b === undefined) {
      // A module's own weight saved without factors (an embedding PEFT saved in full) is a full copy.
      if (parts.base_weight) {
        float(parts.base_weight);
        const target = resolve(`${module}.weight`, parts.base_weight.name);
        checkSameShape(parts.base_weight, target, adapter.ref, base.ref);
        add({ kind: "full", name: target.name, saved: parts.base_weight.name }, parts.base_weight.name);
      }
      continue;
    }
    if (a === undefined || b === undefined) {
      const present = (a ?? b) as LocatedTensor;
      throw refuse(
        present.name,
        "ADAPTER_DAMAGED",
        `${present.name} has no ${a === undefined ? "A" : "B"} factor beside it; the adapter is incomplete, so save ` +
          "it again with PEFT.",
      );
    }
    float(a);
    float(b);
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw refuse(
        a.name,
        "ADAPTER_UNSUPPORTED",
        `${a.name} is ${formatShape(a.shape)}: LoRA on convolutions is not implemented, only on Linear, Conv1D and ` +
          "Embedding layers.",
      );
    }
    const [rank, columns] = a.shape as [number, number];
    const [rows, rankB] = b.shape as [number, number];
    if (rankB !== rank)
      throw refuse(
        b.name,
        "ADAPTER_SHAPE_MISMATCH",
        `${b.name} is ${formatShape(b.shape)} but ${a.name} is ${formatShape(a.shape)}; B's columns must be A's ` +
          "rows (the rank), so the adapter is damaged.",
      );
    const { rank: configured, alpha, scale } = moduleScaling(config, module);
    if (configured !== rank) {
      throw refuse(
        a.name,
        "ADAPTER_RANK_MISMATCH",
        `${a.name} has rank ${rank} but adapter_config.json gives ${module} r = ${configured} (r or rank_pattern); ` +
          "PEFT would refuse to load it, so fix the config.",
      );
    }
    const target = resolve(`${module}.weight`, a.name);
    const shape = target.shape;
    const product = `B·A ${rows}×${columns} (${b.name} ${formatShape(b.shape)} · ${a.name} ${formatShape(a.shape)})`;
    if (shape.length !== 2)
      throw refuse(
        a.name,
        "ADAPTER_UNSUPPORTED",
        `${target.name} is ${formatShape(shape)} in ${base.ref}: LoRA on convolutions is not implemented, only on ` +
          "Linear, Conv1D and Embedding layers.",
      );
    const straight = shape[0] === rows && shape[1] === columns;
    const crossed = shape[0] === columns && shape[1] === rows;
    if (embedding ? !crossed : !straight && !crossed) {
      const expected = embedding
        ? `${columns}×${rows} (vocabulary × dim)`
        : `${rows}×${columns} ([out, in]) or ${columns}×${rows} (a Conv1D's [in, out])`;
      throw refuse(
        a.name,
        "ADAPTER_SHAPE_MISMATCH",
        `${product} does not fit ${target.name}, which is ${formatShape(shape)} in ${base.ref} (expected ` +
          `${expected}); the adapter was trained on another model, so use its base.`,
      );
    }
    if (!isComputable(target.dtype))
      throw refuse(
        target.name,
        "NOT_COMPUTABLE",
        `${target.name} is ${target.dtype} in ${base.ref}; a LoRA update needs a float weight.`,
      );
    // A square weight cannot show its layout; PEFT decides by layer type, which fan_in_fan_out states for Conv1D
    // models.
    const transpose = embedding || (straight && crossed ? config.fanInFanOut : crossed);
    const term: AdapterTerm = {
      kind: "lora",
      name: target.name,
      module,
      a: a.name,
      b: b.name,
      rank,
      alpha,
      scale,
      transpose,
    };
    if (parts.base_weight) {
      float(parts.base_weight);
      checkSameShape(parts.base_weight, target, adapter.ref, base.ref);
      term.replaced = parts.base_weight.name;
    }
    add(term, a.name);
  }
  return { terms, ignored };
}

/**
 * Splits a saved key into its module and what it holds; adapter names in keys (`lora_A.default.weight`) are kept apart.
 */
function parseKey(key: string): Part {
  const name = key.startsWith(keyPrefix) ? key.slice(keyPrefix.length) : key;
  let match = /^(.+)\.lora_([AB])(?:\.([^.]+))?\.weight$/.exec(name);
  if (match) return withName({ module: match[1] as string, role: match[2] as "A" | "B" }, match[3]);
  match = /^(.+)\.lora_embedding_([AB])(?:\.([^.]+))?$/.exec(name);
  if (match) return withName({ module: match[1] as string, role: match[2] === "A" ? "embA" : "embB" }, match[3]);
  match = /^(.+)\.lora_B(?:\.([^.]+))?\.bias$/.exec(name);
  if (match) return withName({ module: match[1] as string, role: "lora_bias" }, match[2]);
  match = /^(.+)\.lora_magnitude_vector(?:\.([^.]+))?(?:\.weight)?$/.exec(name);
  if (match) return { module: match[1] as string, role: "dora" };
  match = /^(.+)\.base_layer\.(weight|bias)$/.exec(name);
  if (match) return { module: match[1] as string, role: match[2] === "weight" ? "base_weight" : "base_bias" };
  const bias = /^(.+)\.bias$/.exec(name);
  if (bias) return { module: bias[1] as string, role: "base_bias" };
  // Any other saved tensor is a full copy under its own name (modules_to_save, a norm, a head).
  return { module: name, role: "full" };
}

function withName(part: Part, adapterName: string | undefined): Part {
  return adapterName === undefined ? part : { ...part, adapterName };
}

/**
 * The base tensor an adapter name means: exact, or with the task class's prefix (`model.`, `transformer.`) dropped or
 * added.
 */
function resolveName(
  name: string,
  tensors: Map<string, LocatedTensor>,
  firstComponents: readonly string[],
): LocatedTensor | undefined {
  const exact = tensors.get(name);
  if (exact) return exact;
  const dot = name.indexOf(".");
  const candidates = [...(dot > 0 ? [name.slice(dot + 1)] : []), ...firstComponents.map((first) => `${first}.${name}`)];
  const found = candidates
    .map((candidate) => tensors.get(candidate))
    .filter((t): t is LocatedTensor => t !== undefined);
  return found.length === 1 ? found[0] : undefined;
}

function checkSameShape(saved: LocatedTensor, target: LocatedTensor, adapterRef: string, baseRef: string): void {
  if (saved.shape.length === target.shape.length && saved.shape.every((d, i) => d === target.shape[i])) return;
  throw new DataError(
    `${adapterRef}: ${saved.name} is ${formatShape(saved.shape)} but ${target.name} is ${formatShape(target.shape)} ` +
      `in ${baseRef}; a saved module must have the base's shape (a resized vocabulary needs the resized base).`,
    { code: "ADAPTER_SHAPE_MISMATCH", subject: saved.name },
  );
}
