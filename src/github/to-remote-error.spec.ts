import { describe, expect, it } from "vitest";
import { DataError } from "../errors.js";
import { toRemoteError } from "./to-remote-error.js";

const base = { doing: "commenting on acme/models#1", baseUrl: "http://127.0.0.1:1", secrets: ["sekrit-token-value"] };

function httpError(status: number, message: string) {
  return Object.assign(new Error(message), { status, response: { status, headers: {}, data: { message } } });
}

describe("toRemoteError", () => {
  it("keeps a tvhub error as it is", () => {
    const error = new DataError("bad", { code: "X" });
    expect(toRemoteError({ ...base, error })).toBe(error);
  });

  it("strips secrets and token-shaped strings the server echoed, and keeps one line", () => {
    const error = httpError(500, "boom sekrit-token-value\nghp_abcdefghijklmnop and hf_abcdefghij");
    const message = toRemoteError({ ...base, error }).message;
    expect(message).toBe(
      "GitHub failed while commenting on acme/models#1 (HTTP 500: boom *** *** and ***); rerun the job, and report " +
        "it if it keeps failing.",
    );
  });

  it("maps a 404 and a 422 to what to check", () => {
    expect(toRemoteError({ ...base, error: httpError(404, "Not Found") }).message).toMatch(
      /found nothing .* check the repository/,
    );
    expect(toRemoteError({ ...base, error: httpError(422, "Validation Failed") }).message).toMatch(
      /refused the request .* \(HTTP 422: Validation Failed\)/,
    );
  });

  it("bounds a long server message", () => {
    const message = toRemoteError({ ...base, error: httpError(500, "y".repeat(1000)) }).message;
    expect(message.length).toBeLessThan(400);
  });
});
