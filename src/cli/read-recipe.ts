import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/** A recipe file's text, or the one sentence that says why it cannot be read. */
export async function readRecipe(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `Recipe ${path} does not exist; give the path of a recipe YAML file (examples in recipes/).`
        : `Recipe ${path} cannot be read (${code ?? "error"}); check the path and its permissions.`,
      { code: "RECIPE_UNREADABLE", subject: path, cause: error },
    );
  }
}
