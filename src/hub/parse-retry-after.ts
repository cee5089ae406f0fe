/**
 * The wait a `Retry-After` header asks for, in milliseconds: either delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`), as RFC 9110 §10.2.3 allows. A date in the past asks for no wait; a value that
 * is neither is ignored (undefined), as a client should.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim() ?? "";
  if (text === "") return undefined;
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  // Date.parse also reads what is no HTTP date (ISO 8601, "Monday 5"); an IMF-fixdate names a weekday and GMT.
  if (!/^[A-Za-z]{3}, .*GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
