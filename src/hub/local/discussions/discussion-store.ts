import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isNotFound } from "../object-store.js";
import type { RepoTransaction } from "../repo-store.js";
import { writeFileAtomic } from "../write-file-atomic.js";
import type { DiscussionEvent, DiscussionRecord } from "./types.js";

/**
 * Discussions live beside the repo's refs, one JSON file each, read and written only inside a repo transaction,
 * so a pull request's ref, its commits and its record always change under the same lock.
 */
const folder = (tx: RepoTransaction): string => join(tx.dir, "discussions");

export async function readDiscussion(tx: RepoTransaction, num: number): Promise<DiscussionRecord | undefined> {
  if (!Number.isSafeInteger(num) || num < 1) return undefined;
  try {
    return JSON.parse(await readFile(join(folder(tx), `${num}.json`), "utf8")) as DiscussionRecord;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function writeDiscussion(tx: RepoTransaction, record: DiscussionRecord): Promise<void> {
  await mkdir(folder(tx), { recursive: true });
  await writeFileAtomic({
    path: join(folder(tx), `${record.num}.json`),
    data: JSON.stringify(record),
    tmpDir: tx.tmpDir,
    durable: true,
  });
}

/** Every discussion, newest first. */
export async function listDiscussions(tx: RepoTransaction): Promise<DiscussionRecord[]> {
  const records: DiscussionRecord[] = [];
  for (const num of (await numbersIn(folder(tx), ".json")).sort((a, b) => b - a)) {
    const record = await readDiscussion(tx, num);
    if (record) records.push(record);
  }
  return records;
}

/**
 * The next number: past every discussion and every `refs/pr/N`. A pull request's ref is written before its record,
 * so a crash between the two leaves an unused ref, never a number given out twice.
 */
export async function nextDiscussionNumber(tx: RepoTransaction): Promise<number> {
  const taken = [...(await numbersIn(folder(tx), ".json")), ...(await numbersIn(join(tx.dir, "refs", "pr"), ""))];
  return taken.reduce((max, num) => Math.max(max, num), 0) + 1;
}

export function newEventId(): string {
  return randomBytes(12).toString("hex");
}

/** An event stamped with a fresh id, the author and the time. */
export function eventOf<E extends DiscussionEvent>(event: Omit<E, "id">): E {
  return { id: newEventId(), ...event } as E;
}

async function numbersIn(dir: string, suffix: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  return names.flatMap((name) => {
    const match = new RegExp(`^([1-9][0-9]{0,8})${suffix.replace(".", "\\.")}$`).exec(name);
    return match?.[1] === undefined ? [] : [Number(match[1])];
  });
}
