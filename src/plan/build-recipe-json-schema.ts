import { loadRecipeSchema } from "./recipe-schema.js";

/**
 * The recipe format as JSON Schema (draft 2020-12), written to `recipes/schema.json` so editors validate and
 * document recipes as they are typed (`# yaml-language-server: $schema=...`). It describes the YAML as written,
 * before defaults apply.
 */
export async function buildRecipeJsonSchema(): Promise<Record<string, unknown>> {
  const [{ z }, recipeSchema] = await Promise.all([import("zod"), loadRecipeSchema()]);
  const schema = z.toJSONSchema(recipeSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: "https://github.com/tvhub/tvhub/blob/main/recipes/schema.json",
    title: "tvhub recipe",
    description:
      "A task-arithmetic merge: a base model, task vectors (published, or computed from fine-tuned models) with " +
      "weights, a method, and where the result goes.",
    ...rest,
  };
}
