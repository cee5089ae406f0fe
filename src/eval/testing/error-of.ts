// Test support for the evaluator specs (not part of the package API).
import type { TvhubError } from "../../errors.js";

/** The error `promise` rejects with; a promise that resolves fails the spec. */
export async function errorOf(promise: Promise<unknown>): Promise<TvhubError> {
  try {
    await promise;
  } catch (error) {
    return error as TvhubError;
  }
  throw new Error("expected a rejection");
}
