/**
 * A decoder for the LZ4 *frame* format (magic 0x184D2204), which is what Xet chunks hold (xet-core compresses them
 * with lz4_flex::frame). Decoding is strict: the output must be exactly `expectedSize` bytes, every length and match
 * offset is bounds-checked, and anything malformed throws (the caller turns that into a refusal of the upload).
 * Checksums are skipped: the chunk's keyed blake3 hash, checked by the caller, covers the decoded bytes anyway.
 */
export function decodeLz4Frame(input: Uint8Array, expectedSize: number): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let pos = 0;
  let written = 0;
  const need = (count: number): void => {
    if (pos + count > input.length) throw new Lz4Error("the frame is truncated");
  };
  need(7);
  const magic = input[0]! | (input[1]! << 8) | (input[2]! << 16) | (input[3]! << 24);
  if (magic >>> 0 !== 0x184d2204) throw new Lz4Error("it does not start with the LZ4 frame magic number");
  const flags = input[4]!;
  if (flags >> 6 !== 1) throw new Lz4Error(`frame version ${flags >> 6} is not 1`);
  if (flags & 0x01) throw new Lz4Error("it needs a dictionary");
  const blockChecksums = (flags & 0x10) !== 0;
  const contentChecksum = (flags & 0x04) !== 0;
  pos = 6 + (flags & 0x08 ? 8 : 0) + 1; // FLG, BD, optional content size, header checksum
  for (;;) {
    need(4);
    const word = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    need(size + (blockChecksums ? 4 : 0));
    if (word & 0x80000000) {
      if (written + size > expectedSize) throw new Lz4Error("it decodes to more bytes than the chunk header says");
      out.set(input.subarray(pos, pos + size), written);
      written += size;
    } else {
      // Matches may reach back into earlier blocks (linked blocks), so every block decodes into the one output.
      written = decodeBlock(input.subarray(pos, pos + size), out, written);
    }
    pos += size + (blockChecksums ? 4 : 0);
  }
  if (contentChecksum) need(4);
  if (written !== expectedSize)
    throw new Lz4Error(`it decodes to ${written} bytes, not the ${expectedSize} the chunk header says`);
  return out;
}

export class Lz4Error extends Error {
  constructor(reason: string) {
    super(`The LZ4 data is not valid: ${reason}.`);
  }
}

/** One LZ4 block: sequences of literals and back-references, the last of which has literals only. */
function decodeBlock(block: Uint8Array, out: Uint8Array, start: number): number {
  let pos = 0;
  let written = start;
  const readLength = (base: number): number => {
    let length = base;
    if (base === 15) {
      let byte: number;
      do {
        if (pos >= block.length) throw new Lz4Error("a length runs past the end of a block");
        byte = block[pos++]!;
        length += byte;
      } while (byte === 255);
    }
    return length;
  };
  while (pos < block.length) {
    const token = block[pos++]!;
    const literals = readLength(token >> 4);
    if (pos + literals > block.length) throw new Lz4Error("literals run past the end of a block");
    if (written + literals > out.length) throw new Lz4Error("it decodes to more bytes than the chunk header says");
    // Short runs (most of them, in weights) are cheaper copied by hand than through a subarray.
    if (literals < 32) {
      for (let i = 0; i < literals; i++) out[written + i] = block[pos + i]!;
    } else {
      out.set(block.subarray(pos, pos + literals), written);
    }
    pos += literals;
    written += literals;
    if (pos === block.length) break;
    if (pos + 2 > block.length) throw new Lz4Error("a match offset is cut off");
    const offset = block[pos]! | (block[pos + 1]! << 8);
    pos += 2;
    if (offset === 0 || offset > written) throw new Lz4Error("a match points before the start of the data");
    const length = readLength(token & 15) + 4;
    if (written + length > out.length) throw new Lz4Error("it decodes to more bytes than the chunk header says");
    if (offset >= length && length >= 32) {
      out.copyWithin(written, written - offset, written - offset + length);
      written += length;
    } else {
      // Short matches, and overlapping ones (which repeat the last `offset` bytes), byte by byte.
      for (let i = 0; i < length; i++, written++) out[written] = out[written - offset]!;
    }
  }
  return written;
}
