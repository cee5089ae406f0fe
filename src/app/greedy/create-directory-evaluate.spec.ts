import { access, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvaluationInput, Evaluator } from "../../eval/evaluator.js";
import { createDirectoryEvaluate } from "./create-directory-evaluate.js";
import { tempDirs } from "./testing/temp-dirs.js";

const tempDir = tempDirs("tvhub-dir-evaluate-");

/** A work folder that does not exist yet, in a fresh temporary folder. */
async function workDir(): Promise<string> {
  return join(await tempDir(), "work");
}

describe("createDirectoryEvaluate", () => {
  it("writes each candidate to a fresh folder, scores it there under its label, and removes it", async () => {
    const work = await workDir();
    const seen: EvaluationInput[] = [];
    const evaluator: Evaluator = {
      name: "reads-folder",
      evaluate: async (input) => {
        seen.push(input);
        return { score: Number(await readFile(join(input.modelDir as string, "lambda.txt"), "utf8")) };
      },
    };
    const evaluate = createDirectoryEvaluate({
      evaluator,
      workDir: work,
      materialize: async ({ terms, dir }) => {
        expect(await readdir(dir)).toEqual([]);
        await writeFile(join(dir, "lambda.txt"), String(terms.at(-1)?.lambda));
      },
    });
    expect(await evaluate({ terms: [{ candidate: "A", lambda: 0.25 }], label: "start + 0.25·A" })).toEqual({
      score: 0.25,
    });
    expect(await evaluate({ terms: [{ candidate: "A", lambda: 0.5 }], label: "start + 0.5·A" })).toEqual({
      score: 0.5,
    });
    expect(seen.map((input) => (input as { name?: string }).name)).toEqual(["start + 0.25·A", "start + 0.5·A"]);
    expect(seen[0]?.modelDir).not.toBe(seen[1]?.modelDir);
    expect(dirname(seen[0]?.modelDir as string)).toBe(work);
    expect(await readdir(work)).toEqual([]);
  });

  it("removes the folder when materializing or scoring fails, unless asked to keep it", async () => {
    const work = await workDir();
    const failing: Evaluator = { name: "fails", evaluate: async () => Promise.reject(new Error("scorer crashed")) };
    const evaluate = createDirectoryEvaluate({
      evaluator: failing,
      workDir: work,
      materialize: async ({ dir }) => writeFile(join(dir, "x"), "1"),
    });
    await expect(evaluate({ terms: [], label: "start" })).rejects.toThrow("scorer crashed");
    const broken = createDirectoryEvaluate({
      evaluator: failing,
      workDir: work,
      materialize: async () => Promise.reject(new Error("disk full")),
    });
    await expect(broken({ terms: [], label: "start" })).rejects.toThrow("disk full");
    expect(await readdir(work)).toEqual([]);

    let kept = "";
    const keeping = createDirectoryEvaluate({
      evaluator: { name: "ok", evaluate: async (input) => ((kept = input.modelDir as string), { score: 1 }) },
      workDir: work,
      keep: true,
      materialize: async ({ dir }) => writeFile(join(dir, "x"), "1"),
    });
    await keeping({ terms: [], label: "start" });
    await expect(access(join(kept, "x"))).resolves.toBeUndefined();
  });
});
