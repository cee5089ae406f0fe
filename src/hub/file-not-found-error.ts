import { RemoteError } from "../errors.js";
import { describeFile } from "./describe-file.js";
import type { RepoFileRef } from "./types.js";

/** The error for a file the pinned commit does not have. */
export function fileNotFoundError(file: RepoFileRef, hubUrl: string): RemoteError {
  return new RemoteError(
    `${file.repo} has no file ${file.path} at commit ${file.sha.slice(0, 7)} on ${hubUrl}; check the file name.`,
    {
      code: "HUB_FILE_NOT_FOUND",
      subject: describeFile(file),
    },
  );
}
