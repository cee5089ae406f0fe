import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { entryNotFound, HttpError, repoNotFound, revisionNotFound } from "./http-error.js";
import { isCommitId, isSha256, isValidBranch, isValidName, isValidNamespace, type RepoType } from "./names.js";
import { isNotFound } from "./object-store.js";
import type { CommitRecord, FileRecord, RepoKey, RepoRecord } from "./types.js";
import { fsyncDir, tempPath, writeFileAtomic } from "./write-file-atomic.js";

/** One change in a commit; file bytes are already in the object store. */
export type TreeChange =
  | { kind: "put"; file: FileRecord }
  | { kind: "delete"; path: string }
  | { kind: "deleteFolder"; path: string };

export interface NewCommit {
  title: string;
  description: string;
  author: string;
  date: Date;
}

export interface CreateRepoOptions extends NewCommit {
  key: RepoKey;
  private: boolean;
  /** Files of the initial commit on `main`. */
  files: FileRecord[];
}

export interface CommitOptions extends NewCommit {
  repo: RepoRecord;
  branch: string;
  /**
   * When given (a full id or a prefix of at least 5 hex digits), the commit is refused with 412 unless the branch still
   * points at it.
   */
  parentCommit?: string;
  changes: readonly TreeChange[];
}

export interface CreateBranchOptions extends NewCommit {
  repo: RepoRecord;
  branch: string;
  /** A branch or commit to start from; `main` when absent. */
  startingPoint?: string;
  /** Start from a new root commit with no files. */
  emptyBranch?: boolean;
  overwrite?: boolean;
}

export interface CreateTagOptions {
  repo: RepoRecord;
  tag: string;
  /** A branch, tag or commit id. */
  revision: string;
}

export interface RepoStore {
  getRepo(key: RepoKey): Promise<RepoRecord | undefined>;
  listRepos(type: RepoType): Promise<RepoRecord[]>;
  createRepo(options: CreateRepoOptions): Promise<{ repo: RepoRecord; commit: CommitRecord }>;
  deleteRepo(key: RepoKey): Promise<boolean>;
  updateRepo(options: { key: RepoKey; private: boolean }): Promise<RepoRecord>;
  loadCommit(repo: RepoRecord, id: string): Promise<CommitRecord | undefined>;
  /** A branch name (or `HEAD` for `main`), a tag, or a full commit id → the commit; 404 RevisionNotFound otherwise. */
  resolveRevision(repo: RepoRecord, revision: string): Promise<CommitRecord>;
  listBranches(repo: RepoRecord): Promise<Array<{ name: string; commit: string }>>;
  listTags(repo: RepoRecord): Promise<Array<{ name: string; commit: string }>>;
  /** 409 when the tag exists: a tag never moves. */
  createTag(options: CreateTagOptions): Promise<void>;
  deleteTag(options: { repo: RepoRecord; tag: string }): Promise<void>;
  /** Renames a repo (same type); its id, history, refs and LFS grants move with it. 409 if the target exists. */
  moveRepo(options: { from: RepoKey; to: RepoKey }): Promise<RepoRecord>;
  /** Replaces the branch's history with one parentless commit holding its current files. */
  superSquash(options: NewCommit & { repo: RepoRecord; branch: string }): Promise<CommitRecord>;
  commit(options: CommitOptions): Promise<CommitRecord>;
  createBranch(options: CreateBranchOptions): Promise<void>;
  deleteBranch(options: { repo: RepoRecord; branch: string }): Promise<void>;
  /**
   * Runs `work` under the repo's lock with its refs and commits, for stores kept beside them (discussions and
   * their `refs/pr/N`); 404 if the repo is gone.
   */
  transact<T>(repo: RepoRecord, work: (tx: RepoTransaction) => Promise<T>): Promise<T>;
  /** Whether this repo's writers uploaded (and the server verified) this LFS object. */
  hasLfsGrant(repo: RepoRecord, sha256: string): Promise<boolean>;
  addLfsGrant(repo: RepoRecord, sha256: string): Promise<void>;
}

/**
 * What a transaction may do while it holds the repo's lock. Refs are full names: `refs/heads/<b>`, `refs/tags/<t>`,
 * `refs/pr/<n>`.
 */
export interface RepoTransaction {
  /** The repo's folder, and a folder on the same filesystem for atomic writes. */
  dir: string;
  tmpDir: string;
  readRef(ref: string): Promise<string | undefined>;
  writeRef(ref: string, id: string): Promise<void>;
  loadCommit(id: string): Promise<CommitRecord | undefined>;
  writeCommit(parents: string[], commit: NewCommit, files: FileRecord[]): Promise<CommitRecord>;
}

export interface OpenRepoStoreOptions {
  /** `DIR/repos`. */
  dir: string;
  /** Same filesystem, for partial files and repos being created. */
  tmpDir: string;
  /** Where deleted repos go before they are removed. */
  trashDir: string;
}

export const defaultBranch = "main";

/**
 * Repos on disk: `repos/<type>s/<ns>/<name>/{repo.json, commits/<id>.json, refs/heads/<branch>, refs/tags/<tag>,
 * lfs/<sha256>}`. Commits are immutable and written before the ref that names them; refs move by an atomic rename,
 * under a per-repo lock, so readers always see a complete commit and concurrent writers are serialized.
 */
export function openRepoStore(options: OpenRepoStoreOptions): RepoStore {
  const locks = new Map<string, Promise<unknown>>();
  const commitCache = new Map<string, CommitRecord>();
  const maxCachedCommits = 1024;

  const withLock = async <T>(key: RepoKey, work: () => Promise<T>): Promise<T> => {
    const id = `${key.type}/${key.namespace.toLowerCase()}/${key.name.toLowerCase()}`;
    const previous = locks.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    locks.set(id, settled);
    void settled.then(() => {
      if (locks.get(id) === settled) locks.delete(id);
    });
    return run;
  };

  const typeDir = (type: RepoType): string => join(options.dir, `${type}s`);
  const repoDir = (key: RepoKey): string | undefined =>
    isValidNamespace(key.namespace) && isValidName(key.name)
      ? join(typeDir(key.type), key.namespace, key.name)
      : undefined;
  /** The folder of a repo being created or renamed: a name the Hub would refuse is a 400. */
  const newRepoDir = (key: RepoKey): string => {
    const dir = repoDir(key);
    if (!dir)
      throw new HttpError(`"${key.namespace}/${key.name}" is not a valid repo name.`, {
        status: 400,
        code: "HUB_BAD_NAME",
      });
    return dir;
  };
  const dirOf = (repo: RepoRecord): string => {
    const dir = repoDir(repo);
    if (!dir) throw repoNotFound();
    return dir;
  };

  const readJson = async <T>(path: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(path, "utf8")) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  /** The repo stored exactly under this spelling. */
  const getExactRepo = async (key: RepoKey): Promise<RepoRecord | undefined> => {
    const dir = repoDir(key);
    if (!dir) return undefined;
    const record = await readJson<RepoRecord>(join(dir, "repo.json"));
    // The name on disk is authoritative: a case-variant lookup on a case-insensitive filesystem is not the repo.
    return record && record.namespace === key.namespace && record.name === key.name && record.type === key.type
      ? record
      : undefined;
  };

  /**
   * The repo under any spelling: repo ids are case-insensitive, as on the Hub (`Alice/M` and `alice/m` are one
   * repo, which keeps its creator's spelling). The exact spelling is tried first; another one costs two listings.
   */
  const getRepo = async (key: RepoKey): Promise<RepoRecord | undefined> => {
    if (repoDir(key) === undefined) return undefined;
    return (await getExactRepo(key)) ?? findCaseVariant(key);
  };

  const loadCommit = async (repo: RepoRecord, id: string): Promise<CommitRecord | undefined> => {
    if (!isCommitId(id)) return undefined;
    const cacheKey = `${repo._id}:${id}`;
    const cached = commitCache.get(cacheKey);
    if (cached) return cached;
    const commit = await readJson<CommitRecord>(join(dirOf(repo), "commits", `${id}.json`));
    if (!commit) return undefined;
    if (commitCache.size >= maxCachedCommits) commitCache.delete(commitCache.keys().next().value as string);
    commitCache.set(cacheKey, commit);
    return commit;
  };

  const readBranch = (repo: RepoRecord, branch: string): Promise<string | undefined> => readRef(repo, "heads", branch);
  const readTag = (repo: RepoRecord, tag: string): Promise<string | undefined> => readRef(repo, "tags", tag);
  const readRef = async (repo: RepoRecord, kind: RefKind, name: string): Promise<string | undefined> => {
    if (!isValidRefName(kind, name)) return undefined;
    try {
      const id = (await readFile(join(dirOf(repo), "refs", kind, name), "utf8")).trim();
      return isCommitId(id) ? id : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  const resolveRevision = async (repo: RepoRecord, revision: string): Promise<CommitRecord> => {
    const name = revision === "HEAD" ? defaultBranch : revision;
    const full = parseFullRef(name);
    const id = isCommitId(name)
      ? name
      : full
        ? await readRef(repo, full.kind, full.name)
        : ((await readBranch(repo, name)) ?? (await readTag(repo, name)));
    const commit = id === undefined ? undefined : await loadCommit(repo, id);
    if (!commit) throw revisionNotFound(revision);
    return commit;
  };

  /** Writes the commit record; the caller moves a ref to it afterwards. */
  const writeCommit = async (
    dir: string,
    parents: string[],
    commit: NewCommit,
    files: FileRecord[],
  ): Promise<CommitRecord> => {
    const body = {
      parents,
      title: commit.title,
      description: commit.description,
      author: commit.author,
      date: commit.date.toISOString(),
      files: [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    };
    const id = createHash("sha1").update(JSON.stringify(body)).digest("hex");
    const record: CommitRecord = { id, ...body };
    await writeFileAtomic({
      path: join(dir, "commits", `${id}.json`),
      data: JSON.stringify(record),
      tmpDir: options.tmpDir,
      durable: true,
    });
    return record;
  };

  const writeRef = (dir: string, branch: string, id: string, kind: RefKind = "heads"): Promise<void> =>
    writeFileAtomic({ path: join(dir, "refs", kind, branch), data: `${id}\n`, tmpDir: options.tmpDir, durable: true });

  const listRefs = async (
    repo: RepoRecord,
    kind: "heads" | "tags",
  ): Promise<Array<{ name: string; commit: string }>> => {
    const refs: Array<{ name: string; commit: string }> = [];
    for (const name of (await readdirOrEmpty(join(dirOf(repo), "refs", kind))).sort()) {
      const commit = await readRef(repo, kind, name);
      if (commit) refs.push({ name, commit });
    }
    return refs;
  };

  const findCaseVariant = async (key: RepoKey): Promise<RepoRecord | undefined> => {
    const lower = (s: string): string => s.toLowerCase();
    const namespaces = await readdirOrEmpty(typeDir(key.type));
    for (const ns of namespaces.filter((n) => lower(n) === lower(key.namespace))) {
      const names = await readdirOrEmpty(join(typeDir(key.type), ns));
      for (const name of names.filter((n) => lower(n) === lower(key.name))) {
        const repo = await getExactRepo({ type: key.type, namespace: ns, name });
        if (repo) return repo;
      }
    }
    return undefined;
  };

  return {
    getRepo,
    loadCommit,
    resolveRevision,

    async listRepos(type) {
      const repos: RepoRecord[] = [];
      for (const namespace of await readdirOrEmpty(typeDir(type))) {
        for (const name of await readdirOrEmpty(join(typeDir(type), namespace))) {
          const repo = await getExactRepo({ type, namespace, name });
          if (repo) repos.push(repo);
        }
      }
      return repos;
    },

    createRepo(create) {
      const { key } = create;
      return withLock({ ...key, name: "" }, async () => {
        const dir = newRepoDir(key);
        const existing = await findCaseVariant(key);
        if (existing) {
          throw new HttpError(`You already created this ${key.type} repo: ${existing.namespace}/${existing.name}.`, {
            status: 409,
            code: "HUB_REPO_EXISTS",
          });
        }
        // Built aside and renamed into place: a crash never leaves a repo without its first commit.
        const staging = tempPath(options.tmpDir);
        try {
          await mkdir(join(staging, "refs", "heads"), { recursive: true });
          await mkdir(join(staging, "commits"));
          await mkdir(join(staging, "lfs"));
          const repo: RepoRecord = {
            _id: randomBytes(12).toString("hex"),
            type: key.type,
            namespace: key.namespace,
            name: key.name,
            private: create.private,
            createdAt: create.date.toISOString(),
          };
          await writeFile(join(staging, "repo.json"), JSON.stringify(repo));
          const commit = await writeCommit(staging, [], create, create.files);
          await writeRef(staging, defaultBranch, commit.id);
          await mkdir(join(typeDir(key.type), key.namespace), { recursive: true });
          await rename(staging, dir);
          await fsyncDir(join(typeDir(key.type), key.namespace));
          return { repo, commit };
        } catch (error) {
          await rm(staging, { recursive: true, force: true });
          throw error;
        }
      });
    },

    deleteRepo(key) {
      return withLock(key, async () => {
        const repo = await getRepo(key);
        if (!repo) return false;
        const dir = dirOf(repo);
        const trash = join(options.trashDir, randomBytes(8).toString("hex"));
        await rename(dir, trash);
        await rm(trash, { recursive: true, force: true });
        return true;
      });
    },

    updateRepo({ key, private: isPrivate }) {
      return withLock(key, async () => {
        const repo = await getRepo(key);
        if (!repo) throw repoNotFound();
        const updated = { ...repo, private: isPrivate };
        await writeFileAtomic({
          path: join(dirOf(repo), "repo.json"),
          data: JSON.stringify(updated),
          tmpDir: options.tmpDir,
          durable: true,
        });
        return updated;
      });
    },

    listBranches: (repo) => listRefs(repo, "heads"),
    listTags: (repo) => listRefs(repo, "tags"),

    createTag({ repo, tag, revision }) {
      return withLock(repo, async () => {
        if (!isValidBranch(tag)) {
          throw new HttpError(`"${tag}" is not a valid tag name; use letters, digits, - _ and . (no /).`, {
            status: 400,
            code: "HUB_BAD_TAG",
          });
        }
        if ((await readTag(repo, tag)) !== undefined) {
          throw new HttpError(`Tag "${tag}" already exists; delete it first to move it.`, {
            status: 409,
            code: "HUB_TAG_EXISTS",
          });
        }
        if ((await readBranch(repo, tag)) !== undefined) {
          throw new HttpError(`"${tag}" is already a branch; give the tag another name.`, {
            status: 409,
            code: "HUB_TAG_EXISTS",
          });
        }
        const target = await resolveRevision(repo, revision);
        // Repos made before tags existed have no refs/tags folder yet.
        if ((await mkdir(join(dirOf(repo), "refs", "tags"), { recursive: true })) !== undefined)
          await fsyncDir(join(dirOf(repo), "refs"));
        await writeRef(dirOf(repo), tag, target.id, "tags");
      });
    },

    deleteTag({ repo, tag }) {
      return withLock(repo, async () => {
        if ((await readTag(repo, tag)) === undefined) throw revisionNotFound(tag);
        await rm(join(dirOf(repo), "refs", "tags", tag));
        await fsyncDir(join(dirOf(repo), "refs", "tags"));
      });
    },

    moveRepo({ from, to }) {
      // The target namespace's creation lock keeps a concurrent create from taking the new name meanwhile.
      return withLock(from, () =>
        withLock({ ...to, name: "" }, async () => {
          const repo = await getRepo(from);
          if (!repo) throw repoNotFound();
          const source = dirOf(repo);
          const target = newRepoDir(to);
          const taken = await findCaseVariant(to);
          // Renaming a repo to another spelling of its own name is a rename, not a clash.
          if (taken && taken._id !== repo._id) {
            throw new HttpError(`A ${to.type} repo ${to.namespace}/${to.name} already exists; pick another name.`, {
              status: 409,
              code: "HUB_REPO_EXISTS",
            });
          }
          const moved: RepoRecord = { ...repo, namespace: to.namespace, name: to.name };
          await mkdir(join(typeDir(to.type), to.namespace), { recursive: true });
          await rename(source, target);
          try {
            await writeFileAtomic({
              path: join(target, "repo.json"),
              data: JSON.stringify(moved),
              tmpDir: options.tmpDir,
              durable: true,
            });
          } catch (error) {
            await rename(target, source);
            throw error;
          }
          await fsyncDir(join(typeDir(to.type), to.namespace));
          await fsyncDir(join(typeDir(repo.type), repo.namespace));
          return moved;
        }),
      );
    },

    superSquash(squash) {
      const { repo, branch } = squash;
      return withLock(repo, async () => {
        const headId = await readBranch(repo, branch);
        const head = headId === undefined ? undefined : await loadCommit(repo, headId);
        if (!head) throw revisionNotFound(branch);
        const record = await writeCommit(dirOf(repo), [], squash, head.files);
        await writeRef(dirOf(repo), branch, record.id);
        return record;
      });
    },

    commit(commit) {
      const { repo, branch } = commit;
      return withLock(repo, async () => {
        const dir = dirOf(repo);
        if (!(await getRepo(repo))) throw repoNotFound();
        const headId = await readBranch(repo, branch);
        const head = headId === undefined ? undefined : await loadCommit(repo, headId);
        if (!head) throw revisionNotFound(branch);
        if (commit.parentCommit !== undefined && !head.id.startsWith(commit.parentCommit)) {
          throw new HttpError(
            `The parent commit ${commit.parentCommit} is not the head of branch "${branch}" (${head.id}); fetch the ` +
              "new head and retry.",
            { status: 412, code: "HUB_STALE_PARENT" },
          );
        }
        const files = applyChanges(head, commit.changes, branch);
        const record = await writeCommit(dir, [head.id], commit, files);
        await writeRef(dir, branch, record.id);
        return record;
      });
    },

    createBranch(create) {
      const { repo, branch } = create;
      return withLock(repo, async () => {
        const dir = dirOf(repo);
        if (!isValidBranch(branch)) {
          throw new HttpError(`"${branch}" is not a valid branch name; use letters, digits, - _ and . (no /).`, {
            status: 400,
            code: "HUB_BAD_BRANCH",
          });
        }
        if ((await readBranch(repo, branch)) !== undefined && !create.overwrite) {
          throw new HttpError(`Branch "${branch}" already exists; pass overwrite to move it.`, {
            status: 409,
            code: "HUB_BRANCH_EXISTS",
          });
        }
        const target = create.emptyBranch
          ? await writeCommit(dir, [], create, [])
          : await resolveRevision(repo, create.startingPoint ?? defaultBranch);
        await writeRef(dir, branch, target.id);
      });
    },

    deleteBranch({ repo, branch }) {
      return withLock(repo, async () => {
        if (branch === defaultBranch) {
          throw new HttpError(`The default branch "${defaultBranch}" cannot be deleted.`, {
            status: 403,
            code: "HUB_DEFAULT_BRANCH",
          });
        }
        if ((await readBranch(repo, branch)) === undefined) throw revisionNotFound(branch);
        await rm(join(dirOf(repo), "refs", "heads", branch));
        await fsyncDir(join(dirOf(repo), "refs", "heads"));
      });
    },

    transact(repo, work) {
      return withLock(repo, async () => {
        const dir = dirOf(repo);
        if (!(await getRepo(repo))) throw repoNotFound();
        return work({
          dir,
          tmpDir: options.tmpDir,
          readRef: async (ref) => {
            const full = parseFullRef(ref);
            return full ? readRef(repo, full.kind, full.name) : undefined;
          },
          writeRef: async (ref, id) => {
            const full = parseFullRef(ref);
            if (!full) throw new Error(`repo-store: invalid ref ${ref}`);
            // Repos get refs/pr (and refs/tags) only when they first need one.
            if ((await mkdir(join(dir, "refs", full.kind), { recursive: true })) !== undefined)
              await fsyncDir(join(dir, "refs"));
            await writeRef(dir, full.name, id, full.kind);
          },
          loadCommit: (id) => loadCommit(repo, id),
          writeCommit: (parents, commit, files) => writeCommit(dir, parents, commit, files),
        });
      });
    },

    async hasLfsGrant(repo, sha256) {
      if (!isSha256(sha256)) return false;
      try {
        await stat(join(dirOf(repo), "lfs", sha256));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },

    async addLfsGrant(repo, sha256) {
      if (!isSha256(sha256)) return;
      try {
        await writeFile(join(dirOf(repo), "lfs", sha256), "");
      } catch (error) {
        if (isNotFound(error)) throw repoNotFound();
        throw error;
      }
    },
  };
}

type RefKind = "heads" | "tags" | "pr";

/** `refs/heads/<b>`, `refs/tags/<t>` or `refs/pr/<n>` → its kind and name; anything else is not a full ref. */
function parseFullRef(ref: string): { kind: RefKind; name: string } | undefined {
  const parts = ref.split("/");
  if (parts.length !== 3 || parts[0] !== "refs") return undefined;
  const [, kind = "", name = ""] = parts;
  return (kind === "heads" || kind === "tags" || kind === "pr") && isValidRefName(kind, name)
    ? { kind, name }
    : undefined;
}

/** Branch and tag names are single path-safe segments; a pull request's is its number. */
function isValidRefName(kind: RefKind, name: string): boolean {
  return kind === "pr" ? /^[1-9][0-9]{0,8}$/.test(name) : isValidBranch(name);
}

/** The head's files with the changes applied, in order; deleting what is not there is an error, as on the Hub. */
export function applyChanges(head: CommitRecord, changes: readonly TreeChange[], branch: string): FileRecord[] {
  const files = new Map(head.files.map((file) => [file.path, file]));
  for (const change of changes) {
    if (change.kind === "put") {
      files.set(change.file.path, change.file);
    } else if (change.kind === "delete") {
      if (!files.delete(change.path)) throw entryNotFound(change.path, branch);
    } else {
      const prefix = `${change.path}/`;
      let removed = 0;
      for (const path of [...files.keys()]) {
        if (path.startsWith(prefix)) {
          files.delete(path);
          removed++;
        }
      }
      if (removed === 0) throw entryNotFound(change.path, branch);
    }
  }
  for (const path of files.keys()) {
    for (let cut = path.indexOf("/"); cut !== -1; cut = path.indexOf("/", cut + 1)) {
      if (files.has(path.slice(0, cut))) {
        throw new HttpError(`"${path.slice(0, cut)}" cannot be both a file and the folder of "${path}".`, {
          status: 422,
          code: "HUB_PATH_CONFLICT",
        });
      }
    }
  }
  return [...files.values()];
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}
