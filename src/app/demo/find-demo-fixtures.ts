import { stat } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { demoFinetunes, demoSetup, finetuneName } from "./demo-setup.js";

export interface FindDemoFixturesOptions {
  /** The folder holding `models/` (one Hub-layout folder per model) and `data/` (`<task>-{val,test}.safetensors`). */
  root: string;
  /** The tasks the experiments add and negate. @default demoSetup.tasks */
  tasks?: readonly string[];
}

export interface DemoFixtures {
  root: string;
  /** Folder by model name (`vit-tiny-digits`, `vit-tiny-digits-rotated`, ...), base first. */
  models: Map<string, string>;
  /** Evaluation set files by task, per split. */
  validation: Map<string, string>;
  test: Map<string, string>;
}

/** The model files a folder must hold for the demo to upload it and the evaluator to read it. */
const modelFiles = ["config.json", "model.safetensors", "README.md"];

/** Finds the committed models and evaluation sets, and names the first missing file before anything starts. */
export async function findDemoFixtures(options: FindDemoFixturesOptions): Promise<DemoFixtures> {
  const { root } = options;
  const tasks = options.tasks ?? demoSetup.tasks;
  const unknown = tasks.filter((task) => !(demoSetup.tasks as readonly string[]).includes(task));
  if (unknown.length > 0 || tasks.length < 2) {
    throw new UsageError(
      `The demo's tasks are ${demoSetup.tasks.join(", ")}; choose at least two of ` +
        `them${unknown.length > 0 ? `, not ${unknown.join(", ")}` : ""}.`,
      {
        code: "DEMO_BAD_TASKS",
        subject: "tasks",
      },
    );
  }
  const models = new Map<string, string>();
  for (const name of [demoSetup.base, ...demoFinetunes(tasks).map(finetuneName)]) {
    const dir = join(root, "models", name);
    for (const file of modelFiles) await requireFile(join(dir, file));
    models.set(name, dir);
  }
  const validation = new Map<string, string>();
  const test = new Map<string, string>();
  for (const task of [demoSetup.control, ...tasks, demoSetup.analogy.target]) {
    validation.set(task, await requireFile(join(root, "data", `${task}-val.safetensors`)));
    test.set(task, await requireFile(join(root, "data", `${task}-test.safetensors`)));
  }
  return { root, models, validation, test };
}

async function requireFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) {
    throw new UsageError(
      `The demo needs ${path}, which is missing; run the demo from a clone of tvhub (the models are in demo/), or ` +
        "regenerate them with node scripts/train-demo-models.mjs.",
      {
        code: "DEMO_FIXTURE_MISSING",
        subject: path,
      },
    );
  }
  return path;
}
