import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { bodyProgressBytes, type ServerLimits } from "./server-limits.js";

export interface GuardConnectionsOptions {
  server: Server;
  limits: ServerLimits;
  /** Receives one line per refused connection or cut request (never a token). */
  log?: (line: string) => void;
}

export interface ConnectionGuard {
  /** Whether a socket was refused at connect time: its requests get no answer from the handler. */
  refused(socket: Socket): boolean;
  /** Starts watching a request's body (call once per request). */
  watch(req: IncomingMessage, res: ServerResponse): void;
  stop(): void;
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  markAt: number;
  markBytes: number;
}

/**
 * Bounds what one client can hold: counts connections per address and in all, answering a connection beyond
 * either limit with a raw 429 or 503 before it can send a request; and watches every request body, cutting one
 * that stalls or trickles with 408 (node's own `requestTimeout` would also cut a large upload that is merely long).
 */
export function guardConnections(options: GuardConnectionsOptions): ConnectionGuard {
  const { server, limits, log } = options;
  const perAddress = new Map<string, number>();
  const refusedSockets = new WeakSet<Socket>();
  let total = 0;

  // Prepended, so it runs before node's own listener gives the socket a parser.
  server.prependListener("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const mine = perAddress.get(address) ?? 0;
    if (total >= limits.maxConnections || mine >= limits.maxConnectionsPerClient) {
      const full = total >= limits.maxConnections;
      refusedSockets.add(socket);
      log?.(`refused a connection from ${address}: ${full ? `${total} open in all` : `${mine} open from it`}`);
      refuse(
        socket,
        full ? 503 : 429,
        full
          ? `The server has ${total} connections open, its limit; retry shortly.`
          : `This client has ${mine} connections open, the limit per client; retry shortly or use fewer at once.`,
      );
      return;
    }
    total++;
    perAddress.set(address, mine + 1);
    socket.once("close", () => {
      total--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });

  const watched = new Set<Watched>();
  const tick = setInterval(
    () => {
      const now = performance.now();
      for (const entry of watched) {
        const { req, res } = entry;
        if (req.complete || req.destroyed || res.headersSent) {
          watched.delete(entry);
          continue;
        }
        const bytes = req.socket.bytesRead;
        // Bytes waiting for the handler mean the server is the slow one: the client is not to blame for the wait.
        if (bytes - entry.markBytes >= bodyProgressBytes || req.readableLength > 0 || req.socket.readableLength > 0) {
          entry.markAt = now;
          entry.markBytes = bytes;
        } else if (now - entry.markAt > limits.bodyTimeoutMs) {
          watched.delete(entry);
          log?.(
            `cut a request body from ${req.socket.remoteAddress ?? ""}: under ${bodyProgressBytes} bytes in ` +
              `${limits.bodyTimeoutMs} ms`,
          );
          cut(req, res, limits.bodyTimeoutMs);
        }
      }
    },
    Math.max(50, Math.min(1000, limits.bodyTimeoutMs / 4)),
  );
  tick.unref();

  return {
    refused: (socket) => refusedSockets.has(socket),
    watch(req, res) {
      if (req.complete) return;
      watched.add({ req, res, markAt: performance.now(), markBytes: req.socket.bytesRead });
    },
    stop() {
      clearInterval(tick);
      watched.clear();
    },
  };
}

/** A whole HTTP answer written straight to the socket (no request was parsed), then the connection closes. */
function refuse(socket: Socket, status: 429 | 503, message: string): void {
  const body = JSON.stringify({ error: message });
  const reason = status === 429 ? "Too Many Requests" : "Service Unavailable";
  socket.on("error", () => {});
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ` +
      `${Buffer.byteLength(body)}\r\n` +
      `Retry-After: 1\r\nX-Error-Message: ${message}\r\nConnection: close\r\n\r\n${body}`,
  );
  // Whatever the client still sends is read and dropped, so closing does not reset the answer away; but not forever.
  socket.resume();
  setTimeout(() => socket.destroy(), 2000).unref();
}

function cut(req: IncomingMessage, res: ServerResponse, timeoutMs: number): void {
  const body = JSON.stringify({
    error:
      `The request body stalled: less than ${bodyProgressBytes} bytes arrived in ${timeoutMs / 1000} s; send ` +
      "it again.",
  });
  const { socket } = req;
  // After a `Connection: close` answer node ends the socket and destroys it as soon as the answer is flushed; with
  // the client still sending, that resets the connection and can take the unread answer with it. So the socket
  // lingers, still reading, for a moment after its end.
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), 2000).unref();
  };
  res.writeHead(408, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    Connection: "close",
  });
  res.end(body);
  setTimeout(() => socket.destroy(), 10_000).unref();
}
