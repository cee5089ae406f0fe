/**
 * One regular expression written as several literals, for a pattern too long for a 120-column line (a message a
 * spec matches whole): the pieces' sources joined in order, their flags merged. Each piece is a pattern of its own,
 * so a group or a character class stays within one piece.
 */
export function joinPatterns(...pieces: RegExp[]): RegExp {
  const flags = [...new Set(pieces.flatMap((piece) => [...piece.flags]))].join("");
  return new RegExp(pieces.map((piece) => piece.source).join(""), flags);
}
