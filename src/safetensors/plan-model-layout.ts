import { byteLength } from "../tensor/shape.js";
import { compareCodePoints } from "./compare-code-points.js";
import { defineOwn } from "./define-own.js";
import { corrupt } from "./errors.js";
import { layoutFile, type FileLayout, type PlannedTensor } from "./layout-file.js";
import type { LocatedTensor, SafetensorsIndex } from "./types.js";

/** Transformers' default `max_shard_size`, "5GB", which it reads as decimal. */
export const defaultMaxShardSize = 5_000_000_000;

export interface PlanModelLayoutOptions {
  /** In the model's order (module order): shards are filled in this order. */
  tensors: readonly PlannedTensor[];
  /** `model` for a model, `task_vector` for a task vector. @default "model" */
  prefix?: string;
  /** Bytes of tensor data per shard at most, except for a tensor larger than this. @default 5,000,000,000 */
  maxShardSize?: number;
  /** `__metadata__` of every file, e.g. `{ format: "pt" }`. */
  metadata?: Record<string, string>;
}

export interface PlannedFile {
  /** Relative name, e.g. `model-00001-of-00003.safetensors`. */
  file: string;
  layout: FileLayout;
}

/** Which tensor goes in which file and every file's header: everything a streaming writer needs, before any data. */
export interface ModelLayout {
  prefix: string;
  files: PlannedFile[];
  /** Present when there is more than one file. */
  index?: {
    file: string;
    content: SafetensorsIndex;
    /** The exact bytes to write, as Transformers formats it. */
    text: string;
  };
  /** Sum of tensor bytes (headers excluded), the index's `metadata.total_size`. */
  totalSize: number;
  /** Every tensor in the order its bytes must be written: file by file, header order within a file. */
  writeOrder: LocatedTensor[];
}

/**
 * Splits planned tensors into shards with the rule of huggingface_hub's `split_torch_state_dict_into_shards`
 * (what Transformers' `save_pretrained` uses): walk the tensors in order; a tensor larger than the limit becomes
 * a shard of its own at once; otherwise, if it would push the current shard past the limit, the current shard is
 * closed first. Shards are numbered in the order they are closed, so an oversized tensor's shard comes before the
 * shard that was being filled when it was met. One shard is a plain `<prefix>.safetensors` and no index.
 */
export function planModelLayout(options: PlanModelLayoutOptions): ModelLayout {
  const prefix = options.prefix ?? "model";
  const maxShardSize = options.maxShardSize ?? defaultMaxShardSize;
  const subject = `${prefix}.safetensors`;
  if (!/^[A-Za-z0-9._-]+$/.test(prefix)) {
    throw corrupt(
      "SAFETENSORS_WRITE_BAD_PLAN",
      subject,
      `the file prefix ${JSON.stringify(prefix)} must be a plain file name such as "model".`,
    );
  }
  if (!Number.isSafeInteger(maxShardSize) || maxShardSize <= 0) {
    throw corrupt(
      "SAFETENSORS_WRITE_BAD_PLAN",
      subject,
      `the maximum shard size must be a positive number of bytes, not ${maxShardSize}.`,
    );
  }
  const names = new Set<string>();
  const shards: PlannedTensor[][] = [];
  let current: PlannedTensor[] = [];
  let currentSize = 0;
  let totalSize = 0;
  for (const tensor of options.tensors) {
    if (names.has(tensor.name)) {
      throw corrupt(
        "SAFETENSORS_WRITE_BAD_PLAN",
        subject,
        `the plan has two tensors named ${JSON.stringify(tensor.name)}; each name must be unique.`,
      );
    }
    names.add(tensor.name);
    const size = byteLength(tensor.dtype, tensor.shape);
    if (size === undefined) {
      throw corrupt(
        "SAFETENSORS_WRITE_BAD_PLAN",
        subject,
        `tensor ${JSON.stringify(tensor.name)} has a shape whose byte size cannot be written.`,
      );
    }
    totalSize += size;
    if (size > maxShardSize) {
      shards.push([tensor]);
      continue;
    }
    if (currentSize + size > maxShardSize) {
      shards.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(tensor);
    currentSize += size;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);

  const count = shards.length;
  const files: PlannedFile[] = shards.map((tensors, i) => {
    const file = count === 1 ? `${prefix}.safetensors` : `${prefix}-${pad5(i + 1)}-of-${pad5(count)}.safetensors`;
    return {
      file,
      layout: layoutFile({ tensors, name: file, ...(options.metadata ? { metadata: options.metadata } : {}) }),
    };
  });
  const writeOrder = files.flatMap(({ file, layout }) => layout.tensors.map((tensor) => ({ ...tensor, file })));
  const layout: ModelLayout = { prefix, files, totalSize, writeOrder };
  if (count > 1) {
    const weightMap: Record<string, string> = {};
    for (const tensor of [...writeOrder].sort((a, b) => compareCodePoints(a.name, b.name))) {
      defineOwn(weightMap, tensor.name, tensor.file);
    }
    const content: SafetensorsIndex = { metadata: { total_size: totalSize }, weight_map: weightMap };
    layout.index = { file: `${prefix}.safetensors.index.json`, content, text: formatIndex(totalSize, writeOrder) };
  }
  return layout;
}

function pad5(n: number): string {
  return String(n).padStart(5, "0");
}

/**
 * Byte-for-byte what Transformers writes: `json.dumps(index, indent=2, sort_keys=True) + "\n"`. Python sorts keys
 * by code point and escapes every character outside printable ASCII (`ensure_ascii`). Built by hand because a
 * JavaScript object would move integer-like tensor names to the front.
 */
function formatIndex(totalSize: number, tensors: readonly LocatedTensor[]): string {
  const sorted = [...tensors].sort((a, b) => compareCodePoints(a.name, b.name));
  const lines = sorted.map((t) => `    ${pythonString(t.name)}: ${pythonString(t.file)}`);
  return `{\n  "metadata": {\n    "total_size": ${totalSize}\n  },\n  "weight_map": {\n${lines.join(",\n")}\n  }\n}\n`;
}

function pythonString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
