import { describe, expect, it } from "vitest";
import type { ModelFile, SafetensorsModel, TensorInfo } from "../safetensors/types.js";
import { inspect, naturalCompare } from "./inspect.js";

function header(
  tensors: Array<Omit<TensorInfo, "begin" | "end"> & { bytes: number }>,
  metadata?: Record<string, string>,
): ModelFile["header"] {
  let offset = 0;
  const infos = tensors.map(({ bytes, ...t }) => {
    const info = { ...t, begin: offset, end: offset + bytes };
    offset += bytes;
    return info;
  });
  return {
    headerLength: 120,
    dataStart: 128,
    fileSize: 128 + offset,
    tensors: infos,
    ...(metadata ? { metadata } : {}),
  };
}

/** A model literal: inspect reads headers only, so nothing else needs to work. */
function fakeModel(files: ModelFile[], index?: SafetensorsModel["index"]): SafetensorsModel {
  const tensors = files.flatMap(({ file, header: h }) => h.tensors.map((t) => ({ ...t, file })));
  const unused = () => Promise.reject(new Error("inspect must not read tensor data"));
  return {
    name: "models/fake",
    layout: files.length > 1 ? "sharded" : "single",
    ...(files.length > 1 ? { indexFile: "model.safetensors.index.json" } : {}),
    ...(index ? { index } : {}),
    files,
    tensors: () => tensors,
    has: (name) => tensors.some((t) => t.name === name),
    tensor: (name) => tensors.find((t) => t.name === name) ?? (undefined as never),
    readTensor: unused,
    streamTensor: () => {
      throw new Error("inspect must not read tensor data");
    },
    close: async () => {},
  };
}

describe("inspect", () => {
  const layer = (i: number, extra: string) => ({
    name: `model.layers.${i}.${extra}`,
    dtype: "BF16" as const,
    shape: [4, 4],
    bytes: 32,
  });
  const files: ModelFile[] = [
    {
      file: "model-00001-of-00002.safetensors",
      header: header(
        [
          layer(0, "w"),
          layer(1, "w"),
          layer(2, "w"),
          layer(10, "w"),
          { name: "ids", dtype: "I64", shape: [1, 3], bytes: 24 },
        ],
        { format: "pt" },
      ),
    },
    {
      file: "model-00002-of-00002.safetensors",
      header: header(
        [layer(3, "w"), layer(7, "w"), { name: "model.layers.5.w", dtype: "BF16", shape: [2, 4], bytes: 16 }],
        { format: "mlx" },
      ),
    },
  ];

  it("counts parameters per dtype and bytes per file from headers alone", () => {
    const report = inspect({ model: fakeModel(files, { weight_map: {}, metadata: { total_size: 1 } }) });
    expect(report.totals).toEqual({
      tensors: 8,
      parameters: 7 * 16 - 8 + 3,
      tensorBytes: 6 * 32 + 16 + 24,
      fileBytes: 2 * 128 + 6 * 32 + 16 + 24,
    });
    expect(report.dtypes).toEqual([
      { dtype: "BF16", tensors: 7, parameters: 104, bytes: 208 },
      { dtype: "I64", tensors: 1, parameters: 3, bytes: 24 },
    ]);
    expect(report.files.map((f) => [f.file, f.headerBytes, f.tensors])).toEqual([
      ["model-00001-of-00002.safetensors", 128, 5],
      ["model-00002-of-00002.safetensors", 128, 3],
    ]);
    expect(report.index).toEqual({ file: "model.safetensors.index.json", totalSize: 1 });
  });

  it("keeps metadata only when every file agrees", () => {
    expect(inspect({ model: fakeModel(files) }).metadata).toBeNull();
    expect(inspect({ model: fakeModel(files.slice(0, 1)) }).metadata).toEqual({ format: "pt" });
  });

  it("sorts names naturally and folds layers of one dtype and shape into ranges", () => {
    const report = inspect({ model: fakeModel(files) });
    expect(report.tensors.map((t) => t.name)).toEqual([
      "ids",
      "model.layers.0.w",
      "model.layers.1.w",
      "model.layers.2.w",
      "model.layers.3.w",
      "model.layers.5.w",
      "model.layers.7.w",
      "model.layers.10.w",
    ]);
    expect(report.groups.map((g) => [g.pattern, g.count, g.parameters])).toEqual([
      ["ids", 1, 3],
      ["model.layers.{0-3,7,10}.w", 6, 96],
      ["model.layers.5.w", 1, 8],
    ]);
  });

  it("compares digit runs as numbers", () => {
    expect(["h.10.w", "h.9.w", "h.1.w", "a"].sort(naturalCompare)).toEqual(["a", "h.1.w", "h.9.w", "h.10.w"]);
  });
});
