import { DataError } from "../errors.js";

/**
 * The fields of a PEFT `adapter_config.json` that decide a LoRA adapter's update, read as PEFT 0.21 reads them
 * (docs/adapters.md, "Reading adapters"). Everything else that would change the update is refused while parsing.
 */
export interface LoraConfig {
  r: number;
  loraAlpha: number;
  useRslora: boolean;
  /** `rank_pattern` and `alpha_pattern` in file order: the first key that matches a module wins. */
  rankPattern: Array<[string, number]>;
  alphaPattern: Array<[string, number]>;
  /** Only decides a square weight's layout; other weights show theirs by their shape. */
  fanInFanOut: boolean;
  bias: "none" | "all" | "lora_only";
  modulesToSave: string[];
  /** `base_model_name_or_path`, trimmed; absent when empty. */
  baseModel?: string;
  /** `revision`, when the adapter pins one of its base. */
  baseRevision?: string;
}

export interface ParseLoraConfigOptions {
  /** The adapter as the user named it, for messages. */
  ref: string;
  config: Record<string, unknown>;
}

/** `init_lora_weights` values that leave the base as it is (the others rewrite it while training). */
const baseKeepingInits = new Set<unknown>([true, false, "gaussian", "eva"]);

/** Fields of LoRA variants whose update is not `s·B·A` on the base: a truthy value is refused. */
const variantFields = [
  "use_dora",
  "lora_bias",
  "target_parameters",
  "layer_replication",
  "trainable_token_indices",
  "alora_invocation_tokens",
  "use_qalora",
  "use_bdlora",
  "kasa_config",
  "use_kasa",
  "velora_config",
  "arrow_config",
  "monteclora_config",
] as const;

const variantReasons: Record<string, string> = {
  use_dora: "DoRA rescales each row by a magnitude computed from the base weights, so its update is not s·B·A",
  lora_bias: "the trained lora_B bias is not implemented",
  target_parameters: "LoRA on raw parameters (MoE experts) is not implemented",
  layer_replication: "replicated layers change the model's layout",
  trainable_token_indices: "trainable token rows are not implemented",
};

/**
 * Reads and checks an adapter config; refuses, naming the field, anything whose update tvhub does not compute exactly.
 */
export function parseLoraConfig(options: ParseLoraConfigOptions): LoraConfig {
  const { ref, config } = options;
  const fail = (field: string, why: string) =>
    new DataError(`${ref}: adapter_config.json ${why}.`, { code: "ADAPTER_UNSUPPORTED", subject: field });
  const type = config.peft_type;
  if (type !== "LORA") {
    throw fail(
      "peft_type",
      `has peft_type ${JSON.stringify(type ?? null)}; tvhub reads LORA adapters only (IA3, LoHa, LoKr, AdaLoRA and ` +
        "the other PEFT methods compute different updates), so merge the adapter into its base with PEFT and use " +
        "that model",
    );
  }
  for (const field of variantFields) {
    const value = config[field];
    if (!truthy(value)) continue;
    const reason = variantReasons[field] ?? "names a LoRA variant whose update differs from s·B·A";
    throw fail(
      field,
      `sets ${field} (${reason}); tvhub refuses rather than compute another update, so merge it with PEFT's ` +
        "merge_and_unload and use that model",
    );
  }
  const init = config.init_lora_weights ?? true;
  if (!baseKeepingInits.has(init)) {
    throw fail(
      "init_lora_weights",
      `has init_lora_weights ${JSON.stringify(init)}, which rewrites the base while training, so the adapter only ` +
        "holds on that rewritten base; save it with PEFT's path_initial_model_for_weight_conversion to get a " +
        "plain LoRA",
    );
  }
  const r = positiveInteger(config.r ?? 8, () =>
    fail("r", `has r ${JSON.stringify(config.r)}, not a whole number ≥ 1`),
  );
  const loraAlpha = finite(config.lora_alpha ?? 8, () =>
    fail("lora_alpha", `has lora_alpha ${JSON.stringify(config.lora_alpha)}, not a number`),
  );
  const useRslora = boolean(config.use_rslora ?? false, () =>
    fail("use_rslora", "has a use_rslora that is not true or false"),
  );
  const fanInFanOut = boolean(config.fan_in_fan_out ?? false, () =>
    fail("fan_in_fan_out", "has a fan_in_fan_out that is not true or false"),
  );
  const bias = config.bias ?? "none";
  if (bias !== "none" && bias !== "all" && bias !== "lora_only")
    throw fail("bias", `has bias ${JSON.stringify(bias)}; PEFT knows none, all and lora_only`);
  const rankPattern = pattern(config.rank_pattern, "rank_pattern", fail, true);
  const alphaPattern = pattern(config.alpha_pattern, "alpha_pattern", fail, false);
  const modules = config.modules_to_save ?? [];
  if (!Array.isArray(modules) || modules.some((m) => typeof m !== "string"))
    throw fail("modules_to_save", "has a modules_to_save that is not a list of module names");
  const parsed: LoraConfig = {
    r,
    loraAlpha,
    useRslora,
    rankPattern,
    alphaPattern,
    fanInFanOut,
    bias,
    modulesToSave: modules as string[],
  };
  const baseModel = typeof config.base_model_name_or_path === "string" ? config.base_model_name_or_path.trim() : "";
  if (baseModel.length > 0) parsed.baseModel = baseModel;
  if (typeof config.revision === "string" && config.revision.trim().length > 0)
    parsed.baseRevision = config.revision.trim();
  return parsed;
}

/** The module's rank and alpha after rank_pattern and alpha_pattern, and its scaling. */
export function moduleScaling(config: LoraConfig, module: string): { rank: number; alpha: number; scale: number } {
  const rank = patternValue(config.rankPattern, module) ?? config.r;
  const alpha = patternValue(config.alphaPattern, module) ?? config.loraAlpha;
  return { rank, alpha, scale: config.useRslora ? alpha / Math.sqrt(rank) : alpha / rank };
}

/**
 * PEFT's `get_pattern_key`: the first key `k`, in file order, with `re.match(r"(.*\.)?(" + k + r")$", name)`.
 * (JavaScript orders integer-like object keys first; module names are never integers.)
 */
export function patternValue(pattern: ReadonlyArray<[string, number]>, module: string): number | undefined {
  for (const [key, value] of pattern) if (patternRegex(key).test(module)) return value;
  return undefined;
}

function patternRegex(key: string): RegExp {
  return new RegExp(`^(.*\\.)?(${key})$`);
}

function pattern(
  value: unknown,
  field: string,
  fail: (field: string, why: string) => DataError,
  integer: boolean,
): Array<[string, number]> {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || Array.isArray(value))
    throw fail(field, `has a ${field} that is not an object of module patterns`);
  return Object.entries(value as Record<string, unknown>).map(([key, v]) => {
    try {
      patternRegex(key);
    } catch {
      throw fail(
        field,
        `has the key ${JSON.stringify(key)} in ${field}, which is not a regular expression tvhub can read`,
      );
    }
    const ok = integer ? Number.isSafeInteger(v) && (v as number) >= 1 : typeof v === "number" && Number.isFinite(v);
    if (!ok)
      throw fail(
        field,
        `maps ${JSON.stringify(key)} to ${JSON.stringify(v)} in ${field}, not ` +
          `${integer ? "a whole number ≥ 1" : "a number"}`,
      );
    return [key, v as number];
  });
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value as object).length > 0;
  return true;
}

function positiveInteger(value: unknown, fail: () => DataError): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw fail();
  return value as number;
}

function finite(value: unknown, fail: () => DataError): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw fail();
  return value;
}

function boolean(value: unknown, fail: () => DataError): boolean {
  if (typeof value !== "boolean") throw fail();
  return value;
}
