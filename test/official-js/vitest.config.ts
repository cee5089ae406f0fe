/**
 * Runs chosen specs of the official `@huggingface/hub` package (shipped with its sources in node_modules) against a
 * local Hub: their `../test/consts` import is redirected to ./consts.ts, which points at TVHUB_OFFICIAL_HUB_URL.
 */
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

const here = import.meta.dirname;

export default defineConfig({
  root: resolve(here, "../../node_modules/@huggingface/hub"),
  resolve: { alias: [{ find: /^\.\.\/test\/consts$/, replacement: resolve(here, "consts.ts") }] },
  test: {
    include: ["src/lib/*.spec.ts"],
    exclude: [],
    testTimeout: 60_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
