import { InternalError } from "../errors.js";

/** A ByteSource read outside [0, size] is a bug in the caller: validated headers never ask for one. */
export function checkRange(name: string, size: number, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > size) {
    throw new InternalError(
      `${name}: a read of bytes [${start}, ${end}) is outside the file's ${size} bytes; this is a bug in tvhub, ` +
        "please report it.",
      {
        code: "BYTE_RANGE",
        subject: name,
      },
    );
  }
}
