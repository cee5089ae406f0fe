/**
 * `tvhub demo`, smaller: the same flow as `npm run demo` (upload, publish-vector, addition, negation, analogy,
 * greedy with a distractor, LoRA adapters of one vector, similarity) on two of the four tasks with a coarse greedy
 * grid and two ranks, against an in-process local Hub, on the committed demo models. It asserts the directions the
 * paper reports at the strength demo/README.md quotes, that every finding is printed as measured, that the numbers
 * are real evaluations (an independent merge and evaluation of the committed files gives the same accuracy), and
 * what the run leaves behind: results.json, the pictures, the recipes and the published repos.
 */
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../src/app/app-context.js";
import { demo } from "../src/app/demo.js";
import type { DemoResults } from "../src/app/demo/demo-types.js";
import { createArithmeticKernels } from "../src/arithmetic/simd/create-arithmetic-kernels.js";
import { createTfjsEvaluator } from "../src/eval/create-tfjs-evaluator.js";
import { loadVitModel } from "../src/eval/vit/load-vit-model.js";
import { createHubClient } from "../src/hub/index.js";
import { startLocalHub, type LocalHub } from "../src/hub/local/start-local-hub.js";
import { drain, type ProgressEvent } from "../src/util/progress.js";
import { downloadBytes, parseSafetensorsBytes } from "./helpers/hub-io.js";
import { guardFetch, type FetchGuard } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";

const fixtures = resolve(import.meta.dirname, "../demo");
const tasks = ["rotated", "upside"];
const token = "hf_demo_spec_token_0123456789";

let work = "";
let out = "";
let hub: LocalHub;
let guard: FetchGuard;
let results: DemoResults;
const events: ProgressEvent[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "tvhub-demo-"));
  out = join(work, "out");
  hub = await startLocalHub({ dir: join(work, "hub"), users: [{ name: "demo", token }] });
  guard = guardFetch(hub.url);
  const context: AppContext = {
    hub: createHubClient({ hubUrl: hub.url, accessToken: token }),
    kernels: createArithmeticKernels(),
    workDir: join(work, "tmp"),
    cache: false,
    isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
    tvhubVersion: "0.0.0-test",
  };
  await mkdir(context.workDir, { recursive: true });
  results = await drain(
    demo({
      context,
      fixtures,
      outDir: out,
      tasks,
      greedyGrid: { start: 0, stop: 1, step: 0.5 },
      everyGroupSize: false,
      loraRanks: [2, 8],
      backend: "wasm",
    }),
    (event) => events.push(event),
  );
}, 240_000);

afterAll(async () => {
  guard?.restore();
  await hub?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the demo's flow on two tasks", () => {
  it("adding the two task vectors keeps at least 90% of each fine-tune's accuracy (normalized accuracy)", () => {
    const [group] = results.addition;
    expect(group?.tasks).toEqual(tasks);
    expect(group?.published?.repo).toBe("demo/vit-tiny-digits-add-rotated-upside");
    expect(group?.normalizedAccuracy).toBeGreaterThanOrEqual(0.9);
    for (const task of tasks) expect(group?.accuracy).toBeGreaterThan(group?.singles[task] as number);
    // Normalized accuracy is the merged model's accuracy over the task's own fine-tune's.
    for (const task of tasks) {
      const own = results.finetunes.find((model) => model.task === task)?.test[task] as number;
      expect(group?.normalized[task]).toBeCloseTo((group?.test[task] as number) / own, 12);
    }
  });

  it("negating a task vector lowers a task the base knows and keeps 95% of the control's accuracy", () => {
    expect(results.negation.map((n) => n.task)).toEqual(tasks);
    for (const n of results.negation) {
      expect(n.lambda).toBeGreaterThan(0);
      expect(n.target.base).toBeGreaterThanOrEqual(0.4);
      expect(n.target.negated).toBeLessThan(n.target.base);
      expect(n.control.negated).toBeGreaterThanOrEqual(0.95 * n.control.base);
    }
  });

  it(
    "the analogy beats the base and its B term on a task no model was trained on, and reaches half of the " +
      "fine-tune that saw it",
    () => {
      const { analogy } = results;
      expect(analogy.target).toBe("scrambled-high");
      expect(analogy.test.analogy).toBeGreaterThan(analogy.test.base);
      expect(analogy.test.analogy).toBeGreaterThan(analogy.test.b);
      expect(analogy.test.analogy).toBeGreaterThanOrEqual(0.5 * analogy.test.oracle);
    },
  );

  it("greedy addition keeps task vectors, rejects the distractor, and measures the best single vector on test", () => {
    const { greedy } = results;
    expect(greedy.candidates).toEqual(["rotated", "shifted-labels", "upside"]);
    expect(greedy.kept.length).toBeGreaterThan(0);
    expect(greedy.kept.map((k) => k.task)).not.toContain("shifted-labels");
    expect(greedy.rejected).toContain("shifted-labels");
    expect(greedy.validation.final).toBeGreaterThan(greedy.validation.base);
    expect(greedy.bestSingle?.task).toBe(greedy.kept[0]?.task);
    expect(greedy.accuracy).toBeGreaterThanOrEqual(greedy.bestSingle?.accuracy as number);
    // Every round tried the distractor and found it no better than what was kept.
    for (const round of greedy.rounds) expect(round.steps.find((s) => s.task === "shifted-labels")?.kept).toBe(false);
  });

  it("prints every finding as measured: each check holds exactly when its numbers clear the bar", () => {
    expect(results.checks).toHaveLength(1 + tasks.length + 2);
    // Chance is one in ten: each task is scored among its own head's ten digits, not the model's 50 classes.
    expect(results.chance).toBe(0.1);
    const [addition, ...rest] = results.checks;
    expect(addition?.ok).toBe((results.addition[0]?.normalizedAccuracy as number) >= 0.9);
    results.negation.forEach((n, i) => {
      const bar = results.chance + 0.5 * (n.target.base - results.chance);
      expect(rest[i]?.ok, n.task).toBe(
        n.target.base >= 0.4 && n.target.negated <= bar && n.control.negated >= 0.95 * n.control.base,
      );
      expect(rest[i]?.what).toContain(`negation −${n.task}`);
    });
    const a = results.analogy.test;
    expect(results.checks.at(-2)?.ok).toBe(a.analogy >= 2 * a.base && a.analogy >= 0.5 * a.oracle);
    const g = results.greedy;
    expect(results.checks.at(-1)?.ok).toBe(
      g.kept.length > 0 &&
        !g.kept.some((k) => k.task === g.distractor) &&
        g.accuracy > (g.bestSingle?.accuracy as number),
    );
  });

  it(
    "publishes τ as LoRA adapters whose error falls with the rank, smaller than the dense vector, and scores base " +
      "+ adapter",
    () => {
      const lora = results.lora;
      expect(lora?.task).toBe("rotated");
      expect(lora?.ranks.map((r) => r.rank)).toEqual([2, 8]);
      const [low, high] = lora?.ranks ?? [];
      expect(high?.error).toBeLessThan(low?.error as number);
      expect(low?.bytes).toBeLessThan(high?.bytes as number);
      expect(high?.bytes).toBeLessThan(lora?.dense.bytes as number);
      expect(high?.adapter.repo).toBe("demo/vit-tiny-digits-rotated-lora-r8");
      expect(high?.published.repo).toBe("demo/vit-tiny-digits-lora-r8-rotated");
      // A higher rank reproduces the fine-tune better; the adapter gains on the base.
      expect(high?.test.rotated).toBeGreaterThanOrEqual(low?.test.rotated as number);
      expect(high?.test.rotated).toBeGreaterThan(results.base.test.rotated as number);
    },
  );

  it("reports test accuracies that an independent evaluation of the committed files reproduces", async () => {
    const evaluator = createTfjsEvaluator({
      datasets: [join(fixtures, "data", "upside-test.safetensors")],
      backend: "wasm",
    });
    const finetuned = await evaluator.evaluate({ modelDir: join(fixtures, "models", "vit-tiny-digits-upside") });
    expect(results.finetunes.find((model) => model.task === "upside")?.test.upside).toBe(finetuned.score);
    const base = await evaluator.evaluate({ modelDir: join(fixtures, "models", "vit-tiny-digits") });
    expect(results.base.test.upside).toBe(base.score);
  });

  it(
    "publishes the addition as base + λ Σ (ft − base) in float32, bit for bit, and scores exactly that " + "model",
    async () => {
      const group = results.addition[0];
      const repo = group?.published?.repo as string;
      const published = parseSafetensorsBytes(
        await downloadBytes({ hubUrl: hub.url, repo, path: "model.safetensors" }),
      );
      const base = await loadVitModel({ dir: join(fixtures, "models", "vit-tiny-digits") });
      const fts = await Promise.all(
        tasks.map((task) => loadVitModel({ dir: join(fixtures, "models", `vit-tiny-digits-${task}`) })),
      );
      const lambda = Math.fround(group?.lambda as number);
      const expected = new Map<string, Float32Array>();
      for (const [name, values] of base.tensors) {
        const acc = Float32Array.from(values);
        for (const ft of fts) {
          const theirs = ft.tensors.get(name) as Float32Array;
          for (let i = 0; i < acc.length; i++)
            acc[i] =
              (acc[i] as number) + Math.fround(lambda * Math.fround((theirs[i] as number) - (values[i] as number)));
        }
        expected.set(name, acc);
        const bytes = published.get(name)?.bytes as Uint8Array;
        expect(Buffer.from(bytes).equals(Buffer.from(acc.buffer)), name).toBe(true);
      }
      const scored = await createTfjsEvaluator({
        datasets: tasks.map((task) => join(fixtures, "data", `${task}-test.safetensors`)),
        backend: "wasm",
      }).evaluate({
        tensors: expected,
        config: JSON.parse(
          await readFile(join(fixtures, "models", "vit-tiny-digits", "config.json"), "utf8"),
        ) as unknown,
      });
      expect(scored.details).toEqual({ "rotated-test": group?.test.rotated, "upside-test": group?.test.upside });
    },
  );

  it("publishes every task vector and merge with its card, and records the recipes it ran", async () => {
    const read = async (published: { repo: string; revision: string } | undefined, path: string) =>
      new TextDecoder().decode(
        await downloadBytes({
          hubUrl: hub.url,
          repo: published?.repo as string,
          path,
          revision: published?.revision as string,
        }),
      );
    const merged = [
      ...results.addition.map((g) => g.published),
      ...results.negation.map((n) => n.published),
      results.analogy.published,
    ];
    for (const published of merged) {
      const record = JSON.parse(await read(published, "tvhub.json")) as { format: string; recipe: string };
      expect(record.format).toBe("tvhub/merge");
      // The card's recipe is the file the demo left in its output, byte for byte: tvhub merge runs it again.
      expect(record.recipe).toBe(await readFile(join(out, published?.recipe as string), "utf8"));
    }
    // tvhub greedy's result records the search it ran (the file in recipes/) and the merge it chose.
    const greedyRecord = JSON.parse(await read(results.greedy.published, "tvhub.json")) as {
      format: string;
      greedy: { recipe: string };
    };
    expect(greedyRecord.format).toBe("tvhub/merge");
    expect(greedyRecord.greedy.recipe).toBe(await readFile(join(out, "recipes", "greedy.yml"), "utf8"));
    expect(await read(results.greedy.published, "README.md")).toContain("shifted-labels");
    expect(results.vectors.map((v) => v.repo)).toContain("demo/vit-tiny-digits-shifted-labels-tv");
    expect(await read({ repo: "demo/vit-tiny-digits-upside-tv", revision: "main" }, "README.md")).toContain(
      "base_model: demo/vit-tiny-digits",
    );
    expect(guard.violations).toEqual([]);
  });

  it("writes results.json with the same numbers, the pictures and a progress line per step", async () => {
    const written = JSON.parse(await readFile(join(out, "results.json"), "utf8")) as DemoResults;
    expect(written).toEqual(JSON.parse(JSON.stringify(results)));
    expect(written.files).toEqual(
      expect.arrayContaining([
        "accuracy-vs-tasks.svg",
        "accuracy-vs-lambda.svg",
        "negation-vs-lambda.svg",
        "lora-rank.svg",
        "similarity.svg",
        "recipes/greedy.yml",
        "recipes/lora-r8-rotated.yml",
      ]),
    );
    for (const file of written.files) expect((await readFile(join(out, file), "utf8")).length).toBeGreaterThan(100);
    expect(results.similarity.labels).toEqual(results.vectors.map((v) => v.task));
    const lines = events.flatMap((event) => (event.type === "log" ? [event.message] : []));
    expect(lines.some((line) => line.startsWith("addition rotated + upside: λ"))).toBe(true);
    expect(lines.some((line) => line.startsWith("negation −upside: λ"))).toBe(true);
    expect(events.some((event) => event.type === "progress" && event.phase === "evaluate")).toBe(true);
  });
});

describe("the pictures, in the repos they describe", () => {
  it(
    "publishes the negation picture into each negated model and the rank picture into each adapter, linked from " +
      "the card",
    async () => {
      const read = async (repo: string, path: string) =>
        new TextDecoder().decode(await downloadBytes({ hubUrl: hub.url, repo, path, revision: "main" }));
      const negated = results.negation.flatMap((n) => (n.published ? [n.published.repo] : []));
      expect(negated.length).toBeGreaterThan(0);
      const adapters = results.lora?.ranks.map((r) => r.adapter.repo) ?? [];
      for (const [repos, file] of [
        [negated, "negation-vs-lambda.svg"],
        [adapters, "lora-rank.svg"],
        [["demo/vit-tiny-digits-rotated-tv", "demo/vit-tiny-digits-upside-tv"], "similarity.svg"],
      ] as const) {
        for (const repo of repos) {
          expect(await read(repo, file), `${repo}/${file}`).toBe(await readFile(join(out, file), "utf8"));
          expect(await read(repo, "README.md"), repo).toMatch(
            new RegExp(`!\\[[^\\]]+\\]\\(${file.replace(".", "\\.")}\\)`),
          );
          expect(results.pictures.find((commit) => commit.repo === repo)?.files).toContain(file);
        }
      }
      // The card as the merge wrote it comes first, unchanged: the pictures' section is added below it.
      const [first] = negated;
      const original = await downloadBytes({
        hubUrl: hub.url,
        repo: first as string,
        path: "README.md",
        revision: results.negation[0]?.published?.revision as string,
      });
      expect((await read(first as string, "README.md")).startsWith(new TextDecoder().decode(original).trimEnd())).toBe(
        true,
      );
    },
  );

  it("a recipe the demo wrote runs again into its repo without --force, and replaces the picture with the " +
    "card", async () => {
    const n = results.negation.find((entry) => entry.published !== undefined);
    const run = await runCli(["merge", join(out, n?.published?.recipe as string), "--quiet"], {
      HF_ENDPOINT: hub.url,
      HF_TOKEN: token,
      HF_HOME: join(work, "hf-home"),
      TMPDIR: work,
    });
    expect(run.stderr).not.toContain("tvhub:");
    expect(run.code).toBe(0);
    const card = new TextDecoder().decode(
      await downloadBytes({ hubUrl: hub.url, repo: n?.published?.repo as string, path: "README.md", revision: "main" }),
    );
    expect(card).not.toContain("negation-vs-lambda.svg");
    await expect(
      downloadBytes({
        hubUrl: hub.url,
        repo: n?.published?.repo as string,
        path: "negation-vs-lambda.svg",
        revision: "main",
      }),
    ).rejects.toThrow();
  }, 120_000);
});

describe("the greedy recipe the demo writes", () => {
  it("runs from any directory: its evaluation data is relative to the recipe's folder", async () => {
    const recipe = join(out, "recipes", "greedy.yml");
    expect(await readFile(recipe, "utf8")).toMatch(/^ {4}dataset: \.\.\/greedy-data$/m);
    const elsewhere = await mkdtemp(join(tmpdir(), "tvhub-demo-cwd-"));
    const run = await runCli(
      ["greedy", recipe, "--dry-run", "--no-eval-cache"],
      { HF_ENDPOINT: hub.url, HF_TOKEN: token, HF_HOME: join(work, "hf-home"), TMPDIR: work },
      { cwd: elsewhere },
    );
    expect(run.stderr).not.toContain("tvhub:");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Greedy search");
    await rm(elsewhere, { recursive: true, force: true });
  }, 120_000);
});

describe("tvhub demo (CLI)", () => {
  it("refuses an --out folder holding a Hub directory it did not make, before starting anything", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tvhub-demo-out-"));
    await mkdir(join(dir, "hub"));
    await writeFile(join(dir, "hub", "keep.txt"), "mine");
    const run = await runCli(["demo", "--out", dir, "--fixtures", fixtures]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(dir, "hub")} exists and was not made by tvhub demo`);
    expect(await readFile(join(dir, "hub", "keep.txt"), "utf8")).toBe("mine");
    await rm(dir, { recursive: true, force: true });
  });

  it("names the missing model when the fixtures are incomplete, and writes nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tvhub-demo-fx-"));
    const run = await runCli(["demo", "--out", join(dir, "out"), "--fixtures", dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(join(dir, "models", "vit-tiny-digits", "config.json"));
    expect(existsSync(join(dir, "out"))).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });
});
