import { describe, expect, it } from "vitest";
import { createCasTokens } from "./cas-tokens.js";

const grant = {
  scope: "write" as const,
  repo: { type: "model" as const, namespace: "alice", name: "m" },
  user: "alice",
  expires: 2000,
};

describe("CAS tokens", () => {
  it("carry their grant until they expire, then say so (the client refreshes on that 401)", () => {
    const tokens = createCasTokens(new Uint8Array(32).fill(1));
    const token = tokens.issue(grant);
    expect(tokens.verify(token, 1999)).toEqual(grant);
    expect(tokens.verify(token, 2000)).toBe("expired");
  });

  it("refuse a token from another server process, a tampered grant and garbage", () => {
    const tokens = createCasTokens(new Uint8Array(32).fill(1));
    const token = tokens.issue(grant);
    expect(createCasTokens(new Uint8Array(32).fill(2)).verify(token, 0)).toBeUndefined();
    const [prefix, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...grant, repo: { ...grant.repo, namespace: "bob" } })).toString(
      "base64url",
    );
    expect(tokens.verify(`${prefix}.${forged}.${signature}`, 0)).toBeUndefined();
    expect(tokens.verify("hf_alicetoken", 0)).toBeUndefined();
    expect(tokens.verify(`${token}.x`, 0)).toBeUndefined();
  });
});
