import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { badRequest, corrupt } from "./errors.js";
import { openFileSource } from "./file-source.js";
import { openModel } from "./open-model.js";
import type { SafetensorsModel } from "./types.js";

export interface OpenLocalModelOptions {
  /** A model folder, a `.safetensors` file, or a `.safetensors.index.json` file. */
  path: string;
  /** Names to look for in a folder, in order. @default ["model", "task_vector"] */
  prefixes?: readonly string[];
}

/** Opens a model on the local disk; messages name files by the path the user gave. */
export async function openLocalModel(options: OpenLocalModelOptions): Promise<SafetensorsModel> {
  const { path } = options;
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") {
      throw badRequest(
        "SAFETENSORS_PATH_NOT_FOUND",
        path,
        "there is no such file or folder; give a model folder or a .safetensors file.",
      );
    }
    throw error;
  }
  const root = isDirectory ? path : dirname(path);
  const open = (file: string) => openFileSource({ path: join(root, file), name: join(root, file) });
  if (isDirectory) {
    return openModel({
      name: path,
      open,
      files: await listFiles(path),
      ...(options.prefixes ? { prefixes: options.prefixes } : {}),
    });
  }
  const file = basename(path);
  if (file.endsWith(".safetensors")) return openModel({ name: path, open, weights: file });
  if (file.endsWith(".safetensors.index.json"))
    return openModel({ name: path, open, weights: file, files: await listFiles(root) });
  if (/\.(bin|pt|pth|ckpt|pkl)$/i.test(file)) {
    throw corrupt(
      "SAFETENSORS_PICKLE_ONLY",
      path,
      "this is a PyTorch pickle but tvhub reads only safetensors, which cannot run code when loaded; convert it " +
        "first, e.g. with transformers' model.save_pretrained(folder, safe_serialization=True) or the Hub's " +
        `"safetensors/convert" Space.`,
    );
  }
  throw corrupt(
    "SAFETENSORS_NO_WEIGHTS",
    path,
    "this is not a .safetensors file, an index or a model folder; give one of those.",
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isFile() || entry.isSymbolicLink()).map((entry) => entry.name);
}
