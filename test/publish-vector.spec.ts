import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadBytes, parseSafetensorsBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";
import { decodeElement, dtypeBytes, encodeElement, referenceTaskVector } from "./helpers/reference-float.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel, type SynthModel } from "./helpers/synth.js";

const token = "hf_alice_publish_vector_token";

let hub: LocalHubProcess;
let work: string;
let home: string;
const models: Record<string, { base: SynthModel; ft: SynthModel }> = {};

async function pair(name: string, dtype: "BF16" | "F16" | "F32", maxShardSize?: number): Promise<void> {
  const config = {
    ...tinyLlamaConfig(),
    torch_dtype: dtype === "BF16" ? "bfloat16" : dtype === "F16" ? "float16" : "float32",
  };
  const tensors = [
    ...tensorsFromConfig(config, { dtype }),
    { name: "model.position_ids", dtype: "I64" as const, shape: [1, 64], fill: "arange" as const },
  ];
  const base = await writeSynthModel({
    dir: join(work, `${name}-base`),
    tensors,
    config,
    seed: 7,
    ...(maxShardSize ? { maxShardSize } : {}),
  });
  const ft = await fineTune({
    base,
    dir: join(work, `${name}-ft`),
    baseModel: `alice/${name}-base`,
    card: { extra: { license: "mit" } },
    ...(maxShardSize ? { maxShardSize } : {}),
  });
  models[name] = { base, ft };
  await uploadFolder({ hubUrl: hub.url, token, repo: `alice/${name}-base`, dir: base.dir });
  await uploadFolder({ hubUrl: hub.url, token, repo: `alice/${name}-ft`, dir: ft.dir });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-pv-"));
  home = join(work, "hf-home");
  hub = await startLocalHub({ users: [{ name: "alice", token }] });
  await pair("bf16", "BF16", 40_000);
  await pair("f16", "F16");
  await pair("f32", "F32");
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

const env = () => ({ HF_HOME: home, HF_TOKEN: token, HF_ENDPOINT: hub.url });

async function publishedTensors(
  repo: string,
): Promise<Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>> {
  const all = new Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>();
  let files = ["task_vector.safetensors"];
  const index = await downloadBytes({ hubUrl: hub.url, repo, path: "task_vector.safetensors.index.json" }).catch(
    () => undefined,
  );
  if (index)
    files = [
      ...new Set(
        Object.values(
          (JSON.parse(new TextDecoder().decode(index)) as { weight_map: Record<string, string> }).weight_map,
        ),
      ),
    ];
  for (const file of files)
    for (const [k, v] of parseSafetensorsBytes(await downloadBytes({ hubUrl: hub.url, repo, path: file })))
      all.set(k, v);
  return all;
}

describe("tvhub publish-vector against a local Hub", () => {
  for (const name of ["bf16", "f16", "f32"]) {
    it(`publishes τ of a ${name} model that equals an independent float32 computation bit for bit`, async () => {
      const { base, ft } = models[name] as { base: SynthModel; ft: SynthModel };
      const shards = name === "bf16" ? ["--max-shard-size", "40kB"] : [];
      const run = await runCli(
        [
          "publish-vector",
          "--base",
          `alice/${name}-base`,
          "--finetuned",
          `alice/${name}-ft`,
          "--to",
          `alice/${name}-tv`,
          "--json",
          ...shards,
        ],
        env(),
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as { commit: string; repo: string; files: Array<{ path: string }> };
      expect(result.repo).toBe(`alice/${name}-tv`);
      expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
      const published = await publishedTensors(`alice/${name}-tv`);
      const floats = base.tensors.filter((t) => t.dtype !== "I64");
      expect([...published.keys()].sort()).toEqual(floats.map((t) => t.name).sort());
      for (const tensor of floats) {
        const expected = referenceTaskVector(
          { dtype: tensor.dtype, bytes: ft.bytesOf(tensor.name) },
          { dtype: tensor.dtype, bytes: base.bytesOf(tensor.name) },
          tensor.dtype,
        );
        const got = published.get(tensor.name);
        expect(got?.dtype).toBe(tensor.dtype);
        expect(got?.shape).toEqual(tensor.shape);
        expect(Buffer.from(got?.bytes ?? new Uint8Array()).equals(Buffer.from(expected)), tensor.name).toBe(true);
      }
      const card = new TextDecoder().decode(
        await downloadBytes({ hubUrl: hub.url, repo: `alice/${name}-tv`, path: "README.md" }),
      );
      expect(card).toContain(`base_model: alice/${name}-base`);
      expect(card).toContain("base_model_relation: finetune");
      expect(card).toContain("license: mit");
      const record = JSON.parse(
        new TextDecoder().decode(
          await downloadBytes({ hubUrl: hub.url, repo: `alice/${name}-tv`, path: "tvhub.json" }),
        ),
      ) as Record<string, unknown>;
      expect(record).toMatchObject({
        format: "tvhub/task-vector",
        version: 1,
        base: { repo: `alice/${name}-base` },
        finetuned: { repo: `alice/${name}-ft` },
      });
      expect((record.omitted as Array<{ name: string }>).map((o) => o.name)).toEqual(["model.position_ids"]);
    });
  }

  it("reads a bf16 model of ≥3 shards and writes ≥3 shards and an index when asked", async () => {
    expect(models.bf16?.base.written.files.length).toBeGreaterThanOrEqual(3);
    const index = JSON.parse(
      new TextDecoder().decode(
        await downloadBytes({ hubUrl: hub.url, repo: "alice/bf16-tv", path: "task_vector.safetensors.index.json" }),
      ),
    ) as {
      weight_map: Record<string, string>;
    };
    expect(new Set(Object.values(index.weight_map)).size).toBeGreaterThanOrEqual(3);
  });

  for (const name of ["bf16", "f16"]) {
    it(`an f32 τ of the ${name} model added to the base reproduces the fine-tuned tensors bit for bit`, async () => {
      const { base, ft } = models[name] as { base: SynthModel; ft: SynthModel };
      const out = join(work, `${name}-tv-f32`);
      const run = await runCli(
        ["publish-vector", "--finetuned", `alice/${name}-ft`, "--to", out, "--dtype", "f32", "--json"],
        env(),
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const tau = parseSafetensorsBytes(new Uint8Array(readFileSync(join(out, "task_vector.safetensors"))));
      for (const tensor of base.tensors.filter((t) => t.dtype !== "I64")) {
        const t = tau.get(tensor.name);
        expect(t?.dtype).toBe("F32");
        const baseBytes = base.bytesOf(tensor.name);
        const size = dtypeBytes[tensor.dtype] as number;
        const rebuilt = new Uint8Array(baseBytes.byteLength);
        for (let i = 0; i < baseBytes.byteLength / size; i++) {
          encodeElement(
            tensor.dtype,
            Math.fround(
              decodeElement(tensor.dtype, baseBytes, i) + decodeElement("F32", t?.bytes ?? new Uint8Array(), i),
            ),
            rebuilt,
            i,
          );
        }
        expect(Buffer.from(rebuilt).equals(Buffer.from(ft.bytesOf(tensor.name))), tensor.name).toBe(true);
      }
      expect(readFileSync(join(out, "README.md"), "utf8")).toContain(
        "reproduces the fine-tuned floating-point weights exactly",
      );
    });
  }

  it("a second run downloads nothing: the Hub cache already holds the inputs", async () => {
    const again = await runCli(
      [
        "publish-vector",
        "--base",
        "alice/bf16-base",
        "--finetuned",
        "alice/bf16-ft",
        "--to",
        join(work, "again"),
        "--json",
      ],
      env(),
    );
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    expect((JSON.parse(again.stdout) as { bytesDownloaded: number }).bytesDownloaded).toBe(0);
  });

  it("--dry-run prints the plan and the bytes to download, and publishes nothing", async () => {
    const run = await runCli(
      ["publish-vector", "--finetuned", "alice/f16-ft", "--to", "alice/never", "--dry-run"],
      env(),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/download/i);
    const listing = await fetch(`${hub.url}/api/models/alice/never`);
    expect(listing.status).toBe(404);
  });

  it("refuses a fine-tune that declares another base, naming it, and leaves nothing behind", async () => {
    const out = join(work, "refused");
    const run = await runCli(
      ["publish-vector", "--base", "alice/bf16-base", "--finetuned", "alice/f16-ft", "--to", out],
      env(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tvhub: alice\/f16-ft cannot be combined with alice\/bf16-base: 1 blocking mismatch/m);
    expect(run.stderr).toContain("BASE_MISMATCH");
    expect(run.stderr).not.toContain(token);
    expect(readdirSync(work)).not.toContain("refused");
  });
});
