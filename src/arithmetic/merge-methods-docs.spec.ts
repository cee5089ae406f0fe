/**
 * The methods tables of the docs are generated from the registry, and this spec fails when a committed table differs
 * from what the registry says now (`TVHUB_UPDATE_DOCS=1 npx vitest run src/arithmetic/merge-methods-docs.spec.ts`
 * rewrites them). Generated rather than checked row by row: a generated table cannot drift in any cell, a new method
 * appears in the docs without anyone writing its row, and the diff of the docs shows what a registry change did.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeMethods, recipeParametersOf, type MethodParameter } from "./merge-methods.js";

const root = resolve(import.meta.dirname, "../..");

const code = (text: string) => `\`${text}\``;

function defaultText(parameter: MethodParameter): string {
  return String(parameter.default);
}

/** docs/commands.md: one row per method, what it computes and its parameters with their defaults. */
function methodsTable(): string {
  return [
    "| `method` | what it computes | parameters (default) |",
    "| --- | --- | --- |",
    ...mergeMethods.map((method) => {
      const parameters =
        recipeParametersOf(method)
          .map((p) => `${code(p.name)} (${defaultText(p)})`)
          .join(", ") || "none";
      return `| [${code(method.name)}](${method.reference}) | ${method.summary} | ${parameters} |`;
    }),
  ].join("\n");
}

/** recipes/README.md: one row per parameter meaning, with the methods that share it. */
function parametersTable(): string {
  const rows: Array<{ methods: string[]; parameter?: MethodParameter }> = [];
  for (const method of mergeMethods) {
    const parameters = recipeParametersOf(method);
    if (parameters.length === 0) rows.push({ methods: [method.name] });
    for (const parameter of parameters) {
      const same = rows.find(
        (row) =>
          row.parameter?.name === parameter.name &&
          row.parameter.description === parameter.description &&
          row.parameter.default === parameter.default,
      );
      if (same) same.methods.push(method.name);
      else rows.push({ methods: [method.name], parameter });
    }
  }
  return [
    "| method | parameter | default | meaning |",
    "| --- | --- | --- | --- |",
    ...rows.map(({ methods, parameter }) =>
      parameter === undefined
        ? `| ${methods.map(code).join(", ")} | (none) | | |`
        : `| ${methods.map(code).join(", ")} | ${code(parameter.name)} | ${code(defaultText(parameter))} | ` +
          `${parameter.description} |`,
    ),
  ].join("\n");
}

const marker = (name: string) => ({
  start:
    `<!-- ${name}: generated from src/arithmetic/merge-methods.ts; TVHUB_UPDATE_DOCS=1 npx vitest run ` +
    "src/arithmetic/merge-methods-docs.spec.ts -->",
  end: `<!-- /${name} -->`,
});

const generated = [
  { file: "docs/commands.md", name: "methods-table", table: methodsTable },
  { file: "recipes/README.md", name: "parameters-table", table: parametersTable },
] as const;

describe("the docs' methods tables are the registry's", () => {
  it.each(generated)("$file: $name", ({ file, name, table }) => {
    const path = resolve(root, file);
    const text = readFileSync(path, "utf8");
    const { start, end } = marker(name);
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    expect(from, `${file} has the ${name} markers`).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    const expected = `${text.slice(0, from)}${start}\n${table()}\n${text.slice(to)}`;
    if (process.env.TVHUB_UPDATE_DOCS === "1") writeFileSync(path, expected);
    expect(text).toBe(expected);
  });

  it("every method's table row names its paper, and every method has one", () => {
    const table = methodsTable();
    for (const method of mergeMethods) expect(table).toContain(`| [\`${method.name}\`](${method.reference}) |`);
    expect(table.split("\n")).toHaveLength(mergeMethods.length + 2);
  });
});
