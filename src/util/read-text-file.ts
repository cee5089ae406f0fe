import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/** How the messages of a file the user named speak of it. */
export interface FileWords {
  /** What the messages call the file, e.g. `Recipe recipes/merge.yml`. */
  name: string;
  /** What follows "… does not exist": where the file should be, what to give instead. */
  whenMissing: string;
  code: string;
  subject: string;
}

/** A file the user named, as text, or the one sentence that says why it cannot be read. */
export async function readTextFile(path: string, words: FileWords): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${words.name} does not exist${words.whenMissing}`
        : `${words.name} cannot be read (${code ?? "error"}); check the path and its permissions.`,
      { code: words.code, subject: words.subject, cause: error },
    );
  }
}
