import { corrupt } from "./errors.js";

/** How a model's weights are stored, decided from its file list alone. */
export type WeightsLayout =
  | { layout: "single"; prefix: string; file: string }
  | { layout: "sharded"; prefix: string; indexFile: string };

/** The names tvhub looks for, in order: a Transformers model, then a tvhub task vector. */
export const weightPrefixes = ["model", "task_vector"] as const;

export interface FindWeightsOptions {
  /** What messages call the model (a folder or a repo). */
  name: string;
  /** The files at the model root, relative names. */
  files: readonly string[];
  /** @default weightPrefixes */
  prefixes?: readonly string[];
}

const pickle = /\.(bin|pt|pth|ckpt|pkl)$/i;
const otherFormats = /\.(h5|msgpack|gguf|onnx|ggml)$/i;

/**
 * Picks `<prefix>.safetensors` or `<prefix>.safetensors.index.json`. When both exist the single file wins, as in
 * Transformers' `from_pretrained`, which looks for it first.
 */
export function findWeights(options: FindWeightsOptions): WeightsLayout {
  const present = new Set(options.files);
  for (const prefix of options.prefixes ?? weightPrefixes) {
    if (present.has(`${prefix}.safetensors`)) return { layout: "single", prefix, file: `${prefix}.safetensors` };
    if (present.has(`${prefix}.safetensors.index.json`)) {
      return { layout: "sharded", prefix, indexFile: `${prefix}.safetensors.index.json` };
    }
  }
  const rootFiles = options.files.filter((file) => !file.includes("/")).sort();
  const expected = (options.prefixes ?? weightPrefixes).map((p) => `${p}.safetensors`).join(" or ");
  const safetensors = rootFiles.filter((file) => file.endsWith(".safetensors"));
  if (safetensors.length > 0) {
    throw corrupt(
      "SAFETENSORS_NO_WEIGHTS",
      options.name,
      `there is no ${expected} nor its .index.json, only ${listFew(safetensors)}; pass the path of the .safetensors ` +
        "file itself if that is the model.",
    );
  }
  const pickles = rootFiles.filter((file) => pickle.test(file) || /\.bin\.index\.json$/.test(file));
  if (pickles.length > 0) {
    throw corrupt(
      "SAFETENSORS_PICKLE_ONLY",
      options.name,
      `the weights are PyTorch pickles (${listFew(pickles)}) but tvhub reads only safetensors, which cannot run ` +
        "code when loaded; convert them first, e.g. with transformers' model.save_pretrained(folder, " +
        `safe_serialization=True) or the Hub's "safetensors/convert" Space.`,
    );
  }
  const others = rootFiles.filter((file) => otherFormats.test(file));
  const found = others.length > 0 ? `only ${listFew(others)}` : "no weights at all";
  throw corrupt(
    "SAFETENSORS_NO_WEIGHTS",
    options.name,
    `there is no ${expected} nor its .index.json (${found}); point tvhub at a folder with safetensors weights.`,
  );
}

function listFew(files: readonly string[]): string {
  return files.length <= 3 ? files.join(", ") : `${files.slice(0, 3).join(", ")} and ${files.length - 3} more`;
}
