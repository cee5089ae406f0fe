import { isPublishablePath, isPortionRecordPath } from "./is-publishable-path.js";

/** What a repo or folder holds before anything is published into it: the Hub's own `.gitattributes`, a stub card. */
const freshFiles = new Set([".gitattributes", "README.md"]);

/**
 * The files of a publish target that are someone's other work. In a target of an earlier tvhub publish (it holds
 * `tvhub.json`, or the portion records of a matrix run still in progress) that is anything tvhub would not write;
 * anywhere else it is everything but a new repo's
 * `.gitattributes` and card, so that a model's own repo or folder (config.json, weights: names tvhub also
 * writes) is never published over.
 */
export function findForeignFiles(paths: readonly string[]): string[] {
  const earlierPublish = paths.includes("tvhub.json") || paths.some(isPortionRecordPath);
  return paths.filter((path) => (earlierPublish ? !isPublishablePath(path) : !freshFiles.has(path)));
}
