import { DataError } from "../errors.js";
import { openLocalModel } from "../safetensors/open-local-model.js";
import type { SafetensorsModel } from "../safetensors/types.js";
import { formatShape } from "../tensor/shape.js";

/** A labelled image set in memory: what the tfjs evaluator measures accuracy on. */
export interface ImageSet {
  /** What reports call it, e.g. `rotated-test`. */
  name: string;
  /** N × C × H × W bytes, row-major. */
  pixels: Uint8Array;
  /** Class indices, one per image. */
  labels: Int32Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  /** Class index → label name, when the file's `__metadata__` declares `id2label`; lets the evaluator map by name. */
  id2label?: string[];
}

export interface ReadImageSetOptions {
  /** A `.safetensors` file with `images` (U8 [N, H, W] or [N, C, H, W]) and `labels` (an integer dtype, [N]). */
  path: string;
  /** @default the file's name without `.safetensors` */
  name?: string;
}

/** How label i is read in each integer dtype a label may be stored in (little-endian, as safetensors stores it). */
const labelReaders: Record<string, (view: DataView, i: number) => number> = {
  U8: (view, i) => view.getUint8(i),
  I8: (view, i) => view.getInt8(i),
  U16: (view, i) => view.getUint16(i * 2, true),
  I16: (view, i) => view.getInt16(i * 2, true),
  U32: (view, i) => view.getUint32(i * 4, true),
  I32: (view, i) => view.getInt32(i * 4, true),
  I64: (view, i) => Number(view.getBigInt64(i * 8, true)),
  U64: (view, i) => Number(view.getBigUint64(i * 8, true)),
};

/** Reads and validates an evaluation set written by writeImageSet (or by Python: `safetensors.torch.save_file`). */
export async function readImageSet(options: ReadImageSetOptions): Promise<ImageSet> {
  const { path } = options;
  const name = options.name ?? (path.split(/[\\/]/).pop() ?? path).replace(/\.safetensors$/, "");
  const fail = (why: string): never => {
    throw new DataError(
      `${path}: ${why}; an evaluation set holds "images" U8 [N, H, W] or [N, C, H, W] and "labels" [N] of an ` +
        "integer dtype.",
      {
        code: "EVAL_DATASET_INVALID",
        subject: path,
      },
    );
  };
  if (!path.endsWith(".safetensors")) fail("is not a .safetensors file");
  const file = await openLocalModel({ path });
  try {
    if (!file.has("images")) fail('has no tensor "images"');
    if (!file.has("labels")) fail('has no tensor "labels"');
    const images = file.tensor("images");
    const labels = file.tensor("labels");
    if (images.dtype !== "U8") fail(`"images" is ${images.dtype}, not U8`);
    if (images.shape.length !== 3 && images.shape.length !== 4) fail(`"images" has shape ${formatShape(images.shape)}`);
    const [count, ...rest] = images.shape as [number, ...number[]];
    const [channels, height, width] = (rest.length === 2 ? [1, ...rest] : rest) as [number, number, number];
    if (count === 0 || height === 0 || width === 0 || channels === 0)
      fail(`"images" has shape ${formatShape(images.shape)}, which holds no pixels`);
    if (!Object.hasOwn(labelReaders, labels.dtype)) fail(`"labels" is ${labels.dtype}, not an integer dtype`);
    if (labels.shape.length !== 1 || labels.shape[0] !== count)
      fail(`"labels" has shape ${formatShape(labels.shape)} for ${count} images`);

    const pixels = await file.readTensor("images");
    const labelValues = decodeLabels(await file.readTensor("labels"), labels.dtype, count, fail);
    const id2label = readId2label(file, fail);
    if (id2label) {
      const bad = labelValues.findIndex((label) => label >= id2label.length);
      if (bad >= 0) fail(`label ${labelValues[bad]} of image ${bad} has no entry in __metadata__.id2label`);
    }
    return { name, pixels, labels: labelValues, count, channels, height, width, ...(id2label ? { id2label } : {}) };
  } finally {
    await file.close();
  }
}

function decodeLabels(bytes: Uint8Array, dtype: string, count: number, fail: (why: string) => never): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(count);
  const read = labelReaders[dtype] ?? labelReaders.U64!;
  for (let i = 0; i < count; i++) {
    const value = read(view, i);
    if (value < 0 || value > 0x7fffffff) fail(`label ${value} of image ${i} is not a class index`);
    out[i] = value;
  }
  return out;
}

function readId2label(file: SafetensorsModel, fail: (why: string) => never): string[] | undefined {
  const text = file.files[0]?.header.metadata?.["id2label"];
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail("__metadata__.id2label is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return fail("__metadata__.id2label is not an object");
  const entries = Object.entries(parsed as Record<string, unknown>);
  const labels = new Array<string>(entries.length);
  for (const [key, value] of entries) {
    const index = Number(key);
    if (!/^\d+$/.test(key) || index >= entries.length || typeof value !== "string")
      fail(`__metadata__.id2label must map 0..${entries.length - 1} to names`);
    labels[index] = value as string;
  }
  return labels;
}
