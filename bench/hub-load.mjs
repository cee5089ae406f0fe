#!/usr/bin/env node
// Load test of `tvhub hub serve` on loopback: N parallel range downloads of one large LFS file.
//
//   npm run build && node bench/hub-load.mjs [--size-mb 1024] [--parallel 4] [--chunk-mb 64] [--passes 3] [--client
// raw|http]
//
// Starts the server from dist/cli.js in a temporary directory, uploads a file of --size-mb through the official
// @huggingface/hub client (LFS), then has --parallel keep-alive connections fetch it in --chunk-mb ranges, --passes
// times over. Every response must be a 206 with the exact Content-Range and length, and the first and last 4 KiB of
// every range must equal the local file's bytes. Prints one JSON line; exits 1 if any request failed.
//
// The default client reads sockets into one reused buffer (net `onread`): on a 2-core machine the server and the
// clients share the CPU, and node:http's client (`--client http`) costs more per byte than the server does.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRepo, uploadFiles } from "@huggingface/hub";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((arg, i, all) => (arg.startsWith("--") ? [[arg.slice(2), all[i + 1]]] : [])),
);
const sizeBytes = Number(args["size-mb"] ?? 1024) * 1024 * 1024;
const parallel = Number(args.parallel ?? 4);
const chunkBytes = Number(args["chunk-mb"] ?? 64) * 1024 * 1024;
const passes = Number(args.passes ?? 3);
const clientKind = args.client ?? "raw";
const token = "hf_bench_local_token";
const probe = 4096;

const work = await mkdtemp(join(tmpdir(), "tvhub-bench-"));
const file = join(work, "big.bin");
const server = spawn(
  process.execPath,
  [
    resolve(import.meta.dirname, "../dist/cli.js"),
    "hub",
    "serve",
    "--dir",
    join(work, "hub"),
    "--port",
    "0",
    "--quiet",
    "--user",
    `bench:${token}`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);

try {
  const hubUrl = await new Promise((done, fail) => {
    let out = "";
    server.stdout.setEncoding("utf8").on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) done(out.split("\n")[0]);
    });
    server.once("exit", (code) => fail(new Error(`hub serve exited with ${code}`)));
  });

  await writeTestFile(file, sizeBytes);
  const uploadStart = performance.now();
  await createRepo({ repo: "bench/big", hubUrl, accessToken: token });
  await uploadFiles({
    repo: "bench/big",
    files: [{ path: "big.bin", content: pathToFileURL(file) }],
    hubUrl,
    accessToken: token,
  });
  const uploadSeconds = (performance.now() - uploadStart) / 1000;

  const local = await open(file, "r");
  const ranges = [];
  for (let pass = 0; pass < passes; pass++) {
    for (let start = 0; start < sizeBytes; start += chunkBytes)
      ranges.push({ start, end: Math.min(sizeBytes, start + chunkBytes) - 1 });
  }
  const url = new URL(`${hubUrl}/bench/big/resolve/main/big.bin`);
  const results = { bytes: 0, errors: 0, samples: [] };
  const fail = (range, problem) => {
    results.errors++;
    if (results.samples.length < 5) results.samples.push({ ...range, problem });
  };

  // Checks one answer: status, Content-Range, length, and the bytes at both ends of the range.
  const check = async (range, { status, contentRange, received, head, tail }) => {
    results.bytes += received;
    const expected = range.end - range.start + 1;
    if (status !== 206 || contentRange !== `bytes ${range.start}-${range.end}/${sizeBytes}` || received !== expected) {
      return fail(range, { status, contentRange, received });
    }
    const n = Math.min(probe, expected);
    const want = Buffer.alloc(n);
    await local.read(want, 0, n, range.start);
    if (!want.equals(head.subarray(0, n))) return fail(range, "first bytes differ");
    await local.read(want, 0, n, range.end + 1 - n);
    if (!want.equals(tail.subarray(tail.length - n))) return fail(range, "last bytes differ");
  };

  const worker = clientKind === "http" ? httpWorker(url, parallel) : rawWorker(url);
  const queue = [...ranges];
  const loadBefore = loadavg()[0];
  const cpuBefore = await cpuSecondsOf(server.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      const connection = await worker.open();
      for (let range = queue.shift(); range; range = queue.shift()) {
        try {
          await check(range, await connection.get(range));
        } catch (error) {
          fail(range, String(error));
        }
      }
      connection.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSecondsOf(server.pid);
  await local.close();
  console.log(
    JSON.stringify({
      client: clientKind,
      fileBytes: sizeBytes,
      parallel,
      chunkBytes,
      requests: ranges.length,
      bytes: results.bytes,
      seconds: Number(seconds.toFixed(3)),
      throughputGBps: Number((results.bytes / seconds / 1e9).toFixed(3)),
      errors: results.errors,
      ...(results.samples.length > 0 && { errorSamples: results.samples }),
      // CPU the server spent per GB sent: what it would need on a machine where clients and the kernel cost nothing.
      ...(cpuBefore !== undefined &&
        cpuAfter !== undefined && {
          serverCpuSecondsPerGB: Number(((cpuAfter - cpuBefore) / (results.bytes / 1e9)).toFixed(3)),
        }),
      uploadSeconds: Number(uploadSeconds.toFixed(2)),
      loadAverage: [Number(loadBefore.toFixed(2)), Number(loadavg()[0].toFixed(2))],
    }),
  );
  process.exitCode = results.errors === 0 ? 0 : 1;
} finally {
  server.kill("SIGTERM");
  await new Promise((done) => (server.exitCode !== null ? done() : server.once("exit", done)));
  await rm(work, { recursive: true, force: true });
}

/** user + system CPU seconds of a process, from /proc (Linux); undefined elsewhere. */
async function cpuSecondsOf(pid) {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A file whose every 1 MiB block differs (its index in the first 4 bytes), so a misplaced range cannot pass. */
function writeTestFile(path, size) {
  return new Promise((done, fail) => {
    const out = createWriteStream(path);
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
    let written = 0;
    const pump = () => {
      while (written < size) {
        const piece = Buffer.from(block.subarray(0, Math.min(block.length, size - written)));
        piece.writeUInt32LE(written / block.length, 0);
        written += piece.length;
        if (!out.write(piece)) return void out.once("drain", pump);
      }
      out.end(done);
    };
    out.on("error", fail);
    pump();
  });
}

/** Keeps the first and last `probe` bytes of a body that arrives in pieces. */
function bodyProbe() {
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  return {
    add(piece) {
      if (head.length < probe) head = Buffer.concat([head, piece.subarray(0, probe - head.length)]);
      tail =
        piece.length >= probe
          ? Buffer.from(piece.subarray(piece.length - probe))
          : Buffer.concat([tail, piece]).subarray(-probe);
    },
    get head() {
      return head;
    },
    get tail() {
      return tail;
    },
  };
}

/** HTTP/1.1 keep-alive GETs over a raw socket that reads into one reused 1 MiB buffer. */
function rawWorker(url) {
  return {
    open: () =>
      new Promise((opened, failed) => {
        let pending;
        let header = "";
        let length = -1;
        let received = 0;
        let probeState;
        const onBody = (buffer, from, to) => {
          const piece = buffer.subarray(from, Math.min(to, from + (length - received)));
          received += piece.length;
          probeState.add(piece);
          if (received === length) {
            const [statusLine] = header.split("\r\n");
            const contentRange = /\r\ncontent-range: *([^\r]*)/i.exec(header)?.[1];
            const answer = {
              status: Number(statusLine.split(" ")[1]),
              contentRange,
              received,
              head: probeState.head,
              tail: probeState.tail,
            };
            const done = pending;
            pending = undefined;
            done.resolve(answer);
          }
        };
        const socket = connect({
          host: url.hostname,
          port: Number(url.port),
          onread: {
            buffer: Buffer.alloc(1024 * 1024),
            callback(nread, buffer) {
              if (!pending) return;
              if (length < 0) {
                header += buffer.toString("latin1", 0, nread);
                const end = header.indexOf("\r\n\r\n");
                if (end === -1) return;
                const bodyStart = nread - (header.length - end - 4);
                header = header.slice(0, end);
                length = Number(/\r\ncontent-length: *(\d+)/i.exec(header)?.[1] ?? 0);
                if (length === 0) return onBody(buffer, bodyStart, bodyStart);
                onBody(buffer, bodyStart, nread);
              } else {
                onBody(buffer, 0, nread);
              }
            },
          },
        });
        socket.once("error", (error) => (pending ? pending.reject(error) : failed(error)));
        socket.once("connect", () =>
          opened({
            get(range) {
              header = "";
              length = -1;
              received = 0;
              probeState = bodyProbe();
              return new Promise((resolve, reject) => {
                pending = { resolve, reject };
                socket.write(
                  `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nRange: ` +
                    `bytes=${range.start}-${range.end}\r\n\r\n`,
                );
              });
            },
            close: () => socket.destroy(),
          }),
        );
      }),
  };
}

/** The same requests through node:http. */
function httpWorker(url, sockets) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    open: async () => ({
      get: (range) =>
        new Promise((resolve, reject) => {
          const req = request(
            {
              host: url.hostname,
              port: url.port,
              path: url.pathname,
              agent,
              headers: { Range: `bytes=${range.start}-${range.end}` },
            },
            (res) => {
              const probeState = bodyProbe();
              let received = 0;
              res.on("data", (chunk) => {
                received += chunk.length;
                probeState.add(chunk);
              });
              res.on("end", () =>
                resolve({
                  status: res.statusCode,
                  contentRange: res.headers["content-range"],
                  received,
                  head: probeState.head,
                  tail: probeState.tail,
                }),
              );
              res.on("error", reject);
            },
          );
          req.on("error", reject);
          req.end();
        }),
      close: () => {},
    }),
  };
}
