import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Worker threads share the machine's 2 cores with the local Hub processes the e2e tests start.
    pool: "forks",
    maxWorkers: 2,
  },
});
