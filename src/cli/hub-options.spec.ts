import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveHubSettings } from "./hub-options.js";

describe("resolveHubSettings", () => {
  it("prefers flags, then the environment, and strips a trailing slash", () => {
    expect(
      resolveHubSettings(
        { hubUrl: "http://a:1/", token: "hf_flag" },
        { HF_ENDPOINT: "http://b", HF_TOKEN: "hf_env", HF_HOME: "/h" },
      ),
    ).toEqual({ hubUrl: "http://a:1", accessToken: "hf_flag", cacheDir: "/h/hub" });
    expect(resolveHubSettings({}, { HF_ENDPOINT: "http://b/", HF_TOKEN: "hf_env", HF_HUB_CACHE: "/c" })).toEqual({
      hubUrl: "http://b",
      accessToken: "hf_env",
      cacheDir: "/c",
    });
  });

  it("reads the token file under HF_HOME when no token is given", () => {
    const home = mkdtempSync(join(tmpdir(), "tvhub-home-"));
    writeFileSync(join(home, "token"), "hf_fromfile\n");
    expect(resolveHubSettings({}, { HF_HOME: home }).accessToken).toBe("hf_fromfile");
    expect(resolveHubSettings({}, { HF_HOME: join(home, "missing") }).accessToken).toBeUndefined();
    expect(resolveHubSettings({}, { HF_HOME: home }).hubUrl).toBe("https://huggingface.co");
  });
});
