import { readdir, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { UsageError } from "../errors.js";
import type { PublishFile } from "../hub/index.js";
import type { ProgressEvent } from "../util/progress.js";
import type { AppContext } from "./app-context.js";

export interface UploadFolderOptions {
  context: AppContext;
  /** A local folder: every file under it is uploaded, at the same relative path. */
  dir: string;
  /** `org/name`, created when missing. */
  repo: string;
  /** Visibility when the repo has to be created. @default public */
  private?: boolean;
  /** @default "Upload <folder name>" */
  commitTitle?: string;
}

export interface UploadFolderResult {
  repo: string;
  repoUrl: string;
  commit: string;
  created: boolean;
  files: Array<{ path: string; size: number }>;
  /** Files the Hub already held (same sha256), so their bytes were not sent again. */
  alreadyUploaded: string[];
}

/**
 * `tvhub hub upload DIR REPO`: puts a model folder of one's own on a Hub (the local one, or huggingface.co) in one
 * commit, the way `hf upload` does: the folder's files are added or replaced, files the repo already holds that the
 * folder does not are left alone. Dot folders (`.git`, `.cache`) are skipped: they are a checkout's, not the model's.
 */
export async function* uploadFolder(options: UploadFolderOptions): AsyncGenerator<ProgressEvent, UploadFolderResult> {
  const { context, dir, repo } = options;
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new UsageError(
      `${dir} is not a folder; give the folder that holds the model's files (config.json, model.safetensors, ...).`,
      {
        code: "UPLOAD_NOT_A_FOLDER",
        subject: dir,
      },
    );
  }
  const files = await listFiles(dir);
  if (files.length === 0) {
    throw new UsageError(`${dir} holds no files to upload; give the folder that holds the model's files.`, {
      code: "UPLOAD_EMPTY",
      subject: dir,
    });
  }
  const result = yield* context.hub.publish({
    repo,
    files: files.map((file): PublishFile => ({ path: file.path, localPath: file.localPath })),
    commitTitle: options.commitTitle ?? `Upload ${basename(resolve(dir))}`,
    ...(options.private === undefined ? {} : { private: options.private }),
    // Like `hf upload`: the repo is the user's own, so what else it holds stays as it is.
    overwrite: true,
    keepOtherFiles: true,
  });
  return {
    repo,
    repoUrl: result.repoUrl,
    commit: result.commitSha,
    created: result.created,
    files: files.map((file) => ({ path: file.path, size: file.size })),
    alreadyUploaded: result.alreadyUploaded,
  };
}

interface LocalFile {
  path: string;
  localPath: string;
  size: number;
}

async function listFiles(root: string): Promise<LocalFile[]> {
  const found: LocalFile[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    const localPath = join(entry.parentPath, entry.name);
    const path = relative(root, localPath).split(sep).join("/");
    if (!entry.isFile() || path.split("/").some((part) => part.startsWith(".") && part !== ".gitattributes")) continue;
    found.push({ path, localPath, size: (await stat(localPath)).size });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
