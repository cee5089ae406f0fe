import { describe, expect, it } from "vitest";
import { readConfig, realModel } from "../../plan/testing/real-models.js";
import { screenCandidates, type CandidateMetadata } from "./screen-candidates.js";

const sha = (c: string) => c.repeat(40);
const base = realModel({ id: "Qwen--Qwen2.5-0.5B", revision: sha("a") });
const qwenConfig = readConfig("Qwen--Qwen2.5-0.5B");

/** A fine-tune of the base, with headers read. */
const goodFinetune: CandidateMetadata = {
  id: `org/qwen-math@${sha("b")}`,
  label: "org/qwen-math",
  kind: "finetuned",
  repo: "org/qwen-math",
  revision: sha("b"),
  config: qwenConfig,
  card: { base_model: "Qwen/Qwen2.5-0.5B" },
  tensors: base.tensors,
};

/** A published vector found by a Hub search: its card only, no headers yet. */
const searchedVector = (name: string, baseModel: string): CandidateMetadata => ({
  id: `org/${name}@${sha("c")}`,
  label: `org/${name}`,
  kind: "vector",
  repo: `org/${name}`,
  revision: sha("c"),
  card: { base_model: baseModel, tags: ["task-vector"] },
});

describe("screenCandidates", () => {
  it("skips candidates of another base or architecture with the check's own reason, before any weight is read", () => {
    const llama = realModel({ id: "meta-llama--Llama-3.1-8B", card: { base_model: "meta-llama/Llama-3.1-8B" } });
    const result = screenCandidates({
      base,
      candidates: [
        goodFinetune,
        searchedVector("qwen-code-tv", "Qwen/Qwen2.5-0.5B"),
        searchedVector("qwen7b-tv", "Qwen/Qwen2.5-7B"),
        {
          id: "org/llama-chat@x",
          label: "org/llama-chat",
          kind: "finetuned",
          repo: "org/llama-chat",
          config: llama.config,
          card: { base_model: "Qwen/Qwen2.5-0.5B" },
        },
      ],
    });
    expect(result.accepted.map((c) => c.label)).toEqual(["org/qwen-math", "org/qwen-code-tv"]);
    expect(result.skipped.map((s) => [s.label, s.code])).toEqual([
      ["org/qwen7b-tv", "BASE_MISMATCH"],
      ["org/llama-chat", "ARCHITECTURE_MISMATCH"],
    ]);
    expect(result.skipped[0]?.reason).toBe(
      "org/qwen7b-tv declares base_model Qwen/Qwen2.5-7B, not Qwen/Qwen2.5-0.5B; a task vector against another base " +
        "is noise, so use that base, or --force if you know Qwen/Qwen2.5-0.5B holds the same weights.",
    );
    expect(result.skipped[1]?.reason).toMatch(
      /^org\/llama-chat is LlamaForCausalLM but Qwen\/Qwen2\.5-0\.5B is Qwen2ForCausalLM; /,
    );
  });

  it("reads the base a task vector was computed against from its tvhub.json before its card", () => {
    const result = screenCandidates({
      base,
      candidates: [
        {
          ...searchedVector("tv-record", "Qwen/Qwen2.5-0.5B"),
          record: { base: { repo: "Qwen/Qwen2.5-7B", revision: sha("d") } },
        },
      ],
    });
    expect(result.skipped.map((s) => s.code)).toEqual(["BASE_MISMATCH"]);
    expect(result.skipped[0]?.reason).toContain("declares base_model Qwen/Qwen2.5-7B");
  });

  it("adds the tensor checks once headers are read: a different shape is skipped", () => {
    const bigger = realModel({
      id: "Qwen--Qwen2.5-0.5B",
      mapSpecs: (specs) => specs.map((s) => (s.name === "model.norm.weight" ? { ...s, shape: [1024] } : s)),
    });
    const result = screenCandidates({ base, candidates: [{ ...goodFinetune, tensors: bigger.tensors }] });
    expect(result.accepted).toEqual([]);
    expect(result.skipped[0]).toMatchObject({ code: "SHAPE_MISMATCH", label: "org/qwen-math" });
    expect(result.skipped[0]?.reason).toContain("model.norm.weight");
  });

  it("lets --force through a card that names another base, never a different architecture", () => {
    const llamaConfig = readConfig("meta-llama--Llama-3.1-8B");
    const result = screenCandidates({
      base,
      force: true,
      candidates: [
        searchedVector("qwen7b-tv", "Qwen/Qwen2.5-7B"),
        { id: "org/llama@x", kind: "finetuned", config: llamaConfig, card: { base_model: "Qwen/Qwen2.5-0.5B" } },
      ],
    });
    expect(result.accepted.map((c) => c.id)).toEqual([`org/qwen7b-tv@${sha("c")}`]);
    expect(result.skipped.map((s) => s.code)).toEqual(["ARCHITECTURE_MISMATCH"]);
  });

  it("skips duplicates, candidates already in the start model and the base itself", () => {
    const result = screenCandidates({
      base,
      inStart: ["org/already-in"],
      candidates: [
        goodFinetune,
        { ...goodFinetune, id: "org/qwen-math", label: "org/Qwen-Math (again)", repo: "org/Qwen-Math" },
        searchedVector("already-in", "Qwen/Qwen2.5-0.5B"),
        {
          id: `Qwen/Qwen2.5-0.5B@${sha("a")}`,
          label: "Qwen/Qwen2.5-0.5B",
          kind: "finetuned",
          repo: "Qwen/Qwen2.5-0.5B",
          revision: sha("a"),
          config: qwenConfig,
          tensors: base.tensors,
        },
      ],
    });
    expect(result.accepted.map((c) => c.label)).toEqual(["org/qwen-math"]);
    expect(result.skipped.map((s) => [s.label, s.code, s.reason])).toEqual([
      ["org/Qwen-Math (again)", "DUPLICATE", "the same model as org/qwen-math, listed earlier"],
      ["org/already-in", "IN_START", "already part of the start model"],
      [
        "Qwen/Qwen2.5-0.5B",
        "SAME_AS_BASE",
        "Qwen/Qwen2.5-0.5B is the base itself at the same commit, so its task vector is zero; check the reference.",
      ],
    ]);
  });

  it("accepts a candidate of unknown lineage with a warning", () => {
    const result = screenCandidates({
      base,
      candidates: [{ id: "./local-ft", kind: "finetuned", config: qwenConfig, tensors: base.tensors }],
    });
    expect(result.accepted.map((c) => c.id)).toEqual(["./local-ft"]);
    expect(result.warnings.map((w) => w.code)).toEqual(["UNKNOWN_LINEAGE"]);
  });
});
