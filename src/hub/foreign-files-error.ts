import { DataError } from "../errors.js";

export interface ForeignFilesErrorOptions {
  /** `org/name`, or a folder. */
  target: string;
  /** The files there that are not from a tvhub publish (findForeignFiles). */
  foreign: readonly string[];
}

/** The refusal to publish into a repo or folder that holds someone's other work. */
export function foreignFilesError(options: ForeignFilesErrorOptions): DataError {
  const { target, foreign } = options;
  const shown = foreign.slice(0, 3).join(", ") + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : "");
  return new DataError(
    `${target} already holds files that no tvhub publish put there (${shown}); publish to a new name, or move those ` +
      "files away first.",
    {
      code: "TARGET_NOT_EMPTY",
      subject: target,
    },
  );
}
