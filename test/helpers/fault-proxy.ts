/**
 * A loopback HTTP proxy in front of a real `tvhub hub serve` that misbehaves by a seeded schedule, as a flaky
 * network and an overloaded Hub do: it drops connections before a request reaches the Hub, delays requests, cuts
 * answers mid-body, answers 500/502/503 and 429 (with Retry-After) without asking the Hub, and, the case that
 * matters for commits, lets a request through and then loses (or replaces with a 502) the Hub's answer, so the
 * client cannot know the request was applied.
 *
 * The same request (method, path and range) is never faulted more than `maxInARow` times in a row, so a client
 * that retries enough always gets through: a run that fails under the schedule fails because of a bug, not luck.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { mulberry32 } from "./synth.js";

/** What the proxy does with one request. */
export type FaultKind =
  /** The connection is reset before anything reaches the Hub. */
  | "drop"
  /** The Hub answers; the client gets the status line, the headers and half the body, then a reset. */
  | "truncate"
  /** The Hub answers (the request was applied); the client gets a reset instead of the answer. */
  | "lose"
  /** The Hub answers (applied); the client gets a 502 from "the gateway" instead. */
  | "applied-502"
  | "500"
  | "502"
  | "503"
  /** 429 with `Retry-After: 0` or an HTTP date a moment in the past, without asking the Hub. */
  | "429";

export const faultKinds: readonly FaultKind[] = ["drop", "truncate", "lose", "applied-502", "500", "502", "503", "429"];

export interface FaultProxyOptions {
  /** `http://127.0.0.1:PORT` of the Hub. */
  target: string;
  seed: number;
  /**
   * The share of requests that meet a fault.
   * @default 0.2
   */
  rate?: number;
  /** @default 2 */
  maxInARow?: number;
  /** The share of requests delayed by 1–20 ms (on top of any fault). @default 0.1 */
  delayRate?: number;
  /** Faults only requests this says yes to (e.g. only commits); the others pass. @default every request */
  only?: (request: { method: string; path: string }) => boolean;
}

export interface FaultRecord {
  method: string;
  path: string;
  kind: FaultKind;
}

export interface FaultProxy {
  url: string;
  /** Every fault so far, in order. */
  faults(): FaultRecord[];
  /** Requests relayed so far (faulted or not). */
  requests(): number;
  /** Stops faulting (true) or starts again (false). */
  pause(paused: boolean): void;
  close(): Promise<void>;
}

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const words = mulberry32(options.seed);
  const next = (): number => words() / 4294967296;
  const rate = options.rate ?? 0.2;
  const delayRate = options.delayRate ?? 0.1;
  const maxInARow = options.maxInARow ?? 2;
  const inARow = new Map<string, number>();
  const records: FaultRecord[] = [];
  const sockets = new Set<Socket>();
  let relayed = 0;
  let paused = false;

  const choose = (method: string, path: string, range: string): FaultKind | undefined => {
    // Ranges of one file are read side by side: each is its own request for the cap.
    const key = `${method} ${path} ${range}`;
    const roll = next();
    const kind = faultKinds[Math.floor(next() * faultKinds.length)] as FaultKind;
    const eligible = !paused && (options.only?.({ method, path }) ?? true) && (inARow.get(key) ?? 0) < maxInARow;
    if (!eligible || roll >= rate) {
      inARow.delete(key);
      return undefined;
    }
    inARow.set(key, (inARow.get(key) ?? 0) + 1);
    records.push({ method, path, kind });
    return kind;
  };

  /** Sends the request on to the Hub; resolves with its whole answer. */
  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> =>
    new Promise((done, fail) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (value !== undefined && !hopByHop.has(name)) headers[name] = value;
      headers["content-length"] = String(body.byteLength);
      const upstream = httpRequest(
        { host: target.hostname, port: Number(target.port), method: req.method, path: req.url, headers, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const out: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(res.headers))
              if (value !== undefined && !hopByHop.has(name)) out[name] = value;
            done({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          res.on("error", fail);
        },
      );
      upstream.on("error", fail);
      upstream.end(body);
    });

  const reset = (res: ServerResponse): void => {
    res.socket?.resetAndDestroy();
  };

  const answer = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    relayed++;
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").replace(/\?.*$/, "");
    const kind = choose(method, path, req.headers.range ?? "");
    if (next() < delayRate) await new Promise((go) => setTimeout(go, 1 + Math.floor(next() * 20)));
    if (kind === "drop") {
      reset(res);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (kind === "500" || kind === "502" || kind === "503") {
      answer(res, Number(kind), JSON.stringify({ error: `injected ${kind}` }));
      return;
    }
    if (kind === "429") {
      const retryAfter = next() < 0.5 ? "0" : new Date(Date.now() - 1000).toUTCString();
      answer(res, 429, JSON.stringify({ error: "injected rate limit" }), { "retry-after": retryAfter });
      return;
    }
    const upstream = await forward(req, body);
    if (kind === "lose") {
      reset(res);
      return;
    }
    if (kind === "applied-502") {
      answer(res, 502, JSON.stringify({ error: "injected bad gateway after the Hub answered" }));
      return;
    }
    res.writeHead(upstream.status, { ...upstream.headers, "content-length": String(upstream.body.byteLength) });
    if (kind === "truncate" && upstream.body.byteLength > 1) {
      res.write(upstream.body.subarray(0, Math.floor(upstream.body.byteLength / 2)), () => reset(res));
      return;
    }
    res.end(upstream.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => reset(res));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults: () => [...records],
    requests: () => relayed,
    pause: (value) => {
      paused = value;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
