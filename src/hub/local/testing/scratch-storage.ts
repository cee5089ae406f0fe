// Test support for the local Hub's store specs (not part of the package API): a store in a fresh temporary folder,
// text files put into its object store, and the HTTP status a store call is refused with.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitBlobSha1 } from "../git-objects.js";
import { HttpError } from "../http-error.js";
import { openStorage, type HubStorage } from "../open-storage.js";
import type { FileRecord } from "../types.js";

/** A store of its own under the system's temporary folder (`prefix` names the folder, for whoever looks). */
export function openScratchStorage(prefix: string): Promise<HubStorage> {
  return openStorage({ dir: join(mkdtempSync(join(tmpdir(), prefix)), "hub") });
}

/** Puts `text` into the object store and returns the record a commit names it by (not LFS). */
export async function putTextFile(storage: HubStorage, path: string, text: string): Promise<FileRecord> {
  const bytes = Buffer.from(text);
  return {
    path,
    sha256: await storage.objects.putBytes(bytes),
    oid: gitBlobSha1(bytes),
    size: bytes.length,
    lfs: false,
  };
}

/** The status of the HttpError the call is refused with, undefined when it succeeds; any other error is thrown. */
export async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}
