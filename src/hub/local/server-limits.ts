/**
 * What one client may hold of the server: connections and time. Each refusal carries the status code the Hub
 * uses for it (429 for too many from one client, 503 when the server is full, 408 for a request that is too
 * slow), and clients retry all three with backoff.
 */
export interface ServerLimits {
  /** Open connections at once, all clients together; beyond it a new connection is answered 503. */
  maxConnections: number;
  /** Open connections at once from one IP address; beyond it a new connection is answered 429. */
  maxConnectionsPerClient: number;
  /** Time from a connection's first byte to the end of a request's headers (slowloris). */
  headersTimeoutMs: number;
  /**
   * A request body must keep coming: each 64 KiB of it within this time of the previous (or of the headers), or
   * the request is answered 408 and the connection closed. Time the server itself spends not reading is not
   * counted, so a slow disk never cuts a client.
   */
  bodyTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves in either direction for this long is closed (a stalled download, say). */
  idleTimeoutMs: number;
}

export const defaultServerLimits: ServerLimits = {
  maxConnections: 1024,
  maxConnectionsPerClient: 128,
  headersTimeoutMs: 20_000,
  bodyTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
};

/** The amount of body that must arrive within `bodyTimeoutMs`. */
export const bodyProgressBytes = 64 * 1024;
