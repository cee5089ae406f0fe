import type { SafetensorsModel } from "../safetensors/types.js";
import type { Dtype } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";

export interface InspectOptions {
  /** A model opened through the safetensors reader (local or Hub); only its headers are used. */
  model: SafetensorsModel;
}

export interface InspectedTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  parameters: number;
  bytes: number;
  /** The file that holds it, relative to the model root. */
  file: string;
}

export interface InspectedDtype {
  dtype: Dtype;
  tensors: number;
  parameters: number;
  bytes: number;
}

export interface InspectedFile {
  file: string;
  /** The whole file. */
  size: number;
  /** The 8-byte length field plus the JSON header. */
  headerBytes: number;
  tensors: number;
  /** Tensor data in this file. */
  dataBytes: number;
  metadata: Record<string, string> | null;
}

/** A repeated layer shown once: `model.layers.{0-31}.mlp.up_proj.weight`, 32 tensors of one dtype and shape. */
export interface InspectedGroup {
  pattern: string;
  dtype: Dtype;
  shape: number[];
  count: number;
  parameters: number;
}

/** Where a Hub model was read from: the repo, pinned to one commit. */
export interface InspectSource {
  repo: string;
  /** The 40-hex commit every header was read at. */
  revision: string;
  /** The repo's page, e.g. `https://huggingface.co/org/name`. */
  url: string;
}

export interface InspectReport {
  /** The model as the user named it. */
  model: string;
  /** For a Hub model, the repo and commit; null for a local one. */
  source: InspectSource | null;
  layout: "single" | "sharded";
  /** The index file, when sharded. */
  index: { file: string; totalSize: number | null } | null;
  totals: { tensors: number; parameters: number; tensorBytes: number; fileBytes: number };
  /** Parameters per dtype, largest first. */
  dtypes: InspectedDtype[];
  files: InspectedFile[];
  /** `__metadata__` when every file has the same, else null (each file's is in `files`). */
  metadata: Record<string, string> | null;
  /** Every tensor, in natural name order (layers.2 before layers.10). */
  tensors: InspectedTensor[];
  /** The tensors with repeated layers folded together, for a readable summary. */
  groups: InspectedGroup[];
}

/** What a model holds, from its headers alone: tensors, parameters per dtype, files, metadata. */
export function inspect(options: InspectOptions): InspectReport {
  const { model } = options;
  const tensors: InspectedTensor[] = model
    .tensors()
    .map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, parameters: elementCount(t.shape) ?? 0, bytes: t.end - t.begin, file: t.file }))
    .sort((a, b) => naturalCompare(a.name, b.name));

  const byDtype = new Map<Dtype, InspectedDtype>();
  for (const t of tensors) {
    const entry = byDtype.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, parameters: 0, bytes: 0 };
    entry.tensors++;
    entry.parameters += t.parameters;
    entry.bytes += t.bytes;
    byDtype.set(t.dtype, entry);
  }
  const files: InspectedFile[] = model.files.map(({ file, header }) => ({
    file,
    size: header.fileSize,
    headerBytes: header.dataStart,
    tensors: header.tensors.length,
    dataBytes: header.fileSize - header.dataStart,
    metadata: header.metadata ?? null,
  }));
  const first = JSON.stringify(files[0]?.metadata ?? null);
  const shared = files.every((f) => JSON.stringify(f.metadata) === first) ? (files[0]?.metadata ?? null) : null;
  const totalSize = model.index?.metadata?.total_size;

  return {
    model: model.name,
    source: null,
    layout: model.layout,
    index: model.indexFile === undefined ? null : { file: model.indexFile, totalSize: typeof totalSize === "number" ? totalSize : null },
    totals: {
      tensors: tensors.length,
      parameters: tensors.reduce((sum, t) => sum + t.parameters, 0),
      tensorBytes: tensors.reduce((sum, t) => sum + t.bytes, 0),
      fileBytes: files.reduce((sum, f) => sum + f.size, 0),
    },
    dtypes: [...byDtype.values()].sort((a, b) => b.parameters - a.parameters || a.dtype.localeCompare(b.dtype)),
    files,
    metadata: shared,
    tensors,
    groups: groupLayers(tensors),
  };
}

/** Folds tensors that differ only in their first numeric path segment (the layer index) and agree on dtype and shape. */
function groupLayers(tensors: readonly InspectedTensor[]): InspectedGroup[] {
  const groups = new Map<string, { template: string[]; at: number; indices: number[]; tensor: InspectedTensor; parameters: number }>();
  for (const tensor of tensors) {
    const parts = tensor.name.split(".");
    const at = parts.findIndex((part) => /^\d+$/.test(part));
    const template = at < 0 ? parts : parts.map((part, i) => (i === at ? "*" : part));
    const key = `${template.join(".")}\u0000${tensor.dtype}\u0000${tensor.shape.join(",")}`;
    const group = groups.get(key) ?? { template, at, indices: [], tensor, parameters: 0 };
    if (at >= 0) group.indices.push(Number(parts[at]));
    group.parameters += tensor.parameters;
    groups.set(key, group);
  }
  return [...groups.values()].map(({ template, at, indices, tensor, parameters }) => ({
    pattern:
      at < 0 || indices.length === 1 ? (at < 0 ? template.join(".") : tensor.name) : template.map((part, i) => (i === at ? `{${ranges(indices)}}` : part)).join("."),
    dtype: tensor.dtype,
    shape: tensor.shape,
    count: at < 0 ? 1 : indices.length,
    parameters,
  }));
}

/** 0,1,2,3,7,9,10 → "0-3,7,9-10". */
function ranges(values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Orders names as a person reads them: digit runs compare as numbers, everything else by code unit. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
