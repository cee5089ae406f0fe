import { describe, expect, it } from "vitest";
import { redact } from "./redact.js";

describe("redact", () => {
  it("hides known secrets and anything shaped like a Hub token, underscores and dashes included", () => {
    expect(redact("token hf_alice_secret-1 and s3cr3t!", ["s3cr3t!"])).toBe("token hf_*** and ***");
  });
});
