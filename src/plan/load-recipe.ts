import type { YAMLError } from "yaml";
import { UsageError } from "../errors.js";
import { parseRecipe } from "./parse-recipe.js";
import type { Recipe } from "./recipe.js";

export interface LoadRecipeOptions {
  /** The file's text, exactly as read. */
  text: string;
  /** What messages call it, usually the path as the user gave it (`recipes/merge.yml`). */
  source: string;
  /**
   * The folder the recipe's relative paths (evaluation datasets) resolve against: the recipe file's, so a recipe
   * runs the same from wherever it is started. @default the current directory
   */
  dir?: string;
}

export interface LoadedRecipe {
  recipe: Recipe;
  /** The YAML verbatim: the model card quotes it, so readers see what the author wrote, comments included. */
  text: string;
  source: string;
  /** See LoadRecipeOptions.dir. */
  dir?: string;
}

/** Parses recipe YAML and validates it; a syntax error names its line and column, a schema error its field path. */
export async function loadRecipe(options: LoadRecipeOptions): Promise<LoadedRecipe> {
  const { text, source } = options;
  // Imported here rather than statically, so that only the commands that read a recipe load the YAML parser.
  const { parseDocument } = await import("yaml");
  // Aliases are capped so that a small file cannot expand into a huge object ("billion laughs").
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) throw yamlError(source, syntaxError);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${source} is not valid YAML: ${firstLine(reason)}; fix the file.`, {
      code: "RECIPE_YAML",
      subject: source,
      cause: error,
    });
  }
  if (value !== null && value !== undefined && (typeof value !== "object" || Array.isArray(value))) {
    throw new UsageError(
      `${source} holds ${Array.isArray(value) ? "a list" : "a single value"}, but a recipe is a mapping of keys ` +
        "such as version, base, output and vectors.",
      {
        code: "RECIPE_INVALID",
        subject: source,
      },
    );
  }
  return {
    recipe: await parseRecipe({ value, source }),
    text,
    source,
    ...(options.dir === undefined ? {} : { dir: options.dir }),
  };
}

function yamlError(source: string, error: YAMLError): UsageError {
  const position = error.linePos?.[0];
  const where = position === undefined ? source : `${source}:${position.line}:${position.col}`;
  const reason = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, "");
  return new UsageError(`${where}: ${reason}; fix the YAML syntax there.`, {
    code: "RECIPE_YAML",
    subject: source,
    cause: error,
  });
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").trim().replace(/[.:]$/, "");
}
