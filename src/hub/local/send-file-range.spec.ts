import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { sendFileRange } from "./send-file-range.js";

const content = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
const path = join(mkdtempSync(join(tmpdir(), "tvhub-send-")), "object");
writeFileSync(path, content);

/** A sink that acknowledges each write later, keeping a copy of what it was given at write time and at ack time. */
function slowSink(): { sink: Writable; received: Buffer[]; atAck: Buffer[] } {
  const received: Buffer[] = [];
  const atAck: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      received.push(Buffer.from(chunk));
      setTimeout(() => {
        atAck.push(Buffer.from(chunk));
        callback();
      }, 1);
    },
  });
  return { sink, received, atAck };
}

describe("sendFileRange", () => {
  it("sends exactly the range, and never reuses a buffer before the sink has taken it", async () => {
    const { sink, received, atAck } = slowSink();
    await sendFileRange({ path, start: 123, end: 9_876, out: sink, chunkBytes: 1000 });
    expect(Buffer.concat(received).equals(content.subarray(123, 9_877))).toBe(true);
    expect(Buffer.concat(atAck).equals(content.subarray(123, 9_877))).toBe(true);
    expect(sink.writableFinished).toBe(true);
  });

  it("sends a one-byte range and a whole file", async () => {
    const one = slowSink();
    await sendFileRange({ path, start: 9_999, end: 9_999, out: one.sink });
    expect(Buffer.concat(one.received)).toEqual(content.subarray(9_999));
    const all = slowSink();
    await sendFileRange({ path, start: 0, end: content.length - 1, out: all.sink, chunkBytes: 4096 });
    expect(Buffer.concat(all.received).equals(content)).toBe(true);
  });

  it("stops, and rejects, when the output is destroyed mid-way even if writes are never acknowledged", async () => {
    const sink = new Writable({ write() {} }); // never calls back, like a dead socket
    const sending = sendFileRange({ path, start: 0, end: content.length - 1, out: sink, chunkBytes: 100 });
    setTimeout(() => sink.destroy(), 20);
    await expect(sending).rejects.toThrow(/closed/);
  });

  it("rejects when the file is shorter than the range", async () => {
    const { sink } = slowSink();
    await expect(sendFileRange({ path, start: 9_000, end: 20_000, out: sink })).rejects.toThrow(/ended before byte/);
  });
});
