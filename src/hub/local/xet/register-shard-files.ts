import { badRequest, HttpError } from "../http-error.js";
import type { HubContext } from "../hub-context.js";
import type { RepoRecord } from "../types.js";
import type { ShardFile } from "./parse-shard.js";
import { hashToHex, type XetHasher } from "./xet-hash.js";

/**
 * The bridge from Xet to git: every file a shard describes is checked against the stored xorbs (each term's chunks
 * exist, have the stated length and verification hash, and all of them hash to the file hash), rebuilt chunk by chunk
 * into an ordinary LFS object (whose sha256 the object store checks as it writes), and granted to the repo, so that
 * the commit naming that sha256 is accepted and every client downloads the file over `resolve` as before.
 */
export async function registerShardFiles(options: {
  hub: HubContext;
  repo: RepoRecord;
  files: readonly ShardFile[];
  hasher: XetHasher;
}): Promise<void> {
  const { hub, repo, hasher } = options;
  const { store } = hub.xet;
  for (const file of options.files) {
    const name = hashToHex(file.hash);
    if (file.sha256 === undefined) {
      throw badRequest(
        `File ${name} of the shard has no sha256 metadata; a git repo needs it to name the file (upload with a ` +
          "current client).",
        "HUB_XET_NO_SHA256",
      );
    }
    const tree = hasher.merkleTree();
    let size = 0;
    for (const [i, term] of file.terms.entries()) {
      const index = await store.readIndex(term.xorb);
      if (!index)
        throw badRequest(
          `File ${name} of the shard uses xorb ${hashToHex(term.xorb)}, which was not uploaded; upload xorbs before ` +
            "the shard.",
          "HUB_XET_MISSING_XORB",
        );
      if (term.chunkEnd > index.count)
        throw badRequest(
          `Term ${i} of file ${name} names chunks past the end of xorb ${hashToHex(term.xorb)}.`,
          "HUB_XET_BAD_SHARD",
        );
      let length = 0;
      const hashes: Buffer[] = [];
      for (let c = term.chunkStart; c < term.chunkEnd; c++) {
        length += index.length(c);
        hashes.push(index.hash(c));
        tree.add(index.hash(c), index.length(c));
      }
      if (length !== term.length)
        throw badRequest(
          `Term ${i} of file ${name} says ${term.length} bytes, but its chunks hold ${length}.`,
          "HUB_XET_BAD_SHARD",
        );
      if (
        term.verification === undefined ||
        !Buffer.from(hasher.verificationHash(Buffer.concat(hashes))).equals(term.verification)
      ) {
        throw badRequest(
          `Term ${i} of file ${name} has a missing or wrong verification hash; the shard was not made from these ` +
            "xorbs.",
          "HUB_XET_BAD_SHARD",
        );
      }
      size += length;
    }
    if (!Buffer.from(tree.fileHash()).equals(file.hash)) {
      throw badRequest(
        `The terms of file ${name} do not hash to its file hash; the shard is corrupt.`,
        "HUB_XET_BAD_SHARD",
      );
    }
    if (size > hub.limits.maxObjectBytes) {
      throw new HttpError(
        `File ${name} has ${size} bytes; this Hub accepts files of at most ${hub.limits.maxObjectBytes}.`,
        { status: 413, code: "HUB_PAYLOAD_TOO_LARGE" },
      );
    }
    if ((await hub.storage.objects.sizeOf(file.sha256)) !== size) {
      async function* content(): AsyncGenerator<Uint8Array> {
        // Indexes are read again (from the store's small cache) rather than kept: a huge file spans many xorbs.
        for (const term of file.terms)
          yield* store.readChunks(term.xorb, (await store.readIndex(term.xorb))!, term.chunkStart, term.chunkEnd);
      }
      try {
        await hub.storage.objects.putStream({ source: content(), sha256: file.sha256, size });
      } catch (error) {
        if (error instanceof HttpError && error.code === "HUB_UPLOAD_HASH_MISMATCH") {
          throw badRequest(
            `File ${name} rebuilt from its xorbs does not have the sha256 ${file.sha256} the shard gives it.`,
            "HUB_XET_SHA256_MISMATCH",
          );
        }
        throw error;
      }
    }
    await hub.storage.repos.addLfsGrant(repo, file.sha256);
  }
}
