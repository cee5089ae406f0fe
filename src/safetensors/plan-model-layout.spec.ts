import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { loadModelConfig, loadModelIndex, tensorsFromConfig } from "../../test/helpers/synth.js";
import { planModelLayout } from "./plan-model-layout.js";
import type { PlannedTensor } from "./layout-file.js";

const modelsDir = resolve(import.meta.dirname, "../../test/fixtures/models");

describe("planModelLayout reproduces real Hub layouts (test/fixtures/models README §5)", () => {
  it("Llama-3.1-8B: the weight_map, total_size, the index bytes, and every shard's header and file size", () => {
    const id = "meta-llama--Llama-3.1-8B";
    const layout = planModelLayout({ tensors: tensorsFromConfig(loadModelConfig(id)), metadata: { format: "pt" } });
    const index = loadModelIndex(id);
    expect(layout.index?.content.weight_map).toEqual(index.weight_map);
    expect(layout.totalSize).toBe(16_060_522_496);
    expect(layout.index?.text).toBe(readFileSync(join(modelsDir, id, "model.safetensors.index.json"), "utf8"));
    // Header and file sizes of the Hub's LFS shards (README §2 and §5): the headers are byte-for-byte the
    // reference's, or these lengths would differ.
    expect(layout.files.map((f) => f.layout.header.length)).toEqual([9_520, 12_128, 11_664, 568]);
    expect(layout.files.map((f) => f.layout.fileSize)).toEqual([
      4_976_698_672, 4_999_802_720, 4_915_916_176, 1_168_138_808,
    ]);
  });

  it("TAIDE (vocabulary grown by 60,000): the shard boundaries move exactly as on the Hub", () => {
    const id = "TLLM--Llama-3.1-TAIDE-LX-8B-Chat";
    const layout = planModelLayout({ tensors: tensorsFromConfig(loadModelConfig(id)) });
    expect(layout.index?.content.weight_map).toEqual(loadModelIndex(id).weight_map);
    expect(layout.totalSize).toBe(loadModelIndex(id).metadata.total_size);
  });

  it("Mistral-7B-v0.1 with the old 10 GB default", () => {
    const id = "mistralai--Mistral-7B-v0.1";
    const layout = planModelLayout({ tensors: tensorsFromConfig(loadModelConfig(id)), maxShardSize: 10_000_000_000 });
    expect(layout.files.map((f) => f.file)).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
    ]);
    expect(layout.index?.content.weight_map).toEqual(loadModelIndex(id).weight_map);
    expect(layout.files[0]?.layout.dataSize).toBe(9_942_958_080);
  });
});

describe("planModelLayout", () => {
  const t = (name: string, bytes: number): PlannedTensor => ({ name, dtype: "U8", shape: [bytes] });

  it("writes one plain file and no index when everything fits", () => {
    const layout = planModelLayout({ tensors: [t("a", 10), t("b", 10)], prefix: "task_vector", maxShardSize: 20 });
    expect(layout.files.map((f) => f.file)).toEqual(["task_vector.safetensors"]);
    expect(layout.index).toBeUndefined();
    expect(layout.writeOrder.map((x) => x.name)).toEqual(["a", "b"]);
  });

  it("starts a new shard when the next tensor would pass the limit", () => {
    const layout = planModelLayout({
      tensors: [t("a", 6), t("b", 4), t("c", 1), t("d", 10)],
      prefix: "task_vector",
      maxShardSize: 10,
    });
    expect(layout.files.map((f) => [f.file, f.layout.tensors.map((x) => x.name)])).toEqual([
      ["task_vector-00001-of-00003.safetensors", ["a", "b"]],
      ["task_vector-00002-of-00003.safetensors", ["c"]],
      ["task_vector-00003-of-00003.safetensors", ["d"]],
    ]);
    expect(layout.index?.file).toBe("task_vector.safetensors.index.json");
    expect(layout.index?.content.metadata).toEqual({ total_size: 21 });
  });

  it(
    "gives a tensor larger than the limit a shard of its own, numbered when it is met (huggingface_hub's " + "rule)",
    () => {
      const layout = planModelLayout({ tensors: [t("small.1", 3), t("huge", 50), t("small.2", 3)], maxShardSize: 10 });
      expect(layout.files.map((f) => f.layout.tensors.map((x) => x.name))).toEqual([["huge"], ["small.1", "small.2"]]);
      expect(layout.index?.content.weight_map).toEqual({
        huge: "model-00001-of-00002.safetensors",
        "small.1": "model-00002-of-00002.safetensors",
        "small.2": "model-00002-of-00002.safetensors",
      });
      expect(layout.writeOrder.map((x) => `${x.file}:${x.name}`)).toEqual([
        "model-00001-of-00002.safetensors:huge",
        "model-00002-of-00002.safetensors:small.1",
        "model-00002-of-00002.safetensors:small.2",
      ]);
    },
  );

  it("formats the index like Transformers: sorted keys, 2-space indent, ASCII escapes, trailing newline", () => {
    const layout = planModelLayout({ tensors: [t("é", 8), t("10", 8), t("9", 8)], maxShardSize: 8 });
    expect(layout.index?.text).toBe(
      '{\n  "metadata": {\n    "total_size": 24\n  },\n  "weight_map": {\n' +
        '    "10": "model-00002-of-00003.safetensors",\n' +
        '    "9": "model-00003-of-00003.safetensors",\n' +
        '    "\\u00e9": "model-00001-of-00003.safetensors"\n  }\n}\n',
    );
    expect(JSON.parse(layout.index?.text ?? "")).toEqual(layout.index?.content);
  });

  it("is a pure function of its input", () => {
    const tensors = tensorsFromConfig(loadModelConfig("Qwen--Qwen2.5-0.5B"));
    const a = planModelLayout({ tensors, maxShardSize: 100_000_000 });
    const b = planModelLayout({ tensors: [...tensors], maxShardSize: 100_000_000 });
    expect(a.files.map((f) => Buffer.from(f.layout.header).toString("hex"))).toEqual(
      b.files.map((f) => Buffer.from(f.layout.header).toString("hex")),
    );
    expect(a.files.length).toBeGreaterThan(1);
  });

  it("refuses duplicate names, bad prefixes and bad sizes", () => {
    expect(() => planModelLayout({ tensors: [t("a", 1), t("a", 1)] })).toThrow(DataError);
    expect(() => planModelLayout({ tensors: [], prefix: "../x" })).toThrow(DataError);
    expect(() => planModelLayout({ tensors: [], maxShardSize: 0 })).toThrow(DataError);
  });
});
