import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "./main.js";
import { runMain, type MainRun } from "./testing/run-main.js";
import { joinPatterns } from "../../test/helpers/join-patterns.js";

async function run(argv: string[], load: () => Promise<typeof main> = async () => main): Promise<MainRun> {
  return runMain(await load(), argv, { HF_HOME: mkdtempSync(join(tmpdir(), "tvhub-main-")) });
}

afterEach(() => {
  vi.doUnmock("./program.js");
  vi.resetModules();
});

describe("main: how a failure is reported", () => {
  it(
    "a usage error is the one documented sentence, naming the command's help, not commander's error: " + "form",
    async () => {
      const result = await run(["merge", "recipe.yml", "--bogus"]);
      expect(result).toEqual({
        code: 2,
        stdout: "",
        stderr: "tvhub: unknown option '--bogus'; see tvhub merge --help.\n",
      });
      expect((await run(["hub", "upload", "./dir"])).stderr).toBe(
        "tvhub: missing required argument 'repo'; see tvhub hub upload --help.\n",
      );
      expect((await run(["check"])).stderr).toBe(
        "tvhub: check needs --finetuned or --vector; see tvhub check --help.\n",
      );
    },
  );

  it("with --json, a failure is also {error: {code, message}} on stdout, for scripts", async () => {
    const usage = await run(["inspect", "--bogus", "--json"]);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { code: "USAGE", message: "unknown option '--bogus'; see tvhub inspect --help." },
    });
    const missing = await run(["merge", join(tmpdir(), "no-such-recipe.yml"), "--json"]);
    expect(missing.code).toBe(2);
    const parsed = JSON.parse(missing.stdout) as { error: { code: string; message: string } };
    expect(parsed.error.code).toBe("RECIPE_UNREADABLE");
    expect(missing.stderr).toBe(`tvhub: ${parsed.error.message}\n`);
  });

  it(
    "a file-system error without a sentence of its own is the user's (exit 2, the path and the cause), not a " + "bug",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "tvhub-main-fs-"));
      writeFileSync(join(dir, "afile"), "");
      const result = await run(["demo", "--out", join(dir, "afile", "d")]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        joinPatterns(
          /^tvhub: --out .*afile\/d: .*afile is a file, so no folder can be made under it; /,
          /give the path of a folder\.\n$/,
        ),
      );
      const models = join(import.meta.dirname, "../../demo/models");
      const published = await run([
        "publish-vector",
        "--base",
        join(models, "vit-tiny-digits"),
        "--finetuned",
        join(models, "vit-tiny-digits-transposed"),
        "--to",
        join(dir, "afile", "tv"),
        "--quiet",
      ]);
      expect(published.code).toBe(2);
      expect(published.stderr).toContain(
        `tvhub: --to ${join(dir, "afile", "tv")}: ${join(dir, "afile")} is a file, so no folder can be made under it`,
      );
    },
  );

  it(
    "an unexpected error says to rerun with --debug, and with --debug says so no more but prints the " + "stack",
    async () => {
      const load = async () => {
        vi.doMock("./program.js", () => ({
          createProgram: () => ({ parseAsync: async () => Promise.reject(new TypeError("x is not a function")) }),
        }));
        return (await import("./main.js")).main;
      };
      const plain = await run(["inspect", "m"], load);
      expect(plain.code).toBe(70);
      expect(plain.stderr).toBe(
        "tvhub: unexpected error: x is not a function; this is a bug in tvhub; please report it (rerun with --debug " +
          "for the stack trace).\n",
      );
      const debug = await run(["inspect", "m", "--debug", "--json"], load);
      expect(debug.code).toBe(70);
      expect(debug.stderr).toMatch(
        joinPatterns(
          /^tvhub: unexpected error: x is not a function; this is a bug in tvhub; /,
          /please report it with the stack trace below\.\n/,
          /TypeError: x is not a function\n {4}at /,
        ),
      );
      expect(debug.stderr).not.toContain("--debug");
      expect(JSON.parse(debug.stdout)).toMatchObject({ error: { code: "INTERNAL" } });
    },
  );
});
