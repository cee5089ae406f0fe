import { UsageError } from "../errors.js";

/**
 * `TVHUB_RETRY_DELAY_MS`: the wait before the first retry of a Hub request (each later one doubles it), for a
 * network that wants longer waits, or a test that wants shorter ones. Undefined when unset.
 */
export function parseRetryDelay(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  if (!/^[0-9]{1,6}$/.test(text.trim())) {
    throw new UsageError(
      "TVHUB_RETRY_DELAY_MS must be a whole number of milliseconds up to 999999, such as 500; got " +
        `"${text.slice(0, 40)}".`,
      {
        code: "HUB_BAD_RETRY_DELAY",
        subject: "TVHUB_RETRY_DELAY_MS",
      },
    );
  }
  return Number(text.trim());
}
