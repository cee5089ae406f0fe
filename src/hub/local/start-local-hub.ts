import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { createAccessControl, type LocalHubOrg, type LocalHubUser } from "./access-control.js";
import { deriveCardData, type CardFacts } from "./derive-card-data.js";
import { handleRequest } from "./handle-request.js";
import { defaultLimits, type HubContext, type HubLimits } from "./hub-context.js";
import { openStorage } from "./open-storage.js";
import type { CommitRecord, RepoRecord } from "./types.js";
import { guardConnections } from "./guard-connections.js";
import { defaultServerLimits, type ServerLimits } from "./server-limits.js";
import { createUploadSigner } from "./upload-signer.js";
import { createCasTokens } from "./xet/cas-tokens.js";
import { openXetStore } from "./xet/xet-store.js";

export type { LocalHubOrg, LocalHubUser } from "./access-control.js";
export type { HubLimits } from "./hub-context.js";
export { defaultServerLimits, type ServerLimits } from "./server-limits.js";
export { defaultLimits } from "./hub-context.js";

export interface StartLocalHubOptions {
  /** Directory holding repos and objects; created if missing, reused if present. */
  dir: string;
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  users?: LocalHubUser[];
  orgs?: LocalHubOrg[];
  /** Base URL clients use, when it differs from `http://HOST:PORT` (behind a proxy); no trailing slash. */
  publicUrl?: string;
  /** Receives one access-log line per request (never a token or a query string); omit to stay quiet. */
  log?: (line: string) => void;
  limits?: Partial<HubLimits>;
  /** Connections and timeouts per client (see ServerLimits for the defaults). */
  serverLimits?: Partial<ServerLimits>;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface LocalHub {
  /** `http://HOST:PORT`, no trailing slash: the `hubUrl` to give clients. */
  url: string;
  dir: string;
  /** Stops accepting connections, lets requests in flight finish (for up to `graceMs`), then releases the directory. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Starts a Hub-compatible HTTP server over a directory (see hub-protocol.md for what it speaks). */
export async function startLocalHub(options: StartLocalHubOptions): Promise<LocalHub> {
  if (options.publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*[^/?#\s])?$/.test(options.publicUrl)) {
    throw new UsageError(`--public-url "${options.publicUrl}" must be an http(s) URL without a trailing slash.`, {
      code: "HUB_BAD_URL",
    });
  }
  const now = options.now ?? (() => new Date());
  const access = createAccessControl({ users: options.users ?? [], orgs: options.orgs ?? [], startedAt: now() });
  const storage = await openStorage({ dir: options.dir });
  const cardCache = new Map<string, CardFacts>();
  const cardFacts = async (repo: RepoRecord, commit: CommitRecord): Promise<CardFacts> => {
    const key = `${repo._id}:${commit.id}`;
    const cached = cardCache.get(key);
    if (cached) return cached;
    const readme = commit.files.find((file) => file.path === "README.md");
    const text =
      readme && readme.size <= 1024 * 1024
        ? (await storage.objects.readBytes(readme.sha256)).toString("utf8")
        : undefined;
    const facts = await deriveCardData({ readme: text, paths: commit.files.map((file) => file.path), type: repo.type });
    if (cardCache.size >= 4096) cardCache.delete(cardCache.keys().next().value as string);
    cardCache.set(key, facts);
    return facts;
  };
  const hub: HubContext = {
    storage,
    access,
    signer: createUploadSigner(randomBytes(32)),
    xet: {
      store: openXetStore({ dir: join(storage.dir, "xet"), tmpDir: join(storage.dir, "tmp") }),
      tokens: createCasTokens(randomBytes(32)),
      tokenSeconds: 3600,
    },
    limits: { ...defaultLimits, ...options.limits },
    now,
    cardFacts,
  };

  const log = options.log;
  const serverLimits = { ...defaultServerLimits, ...options.serverLimits };
  let listenUrl = "";
  const server: Server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      // Bodies are watched by the guard (a long upload is fine, a stalled one is not), so no cap on the whole request.
      requestTimeout: 0,
      headersTimeout: serverLimits.headersTimeoutMs,
      // How often node checks the headers timeout: often enough that a slowloris connection goes on time.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, serverLimits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      if (guard.refused(req.socket)) return;
      guard.watch(req, res);
      const started = performance.now();
      const id = randomBytes(8).toString("hex");
      res.setHeader("X-Request-Id", id);
      if (log) {
        const { socket } = req;
        const writtenBefore = socket.bytesWritten;
        res.once("close", () => {
          const path = (req.url ?? "/").split("?")[0] ?? "/";
          const bytes = socket.bytesWritten - writtenBefore;
          // A trailing "!" marks a response cut short (the client left, or the server gave up on it).
          const status = res.writableFinished ? res.statusCode : `${res.statusCode}!`;
          log(`${req.method} ${redactPath(path)} ${status} ${bytes} ${Math.round(performance.now() - started)}ms`);
        });
      }
      void handleRequest({
        hub,
        req,
        res,
        ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
        listenUrl,
        onInternalError: (error) =>
          log?.(`error ${id}: ${redactPath(error instanceof Error ? (error.stack ?? error.message) : String(error))}`),
      });
    },
  );
  const guard = guardConnections({ server, limits: serverLimits, ...(log && { log }) });
  server.maxHeadersCount = 100;
  server.keepAliveTimeout = serverLimits.keepAliveTimeoutMs;
  server.setTimeout(serverLimits.idleTimeoutMs);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await storage.close();
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    throw new UsageError(
      code === "EADDRINUSE"
        ? `Port ${options.port} on ${options.host ?? "127.0.0.1"} is already in use; pick another --port or 0 for a ` +
            "free one."
        : `Cannot listen on ${options.host ?? "127.0.0.1"}:${options.port ?? 0} (${code || "error"}); check --host ` +
            "and --port.",
      { code: "HUB_LISTEN", cause: error },
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  listenUrl = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: options.publicUrl ?? listenUrl,
    dir: storage.dir,
    close({ graceMs = 5_000 } = {}) {
      closing ??= (async () => {
        guard.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(timer);
        await storage.close();
      })();
      return closing;
    },
  };
}

/** Access logs never carry anything token-shaped, whatever a client put in a path. */
function redactPath(text: string): string {
  return text.replace(/hf_[A-Za-z0-9._-]{4,}/g, "hf_***");
}
