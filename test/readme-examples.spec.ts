/**
 * What a newcomer runs, as they would run it: on a local Hub holding what `npm run demo` publishes (the committed
 * demo models, uploaded with `tvhub hub upload`, and each fine-tune's task vector as `<fine-tune>-tv`), every
 * example recipe in recipes/ runs as written, and every command of the README's command block runs as shown (with
 * the built CLI, in a folder of its own that has the clone's recipes/ and demo/).
 */
import { readdirSync, readFileSync, symlinkSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli, type CliRun } from "./helpers/run-cli.js";

const root = resolve(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const recipes = readdirSync(join(root, "recipes"))
  .filter((name) => name.endsWith(".yml"))
  .sort();
const demoModels = readdirSync(join(root, "demo", "models")).sort();

/** The README's `sh` blocks, line by line. */
const shellLines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((match) => (match[1] ?? "").split("\n"))
  .filter((line) => line.trim() !== "");
const serveLine = shellLines.find((line) => line.startsWith("npx tvhub hub serve ")) ?? "";
const exportLine = shellLines.find((line) => line.startsWith("export HF_ENDPOINT=")) ?? "";
const [, user = "", token = ""] = /--user (\w+):(\S+)/.exec(serveLine) ?? [];
/** Commands the prose shows in `code`, outside the sh blocks (a newcomer copies those too). */
const proseCommands = [...readme.replace(/```[\s\S]*?```/g, "").matchAll(/`(npx tvhub [^`]+)`/g)].map(
  (match) => match[1] ?? "",
);
const commandLines = [
  ...shellLines.filter((line) => line.startsWith("npx tvhub ") && line !== serveLine),
  ...proseCommands,
];
/** The lines of a Markdown file's first fenced block without a language (the demo's output, where quoted). */
function firstPlainBlock(markdown: string): string[] {
  const blocks: Array<{ lang: string; lines: string[] }> = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) {
      if (open === undefined) blocks.push((open = { lang: line.slice(3).trim(), lines: [] }));
      else open = undefined;
    } else open?.lines.push(line);
  }
  return blocks.find((block) => block.lang === "")?.lines ?? [];
}
const quotedDemo = firstPlainBlock(readme).filter((line) => line !== "");

let hub: LocalHubProcess;
let work: string;

const env = (): Record<string, string> => ({
  HF_HOME: join(work, "hf-home"),
  HF_ENDPOINT: hub.url,
  HF_TOKEN: token,
  TMPDIR: work,
});
const tvhub = (args: string[]): Promise<CliRun> => runCli(args, env(), { cwd: work });
const ok = (run: CliRun, what: string): CliRun => {
  expect(`${what}: exit ${run.code}\n${run.stderr}`).toBe(`${what}: exit 0\n${run.stderr}`);
  return run;
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "tvhub-readme-"));
  // A clone's layout as the commands see it from its root.
  for (const name of ["recipes", "demo"]) symlinkSync(join(root, name), join(work, name));
  hub = await startLocalHub({ users: [{ name: user, token }] });
  // What the demo publishes before its experiments: every model, then every fine-tune's task vector.
  for (const name of demoModels)
    ok(await tvhub(["hub", "upload", `demo/models/${name}`, `demo/${name}`, "--quiet"]), `hub upload ${name}`);
  for (const name of demoModels.filter((model) => model !== "vit-tiny-digits")) {
    ok(
      await tvhub(["publish-vector", "--finetuned", `demo/${name}`, "--to", `demo/${name}-tv`, "--quiet"]),
      `publish-vector ${name}`,
    );
  }
}, 300_000);

afterAll(async () => {
  await hub?.stop();
});

describe("the README's quick start and commands", () => {
  it("starts with npm ci and npm run demo, and shows every command as npx tvhub", () => {
    const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Commands"));
    expect(quickStart).toContain("```sh\nnpm ci\nnpm run demo\n```");
    // A clone has no tvhub on PATH: every command line is `npx tvhub ...` (or npm, export).
    for (const line of shellLines) expect(line).toMatch(/^(npm |npx tvhub |export )/);
    expect(serveLine).toMatch(/--dir demo-output\/hub --port (\d+) /);
    expect(exportLine).toContain(
      `HF_ENDPOINT=http://127.0.0.1:${/--port (\d+)/.exec(serveLine)?.[1] ?? "?"} HF_TOKEN=${token}`,
    );
    // One example of every command the CLI has.
    const shown = new Set(
      commandLines.map((line) =>
        line
          .split(" ")
          .slice(2, 4)
          .join(" ")
          .replace(/ (?!upload|serve).*$/, ""),
      ),
    );
    for (const command of [
      "check",
      "publish-vector",
      "merge",
      "apply",
      "greedy",
      "plan",
      "similarity",
      "inspect",
      "search-vectors",
      "hub upload",
    ]) {
      expect([...shown], command).toContain(command);
    }
  });

  it("stays one page: what it is, the quick start, the commands, the Action, links", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(160);
    expect([...readme.matchAll(/^## (.*)$/gm)].map((match) => match[1])).toEqual([
      "Quick start",
      "Commands",
      "GitHub Action",
      "More",
    ]);
  });

  it("quotes the demo's output as docs/demo.md records it in full (both are the demo's printed lines)", () => {
    const demoDoc = readFileSync(join(root, "docs", "demo.md"), "utf8");
    const recorded = new Set(firstPlainBlock(demoDoc));
    expect(quotedDemo.length).toBeGreaterThan(5);
    for (const line of quotedDemo) expect(recorded, line).toContain(line);
  });

  it.each(commandLines)(
    "runs as shown: %s",
    async (line) => {
      expect(line).not.toMatch(/["'`$\\|&;<>]/);
      const run = ok(await tvhub(line.split(" ").slice(2)), line);
      expect(run.stdout.length).toBeGreaterThan(0);
    },
    300_000,
  );
});

describe("every example recipe runs as is against the demo's Hub", () => {
  it.each(recipes)(
    "%s",
    async (name) => {
      const text = readFileSync(join(root, "recipes", name), "utf8");
      const command = /^greedy:/m.test(text) ? "greedy" : "merge";
      const run = ok(await tvhub([command, `recipes/${name}`, "--json"]), `${command} recipes/${name}`);
      const result = JSON.parse(run.stdout) as { repo?: string; commit?: string };
      const to = /^ {2}to: (\S+)$/m.exec(text)?.[1];
      expect(result.repo).toBe(to);
      const record = await fetch(`${hub.url}/${to}/resolve/main/tvhub.json`);
      expect(record.status).toBe(200);
      expect(((await record.json()) as { format: string }).format).toBe("tvhub/merge");
    },
    300_000,
  );
});
