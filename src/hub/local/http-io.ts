import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, HttpError, payloadTooLarge } from "./http-error.js";

/** Largest refused request body the server still reads to the end, so the client gets its error answer. */
const maxDrainBytes = 64 * 1024 * 1024;

/**
 * The request body as chunks. Stopping early (a limit, a bad line) must not destroy the request, or the socket
 * goes with it and the client never reads the error answer.
 */
export function bodyChunks(req: IncomingMessage): AsyncIterable<Buffer> {
  return { [Symbol.asyncIterator]: () => req.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer> };
}

/** Sends a JSON body (the Hub's error shape, too, needs `application/json` for the client to read it). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Answers an error as the Hub does: `{"error": message}` plus `X-Error-Code`. A HEAD answer carries no body and
 * no JSON content type (the client would try to parse the empty body).
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {
    ...error.headers,
    "X-Error-Message": error.message.replace(/[^\x20-\x7e]/g, "?"),
  };
  if (error.hubCode) headers["X-Error-Code"] = error.hubCode;
  if (error.status === 405) headers.Allow = "GET, HEAD, POST, PUT, DELETE";
  if (!req.complete) {
    // The client is still sending a body we refused. Closing now would reset the connection and could lose this
    // answer, so a body of known, moderate size is read and dropped; anything else ends the connection.
    const declared = Number(req.headers["content-length"]);
    if (Number.isSafeInteger(declared) && declared <= maxDrainBytes) req.resume();
    else headers.Connection = "close";
  }
  if (req.method === "HEAD") {
    res.writeHead(error.status, headers);
    res.end();
    return;
  }
  sendJson(res, error.status, { ...error.body, error: error.message }, headers);
}

/** Reads a whole (small) body, refusing it as soon as it passes `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(what, limit);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of bodyChunks(req)) {
    total += chunk.byteLength;
    if (total > limit) throw payloadTooLarge(what, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

export async function readJson(req: IncomingMessage, limit: number, what: string): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBody(req, limit, what), what);
}

/** A JSON object body that may also be empty (`{}` then): clients send none where nothing needs saying. */
export async function readOptionalJson(
  req: IncomingMessage,
  limit: number,
  what: string,
): Promise<Record<string, unknown>> {
  const body = await readBody(req, limit, what);
  return body.toString("utf8").trim() === "" ? {} : parseJsonObject(body, what);
}

function parseJsonObject(body: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest(`The ${what} is not valid JSON.`, "HUB_BAD_JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw badRequest(`The ${what} must be a JSON object.`, "HUB_BAD_JSON");
  return value as Record<string, unknown>;
}

/**
 * Splits a body into lines as they arrive (NDJSON), so a commit with many inline files never sits in memory
 * whole; a single line longer than `maxLineBytes` is refused.
 */
export async function* readLines(
  source: AsyncIterable<Buffer>,
  maxLineBytes: number,
  what: string,
): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      if (pendingBytes + piece.byteLength > maxLineBytes) throw payloadTooLarge(`line of the ${what}`, maxLineBytes);
      pending.push(piece);
      yield Buffer.concat(pending, pendingBytes + piece.byteLength).toString("utf8");
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    pendingBytes += rest.byteLength;
    if (pendingBytes > maxLineBytes) throw payloadTooLarge(`line of the ${what}`, maxLineBytes);
    if (rest.byteLength > 0) pending.push(rest);
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes).toString("utf8");
}

/** The origin clients reach this server at, for absolute `Link` and upload URLs. */
export function publicOrigin(req: IncomingMessage, configured: string | undefined, fallback: string): string {
  if (configured) return configured;
  const host = req.headers.host;
  if (host && /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) return `http://${host}`;
  return fallback;
}

/** A query parameter that must be a positive integer, clamped to `max`. */
export function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw badRequest(`Query parameter "${name}" must be a positive integer.`, "HUB_BAD_QUERY");
  return Math.min(value, max);
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  const text = query.get(name);
  return text === "true" || text === "1" || text === "True";
}

/** A `Link: <url>; rel="next"` header as the client's parser expects (absolute URL, space after `;`). */
export function nextLink(url: string): Record<string, string> {
  return { Link: `<${url}>; rel="next"` };
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}
