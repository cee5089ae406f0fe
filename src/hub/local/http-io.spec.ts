import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, nextPageUrl } from "./cursor.js";
import { HttpError } from "./http-error.js";
import { publicOrigin, readLines } from "./http-io.js";

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

async function lines(source: AsyncIterable<Buffer>, max = 100): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(source, max, "commit")) out.push(line);
  return out;
}

describe("readLines", () => {
  it("splits lines across and within chunks, with or without a final newline", async () => {
    expect(await lines(chunks('{"a":', '1}\n{"b"', ":2}\n\n{}"))).toEqual(['{"a":1}', '{"b":2}', "", "{}"]);
    expect(await lines(chunks("x\n"))).toEqual(["x"]);
    expect(await lines(chunks("é\nü", "\n"))).toEqual(["é", "ü"]);
  });

  it("refuses a line over the limit with 413, even before its newline arrives", async () => {
    await expect(lines(chunks("a".repeat(60), "b".repeat(60)), 100)).rejects.toMatchObject({ status: 413 });
    await expect(lines(chunks(`${"a".repeat(101)}\nok\n`), 100)).rejects.toBeInstanceOf(HttpError);
    expect(await lines(chunks(`${"a".repeat(100)}\n`), 100)).toEqual(["a".repeat(100)]);
  });
});

describe("publicOrigin", () => {
  const req = (host: string | undefined): IncomingMessage => ({ headers: { host } }) as IncomingMessage;

  it("prefers the configured URL, then a well-formed Host header, then the listening address", () => {
    expect(publicOrigin(req("127.0.0.1:5000"), "https://hub.example", "http://127.0.0.1:5000")).toBe(
      "https://hub.example",
    );
    expect(publicOrigin(req("localhost:5000"), undefined, "http://127.0.0.1:5000")).toBe("http://localhost:5000");
    expect(publicOrigin(req("[::1]:5000"), undefined, "http://127.0.0.1:5000")).toBe("http://[::1]:5000");
    expect(publicOrigin(req("evil.com/x?y"), undefined, "http://127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(publicOrigin(req(undefined), undefined, "http://127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
  });
});

describe("cursors", () => {
  it("round-trip and keep every query parameter in the next URL", () => {
    const cursor = encodeCursor({ commit: "a".repeat(40), offset: 2 });
    expect(decodeCursor(cursor)).toEqual({ commit: "a".repeat(40), offset: 2 });
    const url = nextPageUrl({
      origin: "http://h:1",
      rawPath: "/api/models",
      query: new URLSearchParams("filter=a&filter=b&cursor=old"),
      cursor,
    });
    const parsed = new URL(url);
    expect(parsed.searchParams.getAll("filter")).toEqual(["a", "b"]);
    expect(parsed.searchParams.get("cursor")).toBe(cursor);
  });

  it("refuses a malformed cursor with 400", () => {
    expect(() => decodeCursor("not base64 json")).toThrow(HttpError);
    expect(decodeCursor(null)).toBeUndefined();
  });
});
