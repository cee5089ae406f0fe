import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeGreedyProblem, mergeTensors, problemTensors, type Tensors } from "../../../test/helpers/greedy-problem.js";
import { javascriptKernels } from "../../arithmetic/simd/arithmetic-kernels.js";
import type { EvaluationInput, Evaluator } from "../../eval/evaluator.js";
import type { HubClient } from "../../hub/index.js";
import { parseRecipe } from "../../plan/parse-recipe.js";
import { createModelWriter } from "../../safetensors/create-model-writer.js";
import { openLocalModel } from "../../safetensors/open-local-model.js";
import { planModelLayout } from "../../safetensors/plan-model-layout.js";
import { decodeToF32 } from "../../tensor/decode-to-f32.js";
import { encodeFromF32 } from "../../tensor/encode-from-f32.js";
import { drain } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { openInput, type OpenedInput } from "../open-input.js";
import { createInMemoryEvaluate } from "./create-in-memory-evaluate.js";
import { createPlanMaterializer } from "./create-plan-materializer.js";
import { loadTensorsInMemory } from "./load-tensors-in-memory.js";

const problem = makeGreedyProblem(11);
const config = { architectures: ["T5ForConditionalGeneration"], model_type: "t5", torch_dtype: "bfloat16" };
let root = "";
const opened: OpenedInput[] = [];

const noHub = new Proxy({} as HubClient, {
  get: (_, key) =>
    key === "hubUrl" ? "http://127.0.0.1:9" : () => Promise.reject(new Error(`the Hub was asked for ${String(key)}`)),
});
const context = (): AppContext => ({
  hub: noHub,
  kernels: javascriptKernels,
  workDir: root,
  cache: false,
  isDirectory: () => false,
  tvhubVersion: "test",
});

/** Rounds float32 values to BF16 bytes, as a BF16 checkpoint stores them. */
async function writeBf16(
  dir: string,
  prefix: string,
  tensors: Tensors,
  extra: Record<string, string>,
): Promise<string> {
  const layout = planModelLayout({
    tensors: problemTensors.map(({ name, shape }) => ({ name, dtype: "BF16" as const, shape })),
    prefix,
  });
  const writer = createModelWriter({ layout, dir });
  for (const { name } of layout.writeOrder)
    await writer.writeTensor(name, encodeFromF32({ dtype: "BF16", values: tensors.get(name) as Float32Array }));
  await writer.finish();
  for (const [file, text] of Object.entries(extra)) await writeFile(join(dir, file), text);
  return dir;
}

async function open(path: string): Promise<OpenedInput> {
  const input = await openInput({ ref: { kind: "local", path }, text: path, hub: noHub });
  opened.push(input);
  return input;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-in-memory-"));
});

afterAll(async () => {
  await Promise.allSettled(opened.map((input) => input.close()));
  await rm(root, { recursive: true, force: true });
});

describe("loadTensorsInMemory", () => {
  it("builds each candidate in memory with the very bytes the merge executor writes to its folder", async () => {
    const sum = (terms: Array<{ candidate: string; lambda: number }>) =>
      mergeTensors(problem.base, problem.vectors, terms);
    const baseDir = await writeBf16(await mkdtemp(join(root, "base-")), "model", problem.base, {
      "config.json": JSON.stringify(config),
    });
    // The start is a BF16 fine-tune (the target); one candidate is a published BF16 vector, one a fine-tune.
    const startDir = await writeBf16(
      await mkdtemp(join(root, "ft-a-")),
      "model",
      sum([{ candidate: "A", lambda: 1 }]),
      { "config.json": JSON.stringify(config) },
    );
    const vectorDir = await writeBf16(
      await mkdtemp(join(root, "tv-c-")),
      "task_vector",
      problem.vectors.get("C") as Tensors,
      {
        "tvhub.json": JSON.stringify({
          format: "tvhub/task-vector",
          version: 1,
          base: { repo: "org/base", revision: null },
        }),
      },
    );
    const finetuneDir = await writeBf16(
      await mkdtemp(join(root, "ft-b-")),
      "model",
      sum([{ candidate: "B", lambda: 0.9 }]),
      { "config.json": JSON.stringify(config) },
    );
    const [base, start, vector, finetune] = (await Promise.all(
      [baseDir, startDir, vectorDir, finetuneDir].map(open),
    )) as [OpenedInput, OpenedInput, OpenedInput, OpenedInput];

    const loaded = await drain(
      loadTensorsInMemory({
        base: base.model,
        start: [{ kind: "finetuned", model: start.model, lambda: 1 }],
        candidates: new Map([
          ["C", { kind: "vector" as const, model: vector.model }],
          ["B", { kind: "finetuned" as const, model: finetune.model }],
        ]),
        kernels: javascriptKernels,
      }),
    );
    expect([...loaded.dtypes.values()]).toEqual(problemTensors.map(() => "BF16"));
    const seen: EvaluationInput[] = [];
    const evaluator: Evaluator = { name: "recording", evaluate: async (input) => (seen.push(input), { score: 0 }) };
    const evaluate = createInMemoryEvaluate({
      evaluator,
      start: { tensors: loaded.start, config },
      vectors: loaded.vectors,
      dtypes: loaded.dtypes,
    });

    const recipe = await parseRecipe({
      value: {
        version: 1,
        base: baseDir,
        output: { to: join(root, "out") },
        vectors: [{ finetuned: startDir, weight: 1 }],
      },
      source: "test",
    });
    const materializer = createPlanMaterializer({
      context: context(),
      recipe,
      inputs: new Map([
        [baseDir, base],
        [startDir, start],
        [vectorDir, vector],
        [finetuneDir, finetune],
      ]),
      candidates: new Map([
        ["C", { kind: "vector" as const, ref: vectorDir }],
        ["B", { kind: "finetuned" as const, ref: finetuneDir }],
      ]),
      sideFiles: [{ path: "config.json", bytes: new TextEncoder().encode(JSON.stringify(config)) }],
    });
    const terms = [
      { candidate: "C", lambda: 0.3 },
      { candidate: "B", lambda: 0.7 },
    ];
    await evaluate({ terms, label: "start + 0.3·C + 0.7·B" });
    const dir = await mkdtemp(join(root, "candidate-"));
    await materializer.materialize({ terms, dir, label: "start + 0.3·C + 0.7·B" });
    await materializer.close();

    const written = await openLocalModel({ path: dir });
    try {
      for (const { name } of problemTensors) {
        const fromDisk = decodeToF32({ dtype: "BF16", bytes: await written.readTensor(name) });
        const inMemory = seen[0]?.tensors?.get(name) as Float32Array;
        expect(
          Buffer.from(inMemory.buffer, inMemory.byteOffset, inMemory.byteLength).equals(Buffer.from(fromDisk.buffer)),
          name,
        ).toBe(true);
      }
    } finally {
      await written.close();
    }
    expect(JSON.parse(await readFile(join(dir, "config.json"), "utf8"))).toEqual(config);
    // The start itself (base + τ of the BF16 target) reproduces the target: BF16 differences are exact in float32.
    const target = decodeToF32({
      dtype: "BF16",
      bytes: await start.model.readTensor(problemTensors[0]?.name as string),
    });
    expect(loaded.start.get(problemTensors[0]?.name as string)).toEqual(target);
  });
});
