import { InternalError } from "../../errors.js";
import type { ProgressEvent } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { progressOnly } from "./demo-events.js";
import type { DemoPictureCommit, DemoResults, PublishedRepo } from "./demo-types.js";
import type { DemoPicture } from "./render-demo-pictures.js";

export interface PublishDemoPicturesOptions {
  context: AppContext;
  results: Omit<DemoResults, "files" | "pictures">;
  pictures: readonly DemoPicture[];
}

/** What each picture shows, in words for its alt text, and the repos it describes. */
export function demoPictureTargets(
  results: PublishDemoPicturesOptions["results"],
): Array<{ file: string; alt: string; repos: PublishedRepo[] }> {
  const all = results.addition.find(
    (group) => group.tasks.length === results.tasks.length && group.published !== undefined,
  )?.published;
  const negated = results.negation.flatMap((n) => (n.published ? [n.published] : []));
  const adapters = results.lora?.ranks.map((r) => r.adapter) ?? [];
  // The tasks' vectors, not the base: a new commit of the base would be another revision than the one every vector
  // was computed from.
  const vectors = results.vectors.filter((vector) => results.tasks.includes(vector.task));
  const targets = [
    { file: "accuracy-vs-tasks.svg", alt: "Accuracy as task vectors are added", repos: all ? [all] : [] },
    {
      file: "accuracy-vs-lambda.svg",
      alt: "Validation accuracy of the sum of all task vectors against λ",
      repos: all ? [all] : [],
    },
    { file: "negation-vs-lambda.svg", alt: "Negated tasks and the control against λ", repos: negated },
    { file: "lora-rank.svg", alt: "Accuracy of the task vector's LoRA adapters against their rank", repos: adapters },
    { file: "similarity.svg", alt: "Cosine similarity of the task vectors of the same base", repos: vectors },
  ];
  return targets.filter((target) => target.repos.length > 0);
}

/**
 * Publishes each picture into the repos it describes (the negation picture into every negated model, the rank
 * picture into every adapter, ...), one commit per repo with its pictures and its card, to which a section linking
 * them (relative links, as the Hub renders them) is added. The rest of the repo stays as it was.
 */
export async function* publishDemoPictures(
  options: PublishDemoPicturesOptions,
): AsyncGenerator<ProgressEvent, DemoPictureCommit[]> {
  const { context } = options;
  const byRepo = new Map<string, { at: PublishedRepo; pictures: Array<{ picture: DemoPicture; alt: string }> }>();
  for (const target of demoPictureTargets(options.results)) {
    const picture = options.pictures.find((p) => p.file === target.file);
    if (!picture) continue;
    for (const at of target.repos) {
      const entry = byRepo.get(at.repo) ?? { at, pictures: [] };
      entry.pictures.push({ picture, alt: target.alt });
      byRepo.set(at.repo, entry);
    }
  }
  const commits: DemoPictureCommit[] = [];
  for (const { at, pictures } of byRepo.values()) {
    const card = await context.hub.readSmallFile({ repo: at.repo, sha: at.revision, path: "README.md" });
    if (card === null)
      throw new InternalError(`${at.repo}@${at.revision} has no README.md to show the demo's pictures in.`, {
        code: "DEMO_NO_CARD",
        subject: at.repo,
      });
    const text = `${new TextDecoder().decode(card).trimEnd()}\n\n${pictureSection(pictures)}`;
    const result = yield* progressOnly(
      context.hub.publish({
        repo: at.repo,
        files: [
          ...pictures.map(({ picture }) => ({ path: picture.file, content: new TextEncoder().encode(picture.svg) })),
          { path: "README.md", content: new TextEncoder().encode(text) },
        ],
        commitTitle: `Add the demo's ${pictures.map(({ picture }) => picture.file).join(", ")}`,
        commitDescription: "Pictures tvhub demo drew from its measurements of this repo, linked from the card.",
        // The demo's own repos: add the pictures beside what is there, delete nothing.
        overwrite: true,
        keepOtherFiles: true,
      }),
    );
    commits.push({ repo: at.repo, revision: result.commitSha, files: pictures.map(({ picture }) => picture.file) });
  }
  return commits;
}

/** The card's section: a heading, then each picture as a relative image link. */
export function pictureSection(pictures: ReadonlyArray<{ picture: DemoPicture; alt: string }>): string {
  return [
    "## Pictures",
    "",
    "Drawn by `tvhub demo` from its measurements (test and validation accuracy of the published models).",
    "",
    ...pictures.map(({ picture, alt }) => `![${alt}](${picture.file})\n`),
  ].join("\n");
}
