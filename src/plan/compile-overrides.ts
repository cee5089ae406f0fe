import { UsageError } from "../errors.js";
import type { RecipeOverride } from "./recipe.js";

export interface CompiledOverride {
  override: RecipeOverride;
  /** `overrides[1]` */
  origin: string;
  /** `glob *embed_tokens*` or `regex ^lm_head` */
  pattern: string;
  /** `keep base`, `scale 0.5`, `parameters density=0.5`, or several joined by `, `. */
  action: string;
  matches(name: string): boolean;
}

export interface CompileOverridesOptions {
  overrides: readonly RecipeOverride[];
}

/** Turns recipe overrides into name matchers, in recipe order (the first match wins). */
export function compileOverrides(options: CompileOverridesOptions): CompiledOverride[] {
  return options.overrides.map((override, i) => {
    const origin = `overrides[${i}]`;
    let expression: RegExp;
    let pattern: string;
    if (override.glob !== undefined) {
      expression = globToRegExp(override.glob);
      pattern = `glob ${override.glob}`;
    } else if (override.regex !== undefined) {
      try {
        expression = new RegExp(override.regex);
      } catch {
        throw new UsageError(`${origin}.regex is not a valid regular expression; fix the pattern.`, {
          code: "RECIPE_INVALID",
          subject: origin,
        });
      }
      pattern = `regex ${override.regex}`;
    } else {
      throw new UsageError(`${origin} has no glob or regex; give one so it matches tensor names.`, {
        code: "RECIPE_INVALID",
        subject: origin,
      });
    }
    const actions: string[] = [];
    if (override.keep !== undefined) actions.push("keep base");
    if (override.scale !== undefined) actions.push(`scale ${override.scale}`);
    if (override.parameters !== undefined) {
      actions.push(
        `parameters ${Object.entries(override.parameters)
          .map(([key, value]) => `${key}=${String(value)}`)
          .join(" ")}`,
      );
    }
    return { override, origin, pattern, action: actions.join(", "), matches: (name: string) => expression.test(name) };
  });
}

/** `*` matches any run of characters (dots included: tensor names are not paths), `?` exactly one; whole name. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else source += char.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}
