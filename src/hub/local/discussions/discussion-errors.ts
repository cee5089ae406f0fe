import { HttpError } from "../http-error.js";

export function discussionNotFound(num: number): HttpError {
  return new HttpError(`Discussion #${num} not found in this repo.`, { status: 404, code: "HUB_DISCUSSION_NOT_FOUND" });
}

/** A change the discussion's state does not allow (merge a closed pull request, commit to a merged one). */
export function discussionConflict(message: string): HttpError {
  return new HttpError(message, { status: 409, code: "HUB_DISCUSSION_STATE" });
}
