import { describe, expect, it } from "vitest";
import type { HubClient, PublishOptions } from "../../hub/index.js";
import { drain } from "../../util/progress.js";
import type { AppContext } from "../app-context.js";
import { demoPictureTargets, pictureSection, publishDemoPictures } from "./publish-demo-pictures.js";
import { renderDemoPictures } from "./render-demo-pictures.js";
import { sampleDemoResults } from "./testing/sample-demo-results.js";

describe("demoPictureTargets", () => {
  it("puts each picture into the repos it describes", () => {
    const results = sampleDemoResults();
    const targets = Object.fromEntries(demoPictureTargets(results).map((t) => [t.file, t.repos.map((r) => r.repo)]));
    expect(targets["negation-vs-lambda.svg"]).toEqual(["demo/vit-tiny-digits-minus-rotated"]);
    expect(targets["accuracy-vs-tasks.svg"]).toEqual(["demo/vit-tiny-digits-add-rotated-inverted"]);
    expect(targets["lora-rank.svg"]).toEqual(results.lora?.ranks.map((r) => r.adapter.repo));
    expect(targets["similarity.svg"]).toEqual(["demo/vit-tiny-digits-rotated-tv", "demo/vit-tiny-digits-inverted-tv"]);
  });

  it("skips a negation that published nothing", () => {
    const results = sampleDemoResults();
    for (const n of results.negation) delete n.published;
    expect(demoPictureTargets(results).map((t) => t.file)).not.toContain("negation-vs-lambda.svg");
  });
});

describe("publishDemoPictures", () => {
  it("commits each repo's pictures with its card, the pictures' section added below it, deleting nothing", async () => {
    const results = sampleDemoResults();
    const pictures = renderDemoPictures({ results });
    const commits: PublishOptions[] = [];
    const hub = {
      readSmallFile: async ({ repo }: { repo: string }) =>
        new TextEncoder().encode(`---\nlicense: mit\n---\n# ${repo}\n\n`),
      // biome-ignore lint/correctness/useYield: a Hub that commits at once reports no progress.
      publish: async function* (options: PublishOptions) {
        commits.push(options);
        return { commitSha: "f".repeat(40) };
      },
    } as unknown as HubClient;
    const published = await drain(publishDemoPictures({ context: { hub } as AppContext, results, pictures }));
    const negation = commits.find((c) => c.repo === "demo/vit-tiny-digits-minus-rotated");
    expect(negation?.files.map((f) => f.path)).toEqual(["negation-vs-lambda.svg", "README.md"]);
    expect(negation?.keepOtherFiles).toBe(true);
    const card = new TextDecoder().decode((negation?.files[1] as { content: Uint8Array } | undefined)?.content);
    expect(card).toBe(
      `---\nlicense: mit\n---\n# demo/vit-tiny-digits-minus-rotated\n\n## Pictures\n\nDrawn by \`tvhub demo\` from ` +
        `its measurements (test and validation accuracy of the published models).\n\n![Negated tasks and the ` +
        `control against λ](negation-vs-lambda.svg)\n`,
    );
    const svg = new TextDecoder().decode((negation?.files[0] as { content: Uint8Array } | undefined)?.content);
    expect(svg).toBe(pictures.find((p) => p.file === "negation-vs-lambda.svg")?.svg);
    // The sum of all tasks gets both addition pictures in one commit.
    expect(
      commits.find((c) => c.repo === "demo/vit-tiny-digits-add-rotated-inverted")?.files.map((f) => f.path),
    ).toEqual(["accuracy-vs-tasks.svg", "accuracy-vs-lambda.svg", "README.md"]);
    expect(published.map((p) => p.repo)).toEqual(commits.map((c) => c.repo));
  });

  it("links pictures relatively, one paragraph each", () => {
    const section = pictureSection([
      { picture: { file: "a.svg", svg: "" }, alt: "A" },
      { picture: { file: "b.svg", svg: "" }, alt: "B" },
    ]);
    expect(section).toContain("![A](a.svg)\n\n![B](b.svg)\n");
  });
});
