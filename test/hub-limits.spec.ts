// What one client can hold of a real `tvhub hub serve`: slow bodies and slow headers are cut with 408, idle
// keep-alive connections are closed, connections beyond the per-client and total limits are answered 429 and 503,
// and lists longer than a request may carry are answered 413. Loopback only, a few hundred sockets at most.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";

const alice = { name: "alice", token: "hf_alice_limits_token_0123456789" };

/** A socket to the server with everything it received; `closed` resolves when the server (or the test) ends it. */
interface Probe {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
}

async function probe(url: string, localAddress = "127.0.0.1"): Promise<Probe> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  let received = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
  socket.on("error", () => {});
  const closed = new Promise<void>((done) => socket.once("close", () => done()));
  await new Promise<void>((done, fail) => {
    socket.once("connect", () => done());
    socket.once("error", fail);
  });
  return { socket, received: () => received, closed };
}

/** Resolves with how many of `probes` the server closed before `ms` passed. */
async function closedWithin(probes: Probe[], ms: number): Promise<number> {
  let count = 0;
  await Promise.race([
    Promise.all(probes.map((p) => p.closed.then(() => count++))),
    new Promise((done) => setTimeout(done, ms)),
  ]);
  return count;
}

describe("timeouts", () => {
  let hub: LocalHubProcess;
  beforeAll(async () => {
    hub = await startLocalHub({
      users: [alice],
      args: [
        "--quiet",
        "--body-timeout",
        "1",
        "--headers-timeout",
        "1",
        "--keep-alive-timeout",
        "1",
        "--max-connections-per-client",
        "1000",
      ],
    });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("cuts 300 request bodies that trickle a byte at a time, each with a 408, and frees every connection", {
    timeout: 60_000,
  }, async () => {
    const probes = await Promise.all(Array.from({ length: 300 }, () => probe(hub.url)));
    for (const p of probes) {
      p.socket.write(
        `POST /api/repos/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ` +
          `100000\r\n\r\n{`,
      );
    }
    // Keep trickling: a byte every 200 ms is far below 64 KiB a second.
    const trickle = setInterval(() => {
      for (const p of probes) if (!p.socket.destroyed) p.socket.write(" ");
    }, 200);
    try {
      expect(await closedWithin(probes, 30_000)).toBe(300);
    } finally {
      clearInterval(trickle);
    }
    for (const p of probes) expect(p.received()).toMatch(/^HTTP\/1\.1 408 /);
    // The server still answers.
    expect(
      (await fetch(`${hub.url}/api/whoami-v2`, { headers: { Authorization: `Bearer ${alice.token}` } })).status,
    ).toBe(200);
  });

  it("closes connections that trickle their headers or send nothing at all", { timeout: 60_000 }, async () => {
    const trickling = await Promise.all(Array.from({ length: 50 }, () => probe(hub.url)));
    const silent = await Promise.all(Array.from({ length: 50 }, () => probe(hub.url)));
    for (const p of trickling) p.socket.write("GET /api/models HTTP/1.1\r\nHost: x\r\n");
    const trickle = setInterval(() => {
      for (const p of trickling) if (!p.socket.destroyed) p.socket.write("X-A: b\r\n");
    }, 200);
    try {
      expect(await closedWithin([...trickling, ...silent], 30_000)).toBe(100);
    } finally {
      clearInterval(trickle);
    }
    for (const p of trickling) expect(p.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("closes an idle keep-alive connection after a request", { timeout: 30_000 }, async () => {
    const p = await probe(hub.url);
    p.socket.write("GET /api/models?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    expect(await closedWithin([p], 20_000)).toBe(1);
    expect(p.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("does not cut a body that keeps coming, however long it takes", { timeout: 60_000 }, async () => {
    // 3 s: three times the body timeout, but every chunk alone is more than the 64 KiB a second it asks for.
    const chunk = Buffer.alloc(128 * 1024, 0x20);
    const chunks = 20;
    const p = await probe(hub.url);
    p.socket.write(
      `POST /api/repos/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\nContent-Type: ` +
        `application/json\r\n` +
        `Content-Length: ${1 + chunk.length * chunks + 14}\r\nConnection: close\r\n\r\n{`,
    );
    for (let i = 0; i < chunks; i++) {
      p.socket.write(chunk);
      await new Promise((done) => setTimeout(done, 150));
    }
    p.socket.write('"name":"slow"}');
    await p.closed;
    expect(p.received()).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("connection limits", () => {
  let hub: LocalHubProcess;
  beforeAll(async () => {
    hub = await startLocalHub({ args: ["--quiet", "--max-connections-per-client", "10", "--max-connections", "15"] });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it("answers connections beyond 10 from one address with 429 and beyond 15 in all with 503, then serves again", {
    timeout: 60_000,
  }, async () => {
    const first: Probe[] = [];
    for (let i = 0; i < 12; i++) first.push(await probe(hub.url, "127.0.0.1"));
    const second: Probe[] = [];
    for (let i = 0; i < 7; i++) second.push(await probe(hub.url, "127.0.0.2"));
    // The refused ones are answered at once and closed; the others stay open.
    expect(await closedWithin([...first.slice(10), ...second.slice(5)], 10_000)).toBe(4);
    for (const p of first.slice(10))
      expect(p.received()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n[\s\S]*Retry-After: 1\r\n/);
    for (const p of second.slice(5)) expect(p.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    for (const p of [...first.slice(0, 10), ...second.slice(0, 5)]) expect(p.socket.destroyed).toBe(false);
    for (const p of [...first, ...second]) p.socket.destroy();
    await Promise.all([...first, ...second].map((p) => p.closed));
    await new Promise((done) => setTimeout(done, 200));
    expect((await fetch(`${hub.url}/api/models`)).status).toBe(200);
  });
});

describe("list sizes", () => {
  let hub: LocalHubProcess;
  beforeAll(async () => {
    hub = await startLocalHub({ users: [alice], args: ["--quiet"] });
    const created = await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "m", type: "model" }),
    });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    await hub.stop();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${hub.url}${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${alice.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("refuses a preupload of 200,000 paths with 413 and says how many it takes", async () => {
    const files = Array.from({ length: 200_000 }, (_, i) => ({ path: `d/${i}.bin`, size: 10 }));
    const answer = await post("/api/models/alice/m/preupload/main", { files });
    expect(answer.status).toBe(413);
    expect(((await answer.json()) as { error: string }).error).toMatch(
      /more than the 1000 this server takes in one request/,
    );
    expect((await post("/api/models/alice/m/preupload/main", { files: files.slice(0, 1000) })).status).toBe(200);
  });

  it("refuses 413 for an LFS batch or a paths-info beyond its limit", async () => {
    const oid = "a".repeat(64);
    const batch = await fetch(`${hub.url}/alice/m.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${alice.token}`,
        "Content-Type": "application/vnd.git-lfs+json",
        Accept: "application/vnd.git-lfs+json",
      },
      body: JSON.stringify({
        operation: "upload",
        transfers: ["basic"],
        ref: { name: "refs/heads/main" },
        objects: Array.from({ length: 1001 }, () => ({ oid, size: 1 })),
      }),
    });
    expect(batch.status).toBe(413);
    const info = await post("/api/models/alice/m/paths-info/main", {
      paths: Array.from({ length: 10_001 }, (_, i) => `f${i}`),
    });
    expect(info.status).toBe(413);
  });
});
