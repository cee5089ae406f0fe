import { describe, expect, it } from "vitest";
import { createInterrupt, interruptExitCode } from "./interrupt.js";

describe("createInterrupt", () => {
  it("exits at once when nothing is being published", () => {
    const interrupt = createInterrupt();
    expect(interrupt.receive("SIGINT")).toBe("exit");
    expect(interrupt.signal.aborted).toBe(false);
  });

  it("aborts a publish in flight and waits for it, and exits on a second signal", () => {
    const interrupt = createInterrupt();
    interrupt.onPublishing(true);
    expect(interrupt.receive("SIGTERM")).toBe("wait");
    expect(interrupt.signal.aborted).toBe(true);
    expect(String(interrupt.signal.reason)).toContain("SIGTERM");
    expect(interrupt.receive("SIGINT")).toBe("exit");
  });

  it("exits at once again once the publish ended", () => {
    const interrupt = createInterrupt();
    interrupt.onPublishing(true);
    interrupt.onPublishing(false);
    expect(interrupt.receive("SIGINT")).toBe("exit");
  });

  it("reports 128 + the signal's number", () => {
    expect(interruptExitCode("SIGINT")).toBe(130);
    expect(interruptExitCode("SIGTERM")).toBe(143);
  });
});
