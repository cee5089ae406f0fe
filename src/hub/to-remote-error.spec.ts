import { HubApiError, InvalidApiResponseFormatError } from "@huggingface/hub";
import { describe, expect, it } from "vitest";
import { RemoteError, UsageError } from "../errors.js";
import { loadHubLibrary } from "./load-hub-library.js";
import { scrubSecrets, toRemoteError } from "./to-remote-error.js";

// The library's errors are only ever thrown after a Hub call loaded it, which is when the mapping recognises them.
await loadHubLibrary();

const hubUrl = "http://127.0.0.1:9";
const token = "hf_SecretToken123456";

function apiError(status: number, data?: Record<string, string>): HubApiError {
  const error = new HubApiError(`${hubUrl}/api/models/org/x`, status, undefined, `Api error ${status}: ${token}`);
  if (data !== undefined) error.data = data;
  return error;
}

function map(error: unknown, extra: { accessToken?: string; access?: "read" | "write" } = {}) {
  return toRemoteError({ error, repo: "org/x", hubUrl, doing: "publishing to", ...extra });
}

describe("toRemoteError", () => {
  it("says not found, and suggests a token, for 404 and anonymous 401", () => {
    for (const status of [404, 401]) {
      const mapped = map(apiError(status));
      expect(mapped).toBeInstanceOf(RemoteError);
      expect(mapped.message).toBe(
        `org/x was not found on ${hubUrl}; check the name, or pass --token if it is private.`,
      );
      expect(mapped.code).toBe("HUB_NOT_FOUND");
    }
  });

  it("says the token may not see it for a 404 with a token", () => {
    expect(map(apiError(404), { accessToken: token }).message).toMatch(/or the token cannot see it/);
  });

  it("says the token was refused for 401/403 with a token, asking for a write token when writing", () => {
    for (const status of [401, 403]) {
      const mapped = map(apiError(status), { accessToken: token, access: "write" });
      expect(mapped.code).toBe("HUB_TOKEN_REFUSED");
      expect(mapped.message).toBe(
        `Publishing to org/x on ${hubUrl} failed: the token was refused; pass a write token with --token or HF_TOKEN.`,
      );
    }
    expect(map(apiError(403), { accessToken: token }).message).toMatch(/pass a token that can read org\/x/);
  });

  it("says the repo changed for 412", () => {
    expect(map(apiError(412)).message).toBe(`org/x changed on ${hubUrl} during the run; rerun.`);
  });

  it("keeps the server's explanation for 5xx and other 4xx, without the token", () => {
    const mapped = map(apiError(503, { error: `backend down for ${token}.` }), { accessToken: token });
    expect(mapped.code).toBe("HUB_SERVER_ERROR");
    expect(mapped.message).toContain("HTTP 503 (backend down for ***)");
    const other = map(apiError(422, { error: "bad commit" }));
    expect(other.message).toContain("with HTTP 422 (bad commit)");
  });

  it("maps network failures, looking through undici's cause", () => {
    const failed = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const mapped = map(failed);
    expect(mapped.code).toBe("HUB_UNREACHABLE");
    expect(mapped.message).toBe(
      `Publishing to org/x on ${hubUrl} failed: could not reach the Hub (ECONNREFUSED); check --hub-url and the ` +
        "network, then rerun.",
    );
  });

  it("turns the library's token-format check into a UsageError without the token", () => {
    const mapped = map(new TypeError("Your access token must start with 'hf_'"), { accessToken: "abc" });
    expect(mapped).toBeInstanceOf(UsageError);
    expect(mapped.message).not.toContain("abc");
  });

  it("names unexpected responses", () => {
    expect(map(new InvalidApiResponseFormatError("Expected ETag")).message).toContain(
      "unexpected response (Expected ETag)",
    );
  });

  it("never includes the token, whatever the library said", () => {
    const errors = [
      apiError(500, { error: token }),
      new Error(`boom ${token}`),
      `text ${token}`,
      apiError(400, { message: token }),
    ];
    for (const error of errors) {
      const mapped = map(error, { accessToken: token });
      expect(mapped.message).not.toContain(token);
      expect(mapped.message).not.toMatch(/hf_[A-Za-z0-9]{6,}/);
    }
  });

  it("passes tvhub errors through unchanged", () => {
    const original = new RemoteError("x", { code: "X" });
    expect(map(original)).toBe(original);
  });
});

describe("scrubSecrets", () => {
  it("removes the token, token-shaped strings and URL query strings", () => {
    expect(scrubSecrets("a sekrit b", "sekrit")).toBe("a *** b");
    expect(scrubSecrets("x hf_abcdefghij y")).toBe("x hf_*** y");
    expect(scrubSecrets("PUT http://h/lfs/abc?sig=123&exp=4 failed")).toBe("PUT http://h/lfs/abc failed");
  });
});
