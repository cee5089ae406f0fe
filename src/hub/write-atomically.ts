import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** Writes `content` to `path` through a temporary file and a rename, so no reader ever sees part of it. */
export async function writeAtomically(path: string, content: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryName(path);
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A sibling name no other writer uses; huggingface_hub's cache scan ignores it. */
export function temporaryName(path: string): string {
  return `${path}.tvhub-${randomBytes(6).toString("hex")}.tmp`;
}
