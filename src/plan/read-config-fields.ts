/** A parsed `config.json`: any JSON object. */
export type ModelConfig = Record<string, unknown>;

/** A size field with the value a config gives it, after legacy names and Transformers' defaults are applied. */
export interface ConfigField {
  /** The canonical (Transformers) name, e.g. `hidden_size`. */
  name: string;
  value: number;
  /** The key the value came from (`n_embd` for GPT-2), or `default` when Transformers' default applied. */
  key: string;
}

interface SizeFieldRule {
  name: string;
  /** Modern name first, then the legacy names families still ship (GPT-2, T5, BART, GPT-NeoX, ChatGLM). */
  keys: string[];
  /** The value Transformers uses when the config has none of the keys. */
  fallback?: (fields: ReadonlyMap<string, ConfigField>, config: ModelConfig) => number | undefined;
}

/**
 * The fields that decide tensor shapes. Order matters: a fallback may only read fields listed before it.
 * Configs written by older Transformers lack `head_dim` and `num_key_value_heads`, so comparing raw keys would
 * call Mistral-7B (no `head_dim`) and a re-saved copy (with `head_dim: 128`) different.
 */
const sizeFieldRules: SizeFieldRule[] = [
  { name: "vocab_size", keys: ["vocab_size", "padded_vocab_size", "n_vocab"] },
  { name: "hidden_size", keys: ["hidden_size", "n_embd", "d_model", "n_embed", "dim"] },
  { name: "num_hidden_layers", keys: ["num_hidden_layers", "n_layer", "num_layers", "n_layers", "encoder_layers"] },
  {
    name: "num_attention_heads",
    keys: ["num_attention_heads", "n_head", "num_heads", "n_heads", "encoder_attention_heads"],
  },
  {
    name: "num_key_value_heads",
    keys: ["num_key_value_heads", "num_kv_heads", "n_kv_heads", "multi_query_group_num"],
    fallback: (fields) => fields.get("num_attention_heads")?.value,
  },
  {
    name: "intermediate_size",
    keys: ["intermediate_size", "n_inner", "d_ff", "ffn_dim", "ffn_hidden_size", "encoder_ffn_dim"],
    // GPT-2 family: `n_inner: null` (or absent) means 4 × n_embd.
    fallback: (fields, config) => {
      const hidden = fields.get("hidden_size");
      return hidden?.key === "n_embd" || "n_inner" in config ? (hidden ? 4 * hidden.value : undefined) : undefined;
    },
  },
  {
    name: "head_dim",
    keys: ["head_dim", "d_kv", "kv_channels"],
    fallback: (fields) => {
      const hidden = fields.get("hidden_size")?.value;
      const heads = fields.get("num_attention_heads")?.value;
      return hidden !== undefined && heads !== undefined && heads > 0 && hidden % heads === 0
        ? hidden / heads
        : undefined;
    },
  },
  {
    name: "num_decoder_layers",
    keys: ["num_decoder_layers", "decoder_layers"],
    // T5 leaves it out when the decoder is as deep as the encoder.
    fallback: (fields, config) => (config.model_type === "t5" ? fields.get("num_hidden_layers")?.value : undefined),
  },
];

/** Fields that change positions and context length but no tensor shape: a mismatch is a warning. */
export const contextFieldNames = [
  "rope_scaling",
  "rope_theta",
  "max_position_embeddings",
  "original_max_position_embeddings",
  "sliding_window",
  "use_sliding_window",
  "partial_rotary_factor",
  "rotary_pct",
  "rotary_emb_base",
  "n_positions",
  "n_ctx",
  "seq_length",
] as const;

export interface ReadConfigFieldsOptions {
  config: ModelConfig;
}

export interface ConfigFields {
  /** Size fields by canonical name; a field is absent when the config has no value and no default applies. */
  sizes: Map<string, ConfigField>;
  /** Context fields as comparable values (numbers parsed, `rope_scaling` normalised), absent when null or missing. */
  context: Map<string, unknown>;
  architectures?: string[];
  modelType?: string;
  /** `quantization_config.quant_method`, or `unknown` when a quantization config names none. */
  quantization?: string;
  tieWordEmbeddings?: boolean;
}

/** Reads the fields the compatibility check compares, applying legacy names and Transformers' defaults. */
export function readConfigFields(options: ReadConfigFieldsOptions): ConfigFields {
  const { config } = options;
  const sizes = new Map<string, ConfigField>();
  for (const rule of sizeFieldRules) {
    const key = rule.keys.find((k) => toNumber(config[k]) !== undefined);
    if (key !== undefined) {
      sizes.set(rule.name, { name: rule.name, key, value: toNumber(config[key]) as number });
      continue;
    }
    const value = rule.fallback?.(sizes, config);
    if (value !== undefined) sizes.set(rule.name, { name: rule.name, key: "default", value });
  }

  const context = new Map<string, unknown>();
  for (const name of contextFieldNames) {
    const value = name === "rope_scaling" ? normaliseRopeScaling(config[name]) : normaliseValue(config[name]);
    if (value !== undefined) context.set(name, value);
  }

  const fields: ConfigFields = { sizes, context };
  const architectures = config.architectures;
  if (Array.isArray(architectures) && architectures.every((a) => typeof a === "string")) {
    fields.architectures = architectures;
  }
  if (typeof config.model_type === "string") fields.modelType = config.model_type;
  const quantization = config.quantization_config;
  if (quantization !== undefined && quantization !== null) {
    const method = isRecord(quantization) ? quantization.quant_method : undefined;
    fields.quantization = typeof method === "string" ? method : "unknown";
  }
  if (typeof config.tie_word_embeddings === "boolean") fields.tieWordEmbeddings = config.tie_word_embeddings;
  return fields;
}

/** Deep equality of parsed JSON values; object key order does not matter (re-saved configs sort keys). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameValue(a[key], b[key]));
  }
  return false;
}

/** How a report shows a config value: JSON with sorted keys, so equal values print the same. */
export function showValue(value: unknown): string {
  if (value === undefined) return "absent";
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isRecord(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  return value;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function normaliseValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  return toNumber(value) ?? value;
}

/** Older configs say `type`, newer ones `rope_type`, some both (with the same value): keep one. */
function normaliseRopeScaling(value: unknown): unknown {
  if (!isRecord(value)) return normaliseValue(value);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "type") continue;
    copy[key] = normaliseValue(item);
  }
  if (copy.rope_type === undefined && value.type !== undefined) copy.rope_type = value.type;
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
