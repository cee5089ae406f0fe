/** The workflows and the README's copy-paste examples only use inputs and outputs the Action declares. */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { commands } from "../src/action/inputs.js";

const root = resolve(import.meta.dirname, "..");
const action = parse(readFileSync(resolve(root, "action.yml"), "utf8")) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};
const readme = readFileSync(resolve(root, "README.md"), "utf8");
/** The README's workflow and the reference page (docs/action.md), where every input and output is documented. */
const section = `${readme.slice(
  readme.indexOf("## GitHub " + "Action"),
)}\n${readFileSync(resolve(root, "docs/action.md"), "utf8")}`;

interface Step {
  uses?: string;
  id?: string;
  with?: Record<string, unknown>;
}

function tvhubSteps(steps: Step[]): Step[] {
  return steps.filter((step) => step.uses === "./" || /^<owner>\/tvhub@/.test(step.uses ?? ""));
}

function checkSteps(steps: Step[], where: string, text: string): number {
  for (const step of steps) {
    const keys = Object.keys(step.with ?? {});
    expect(
      keys.filter((key) => !(key in action.inputs)),
      `${where}: unknown inputs`,
    ).toEqual([]);
    expect(commands as readonly unknown[], `${where}: command`).toContain(step.with?.command);
    if (step.id) {
      for (const match of text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, "g"))) {
        expect(Object.keys(action.outputs), `${where}: output`).toContain(match[1]);
      }
    }
  }
  return steps.length;
}

describe("workflows using the Action", () => {
  const dir = resolve(root, ".github/workflows");
  const files = readdirSync(dir).filter((name) => name.endsWith(".yml"));

  it("pass only declared inputs and read only declared outputs", () => {
    let count = 0;
    for (const file of files) {
      const text = readFileSync(resolve(dir, file), "utf8");
      const workflow = parse(text) as { jobs: Record<string, { steps?: Step[] }> };
      for (const [name, job] of Object.entries(workflow.jobs))
        count += checkSteps(tvhubSteps(job.steps ?? []), `${file} ${name}`, text);
    }
    expect(count).toBe(4);
  });

  it("ci.yml fails on a stale bundle", () => {
    expect(readFileSync(resolve(dir, "ci.yml"), "utf8")).toContain("git diff --exit-code dist/action.js");
  });
});

describe("the GitHub Action in the README and docs/action.md", () => {
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");

  it("has copy-paste YAML that uses the Action correctly", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    let count = 0;
    for (const block of blocks) {
      const parsed = parse(block.startsWith("      ") ? block.replace(/^ {6}/gm, "") : block) as unknown;
      const steps = Array.isArray(parsed)
        ? (parsed as Step[])
        : Object.values((parsed as { jobs: Record<string, { steps: Step[] }> }).jobs).flatMap((job) => job.steps);
      count += checkSteps(tvhubSteps(steps), "README", block);
    }
    expect(count).toBe(blocks.length);
  });

  it("documents every input and output", () => {
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(section).toContain(`\`${name}\``);
  });
});
