import type { Exchange, HubContext } from "./hub-context.js";
import { readJson, sendJson } from "./http-io.js";
import type { Route } from "./match-route.js";

export interface CardValidation {
  /** Each one makes the Python client raise `ValueError("Invalid metadata in README.md. …")`. */
  errors: Array<{ message: string }>;
  /** Each one becomes a Python `UserWarning`; the upload goes on. */
  warnings: Array<{ message: string }>;
}

/** The client's own front-matter rule (`repocard.py:REGEX_YAML_BLOCK`): leading whitespace, then `---` lines. */
const frontMatter = /^(\s*---[\r\n]+)([\S\s]*?)([\r\n]+---(\r\n|\n|$))/;
const repoId = /^[A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*)?$/;

/**
 * Checks a README's metadata the way the Hub does before an upload: the front matter must be a YAML mapping, and
 * the keys the Hub gives a meaning to must have its types (base models must be Hub repo ids, not local paths).
 * Unknown keys are accepted, as on the Hub. A card without metadata passes with the Hub's warning.
 */
export async function validateCardYaml(content: string): Promise<CardValidation> {
  const missing: CardValidation = {
    errors: [],
    warnings: [{ message: "empty or missing yaml metadata in repo card" }],
  };
  const match = frontMatter.exec(content);
  if (!match) return missing;
  const { parse } = await import("yaml");
  let value: unknown;
  try {
    value = parse(match[2] ?? "", { maxAliasCount: 100, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    return { errors: [{ message: `Error parsing YAML metadata: ${reason}` }], warnings: [] };
  }
  if (value === null || value === undefined) return missing;
  if (typeof value !== "object" || Array.isArray(value)) {
    return {
      errors: [{ message: "The YAML metadata must be a mapping of keys to values (key: value)." }],
      warnings: [],
    };
  }
  const card = value as Record<string, unknown>;
  const errors: Array<{ message: string }> = [];
  const stringOrList = (key: string, check?: (item: string) => boolean): void => {
    if (!(key in card) || card[key] === null) return;
    const items = Array.isArray(card[key]) ? (card[key] as unknown[]) : [card[key]];
    for (const item of items) {
      if (typeof item !== "string" && !(typeof item === "number" && key === "tags")) {
        errors.push({ message: `"${key}" must be a string or an array of strings` });
        return;
      }
      if (check && typeof item === "string" && !check(item)) {
        errors.push({
          message: `"${key}" with value "${item}" is not valid. Use a model id from https://hf.co/models.`,
        });
        return;
      }
    }
  };
  stringOrList("license");
  stringOrList("tags");
  stringOrList("language");
  stringOrList("datasets");
  stringOrList("metrics");
  stringOrList("base_model", (id) => repoId.test(id));
  for (const key of ["pipeline_tag", "library_name", "license_name", "license_link", "base_model_relation"]) {
    if (key in card && card[key] !== null && typeof card[key] !== "string")
      errors.push({ message: `"${key}" must be a string` });
  }
  if ("model-index" in card && card["model-index"] !== null && !Array.isArray(card["model-index"])) {
    errors.push({ message: '"model-index" must be an array' });
  }
  return { errors, warnings: [] };
}

/** `POST /api/validate-yaml` `{content, repoType}`: 200 `{}` (plus warnings), or 400 `{error, errors}`. */
export async function handleValidateYaml(
  hub: HubContext,
  ex: Exchange<Extract<Route, { name: "validateYaml" }>>,
): Promise<void> {
  const body = await readJson(ex.req, hub.limits.maxJsonBytes, "validate-yaml request");
  // The client parses the answer as a JSON object before it looks at the status, so every answer is one.
  if (typeof body.content !== "string") {
    sendJson(ex.res, 400, {
      error: 'The body needs "content": the README text.',
      errors: [{ message: '"content" must be a string' }],
    });
    return;
  }
  const { errors, warnings } = await validateCardYaml(body.content);
  if (errors.length > 0) {
    sendJson(ex.res, 400, { error: "Invalid metadata in README.md.", errors, warnings });
    return;
  }
  sendJson(ex.res, 200, warnings.length > 0 ? { warnings } : {});
}
