import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { checkWritableFolder } from "../../engine/check-writable-folder.js";
import { demo as runDemo } from "../../app/demo.js";
import { demoSetup } from "../../app/demo/demo-setup.js";
import type { DemoResults } from "../../app/demo/demo-types.js";
import { findDemoFixtures } from "../../app/demo/find-demo-fixtures.js";
import { formatDemoTable } from "../../app/demo/format-demo-table.js";
import { UsageError } from "../../errors.js";
import { parseLambdaGrid, type LambdaGrid } from "../../plan/lambda-grid.js";
import { startLocalHub, type LocalHub } from "../../hub/local/start-local-hub.js";
import { drain, type ProgressEvent } from "../../util/progress.js";
import type { CliContext } from "../context.js";
import { createAppContext } from "../create-app-context.js";
import { createProgressRenderer } from "../progress-renderer.js";
import { waitForSignal } from "../wait-for-signal.js";

interface DemoFlags {
  out: string;
  fixtures?: string;
  grid?: LambdaGrid;
  greedyGrid?: LambdaGrid;
  keepHub?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** Written into --out by a demo run; a Hub directory beside it is the demo's own and may be replaced. */
const marker = ".tvhub-demo";

/** `tvhub demo`: the paper's experiments on handwritten digits, offline, on an embedded local Hub. */
export function demo(program: Command, context: CliContext): void {
  program
    .command("demo")
    .description(
      "The paper's experiments offline on an embedded local Hub: publishes tiny ViT digit classifiers' task " +
        "vectors, then adds, negates, " +
        "combines and greedily searches them; prints a results table, writes results.json and pictures.",
    )
    .option(
      "--out <dir>",
      "where results.json, the pictures, the recipes and the Hub's directory (hub/) go",
      "./demo-output",
    )
    .option(
      "--grid <start:stop:step>",
      "λ tried by addition, negation and the analogy (default 0:1:0.1; the paper's is 0:1:0.05)",
      (text) => parseLambdaGrid({ text, subject: "--grid" }),
    )
    .option("--greedy-grid <start:stop:step>", "λ greedy addition tries for each candidate (default 0:1:0.2)", (text) =>
      parseLambdaGrid({ text, subject: "--greedy-grid" }),
    )
    .option("--fixtures <dir>", "the demo's models and evaluation sets (default: demo/ of this tvhub checkout)")
    .option("--keep-hub", "keep serving the Hub when done, to browse the published repos (Ctrl-C stops it)")
    .option("--json", "print results.json on stdout and nothing else")
    .option("--quiet", "print no progress")
    .action(async (flags: DemoFlags) => {
      const out = resolve(flags.out);
      const fixtures = flags.fixtures === undefined ? findFixtures() : resolve(flags.fixtures);
      // Before anything is written: a missing model fails in a second, with nothing to clean up.
      await findDemoFixtures({ root: fixtures });
      const hubDir = join(out, "hub");
      await prepareOut(out, hubDir);
      const token = `hf_${randomBytes(20).toString("hex")}`;
      context.secrets.push(token);
      const started = Date.now();
      const showProgress = !flags.json && !flags.quiet;
      const say = (line: string) => {
        if (showProgress)
          context.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(3)} s] ${line}\n`);
      };
      const hub: LocalHub = await startLocalHub({ dir: hubDir, users: [{ name: demoSetup.namespace, token }] });
      let keep = false;
      try {
        say(`Local Hub at ${hub.url} (its repos are kept in ${relative(process.cwd(), hubDir) || "."})`);
        const appContext = createAppContext(context, { hubUrl: hub.url, token, cache: false });
        const renderer = createProgressRenderer({
          stream: context.stderr,
          enabled: context.stdout.isTTY === true && showProgress,
          quiet: !showProgress,
        });
        const sink = (event: ProgressEvent) => {
          if (event.type === "log") {
            renderer.finish();
            if (event.level === "warn") renderer.sink(event);
            else say(event.message);
            return;
          }
          renderer.sink(event);
        };
        let results: DemoResults;
        try {
          results = await drain(
            runDemo({
              context: appContext,
              fixtures,
              // Relative, as the user gave it: recipes name their files the way the user would type them.
              outDir: relative(process.cwd(), out) || ".",
              ...(flags.grid === undefined ? {} : { grid: flags.grid }),
              ...(flags.greedyGrid === undefined ? {} : { greedyGrid: flags.greedyGrid }),
            }),
            sink,
          );
        } finally {
          renderer.finish();
        }
        if (flags.json) {
          context.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        } else {
          context.stdout.write(`\n${formatDemoTable({ results })}\n`);
          context.stdout.write(
            summary({ results, out, hub, keepHub: flags.keepHub === true, seconds: (Date.now() - started) / 1000 }),
          );
        }
        keep = flags.keepHub === true;
        // stdout holds only the JSON; the URL still has to reach the person who asked to browse.
        if (keep && flags.json)
          context.stderr.write(`The Hub is serving at ${hub.url} until Ctrl-C; its pages: ${hub.url}/\n`);
      } finally {
        if (!keep) await hub.close();
      }
      if (keep) {
        await waitForSignal();
        await hub.close();
      }
    });
}

/**
 * The committed `demo/` folder (models and evaluation sets): next to `dist/` when run from the bundle, next to
 * `src/` when run from the sources.
 */
function findFixtures(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "demo");
    if (existsSync(join(candidate, "models")) && existsSync(join(candidate, "data"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new UsageError(
    "The demo's models are not installed with this copy of tvhub (they live in demo/ of the repository); run it " +
      "from a clone: git clone, npm ci, npm run demo.",
    {
      code: "DEMO_FIXTURES_MISSING",
    },
  );
}

/** A fresh Hub each run; a Hub directory the demo did not make is never deleted. */
async function prepareOut(out: string, hubDir: string): Promise<void> {
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} is a file; give a folder (it is created when missing).`, {
      code: "DEMO_OUT_NOT_DIR",
      subject: out,
    });
  }
  await checkWritableFolder({ dir: out, flag: `--out ${relative(process.cwd(), out) || out}` });
  if (existsSync(hubDir)) {
    if (!existsSync(join(out, marker))) {
      throw new UsageError(
        `${hubDir} exists and was not made by tvhub demo; give another --out folder, or remove it.`,
        { code: "DEMO_OUT_OCCUPIED", subject: hubDir },
      );
    }
    await rm(hubDir, { recursive: true, force: true });
  }
  for (const stale of ["recipes", "greedy-data"]) await rm(join(out, stale), { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, marker),
    "Made by tvhub demo; the next run replaces hub/, recipes/ and the pictures here.\n",
  );
}

interface SummaryOptions {
  results: DemoResults;
  out: string;
  hub: LocalHub;
  keepHub: boolean;
  seconds: number;
}

function summary(options: SummaryOptions): string {
  const { results, out, hub } = options;
  const at = (file: string) => relative(process.cwd(), join(out, file)) || file;
  const merged = [
    ...results.addition.flatMap((g) => (g.published ? [g.published.repo] : [])),
    ...results.negation.flatMap((n) => (n.published ? [n.published.repo] : [])),
    results.analogy.published.repo,
  ];
  if (results.greedy.published) merged.push(results.greedy.published.repo);
  const adapters = results.lora?.ranks ?? [];
  merged.push(...adapters.map((r) => r.published.repo));
  const fullMerge = results.addition.find((g) => g.tasks.length === results.tasks.length)?.published?.repo ?? merged[0];
  const hubDir = relative(process.cwd(), join(out, "hub")) || "hub";
  const lines = [
    `Done in ${Math.round(options.seconds)} s. Results: ${at("results.json")}; pictures: ${results.files
      .filter((f) => f.endsWith(".svg"))
      .map(at)
      .join(", ")}.`,
    `Published ${published(results.vectors.length, "task vector")}, ${published(adapters.length, "LoRA adapter")} ` +
      `and ${published(merged.length, "merged model")}; each merge's recipe is in ${at("recipes")}/ ` +
      "(npx tvhub merge runs it again).",
    "",
  ];
  if (options.keepHub) {
    lines.push(
      `The Hub is still serving at ${hub.url} until Ctrl-C. Open its pages in a browser (cards, files, commits,`,
      `the model tree): ${hub.url}/${fullMerge}`,
      "or query it:",
      `  npx tvhub search-vectors --hub-url ${hub.url} --base ${results.base.repo}`,
      `  curl ${hub.url}/api/models?author=${demoSetup.namespace}`,
    );
  } else {
    lines.push(
      // The README's command block uses this port and token, so its commands run against these repos as shown.
      `Try every command on these repos (README.md, Commands): serve them in another terminal with`,
      `  npx tvhub hub serve --dir ${hubDir} --port 41873 --user ${demoSetup.namespace}:hf_demo_local_token`,
      "then",
      "  export HF_ENDPOINT=http://127.0.0.1:41873 HF_TOKEN=hf_demo_local_token",
      `  npx tvhub search-vectors --base ${results.base.repo}`,
      `and open http://127.0.0.1:41873/${fullMerge} in a browser (cards, files, commits, the model tree).`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** "1 task vector", "9 task vectors". */
function published(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
