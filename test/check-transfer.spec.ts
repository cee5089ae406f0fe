/**
 * `tvhub check` reads configs, cards and safetensors headers only: on two Llama-layout models of about 350 MB
 * each, the local Hub's access log (bytes it wrote per response) must add up to less than 1 MB.
 */
import { randomFillSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModelWriter } from "../src/safetensors/create-model-writer.js";
import { planModelLayout } from "../src/safetensors/plan-model-layout.js";
import { byteLength } from "../src/tensor/shape.js";
import { uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";
import { loadModelConfig, scaleConfig, tensorsFromConfig, type Config } from "./helpers/synth.js";

const token = "hf_alice_check_transfer_0123";
let hub: LocalHubProcess;
let work: string;
let modelBytes = 0;

/**
 * A model of the given layout written in a second or two: every tensor is a 1 MiB block of random bytes repeated
 * (any bit pattern is a valid BF16), different per model so the Hub stores two sets of objects.
 */
async function writeFastModel(dir: string, config: Config, card: string): Promise<number> {
  const tensors = tensorsFromConfig(config, { dtype: "BF16" });
  const layout = planModelLayout({ tensors, prefix: "model", maxShardSize: 100_000_000, metadata: { format: "pt" } });
  const block = randomFillSync(new Uint8Array(1 << 20));
  const writer = createModelWriter({ layout, dir });
  for (const tensor of layout.writeOrder) {
    const bytes = new Uint8Array(byteLength(tensor.dtype, tensor.shape) ?? 0);
    for (let at = 0; at < bytes.length; at += block.length)
      bytes.set(block.subarray(0, Math.min(block.length, bytes.length - at)), at);
    await writer.writeTensor(tensor.name, bytes);
  }
  const written = await writer.finish();
  await writeFile(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(dir, "README.md"), card);
  return written.files.reduce((sum, file) => sum + file.size, 0);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tvhub-check-transfer-"));
  hub = await startLocalHub({ users: [{ name: "alice", token }] });
  // Llama 3.1's layout at H=1024, 8 layers, vocabulary 32000: about 175 M parameters, 350 MB in BF16.
  const config = scaleConfig(loadModelConfig("meta-llama--Llama-3.1-8B"), {
    hiddenSize: 1024,
    headDim: 128,
    layers: 8,
    vocabSize: 32000,
  });
  config.torch_dtype = "bfloat16";
  const base = join(work, "base");
  const ft = join(work, "ft");
  modelBytes += await writeFastModel(base, config, "# base\n");
  modelBytes += await writeFastModel(ft, config, "---\nbase_model: alice/big-base\n---\n# a fine-tune\n");
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/big-base", dir: base });
  await uploadFolder({ hubUrl: hub.url, token, repo: "alice/big-ft", dir: ft });
  rmSync(base, { recursive: true, force: true });
  rmSync(ft, { recursive: true, force: true });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (hub) rmSync(hub.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Bytes the server wrote per response (status line, headers and body), from its access log. */
function bytesServed(log: string): { requests: number; bytes: number } {
  let requests = 0;
  let bytes = 0;
  for (const line of log.split("\n")) {
    const match = /^\S+ [A-Z]+ \S+ \d+!? (\d+) \d+ms$/.exec(line);
    if (!match) continue;
    requests++;
    bytes += Number(match[1]);
  }
  return { requests, bytes };
}

describe("tvhub check transfers almost nothing", () => {
  it("checks two models of about 350 MB each with less than 1 MB sent by the Hub", async () => {
    expect(modelBytes).toBeGreaterThan(600_000_000);
    const from = hub.stderr().length;
    const run = await runCli(["check", "--base", "alice/big-base", "--finetuned", "alice/big-ft", "--json"], {
      HF_HOME: join(work, "hf-home"),
      HF_TOKEN: token,
      HF_ENDPOINT: hub.url,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { report: { ok: boolean }; weightBytes: number };
    expect(result.report.ok).toBe(true);
    // What a publish-vector of the pair would read: every tensor byte of both models.
    expect(result.weightBytes).toBeGreaterThan(600_000_000);
    // The server logs a request when its response closes; let the last lines arrive.
    await new Promise((done) => setTimeout(done, 300));
    const served = bytesServed(hub.stderr().slice(from));
    expect(served.requests).toBeGreaterThan(5);
    expect(served.bytes).toBeLessThan(1_000_000);
    console.log(
      `tvhub check of 2 × ${(modelBytes / 2e6).toFixed(0)} MB: ${served.requests} requests, ${served.bytes} bytes ` +
        "served",
    );
  });
});
