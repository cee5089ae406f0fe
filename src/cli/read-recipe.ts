import { readTextFile } from "../util/read-text-file.js";

/**
 * A recipe file's text, or the one sentence that says why it cannot be read; `whenMissing` says what kind of recipe
 * to give.
 */
export function readRecipe(
  path: string,
  whenMissing = "; give the path of a recipe YAML file (examples in recipes/).",
): Promise<string> {
  return readTextFile(path, { name: `Recipe ${path}`, whenMissing, code: "RECIPE_UNREADABLE", subject: path });
}
