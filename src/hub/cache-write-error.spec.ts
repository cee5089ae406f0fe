import { describe, expect, it } from "vitest";
import { cacheWriteError } from "./cache-write-error.js";

const errno = (code: string) => Object.assign(new Error(code), { code });

describe("cacheWriteError", () => {
  it(
    "says why the Hub cache cannot be written: a read-only file system or no permission is not a lack of " + "space",
    () => {
      const readOnly = cacheWriteError("model.safetensors", "/ro/hf/hub", errno("EROFS"), 1000).message;
      expect(readOnly).toBe(
        "Could not write model.safetensors into the Hub cache at /ro/hf/hub: it is on a read-only file system " +
          "(EROFS); set HF_HUB_CACHE (or HF_HOME) to a writable folder.",
      );
      expect(cacheWriteError("config.json", "/x", errno("EACCES")).message).toContain(
        "this user cannot write there (EACCES: permission denied)",
      );
      expect(cacheWriteError("config.json", "/x", errno("EACCES")).message).not.toContain("space");
      expect(cacheWriteError("model.safetensors", "/x", errno("ENOSPC"), 5_000_000).code).toBe("HUB_CACHE_FULL");
      // HF_HOME set to a file.
      expect(cacheWriteError("config.json", "/afile/hub", errno("ENOTDIR")).message).toBe(
        "Could not write config.json into the Hub cache at /afile/hub: a part of that path is a file, " +
          "not a folder (ENOTDIR); set HF_HUB_CACHE (or HF_HOME) to a writable folder.",
      );
    },
  );
});
