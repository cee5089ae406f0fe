/**
 * The official `@huggingface/hub` client's own specs (shipped with its sources in node_modules), run unchanged
 * against a real `tvhub hub serve` signed in as they sign in (user `hub.js`, token `hf_hub.js`). Only the specs that
 * create their own repos and talk to nothing but the test Hub are chosen: the others read hub-ci's fixture repos or
 * huggingface.co (there is no network here). test/official-js/ redirects their `../test/consts` to the local Hub.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";

const root = resolve(import.meta.dirname, "..");
const specs = ["create-repo", "create-branch", "delete-branch", "delete-file", "delete-files", "upload-files.fs"].map(
  (name) => `src/lib/${name}.spec.ts`,
);

let hub: LocalHubProcess;

beforeAll(async () => {
  hub = await startLocalHub({ users: [{ name: "hub.js", token: "hf_hub.js" }] });
}, 30_000);

afterAll(async () => {
  await hub?.stop();
});

describe("the official JS client's own specs", () => {
  it("pass against the local Hub with their own user and token (hub.js, hf_hub.js)", async () => {
    const report = join(mkdtempSync(join(tmpdir(), "tvhub-official-")), "report.json");
    const vitest = resolve(root, "node_modules/vitest/vitest.mjs");
    const config = resolve(root, "test/official-js/vitest.config.ts");
    const args = [vitest, "run", "--config", config, "--reporter=json", `--outputFile=${report}`, ...specs];
    const run = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(
        process.execPath,
        args,
        { cwd: root, env: { ...process.env, TVHUB_OFFICIAL_HUB_URL: hub.url }, timeout: 240_000 },
        (error, _stdout, stderr) => done({ code: error === null ? 0 : 1, stderr }),
      );
    });
    const result = JSON.parse(readFileSync(report, "utf8")) as {
      numTotalTests: number;
      numPassedTests: number;
      testResults: Array<{ name: string; status: string }>;
    };
    expect(result.testResults.map((file) => [file.name.replace(/.*\/src\/lib\//, ""), file.status]).sort()).toEqual(
      specs.map((spec) => [spec.replace("src/lib/", ""), "passed"]).sort(),
    );
    expect(result.numPassedTests).toBe(result.numTotalTests);
    expect(result.numTotalTests).toBeGreaterThanOrEqual(10);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    // They signed in with the token the server must accept, and reached nothing but it.
    expect(hub.stderr()).toMatch(/POST \/api\/repos\/create 200/);
  }, 300_000);
});
