import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

export interface WriteFileAtomicOptions {
  path: string;
  data: string | Uint8Array;
  /** A folder on the same filesystem for the temporary file (so the final rename is atomic). */
  tmpDir: string;
  /** Also fsync the target folder, so the new name survives a power cut (refs and repo records need it). */
  durable?: boolean;
}

/**
 * Writes a file so that readers see the old content or the new content, never a prefix: write a temporary file,
 * fsync it, rename it over the target.
 */
export async function writeFileAtomic(options: WriteFileAtomicOptions): Promise<void> {
  const temp = tempPath(options.tmpDir);
  try {
    const handle = await open(temp, "wx", 0o644);
    try {
      await handle.writeFile(options.data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, options.path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (options.durable) await fsyncDir(dirname(options.path));
}

export function tempPath(tmpDir: string): string {
  return join(tmpDir, `${Date.now().toString(36)}-${randomBytes(8).toString("hex")}.tmp`);
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
