/** GitHub rejects comment bodies longer than 65,536 characters. */
export const maxCommentLength = 65_536;

const notice = "\n\n… (cut to fit a GitHub comment; the job summary has the full report)\n";

/** Cuts an over-long body at a line break, so a huge report still posts instead of failing with HTTP 422. */
export function fitCommentBody(body: string): string {
  if (body.length <= maxCommentLength) return body;
  const room = maxCommentLength - notice.length;
  const cut = body.lastIndexOf("\n", room);
  return body.slice(0, cut > 0 ? cut : room) + notice;
}
