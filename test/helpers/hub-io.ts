/** Putting models on a local Hub and reading results back, with the official client, as a user would. */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";

export async function uploadFolder(options: {
  hubUrl: string;
  token: string;
  repo: string;
  dir: string;
}): Promise<void> {
  const { hubUrl, token, repo, dir } = options;
  await createRepo({ repo, accessToken: token, hubUrl }).catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 409) throw error;
  });
  const files = walk(dir).map((path) => ({ path: relative(dir, path), content: pathToFileURL(path) }));
  await uploadFiles({ repo, accessToken: token, hubUrl, files, useXet: false });
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export async function downloadBytes(options: {
  hubUrl: string;
  token?: string;
  repo: string;
  path: string;
  revision?: string;
}): Promise<Uint8Array> {
  const blob = await downloadFile({
    repo: options.repo,
    path: options.path,
    hubUrl: options.hubUrl,
    xet: false,
    ...(options.token ? { accessToken: options.token } : {}),
    ...(options.revision ? { revision: options.revision } : {}),
  });
  if (!blob) throw new Error(`${options.repo} has no ${options.path}`);
  return new Uint8Array(await blob.arrayBuffer());
}

/** A minimal safetensors parse, independent of src/safetensors: name → { dtype, shape, bytes }. */
export function parseSafetensorsBytes(
  file: Uint8Array,
): Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }> {
  const n = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const tensors = new Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    tensors.set(name, {
      dtype: info.dtype,
      shape: info.shape,
      bytes: file.subarray(8 + n + info.data_offsets[0], 8 + n + info.data_offsets[1]),
    });
  }
  return tensors;
}
