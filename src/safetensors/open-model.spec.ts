import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError, UsageError } from "../errors.js";
import { writeSynthModel, type SynthModel, type SynthTensor } from "../../test/helpers/synth.js";
import { openFileSource } from "./file-source.js";
import { openLocalModel } from "./open-local-model.js";
import { openModel } from "./open-model.js";
import { planModelLayout } from "./plan-model-layout.js";
import type { ByteSource } from "./types.js";

let root: string;
let sharded: SynthModel;

/** Every dtype, integer buffers included, in an order that spreads them over several shards. */
const mixed: SynthTensor[] = [
  { name: "embed.weight", dtype: "BF16", shape: [64, 16] },
  { name: "position_ids", dtype: "I64", shape: [1, 32] },
  { name: "layers.0.attn.weight", dtype: "F16", shape: [16, 16] },
  { name: "layers.0.mask", dtype: "BOOL", shape: [8, 8], fill: "causal" },
  { name: "layers.0.norm.weight", dtype: "F32", shape: [16] },
  { name: "layers.0.scale", dtype: "F64", shape: [] },
  { name: "layers.0.q.weight", dtype: "I8", shape: [16, 16] },
  { name: "layers.0.tokens", dtype: "U8", shape: [7] },
  { name: "layers.1.i16", dtype: "I16", shape: [3] },
  { name: "layers.1.u16", dtype: "U16", shape: [3] },
  { name: "layers.1.i32", dtype: "I32", shape: [2, 3] },
  { name: "layers.1.u32", dtype: "U32", shape: [3] },
  { name: "layers.1.u64", dtype: "U64", shape: [3] },
  { name: "layers.1.f8a", dtype: "F8_E4M3", shape: [5] },
  { name: "layers.1.f8b", dtype: "F8_E5M2", shape: [5] },
  { name: "layers.1.empty", dtype: "F32", shape: [0, 3] },
  { name: "lm_head.weight", dtype: "BF16", shape: [64, 16] },
];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-open-model-"));
  sharded = await writeSynthModel({ dir: join(root, "sharded"), tensors: mixed, maxShardSize: 1024, seed: 7 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function counting(open: (file: string) => Promise<ByteSource>) {
  const reads: Array<{ file: string; start: number; end: number }> = [];
  const wrapped = async (file: string): Promise<ByteSource> => {
    const source = await open(file);
    return {
      name: source.name,
      size: source.size,
      read: async (start, end) => {
        reads.push({ file, start, end });
        return source.read(start, end);
      },
      close: () => source.close?.() ?? Promise.resolve(),
    };
  };
  return { reads, open: wrapped };
}

describe("writer → reader round trip", () => {
  it("reads back every tensor of a multi-dtype, multi-shard model bit for bit", async () => {
    expect(sharded.layout.files.length).toBeGreaterThan(2);
    const model = await openLocalModel({ path: sharded.dir });
    try {
      expect(model.layout).toBe("sharded");
      expect(model.indexFile).toBe("model.safetensors.index.json");
      expect(model.files.map((f) => f.file)).toEqual(sharded.layout.files.map((f) => f.file));
      expect(model.files.every((f) => f.header.metadata?.format === "pt")).toBe(true);
      const listed = model.tensors();
      expect(listed.map((t) => t.name).sort()).toEqual(mixed.map((t) => t.name).sort());
      for (const spec of mixed) {
        const tensor = model.tensor(spec.name);
        expect([tensor.dtype, tensor.shape]).toEqual([spec.dtype, spec.shape]);
        expect(Buffer.from(await model.readTensor(spec.name)).equals(Buffer.from(sharded.bytesOf(spec.name)))).toBe(
          true,
        );
      }
      const ids = new BigInt64Array((await model.readTensor("position_ids")).slice().buffer);
      expect([...ids.slice(0, 4)]).toEqual([0n, 1n, 2n, 3n]);
      expect(model.index?.metadata?.total_size).toBe(sharded.layout.totalSize);
    } finally {
      await model.close();
    }
  });

  it("writes sha256 and sizes that match the files on disk, and leaves no temporary files", async () => {
    const { createHash } = await import("node:crypto");
    for (const file of [...sharded.written.files, ...(sharded.written.index ? [sharded.written.index] : [])]) {
      const bytes = await readFile(join(sharded.dir, file.file));
      expect(file.size).toBe(bytes.length);
      expect(file.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    const { readdir } = await import("node:fs/promises");
    expect((await readdir(sharded.dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("opens task_vector naming, a single file by path, and an index by path", async () => {
    const tv = await writeSynthModel({ dir: join(root, "tv"), tensors: mixed.slice(0, 3), prefix: "task_vector" });
    const model = await openLocalModel({ path: tv.dir });
    expect([model.layout, model.files[0]?.file]).toEqual(["single", "task_vector.safetensors"]);
    await model.close();
    const file = await openLocalModel({ path: join(tv.dir, "task_vector.safetensors") });
    expect(file.tensors()).toHaveLength(3);
    await file.close();
    const byIndex = await openLocalModel({ path: join(sharded.dir, "model.safetensors.index.json") });
    expect(byIndex.tensors()).toHaveLength(mixed.length);
    await byIndex.close();
  });
});

describe("reading touches only the bytes asked for", () => {
  it("reads a tensor, a slice and a stream without reading the rest of the file", async () => {
    const { reads, open } = counting((file) => openFileSource({ path: join(sharded.dir, file) }));
    const model = await openModel({ name: sharded.dir, open, files: sharded.files });
    const headerReads = reads.length;
    const tensor = model.tensor("embed.weight");
    const dataStart = model.files.find((f) => f.file === tensor.file)?.header.dataStart ?? -1;

    await model.readTensor("embed.weight");
    expect(reads.slice(headerReads)).toEqual([
      { file: tensor.file, start: dataStart + tensor.begin, end: dataStart + tensor.end },
    ]);

    const slice = await model.readTensor("embed.weight", { elementOffset: 10, count: 5 });
    expect(reads.at(-1)).toEqual({
      file: tensor.file,
      start: dataStart + tensor.begin + 20,
      end: dataStart + tensor.begin + 30,
    });
    expect(Buffer.from(slice).equals(Buffer.from(sharded.bytesOf("embed.weight").subarray(20, 30)))).toBe(true);

    const before = reads.length;
    const chunks: Uint8Array[] = [];
    for await (const chunk of model.streamTensor("embed.weight", { start: 100, end: 1000, chunkSize: 301 }))
      chunks.push(chunk);
    // 301 rounds down to 300 (whole BF16 elements): 900 bytes in three chunks, one read each.
    expect(chunks.map((c) => c.length)).toEqual([300, 300, 300]);
    expect(reads.length - before).toBe(3);
    expect(Buffer.concat(chunks).equals(Buffer.from(sharded.bytesOf("embed.weight").subarray(100, 1000)))).toBe(true);
    await model.close();
  });

  it("stops cleanly when the consumer leaves a stream early", async () => {
    const model = await openLocalModel({ path: sharded.dir });
    let count = 0;
    for await (const _chunk of model.streamTensor("lm_head.weight", { chunkSize: 64 })) {
      if (++count === 2) break;
    }
    expect(count).toBe(2);
    await model.close();
  });

  it("refuses ranges outside the tensor and unknown names", async () => {
    const model = await openLocalModel({ path: sharded.dir });
    await expect(model.readTensor("embed.weight", { elementOffset: 1000, count: 100 })).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(model.readTensor("nope")).rejects.toMatchObject({ code: "SAFETENSORS_TENSOR_NOT_FOUND" });
    await expect(model.streamTensor("embed.weight", { end: 1e9 }).next()).rejects.toBeInstanceOf(UsageError);
    await model.close();
  });
});

describe("finding the weights in a folder", () => {
  async function folder(name: string, files: Record<string, string>): Promise<string> {
    const dir = join(root, name);
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
    return dir;
  }

  it.each([
    [
      "pickles",
      { "pytorch_model.bin": "x", "config.json": "{}" },
      "SAFETENSORS_PICKLE_ONLY",
      /PyTorch pickles \(pytorch_model\.bin\).*safe_serialization=True/,
    ],
    ["adapter", { "adapter_model.safetensors": "x" }, "SAFETENSORS_NO_WEIGHTS", /only adapter_model\.safetensors/],
    ["nothing", { "config.json": "{}" }, "SAFETENSORS_NO_WEIGHTS", /no weights at all/],
  ])("%s", async (name, files, code, message) => {
    const dir = await folder(name, files);
    const error = await openLocalModel({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(`${dir}: `)).toBe(true);
  });

  it("says so when the path does not exist (a usage error)", async () => {
    await expect(openLocalModel({ path: join(root, "missing") })).rejects.toMatchObject({
      code: "SAFETENSORS_PATH_NOT_FOUND",
      family: "usage",
    });
  });

  it("prefers the single file when both a file and an index exist, like Transformers", async () => {
    const model = await openModel({
      name: "m",
      files: ["model.safetensors.index.json", "model.safetensors"],
      open: (file) =>
        openFileSource({
          path: join(sharded.dir, file === "model.safetensors" ? (sharded.layout.files[0]?.file ?? "") : file),
        }),
    });
    expect(model.layout).toBe("single");
    await model.close();
  });
});

interface ShardIndex {
  weight_map: Record<string, string>;
}
/** A change to a copy of the sharded model's index: the new index, or the text to write instead. */
type IndexEdit = (index: ShardIndex) => string | object;

/** The edit that maps tensor `name` to `file` (which need not be a string). */
const mapTensor =
  (name: string, file: unknown): IndexEdit =>
  (index) => ({ ...index, weight_map: { ...index.weight_map, [name]: file } });

describe("index validation", () => {
  async function copyWithIndex(name: string, edit: IndexEdit, drop?: string): Promise<string> {
    const dir = join(root, name);
    const { cp } = await import("node:fs/promises");
    await cp(sharded.dir, dir, { recursive: true });
    const index = JSON.parse(await readFile(join(dir, "model.safetensors.index.json"), "utf8")) as ShardIndex;
    const edited = edit(index);
    await writeFile(
      join(dir, "model.safetensors.index.json"),
      typeof edited === "string" ? edited : JSON.stringify(edited),
    );
    if (drop) await unlink(join(dir, drop));
    return dir;
  }
  // The layout is a pure function of the plan, so the shard names are known before anything is written.
  const shardCount = planModelLayout({ tensors: mixed, maxShardSize: 1024 }).files.length;
  const shard = (k: number) => `model-0000${k}-of-0000${shardCount}.safetensors`;

  it.each<[string, IndexEdit, string | undefined, string]>([
    ["missing shard file", (i) => i, shard(2), "SAFETENSORS_INDEX_MISSING_SHARD"],
    [
      "tensor mapped to the wrong shard",
      mapTensor("embed.weight", shard(2)),
      undefined,
      "SAFETENSORS_INDEX_MISSING_TENSOR",
    ],
    ["tensor that no shard has", mapTensor("ghost", shard(1)), undefined, "SAFETENSORS_INDEX_MISSING_TENSOR"],
    [
      "tensor the index does not list",
      (i) => {
        const { position_ids: _, ...rest } = i.weight_map;
        return { ...i, weight_map: rest };
      },
      undefined,
      "SAFETENSORS_INDEX_UNLISTED_TENSOR",
    ],
    [
      "a tensor listed twice",
      () => `{"weight_map":{"embed.weight":"${shard(1)}","embed.weight":"${shard(2)}"}}`,
      undefined,
      "SAFETENSORS_INDEX_DUPLICATE_KEY",
    ],
    [
      "a path outside the folder",
      mapTensor("embed.weight", "../evil.safetensors"),
      undefined,
      "SAFETENSORS_INDEX_BAD_FILE",
    ],
    ["an absolute path", mapTensor("embed.weight", "/etc/x.safetensors"), undefined, "SAFETENSORS_INDEX_BAD_FILE"],
    ["a pickle shard", mapTensor("embed.weight", "pytorch_model.bin"), undefined, "SAFETENSORS_INDEX_BAD_FILE"],
    ["no weight_map", () => ({ metadata: {} }), undefined, "SAFETENSORS_INDEX_SCHEMA"],
    ["a non-string file", mapTensor("embed.weight", 3), undefined, "SAFETENSORS_INDEX_SCHEMA"],
    ["broken JSON", () => '{"weight_map": {', undefined, "SAFETENSORS_INDEX_JSON"],
  ])("%s", async (name, edit, drop, code) => {
    const dir = await copyWithIndex(name.replace(/\W+/g, "-"), edit, drop);
    const error = await openLocalModel({ path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain("model.safetensors.index.json");
  });

  it("finds a tensor stored in two shards", async () => {
    const dir = join(root, "two-shards");
    const a = await writeSynthModel({ dir: join(dir, "a"), tensors: [{ name: "x", dtype: "F32", shape: [2] }] });
    const b = await writeSynthModel({
      dir: join(dir, "b"),
      tensors: [
        { name: "x", dtype: "F32", shape: [2] },
        { name: "y", dtype: "F32", shape: [2] },
      ],
    });
    await writeFile(join(dir, "model-00001-of-00002.safetensors"), await readFile(join(a.dir, "model.safetensors")));
    await writeFile(join(dir, "model-00002-of-00002.safetensors"), await readFile(join(b.dir, "model.safetensors")));
    await writeFile(
      join(dir, "model.safetensors.index.json"),
      JSON.stringify({ weight_map: { x: "model-00001-of-00002.safetensors", y: "model-00002-of-00002.safetensors" } }),
    );
    await expect(openLocalModel({ path: dir })).rejects.toMatchObject({ code: "SAFETENSORS_INDEX_DUPLICATE_TENSOR" });
  });

  it("names the shard when a shard itself is corrupt", async () => {
    const dir = await copyWithIndex("corrupt-shard", (i) => i);
    const path = join(dir, shard(2));
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 1));
    const error = await openLocalModel({ path: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SAFETENSORS_TRUNCATED" });
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
  });
});
