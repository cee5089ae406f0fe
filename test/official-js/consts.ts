/**
 * Stands in for `@huggingface/hub/src/test/consts.ts` when the official client's own specs run against a local Hub
 * (test/hub-js-official-specs.spec.ts): the same user and token, the local Hub's URL instead of hub-ci.
 */
export const TEST_HUB_URL = process.env.TVHUB_OFFICIAL_HUB_URL ?? "http://127.0.0.1:9";
export const TEST_USER = "hub.js";
export const TEST_ACCESS_TOKEN = "hf_hub.js";
export const TEST_COOKIE = "huggingface-hub.js-cookie";
