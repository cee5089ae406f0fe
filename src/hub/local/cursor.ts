import { badRequest } from "./http-error.js";

/** Pagination state carried in a `cursor` query parameter: opaque to clients, plain JSON to the server. */
export function encodeCursor(state: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(state)).toString("base64url");
}

export function decodeCursor(text: string | null): Record<string, unknown> | undefined {
  if (text === null || text === "") return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw badRequest(
    "The cursor query parameter is malformed; follow the Link header instead of building it.",
    "HUB_BAD_CURSOR",
  );
}

/** The URL of the next page: this request's own query with the cursor replaced. */
export function nextPageUrl(options: {
  origin: string;
  rawPath: string;
  query: URLSearchParams;
  cursor: string;
}): string {
  const query = new URLSearchParams(options.query);
  query.set("cursor", options.cursor);
  return `${options.origin}${options.rawPath}?${query.toString()}`;
}
