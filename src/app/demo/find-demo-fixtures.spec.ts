import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../errors.js";
import { demoFinetunes, demoSetup, finetuneName } from "./demo-setup.js";
import { findDemoFixtures } from "./find-demo-fixtures.js";

let root = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-demo-fixtures-"));
  for (const name of [demoSetup.base, ...demoFinetunes(demoSetup.tasks).map(finetuneName)]) {
    await mkdir(join(root, "models", name), { recursive: true });
    for (const file of ["config.json", "model.safetensors", "README.md"])
      await writeFile(join(root, "models", name, file), "x");
  }
  await mkdir(join(root, "data"));
  for (const task of [demoSetup.control, ...demoSetup.tasks, demoSetup.analogy.target]) {
    for (const split of ["val", "test"]) await writeFile(join(root, "data", `${task}-${split}.safetensors`), "x");
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("findDemoFixtures", () => {
  it("finds the base first, every fine-tune the experiments use, and both splits of every set", async () => {
    const found = await findDemoFixtures({ root });
    expect([...found.models.keys()]).toEqual([
      "vit-tiny-digits",
      "vit-tiny-digits-rotated",
      "vit-tiny-digits-inverted",
      "vit-tiny-digits-upside",
      "vit-tiny-digits-transposed",
      "vit-tiny-digits-upright-low",
      "vit-tiny-digits-scrambled-low",
      "vit-tiny-digits-upright-high",
      "vit-tiny-digits-scrambled",
      "vit-tiny-digits-shifted-labels",
    ]);
    expect([...found.validation.keys()]).toEqual([
      "upright",
      "rotated",
      "inverted",
      "upside",
      "transposed",
      "scrambled-high",
    ]);
    expect(found.test.get("transposed")).toBe(join(root, "data", "transposed-test.safetensors"));
  });

  it("with two tasks, still brings the analogy's fine-tunes and the distractor", async () => {
    const found = await findDemoFixtures({ root, tasks: ["upside", "transposed"] });
    expect([...found.models.keys()]).toContain("vit-tiny-digits-scrambled");
    expect([...found.models.keys()]).toContain("vit-tiny-digits-shifted-labels");
    expect([...found.models.keys()]).not.toContain("vit-tiny-digits-inverted");
  });

  it("names the first missing file and how to get it", async () => {
    await rm(join(root, "data", "transposed-val.safetensors"));
    const error = await findDemoFixtures({ root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(join(root, "data", "transposed-val.safetensors"));
    expect((error as UsageError).message).toContain("scripts/train-demo-models.mjs");
    await writeFile(join(root, "data", "transposed-val.safetensors"), "x");
  });

  it("refuses tasks the demo has no models for, and fewer than two", async () => {
    await expect(findDemoFixtures({ root, tasks: ["rotated", "sideways"] })).rejects.toThrow(/not sideways/);
    await expect(findDemoFixtures({ root, tasks: ["rotated"] })).rejects.toThrow(/at least two/);
  });
});
