import type { SafetensorsModel, TensorInfo } from "../safetensors/types.js";
import type { Dtype } from "../tensor/dtype.js";
import { elementCount } from "../tensor/shape.js";

export interface InspectOptions {
  /** A model opened through the safetensors reader (local or Hub); only its headers are used. */
  model: SafetensorsModel;
  /**
   * Whether the report lists every tensor; false leaves `tensors` empty, for a summary that needs only the groups
   * (1,000,000 tensors are some 80 MB of report objects). @default true
   */
  listTensors?: boolean;
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
  /** Every tensor, in natural name order (layers.2 before layers.10); empty when `listTensors` was false. */
  tensors: InspectedTensor[];
  /** The tensors with repeated layers folded together, for a readable summary. */
  groups: InspectedGroup[];
}

/** What a model holds, from its headers alone: tensors, parameters per dtype, files, metadata. */
export function inspect(options: InspectOptions): InspectReport {
  const { model } = options;
  // Straight from the headers, not model.tensors(): a 1,000,000-tensor file must not be copied again for the
  // summary; the report's tensor objects are made only when asked for.
  const all: TensorInfo[] = [];
  // Names are unique across a model's files (openModel checks), so the file of a tensor can be looked up by it.
  const fileOf = model.files.length === 1 ? undefined : new Map<TensorInfo, string>();
  for (const { file, header } of model.files) {
    for (const tensor of header.tensors) {
      all.push(tensor);
      fileOf?.set(tensor, file);
    }
  }
  const onlyFile = model.files[0]?.file ?? "";
  const sorted = [...all].sort((a, b) => naturalCompare(a.name, b.name));

  const byDtype = new Map<Dtype, InspectedDtype>();
  let parameters = 0;
  let tensorBytes = 0;
  for (const t of all) {
    const count = elementCount(t.shape) ?? 0;
    const entry = byDtype.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, parameters: 0, bytes: 0 };
    entry.tensors++;
    entry.parameters += count;
    entry.bytes += t.end - t.begin;
    byDtype.set(t.dtype, entry);
    parameters += count;
    tensorBytes += t.end - t.begin;
  }
  // The report shares the headers' shape arrays: it is read-only data.
  const tensors: InspectedTensor[] =
    options.listTensors === false
      ? []
      : sorted.map((t) => ({
          name: t.name,
          dtype: t.dtype,
          shape: t.shape,
          parameters: elementCount(t.shape) ?? 0,
          bytes: t.end - t.begin,
          file: fileOf?.get(t) ?? onlyFile,
        }));
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
    index:
      model.indexFile === undefined
        ? null
        : { file: model.indexFile, totalSize: typeof totalSize === "number" ? totalSize : null },
    totals: {
      tensors: all.length,
      parameters,
      tensorBytes,
      fileBytes: files.reduce((sum, f) => sum + f.size, 0),
    },
    dtypes: [...byDtype.values()].sort((a, b) => b.parameters - a.parameters || a.dtype.localeCompare(b.dtype)),
    files,
    metadata: shared,
    tensors,
    groups: groupLayers(sorted),
  };
}

/**
 * Folds tensors that differ only in their first numeric path segment (the layer index) and agree on dtype and shape.
 */
function groupLayers(tensors: readonly TensorInfo[]): InspectedGroup[] {
  const groups = new Map<
    string,
    { prefix: string; suffix: string; indices: number[]; tensor: TensorInfo; parameters: number }
  >();
  for (const tensor of tensors) {
    const segment = firstNumericSegment(tensor.name);
    const prefix = segment === undefined ? tensor.name : tensor.name.slice(0, segment.start);
    const suffix = segment === undefined ? "" : tensor.name.slice(segment.end);
    const numbered = segment === undefined ? "" : "*";
    const key = [`${numbered}${prefix}`, suffix, tensor.dtype, tensor.shape.join(",")].join("\u0000");
    let group = groups.get(key);
    if (!group) {
      group = { prefix, suffix, indices: [], tensor, parameters: 0 };
      groups.set(key, group);
    }
    if (segment !== undefined) group.indices.push(Number(tensor.name.slice(segment.start, segment.end)));
    group.parameters += elementCount(tensor.shape) ?? 0;
  }
  return [...groups.values()].map(({ prefix, suffix, indices, tensor, parameters }) => ({
    pattern:
      indices.length === 0 ? prefix : indices.length === 1 ? tensor.name : `${prefix}{${ranges(indices)}}${suffix}`,
    dtype: tensor.dtype,
    shape: tensor.shape,
    count: indices.length === 0 ? 1 : indices.length,
    parameters,
  }));
}

/** The first dot-separated segment made only of digits (`12` in `model.layers.12.mlp`), as character offsets. */
function firstNumericSegment(name: string): { start: number; end: number } | undefined {
  let start = 0;
  while (start <= name.length) {
    let end = name.indexOf(".", start);
    if (end < 0) end = name.length;
    let digits = end > start;
    for (let i = start; digits && i < end; i++) {
      const code = name.charCodeAt(i);
      digits = code >= 0x30 && code <= 0x39;
    }
    if (digits) return { start, end };
    start = end + 1;
  }
  return undefined;
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

/**
 * Orders names as a person reads them: the names are cut into runs of digits and runs of other characters; runs
 * of digits compare as numbers (equal values: the shorter text first), other runs by code unit, and a name that
 * runs out of runs first comes first. Walks the two strings in place: a sort of 1,000,000 names calls this some
 * 20 million times, so it allocates nothing.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  for (;;) {
    if (i >= a.length || j >= b.length) return (i < a.length ? 1 : 0) - (j < b.length ? 1 : 0);
    const digitRun = isDigit(a.charCodeAt(i));
    const endA = runEnd(a, i, digitRun);
    const endB = runEnd(b, j, isDigit(b.charCodeAt(j)));
    const lengthA = endA - i;
    const lengthB = endB - j;
    const both = digitRun && isDigit(b.charCodeAt(j));
    let k = 0;
    while (k < lengthA && k < lengthB && a.charCodeAt(i + k) === b.charCodeAt(j + k)) k++;
    if (k < lengthA || k < lengthB) {
      if (both) {
        const difference = Number(a.slice(i, endA)) - Number(b.slice(j, endB));
        return difference !== 0 ? difference : lengthA - lengthB;
      }
      if (k < lengthA && k < lengthB) return a.charCodeAt(i + k) - b.charCodeAt(j + k);
      return lengthA - lengthB;
    }
    i = endA;
    j = endB;
  }
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Where the run of digits (or of non-digits) that starts at `from` ends. */
function runEnd(text: string, from: number, digits: boolean): number {
  let end = from + 1;
  while (end < text.length && isDigit(text.charCodeAt(end)) === digits) end++;
  return end;
}
