/**
 * Orders strings by Unicode code point, which is how Rust orders `String`s (byte-wise UTF-8) and how Python's
 * `sort_keys` orders keys. JavaScript's `<` compares UTF-16 code units, which differs when a character above
 * U+FFFF meets one in U+E000–U+FFFF; the fixup below moves surrogates above that range.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
