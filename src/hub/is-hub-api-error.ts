import type { HubApiError, InvalidApiResponseFormatError } from "@huggingface/hub";
import { loadedHubLibrary } from "./load-hub-library.js";

/**
 * An HTTP error answer from the Hub, as `@huggingface/hub` throws it; false (without loading it) before any Hub call.
 */
export function isHubApiError(error: unknown): error is HubApiError {
  const library = loadedHubLibrary();
  return library !== undefined && error instanceof library.HubApiError;
}

/** A Hub answer `@huggingface/hub` could not read (not the JSON it expects). */
export function isInvalidApiResponseError(error: unknown): error is InvalidApiResponseFormatError {
  const library = loadedHubLibrary();
  return library !== undefined && error instanceof library.InvalidApiResponseFormatError;
}
