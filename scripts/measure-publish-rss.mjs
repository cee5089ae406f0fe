#!/usr/bin/env node
/**
 * Peak resident memory of `tvhub publish-vector` on a ~2 GB model (not part of `npm test`).
 *
 *   npm run build && node scripts/measure-publish-rss.mjs [--dir DIR] [--keep] [--hidden 2048 --layers 16 --vocab
 * 32000]
 *
 * Writes a synthetic BF16 pair with the tensor names and shapes of Llama 3.1 scaled to H=2048, 16 layers,
 * vocabulary 32000 (about 1.0 G parameters, 2.0 GB per model; shared/models rules), runs
 * `node dist/cli.js publish-vector --base DIR/base --finetuned DIR/ft --to DIR/tv` under `/usr/bin/time -v`
 * when it exists (and always polls /proc/PID/status VmHWM), and prints the peak RSS against the aim:
 * under 300 MB plus twice the largest tensor.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const repo = resolve(import.meta.dirname, "..");
const cli = join(repo, "dist/cli.js");
const { values: flags } = parseArgs({
  options: {
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
    hidden: { type: "string", default: "2048" },
    layers: { type: "string", default: "16" },
    vocab: { type: "string", default: "32000" },
  },
});

if (!existsSync(cli)) {
  console.error("dist/cli.js is missing; run `npm run build` first.");
  process.exit(2);
}

/**
 * Llama 3.1 8B's config (shared/models, copied into test/fixtures) scaled per README §6: same names, GQA ratio, MLP
 * ratio.
 */
function scaledLlama(hidden, layers, vocab) {
  const real = JSON.parse(
    readFileSync(join(repo, "test/fixtures/models/meta-llama--Llama-3.1-8B/config.json"), "utf8"),
  );
  const headDim = real.head_dim ?? real.hidden_size / real.num_attention_heads;
  const heads = hidden / headDim;
  const ratio = real.num_attention_heads / real.num_key_value_heads;
  const multiple = 256;
  return {
    ...real,
    hidden_size: hidden,
    num_attention_heads: heads,
    num_key_value_heads: heads / ratio,
    intermediate_size: Math.round(((real.intermediate_size / real.hidden_size) * hidden) / multiple) * multiple,
    num_hidden_layers: layers,
    vocab_size: vocab,
    torch_dtype: "bfloat16",
  };
}

/** Tensor names and shapes in module order (test/helpers/synth.ts tensorsFromConfig, Llama branch). */
function llamaTensors(config) {
  const H = config.hidden_size;
  const hd = config.head_dim ?? H / config.num_attention_heads;
  const q = config.num_attention_heads * hd;
  const kv = config.num_key_value_heads * hd;
  const I = config.intermediate_size;
  const V = config.vocab_size;
  const out = [{ name: "model.embed_tokens.weight", shape: [V, H] }];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    out.push(
      { name: `${p}.self_attn.q_proj.weight`, shape: [q, H] },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kv, H] },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kv, H] },
      { name: `${p}.self_attn.o_proj.weight`, shape: [H, q] },
      { name: `${p}.mlp.gate_proj.weight`, shape: [I, H] },
      { name: `${p}.mlp.up_proj.weight`, shape: [I, H] },
      { name: `${p}.mlp.down_proj.weight`, shape: [H, I] },
      { name: `${p}.input_layernorm.weight`, shape: [H] },
      { name: `${p}.post_attention_layernorm.weight`, shape: [H] },
    );
  }
  out.push({ name: "model.norm.weight", shape: [H] });
  if (config.tie_word_embeddings !== true) out.push({ name: "lm_head.weight", shape: [V, H] });
  return out.map((t) => ({ ...t, bytes: 2 * t.shape.reduce((a, b) => a * b, 1) }));
}

/**
 * BF16 weights of plausible magnitude (|w| in [2^-8, 2^0), random sign) from a 4 MiB block; the fine-tune is
 * the same block with every mantissa nudged, so τ is small and non-zero everywhere. Written with one
 * sorted-key header as the reference writer lays files out.
 */
async function writeModel(dir, config, tensors, finetuned) {
  await mkdir(dir, { recursive: true });
  const block = new Uint16Array(2 * 1024 * 1024);
  randomFillSync(block);
  for (let i = 0; i < block.length; i++) {
    const r = block[i];
    block[i] = (r & 0x8000) | ((0x77 + ((r >> 7) & 0x7)) << 7) | (r & 0x7f);
  }
  if (finetuned) for (let i = 0; i < block.length; i++) block[i] ^= 1 + (i & 1);
  const bytes = new Uint8Array(block.buffer);
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : 1));
  const header = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const t of sorted) {
    header[t.name] = { dtype: "BF16", shape: t.shape, data_offsets: [offset, offset + t.bytes] };
    offset += t.bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const file = await open(join(dir, "model.safetensors"), "w");
  try {
    await file.write(prefix);
    await file.write(json);
    let turn = 0;
    for (const t of sorted) {
      for (let left = t.bytes; left > 0; ) {
        const start = (turn++ * 4096) % bytes.length;
        const take = Math.min(left, bytes.length - start);
        await file.write(bytes.subarray(start, start + take));
        left -= take;
      }
    }
  } finally {
    await file.close();
  }
  await writeFile(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  return offset;
}

/** Runs the command, polling VmHWM (peak RSS) from /proc until it exits. */
function measure(command, args, env) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    let polledKiB = 0;
    const pids = () => {
      // Under /usr/bin/time the CLI is its child; VmHWM of every node process in the tree counts.
      const found = [child.pid];
      try {
        const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim();
        if (children) found.push(...children.split(/\s+/).map(Number));
      } catch {}
      return found;
    };
    const timer = setInterval(() => {
      for (const pid of pids()) {
        try {
          const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
          if (match) polledKiB = Math.max(polledKiB, Number(match[1]));
        } catch {}
      }
    }, 25);
    child.on("error", fail);
    child.on("close", (code) => {
      clearInterval(timer);
      const timeKiB = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      done({
        code,
        stdout,
        stderr,
        seconds: (performance.now() - started) / 1000,
        cpuSeconds: user && system ? Number(user[1]) + Number(system[1]) : undefined,
        polledKiB,
        timeKiB: timeKiB ? Number(timeKiB[1]) : undefined,
      });
    });
  });
}

const dir = flags.dir ? resolve(flags.dir) : join(tmpdir(), "tvhub-rss");
const config = scaledLlama(Number(flags.hidden), Number(flags.layers), Number(flags.vocab));
const tensors = llamaTensors(config);
const largest = tensors.reduce((max, t) => Math.max(max, t.bytes), 0);
await rm(dir, { recursive: true, force: true });
const t0 = performance.now();
const size = await writeModel(join(dir, "base"), config, tensors, false);
await writeModel(join(dir, "ft"), config, tensors, true);
// Flush the freshly written inputs first, so the run is not measured against the page cache's write-back.
execFileSync("sync");
const parameters = size / 2;
console.log(
  `wrote 2 × ${(size / 1e9).toFixed(2)} GB (${(parameters / 1e9).toFixed(2)} G parameters, ${tensors.length} ` +
    `tensors) in ${((performance.now() - t0) / 1000).toFixed(1)} s under ${dir}`,
);

const cliArgs = [
  cli,
  "publish-vector",
  "--base",
  join(dir, "base"),
  "--finetuned",
  join(dir, "ft"),
  "--to",
  join(dir, "tv"),
  "--json",
];
const useTime = existsSync("/usr/bin/time");
const command = useTime ? "/usr/bin/time" : process.execPath;
const args = useTime ? ["-v", process.execPath, ...cliArgs] : cliArgs;
console.log(`$ ${useTime ? "/usr/bin/time -v " : ""}node ${cliArgs.map((a) => a.replace(repo + "/", "")).join(" ")}`);
const run = await measure(command, args, { PATH: process.env.PATH ?? "", HF_HOME: join(dir, "hf-home"), TMPDIR: dir });
if (run.code !== 0) {
  console.error(`publish-vector exited with ${run.code}:\n${run.stderr}`);
  process.exit(1);
}
const peakBytes = (run.timeKiB ?? run.polledKiB) * 1024;
const aim = 300e6 + 2 * largest;
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const cpu = run.cpuSeconds === undefined ? "" : `, ${run.cpuSeconds.toFixed(1)} s of CPU`;
console.log(
  `time:            ${run.seconds.toFixed(1)} s${cpu} (${(size / 1e9 / run.seconds).toFixed(2)} GB/s of fine-tuned ` +
    "weights)",
);
console.log(`largest tensor:  ${mb(largest)} (${tensors.find((t) => t.bytes === largest)?.name})`);
console.log(
  "peak RSS:        " +
    `${mb(peakBytes)}${
      run.timeKiB === undefined
        ? " (VmHWM, " + "polled)"
        : " (/usr/bin/time; VmHWM polled: " + `${mb(run.polledKiB * 1024)})`
    }`,
);
console.log(`aim:             under ${mb(aim)} = 300 MB + 2 × largest tensor: ${peakBytes < aim ? "met" : "NOT met"}`);
if (!flags.keep) await rm(dir, { recursive: true, force: true });
