import { mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DataError, UsageError } from "../../errors.js";
import { isNotFound, openObjectStore, type ObjectStore } from "./object-store.js";
import { openRepoStore, type RepoStore } from "./repo-store.js";

export interface HubStorage {
  dir: string;
  objects: ObjectStore;
  repos: RepoStore;
  /** Releases the directory lock. */
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  /** The directory that holds everything; created if missing, reused if present. */
  dir: string;
}

/**
 * Opens (or creates) a Hub directory: takes its lock so that one server owns it, then clears what an earlier
 * process left half-done (partial uploads, repos being created or deleted). Published data is never touched.
 */
export async function openStorage(options: OpenStorageOptions): Promise<HubStorage> {
  const dir = resolve(options.dir);
  const tmpDir = join(dir, "tmp");
  const trashDir = join(dir, "trash");
  try {
    for (const sub of ["objects", "repos", "tmp", "trash"]) await mkdir(join(dir, sub), { recursive: true });
  } catch (error) {
    throw new UsageError(`Cannot create the Hub directory ${dir}; check that it is writable.`, {
      code: "HUB_DIR",
      cause: error,
    });
  }
  const lockPath = join(dir, "server.lock");
  await acquireLock(lockPath, dir);
  for (const leftover of [tmpDir, trashDir]) {
    for (const name of await readdir(leftover)) await rm(join(leftover, name), { recursive: true, force: true });
  }
  return {
    dir,
    objects: openObjectStore({ dir: join(dir, "objects"), tmpDir }),
    repos: openRepoStore({ dir: join(dir, "repos"), tmpDir, trashDir }),
    close: () => rm(lockPath, { force: true }),
  };
}

async function acquireLock(lockPath: string, dir: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if (!(typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST")) throw error;
    }
    let owner: number | undefined;
    try {
      owner = Number.parseInt(await readFile(lockPath, "utf8"), 10);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (owner !== undefined && Number.isSafeInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new UsageError(
        `The Hub directory ${dir} is in use by another tvhub hub serve (pid ${owner}); stop it or choose another ` +
          "--dir.",
        { code: "HUB_DIR_LOCKED" },
      );
    }
    // The owner is gone (killed or crashed): its lock is stale.
    await rm(lockPath, { force: true });
  }
  throw new DataError(`Cannot take the lock ${lockPath}; remove it if no tvhub hub serve uses ${dir}.`, {
    code: "HUB_DIR_LOCKED",
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM";
  }
}
