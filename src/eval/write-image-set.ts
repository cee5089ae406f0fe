import { InternalError } from "../errors.js";
import { createFileSink } from "../safetensors/file-sink.js";
import { createTensorWriter } from "../safetensors/create-tensor-writer.js";
import { layoutFile } from "../safetensors/layout-file.js";
import type { WrittenFile } from "../safetensors/types.js";

export interface WriteImageSetOptions {
  /** The `.safetensors` file to write (through `<path>.tmp`, renamed when complete). */
  path: string;
  /** N × C × H × W bytes. */
  pixels: Uint8Array;
  labels: ArrayLike<number>;
  /** [N, H, W] for one channel, or [N, C, H, W]. */
  shape: [number, number, number] | [number, number, number, number];
  /** Class index → name, stored as `__metadata__.id2label` so a reader can match a model's labels by name. */
  id2label?: readonly string[];
  /** More `__metadata__` entries (provenance: source, transform, seed). */
  metadata?: Record<string, string>;
}

/**
 * Writes an evaluation set as safetensors: `images` U8 and `labels` I64 (PyTorch's class-index dtype), so Python
 * reads it with `safetensors.torch.load_file` and feeds the labels to `cross_entropy` as they are.
 */
export async function writeImageSet(options: WriteImageSetOptions): Promise<WrittenFile> {
  const { path, pixels, labels, shape } = options;
  const count = shape[0];
  const perImage = shape.slice(1).reduce((a, b) => a * b, 1);
  if (pixels.length !== count * perImage || labels.length !== count) {
    throw new InternalError(
      `An image set of shape [${shape.join(", ")}] needs ${count * perImage} pixels and ${count} labels, not ` +
        `${pixels.length} and ${labels.length}.`,
      { code: "EVAL_DATASET_SHAPE" },
    );
  }
  const metadata: Record<string, string> = { ...options.metadata };
  if (options.id2label)
    metadata["id2label"] = JSON.stringify(Object.fromEntries(options.id2label.map((label, i) => [String(i), label])));
  const layout = layoutFile({
    tensors: [
      { name: "images", dtype: "U8", shape },
      { name: "labels", dtype: "I64", shape: [count] },
    ],
    metadata,
    name: path,
  });
  const labelBytes = new Uint8Array(count * 8);
  const view = new DataView(labelBytes.buffer);
  for (let i = 0; i < count; i++) view.setBigInt64(i * 8, BigInt(labels[i] as number), true);
  const file = path.split(/[\\/]/).pop() ?? path;
  const writer = await createTensorWriter({ layout, sink: await createFileSink({ path }), file });
  try {
    for (const tensor of layout.tensors)
      await writer.writeTensor(tensor.name, tensor.name === "images" ? pixels : labelBytes);
    return await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
