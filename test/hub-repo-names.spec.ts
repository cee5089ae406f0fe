// Repo ids are case-insensitive on the local Hub as on the Hub: `Alice/Model-X` and `alice/model-x` are one repo,
// which keeps the spelling its creator gave it; creating another spelling of an existing repo is a 409. Checked
// with the official JS client.
import {
  createRepo,
  deleteRepo,
  downloadFile,
  HubApiError,
  listFiles,
  listModels,
  modelInfo,
  uploadFiles,
} from "@huggingface/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";

const alice = { name: "alice", token: "hf_alice_names_token_0123456789" };
let hub: LocalHubProcess;

beforeAll(async () => {
  hub = await startLocalHub({ users: [alice], args: ["--quiet"] });
});

afterAll(async () => {
  await hub.stop();
});

const credentials = () => ({ hubUrl: hub.url, accessToken: alice.token });

async function statusOf(work: Promise<unknown>): Promise<number | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    if (error instanceof HubApiError) return error.statusCode;
    throw error;
  }
}

describe("repo names are case-insensitive", () => {
  it("finds, writes and deletes one repo under any spelling, which keeps its creator's", {
    timeout: 60_000,
  }, async () => {
    await createRepo({ repo: "Alice/Model-X", ...credentials() });
    await uploadFiles({
      repo: "alice/model-x",
      files: [{ path: "a.txt", content: new Blob(["first\n"]) }],
      ...credentials(),
    });
    await uploadFiles({
      repo: "ALICE/MODEL-X",
      files: [{ path: "b.txt", content: new Blob(["second\n"]) }],
      ...credentials(),
    });

    const info = await modelInfo({ name: "alice/model-x", ...credentials() });
    expect(info.name).toBe("Alice/Model-X");
    const files: string[] = [];
    for await (const file of listFiles({ repo: "aLiCe/mOdEl-x", ...credentials() })) files.push(file.path);
    expect(files.sort()).toEqual([".gitattributes", "a.txt", "b.txt"]);
    const blob = await downloadFile({ repo: "alice/MODEL-X", path: "a.txt", ...credentials() });
    expect(await blob?.text()).toBe("first\n");

    const listed: string[] = [];
    for await (const model of listModels({ search: { owner: "alice" }, ...credentials() })) listed.push(model.name);
    expect(listed).toEqual(["Alice/Model-X"]);

    expect(await statusOf(createRepo({ repo: "alice/model-x", ...credentials() }))).toBe(409);
    expect(await statusOf(createRepo({ repo: "ALICE/model-X", ...credentials() }))).toBe(409);

    await deleteRepo({ repo: "alice/model-X", ...credentials() });
    expect(await statusOf(modelInfo({ name: "Alice/Model-X", ...credentials() }))).toBe(404);
    // The name is free again, under any spelling.
    await createRepo({ repo: "alice/model-x", ...credentials() });
    expect((await modelInfo({ name: "ALICE/MODEL-X", ...credentials() })).name).toBe("alice/model-x");
  });
});
