// `npm run bench -- hub-clients`: N concurrent clients against a real `tvhub hub serve` on loopback, each looping
// over a mixed workload: download a file (LFS, 8 MiB), list the repo's tree, and every 8th round commit a small file
// through the official client. Reports requests/s and MB/s for each N, against a baseline measured in the same run:
// the same downloads from a bare node:http server that holds the bytes in memory (the loopback and client cost
// alone). Bounded: a few seconds per N, loopback only. The machine's other load is reported; read ratios, not times.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRepo, uploadFiles } from "@huggingface/hub";

export interface HubClientsRow {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  downloadMBps: number;
  /** The bare server's download MB/s with as many clients. */
  baselineMBps: number;
  commits: number;
}

export interface HubClientsResult {
  fileMB: number;
  loadAverage: number;
  rows: HubClientsRow[];
}

const token = "hf_bench_clients_token_01234567";
const fileBytes = 8 * 1024 * 1024;

export async function runHubClientsBench(
  options: { clients?: number[]; seconds?: number } = {},
): Promise<HubClientsResult> {
  const clients = options.clients ?? [1, 4, 16, 64];
  const seconds = options.seconds ?? 4;
  const work = await mkdtemp(join(tmpdir(), "tvhub-bench-clients-"));
  const cli = resolve(import.meta.dirname, "cli.js");
  const server = spawn(
    process.execPath,
    [
      cli,
      "hub",
      "serve",
      "--dir",
      join(work, "hub"),
      "--quiet",
      "--user",
      `bench:${token}`,
      "--max-connections-per-client",
      "1024",
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const bytes = Buffer.alloc(fileBytes);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff;
  const raw = createServer((_, res) => {
    res.writeHead(200, { "Content-Length": bytes.length, "Content-Type": "application/octet-stream" });
    res.end(bytes);
  });
  try {
    const hubUrl = await new Promise<string>((done, fail) => {
      let out = "";
      server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        if (out.includes("\n")) done(out.split("\n")[0] ?? "");
      });
      server.once("exit", (code) => fail(new Error(`hub serve exited with ${code}`)));
    });
    await new Promise<void>((done) => raw.listen(0, "127.0.0.1", done));
    const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/big.bin`;
    const credentials = { hubUrl, accessToken: token };
    await createRepo({ repo: "bench/load", ...credentials });
    await uploadFiles({ repo: "bench/load", files: [{ path: "big.bin", content: new Blob([bytes]) }], ...credentials });

    const rows: HubClientsRow[] = [];
    for (const n of clients) {
      const hub = await drive(n, seconds, async (client, round) => {
        const download = await fetch(`${hubUrl}/bench/load/resolve/main/big.bin`);
        const size = (await download.arrayBuffer()).byteLength;
        if (download.status !== 200 || size !== fileBytes)
          throw new Error(`download: ${download.status}, ${size} bytes`);
        const tree = await fetch(`${hubUrl}/api/models/bench/load/tree/main`);
        if (tree.status !== 200) throw new Error(`tree: ${tree.status}`);
        await tree.arrayBuffer();
        let commits = 0;
        let requests = 2;
        if (round % 8 === 7) {
          await uploadFiles({
            repo: "bench/load",
            files: [{ path: `notes/${client}-${round}.txt`, content: new Blob([`${client} ${round}\n`]) }],
            ...credentials,
          });
          commits = 1;
          requests += 2; // preupload and commit
        }
        return { requests, bytes: size, commits };
      });
      const base = await drive(n, seconds, async () => {
        const answer = await fetch(rawUrl);
        const size = (await answer.arrayBuffer()).byteLength;
        return { requests: 1, bytes: size, commits: 0 };
      });
      rows.push({
        clients: n,
        seconds: hub.seconds,
        requests: hub.requests,
        errors: hub.errors,
        requestsPerSecond: hub.requests / hub.seconds,
        downloadMBps: hub.bytes / 1e6 / hub.seconds,
        baselineMBps: base.bytes / 1e6 / base.seconds,
        commits: hub.commits,
      });
    }
    return { fileMB: fileBytes / 1e6, loadAverage: loadavg()[0] ?? 0, rows };
  } finally {
    server.kill("SIGTERM");
    await new Promise((done) => server.once("exit", done));
    await new Promise((done) => raw.close(done));
    await rm(work, { recursive: true, force: true });
  }
}

/** Runs `n` clients for about `seconds`, each calling `round` until time is up; sums what they report. */
async function drive(
  n: number,
  seconds: number,
  round: (client: number, round: number) => Promise<{ requests: number; bytes: number; commits: number }>,
): Promise<{ seconds: number; requests: number; bytes: number; commits: number; errors: number }> {
  const total = { requests: 0, bytes: 0, commits: 0, errors: 0 };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: n }, async (_, client) => {
      for (let i = 0; performance.now() < deadline; i++) {
        try {
          const done = await round(client, i);
          total.requests += done.requests;
          total.bytes += done.bytes;
          total.commits += done.commits;
        } catch {
          total.errors++;
        }
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, ...total };
}

export function formatHubClientsTable(result: HubClientsResult): string {
  const lines = [
    `hub serve under N clients (download ${result.fileMB.toFixed(1)} MB + tree listing per round, a commit every ` +
      `8th; load average ${result.loadAverage.toFixed(1)})`,
    "clients  requests/s  download MB/s  bare server MB/s  ratio  commits  errors",
  ];
  for (const row of result.rows) {
    lines.push(
      `${String(row.clients).padStart(7)}  ${row.requestsPerSecond.toFixed(1).padStart(10)}  ` +
        `${row.downloadMBps.toFixed(0).padStart(13)}  ${row.baselineMBps.toFixed(0).padStart(16)}  ` +
        `${(row.downloadMBps / row.baselineMBps).toFixed(2).padStart(5)}  ${String(row.commits).padStart(7)}  ` +
        `${String(row.errors).padStart(6)}`,
    );
  }
  return lines.join("\n");
}
