/**
 * A loopback TCP proxy for failure tests: it relays bytes between a client and a server on 127.0.0.1, and can
 * drop a connection once it has carried a given number of response bytes (a connection that dies mid-download)
 * and pace either direction (a slow link, so that a test can stop a client mid-transfer).
 */
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface TcpProxyOptions {
  /** `http://127.0.0.1:PORT` of the server to relay to. */
  target: string;
}

export interface TcpProxy {
  /** `http://127.0.0.1:PORT` of the proxy. */
  url: string;
  /**
   * Drops the next connection that carries more than `afterBytes` bytes from the server: the client sees its
   * socket reset mid-response. One cut per call.
   */
  cutOnce(afterBytes: number): void;
  /** How many connections were cut. */
  cuts(): number;
  /** Bytes per second for each direction (server → client `down`, client → server `up`); undefined: no limit. */
  throttle(rates: { down?: number; up?: number }): void;
  /** Server → client bytes relayed so far (all connections). */
  bytesDown(): number;
  close(): Promise<void>;
}

/** A token bucket refilled every 20 ms, shared by every connection of one direction. */
class Pace {
  rate: number | undefined;
  private budget = 0;
  private waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  /** Resolves when `bytes` may be sent. */
  take(bytes: number): Promise<void> {
    if (this.rate === undefined) return Promise.resolve();
    return new Promise((go) => {
      const attempt = (): void => {
        if (this.rate === undefined || this.budget >= bytes || this.budget >= this.rate / 50) {
          this.budget -= bytes;
          go();
        } else {
          this.waiting.push(attempt);
          this.tick();
        }
      };
      attempt();
    });
  }

  private tick(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const rate = this.rate ?? Infinity;
      this.budget = Math.min(this.budget + rate / 50, rate / 5);
      const ready = this.waiting;
      this.waiting = [];
      for (const attempt of ready) attempt();
    }, 20);
  }

  stop(): void {
    this.rate = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ready = this.waiting;
    this.waiting = [];
    for (const attempt of ready) attempt();
  }
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const target = new URL(options.target);
  const sockets = new Set<Socket>();
  const down = new Pace();
  const up = new Pace();
  let cutAfter: number | undefined;
  let cutCount = 0;
  let relayedDown = 0;

  /** Copies `from` into `to` chunk by chunk, waiting for the pace and for `to` to drain. */
  const pipe = (from: Socket, to: Socket, pace: Pace, onChunk?: (bytes: number) => boolean): void => {
    let chain = Promise.resolve();
    from.on("data", (chunk: Buffer) => {
      from.pause();
      chain = chain.then(async () => {
        await pace.take(chunk.length);
        if (to.destroyed) return;
        if (onChunk && !onChunk(chunk.length)) return;
        if (!to.write(chunk)) await new Promise((go) => to.once("drain", go));
        from.resume();
      });
    });
    from.on("end", () => void chain.then(() => to.end()));
  };

  const server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    sockets.add(client);
    sockets.add(upstream);
    let carried = 0;
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", teardown).on("close", teardown);
    upstream.on("error", teardown).on("close", teardown);
    pipe(client, upstream, up);
    pipe(upstream, client, down, (bytes) => {
      carried += bytes;
      relayedDown += bytes;
      if (cutAfter !== undefined && carried > cutAfter) {
        cutAfter = undefined;
        cutCount++;
        // A reset, as a dropped link or a crashed middlebox would leave it, rather than a clean end.
        client.resetAndDestroy();
        upstream.destroy();
        return false;
      }
      return true;
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cutOnce(afterBytes) {
      cutAfter = afterBytes;
    },
    cuts: () => cutCount,
    throttle(rates) {
      down.rate = rates.down;
      up.rate = rates.up;
      if (rates.down === undefined) down.stop();
      if (rates.up === undefined) up.stop();
    },
    bytesDown: () => relayedDown,
    close: async () => {
      down.stop();
      up.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
