import * as staticLibrary from "@huggingface/hub";
import { describe, expect, it } from "vitest";
import { isHubApiError, isInvalidApiResponseError } from "./is-hub-api-error.js";
import { loadedHubLibrary, loadHubLibrary } from "./load-hub-library.js";

describe("loadHubLibrary", () => {
  it("loads nothing until asked, then loads @huggingface/hub once and shares it", async () => {
    expect(loadedHubLibrary()).toBeUndefined();
    // Before the first Hub call nothing can be one of the library's errors, and asking must not load it.
    expect(isHubApiError(new staticLibrary.HubApiError("http://127.0.0.1:9/api/models/a/b", 404))).toBe(false);
    expect(loadedHubLibrary()).toBeUndefined();

    const first = loadHubLibrary();
    expect(loadHubLibrary()).toBe(first);
    const library = await first;
    expect(loadedHubLibrary()).toBe(library);
    expect(library.HubApiError).toBe(staticLibrary.HubApiError);
    expect(typeof library.commitIter).toBe("function");
  });

  it("recognises the library's errors once it is loaded, and nothing else", async () => {
    const { HubApiError, InvalidApiResponseFormatError } = await loadHubLibrary();
    const apiError = new HubApiError("http://127.0.0.1:9/api/models/a/b", 503);
    expect(isHubApiError(apiError)).toBe(true);
    expect(isHubApiError(new Error("HTTP 503"))).toBe(false);
    expect(isHubApiError({ statusCode: 503, name: "HubApiError" })).toBe(false);
    expect(isInvalidApiResponseError(new InvalidApiResponseFormatError("not JSON"))).toBe(true);
    expect(isInvalidApiResponseError(apiError)).toBe(false);
  });
});
