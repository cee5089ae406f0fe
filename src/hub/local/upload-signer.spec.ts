import { describe, expect, it } from "vitest";
import { createUploadSigner } from "./upload-signer.js";

describe("upload signer", () => {
  const signer = createUploadSigner(new Uint8Array(32).fill(7));
  const repo = { type: "model" as const, namespace: "me", name: "m" };
  const sha256 = "a".repeat(64);
  const query = new URLSearchParams(signer.sign({ repo, sha256, size: 10, expires: 2000 }));

  it("accepts its own href until it expires", () => {
    expect(signer.verify({ repo, sha256, query, now: 1000 })).toEqual({ repo, sha256, size: 10, expires: 2000 });
    expect(signer.verify({ repo, sha256, query, now: 2001 })).toBeUndefined();
  });

  it("refuses an href moved to another object, size, repo or secret", () => {
    expect(signer.verify({ repo, sha256: "b".repeat(64), query, now: 1000 })).toBeUndefined();
    expect(signer.verify({ repo: { ...repo, name: "other" }, sha256, query, now: 1000 })).toBeUndefined();
    const bigger = new URLSearchParams(query);
    bigger.set("size", "11");
    expect(signer.verify({ repo, sha256, query: bigger, now: 1000 })).toBeUndefined();
    const later = new URLSearchParams(query);
    later.set("expires", "9999");
    expect(signer.verify({ repo, sha256, query: later, now: 1000 })).toBeUndefined();
    expect(createUploadSigner(new Uint8Array(32)).verify({ repo, sha256, query, now: 1000 })).toBeUndefined();
  });
});
