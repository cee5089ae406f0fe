import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { bufferSource } from "./buffer-source.js";
import { createModelWriter } from "./create-model-writer.js";
import { createTensorWriter, type TensorWriter } from "./create-tensor-writer.js";
import { createFileSink } from "./file-sink.js";
import { layoutFile } from "./layout-file.js";
import { createMemorySink } from "./testing/memory-sink.js";
import { openModel } from "./open-model.js";
import { planModelLayout } from "./plan-model-layout.js";
import { readHeader } from "./read-header.js";
import type { WrittenFile } from "./types.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tvhub-writer-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const layout = layoutFile({
  tensors: [
    { name: "small", dtype: "U8", shape: [3] },
    { name: "big", dtype: "F32", shape: [4] },
    { name: "empty", dtype: "F32", shape: [0] },
  ],
});
// Header order: F32 before U8, names in order: big, empty, small.

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe("createTensorWriter", () => {
  it("accepts chunks in header order, skips empty tensors, and reports size and sha256", async () => {
    const sink = createMemorySink();
    const writer = await createTensorWriter({ layout, sink, file: "a.safetensors" });
    expect(writer.expected()?.name).toBe("big");
    await writer.writeTensor("big", chunksOf(new Uint8Array(16).fill(7), 5));
    await writer.write("small", new Uint8Array([1]));
    await writer.write("small", new Uint8Array([2, 3]));
    expect(writer.expected()).toBeUndefined();
    const result = await writer.finish();
    const bytes = sink.bytes();
    expect(result).toEqual({
      file: "a.safetensors",
      size: layout.fileSize,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    const header = await readHeader({ source: bufferSource({ bytes }) });
    expect(header.tensors.map((t) => t.name)).toEqual(["big", "empty", "small"]);
    expect(sink.committed).toBe(true);
  });

  it.each<[string, (writer: TensorWriter) => Promise<unknown>, string]>([
    ["a tensor out of header order", (w) => w.writeTensor("small", new Uint8Array(3)), "SAFETENSORS_WRITE_ORDER"],
    ["too many bytes", (w) => w.writeTensor("big", new Uint8Array(17)), "SAFETENSORS_WRITE_LENGTH"],
    ["too few bytes", (w) => w.writeTensor("big", new Uint8Array(15)), "SAFETENSORS_WRITE_LENGTH"],
    [
      "the next tensor before the current one is complete",
      async (w) => {
        await w.write("big", new Uint8Array(8));
        await w.write("small", new Uint8Array(1));
      },
      "SAFETENSORS_WRITE_ORDER",
    ],
    [
      "a tensor written twice",
      async (w) => {
        await w.writeTensor("big", new Uint8Array(16));
        await w.writeTensor("small", new Uint8Array(3));
        await w.writeTensor("big", new Uint8Array(16));
      },
      "SAFETENSORS_WRITE_ORDER",
    ],
    ["a name not in the plan", (w) => w.writeTensor("other", new Uint8Array(1)), "SAFETENSORS_WRITE_ORDER"],
    [
      "finishing with a tensor missing",
      async (w) => {
        await w.writeTensor("big", new Uint8Array(16));
        await w.finish();
      },
      "SAFETENSORS_WRITE_LENGTH",
    ],
  ])("refuses %s and leaves no file behind", async (name, act, code) => {
    const path = join(root, `${name.replace(/\W+/g, "-")}.safetensors`);
    const writer = await createTensorWriter({ layout, sink: await createFileSink({ path }), file: "x.safetensors" });
    const error = await act(writer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message.startsWith("x.safetensors: ")).toBe(true);
    const left = (await readdir(root)).filter((file) => file.startsWith(name.replace(/\W+/g, "-")));
    expect(left).toEqual([]);
    await expect(writer.writeTensor("big", new Uint8Array(16))).rejects.toBeInstanceOf(DataError);
  });

  it("keeps the final name free until the file is complete, so a crash leaves no truncated file", async () => {
    const path = join(root, "crash.safetensors");
    const writer = await createTensorWriter({
      layout,
      sink: await createFileSink({ path }),
      file: "crash.safetensors",
    });
    await writer.writeTensor("big", new Uint8Array(16));
    expect(await readdir(root)).toContain("crash.safetensors.tmp");
    expect(await readdir(root)).not.toContain("crash.safetensors");
    // The process "dies" here: the writer is simply dropped. Only the .tmp file exists.
    await writer.abort();
    expect((await readdir(root)).filter((f) => f.startsWith("crash"))).toEqual([]);
  });
});

describe("createModelWriter", () => {
  const tensors = Array.from({ length: 6 }, (_, i) => ({
    name: `layers.${i}.weight`,
    dtype: "BF16" as const,
    shape: [8, 8],
  }));
  const plan = planModelLayout({ tensors, maxShardSize: 300, prefix: "task_vector", metadata: { format: "pt" } });
  const bytesOf = (name: string) => new Uint8Array(128).fill(name.length + Number(name.split(".")[1]));

  it("writes shard after shard in plan order, reports each file as it completes, then the index", async () => {
    expect(plan.files).toHaveLength(3);
    const dir = join(root, "model");
    const reported: WrittenFile[] = [];
    const writer = createModelWriter({ layout: plan, dir, onFile: (file) => void reported.push(file) });
    for (const tensor of plan.writeOrder) {
      await writer.writeTensor(tensor.name, bytesOf(tensor.name));
      if (tensor.name === "layers.2.weight")
        expect(reported.map((f) => f.file)).toEqual(["task_vector-00001-of-00003.safetensors"]);
    }
    const written = await writer.finish();
    expect(reported.map((f) => f.file)).toEqual([
      ...plan.files.map((f) => f.file),
      "task_vector.safetensors.index.json",
    ]);
    expect(written.index?.file).toBe("task_vector.safetensors.index.json");
    for (const file of [...written.files, written.index]) {
      const bytes = await readFile(join(dir, file?.file ?? ""));
      expect(file?.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    expect(await readFile(join(dir, "task_vector.safetensors.index.json"), "utf8")).toBe(plan.index?.text);
    const model = await openModel({
      name: dir,
      files: await readdir(dir),
      open: async (file) => bufferSource({ bytes: new Uint8Array(await readFile(join(dir, file))), name: file }),
    });
    for (const tensor of tensors) expect(await model.readTensor(tensor.name)).toEqual(bytesOf(tensor.name));
  });

  it("refuses a tensor of an earlier shard once that shard is complete", async () => {
    const writer = createModelWriter({ layout: plan, openSink: async () => createMemorySink() });
    const [first, , third] = plan.writeOrder;
    await writer.writeTensor(first?.name ?? "", bytesOf(first?.name ?? ""));
    await writer.writeTensor(plan.writeOrder[1]?.name ?? "", bytesOf(plan.writeOrder[1]?.name ?? ""));
    await writer.writeTensor(third?.name ?? "", bytesOf(third?.name ?? ""));
    await expect(writer.writeTensor(first?.name ?? "", bytesOf(first?.name ?? ""))).rejects.toMatchObject({
      code: "SAFETENSORS_WRITE_ORDER",
    });
  });

  it("refuses to finish a model with tensors never written", async () => {
    const writer = createModelWriter({ layout: plan, openSink: async () => createMemorySink() });
    await expect(writer.finish()).rejects.toMatchObject({ code: "SAFETENSORS_WRITE_LENGTH" });
  });

  it(
    "writes a subset of the files byte for byte as a full run does, without the index, and refuses the other " +
      "files' tensors",
    async () => {
      const full = join(root, "full");
      const writer = createModelWriter({ layout: plan, dir: full });
      for (const tensor of plan.writeOrder) await writer.writeTensor(tensor.name, bytesOf(tensor.name));
      const everything = await writer.finish();

      const wanted = [plan.files[0]?.file ?? "", plan.files[2]?.file ?? ""];
      const part = join(root, "part");
      const reported: string[] = [];
      const partial = createModelWriter({
        layout: plan,
        dir: part,
        files: wanted,
        onFile: (file) => void reported.push(file.file),
      });
      const middle = plan.writeOrder.find((tensor) => tensor.file === plan.files[1]?.file);
      await expect(
        createModelWriter({ layout: plan, dir: join(root, "refused"), files: wanted }).writeTensor(
          middle?.name ?? "",
          bytesOf(middle?.name ?? ""),
        ),
      ).rejects.toThrow(
        `tensor "${middle?.name ?? ""}" belongs to task_vector-00002-of-00003.safetensors, which this writer does ` +
          "not " +
          "write.",
      );
      for (const tensor of plan.writeOrder)
        if (wanted.includes(tensor.file)) await partial.writeTensor(tensor.name, bytesOf(tensor.name));
      const written = await partial.finish();
      expect(written.index).toBeUndefined();
      expect(reported).toEqual(wanted);
      expect((await readdir(part)).sort()).toEqual(wanted);
      expect(written.files).toEqual(everything.files.filter((file) => wanted.includes(file.file)));
      for (const file of wanted) expect(await readFile(join(part, file))).toEqual(await readFile(join(full, file)));
    },
  );

  it("refuses to write a file the layout does not have", () => {
    expect(() => createModelWriter({ layout: plan, dir: root, files: ["model.safetensors"] })).toThrow(
      'the layout has no file "model.safetensors" to write.',
    );
  });
});
