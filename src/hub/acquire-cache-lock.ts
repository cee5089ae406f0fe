import { mkdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";

export interface AcquireCacheLockOptions {
  path: string;
  /** @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Called once if another process holds the lock, so the caller can say why it waits. */
  onWait?: () => void;
  /** @default 250 */
  pollMs?: number;
  /**
   * A lock whose holder has not touched it for this long is taken over (the holder touches it every
   * `staleMs / 4` while it works).
   * @default 120_000
   */
  staleMs?: number;
}

interface Holder {
  pid: number;
  host: string;
}

/**
 * Takes an exclusive lock on one blob of the Hub cache across processes (a file created with O_EXCL),
 * taking over locks whose holder died. Returns the release function.
 */
export async function acquireCacheLock(options: AcquireCacheLockOptions): Promise<() => Promise<void>> {
  const { path } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const pollMs = options.pollMs ?? 250;
  const staleMs = options.staleMs ?? 120_000;
  const me: Holder = { pid: process.pid, host: hostname() };
  await mkdir(dirname(path), { recursive: true });
  let told = false;
  for (;;) {
    try {
      await writeFile(path, JSON.stringify(me), { flag: "wx" });
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(path, now, now).catch(() => {});
      }, staleMs / 4);
      heartbeat.unref();
      return async () => {
        clearInterval(heartbeat);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const seen = await readFile(path, "utf8").catch(() => undefined);
    if (seen === undefined) continue;
    if (await isStale(path, seen, staleMs)) {
      // Re-read so that a lock another waiter just took over is not removed by mistake.
      if ((await readFile(path, "utf8").catch(() => undefined)) === seen) await rm(path, { force: true });
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.();
    }
    await sleep(pollMs);
  }
}

async function isStale(path: string, content: string, staleMs: number): Promise<boolean> {
  const holder = parseHolder(content);
  if (holder !== undefined && holder.host === hostname() && !isAlive(holder.pid)) return true;
  const modified = await stat(path)
    .then((s) => s.mtimeMs)
    .catch(() => undefined);
  return modified !== undefined && Date.now() - modified > staleMs;
}

function parseHolder(content: string): Holder | undefined {
  try {
    const parsed = JSON.parse(content) as Partial<Holder>;
    return typeof parsed.pid === "number" && typeof parsed.host === "string"
      ? { pid: parsed.pid, host: parsed.host }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
