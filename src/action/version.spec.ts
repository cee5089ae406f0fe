import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { actionVersion } from "./version.js";

describe("actionVersion", () => {
  it("matches package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(actionVersion).toBe(pkg.version);
  });
});
