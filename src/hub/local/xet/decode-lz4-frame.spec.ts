import { describe, expect, it } from "vitest";
import { regroupBg4 } from "./decode-chunk.js";
import { decodeLz4Frame, Lz4Error } from "./decode-lz4-frame.js";

/** An LZ4 frame around the given blocks (`raw` ones are stored uncompressed); header checksum byte unchecked. */
function frame(blocks: Array<{ data: number[]; raw?: boolean }>, flags = 0x60): Uint8Array {
  const bytes = [0x04, 0x22, 0x4d, 0x18, flags, 0x40];
  if (flags & 0x08) bytes.push(0, 0, 0, 0, 0, 0, 0, 0);
  bytes.push(0x00);
  for (const block of blocks) {
    const size = block.data.length | (block.raw ? 0x80000000 : 0);
    bytes.push(size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, (size >>> 24) & 0xff, ...block.data);
    if (flags & 0x10) bytes.push(0xaa, 0xbb, 0xcc, 0xdd);
  }
  bytes.push(0, 0, 0, 0);
  if (flags & 0x04) bytes.push(0x11, 0x22, 0x33, 0x44);
  return Uint8Array.from(bytes);
}

const text = (s: string): number[] => [...Buffer.from(s)];

describe("decodeLz4Frame", () => {
  it("decodes literals, a back-reference and an overlapping run (a match shorter than its offset's reach)", () => {
    // "abcd" + match(offset 4, length 8) -> "abcdabcdabcd"; then "x" + match(offset 1, length 6) -> "xxxxxxx"; then
    // "!".
    const block = [0x44, ...text("abcd"), 4, 0, 0x12, ...text("x"), 1, 0, 0x10, ...text("!")];
    expect(Buffer.from(decodeLz4Frame(frame([{ data: block }]), 20)).toString()).toBe("abcdabcdabcdxxxxxxx!");
  });

  it("reads extended lengths (15 + 255 + …), stored blocks and matches reaching into an earlier block", () => {
    const literals = Array.from({ length: 300 }, (_, i) => 65 + (i % 26));
    const long = [0xf0, 255, 30, ...literals]; // 15 + 255 + 30 = 300 literals
    const linked = [0x0f, 44, 1, 255, 2]; // no literals, match offset 300, length 4 + 15 + 255 + 2 = 276
    const out = decodeLz4Frame(
      frame([{ data: long }, { data: text("RAW"), raw: true }, { data: linked }]),
      300 + 3 + 276,
    );
    expect(Buffer.from(out.subarray(0, 300))).toEqual(Buffer.from(literals));
    expect(Buffer.from(out.subarray(300, 303)).toString()).toBe("RAW");
    // Offset 300 from position 303 starts at byte 3 of the first block.
    expect(Buffer.from(out.subarray(303))).toEqual(Buffer.from(literals.slice(3, 279)));
  });

  it("skips block and content checksums and the content-size field", () => {
    const withChecksums = frame(
      [{ data: [0x50, ...text("hello")] }, { data: text("!"), raw: true }],
      0x60 | 0x10 | 0x08 | 0x04,
    );
    expect(Buffer.from(decodeLz4Frame(withChecksums, 6)).toString()).toBe("hello!");
  });

  it("refuses bad magic, truncation, a match before the start, output longer or shorter than declared", () => {
    const good = frame([{ data: [0x50, ...text("hello")] }]);
    const badMagic = Uint8Array.from(good);
    badMagic[0] = 0;
    expect(() => decodeLz4Frame(badMagic, 5)).toThrow(/magic/);
    expect(() => decodeLz4Frame(good.subarray(0, good.length - 6), 5)).toThrow(/truncated/);
    expect(() => decodeLz4Frame(frame([{ data: [0x10, ...text("a"), 9, 0] }]), 10)).toThrow(/before the start/);
    expect(() => decodeLz4Frame(good, 4)).toThrow(/more bytes/);
    expect(() => decodeLz4Frame(good, 6)).toThrow(/5 bytes, not the 6/);
    expect(() => decodeLz4Frame(good, 6)).toThrow(Lz4Error);
    expect(() => decodeLz4Frame(frame([{ data: [0x50, ...text("hello")] }], 0x61), 5)).toThrow(/dictionary/);
  });
});

describe("regroupBg4", () => {
  it("interleaves the four byte planes back, the first n mod 4 planes one byte longer", () => {
    // Bytes 0..9 grouped: plane 0 = 0,4,8; plane 1 = 1,5,9; plane 2 = 2,6; plane 3 = 3,7.
    expect([...regroupBg4(Uint8Array.from([0, 4, 8, 1, 5, 9, 2, 6, 3, 7]))]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...regroupBg4(Uint8Array.from([]))]).toEqual([]);
    // Every remainder: grouping as the encoder does (plane i gets bytes i, i+4, …) and regrouping gives the bytes back.
    for (let n = 1; n <= 21; n++) {
      const bytes = Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
      const grouped = [0, 1, 2, 3].flatMap((plane) => bytes.filter((_, i) => i % 4 === plane));
      expect([...regroupBg4(Uint8Array.from(grouped))], `${n} bytes`).toEqual(bytes);
    }
  });
});
