// Wraps the lines over 120 characters that Biome's formatter leaves long: comments (a `//` run or a `/** */` block
// is re-wrapped at a space, its indentation and prefix kept, the overflow carried into the next line of the same
// paragraph) and string or template literals (split at a space into a `+` concatenation of the same text; a
// template is split only in its literal text, never inside `${}`). Touches only lines over the limit, so running it
// again changes nothing; run `npx biome format --write .` after it, then it again, until it changes nothing.
// Usage: node scripts/wrap-long-lines.mjs [file ...] (default: every file scripts/check-line-length.mjs checks).
import { readFileSync, writeFileSync } from "node:fs";
import ts from "typescript";
import { checkedFiles, limit, widthOf } from "./line-length-files.mjs";

const files = process.argv.length > 2 ? process.argv.slice(2) : checkedFiles();
let changed = 0;
for (const path of files) {
  const before = readFileSync(path, "utf8");
  const after = wrapComments(splitLiterals(path, before));
  if (after !== before) {
    writeFileSync(path, after);
    changed++;
  }
}
console.log(`wrap-long-lines: ${changed} files changed`);

/** The comment lines over the limit, re-wrapped; a line that is one unbreakable word stays as it is. */
function wrapComments(text) {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (widthOf(line) <= limit) continue;
    const single = /^(\s*)\/\*\*\s+(.*?)\s*\*\/$/.exec(line);
    if (single) {
      lines.splice(i, 1, `${single[1]}/**`, `${single[1]} * ${single[2]}`, `${single[1]} */`);
      i--;
      continue;
    }
    const comment = /^(\s*(?:\/\/|\*)\s?)(.*)$/.exec(line);
    if (!comment || (comment[1].trim() === "*" && !inBlockComment(lines, i))) continue;
    const [, prefix, body] = comment;
    const cut = breakAt(body, limit - widthOf(prefix));
    if (cut === undefined) continue;
    lines[i] = prefix + body.slice(0, cut).trimEnd();
    const rest = body.slice(cut).trimStart();
    const next = lines[i + 1];
    const nextBody = next?.startsWith(prefix) ? next.slice(prefix.length) : undefined;
    if (
      nextBody !== undefined &&
      /^[^\s\-*@|#`>]/.test(nextBody) &&
      !/^\d+[.)]\s/.test(nextBody) &&
      !/biome-ignore/.test(nextBody)
    ) {
      lines[i + 1] = `${prefix}${rest} ${nextBody}`;
    } else {
      lines.splice(i + 1, 0, prefix + rest);
    }
  }
  return lines.join("\n");
}

/** Whether line i is inside a `/* ... *\/` comment: the nearest line above that opens or closes one opens it. */
function inBlockComment(lines, i) {
  for (let j = i - 1; j >= 0; j--) {
    if (/\*\/\s*$/.test(lines[j])) return false;
    if (/^\s*\/\*/.test(lines[j])) return true;
  }
  return false;
}

/** The index of the last space in text at which the part before it fits in width, or undefined. */
function breakAt(text, width) {
  const chars = [...text];
  for (let k = Math.min(width, chars.length - 1); k > 0; k--) {
    if (chars[k] === " " && chars[k - 1] !== " ") return chars.slice(0, k).join("").length;
  }
  return undefined;
}

/** String and template literals on lines over the limit, split into concatenations of the same text. */
function splitLiterals(path, text) {
  if (!/\.(m?[jt]s)$/.test(path)) return text;
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const lineStarts = source.getLineStarts();
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line;
  const lineText = (line) => text.slice(lineStarts[line], (lineStarts[line + 1] ?? text.length + 1) - 1);
  const edits = [];
  const visit = (node) => {
    if (isCandidate(node)) {
      const start = node.getStart(source);
      const line = lineOf(start);
      if (line === lineOf(node.end) && widthOf(lineText(line)) > limit) {
        const edit = splitLiteral(node, source, text, start, lineText(line));
        if (edit) {
          edits.push(edit);
          return;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let out = text;
  for (const { start, end, replacement } of edits.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, start) + replacement + out.slice(end);
  }
  return out;
}

function isCandidate(node) {
  const literal = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
  if (!literal) return false;
  const parent = node.parent;
  if (!parent || !ts.isExpression(node)) return false;
  if (
    ts.isLiteralTypeNode(parent) ||
    ts.isImportDeclaration(parent) ||
    ts.isExportDeclaration(parent) ||
    ts.isExternalModuleReference(parent) ||
    ts.isModuleDeclaration(parent) ||
    ts.isTaggedTemplateExpression(parent) ||
    ts.isEnumMember(parent) ||
    ts.isImportTypeNode(parent) ||
    (ts.isPropertyAssignment(parent) && parent.name === node) ||
    (ts.isElementAccessExpression(parent) && parent.argumentExpression === node) ||
    ts.isComputedPropertyName(parent) ||
    (ts.isAsExpression(parent) && parent.type.getText() === "const")
  ) {
    return false;
  }
  if (
    ts.isCallExpression(parent) &&
    /InlineSnapshot|ThrowErrorMatchingInlineSnapshot/.test(parent.expression.getText())
  ) {
    return false;
  }
  if (ts.isCallExpression(parent) && /^(import|require)$/.test(parent.expression.getText())) return false;
  return true;
}

/** The literal at [start, node.end) cut at spaces of its text into pieces joined by ` +`. */
function splitLiteral(node, source, text, start, line) {
  const raw = text.slice(start, node.end);
  const quote = raw[0];
  // Where a cut may go: after a space of the literal text, never inside `${}`, never after a backslash.
  const textRanges = [];
  if (ts.isTemplateExpression(node)) {
    textRanges.push([node.head.getStart(source) + 1, node.head.end - 2]);
    for (const span of node.templateSpans) {
      const literalStart = span.literal.getStart(source) + 1;
      const literalEnd = span.literal.end - (ts.isTemplateTail(span.literal) ? 1 : 2);
      textRanges.push([literalStart, literalEnd]);
    }
  } else {
    textRanges.push([start + 1, node.end - 1]);
  }
  const cuts = [];
  for (const [from, to] of textRanges) {
    for (let p = from; p < to; p++) {
      if (text[p] !== " " || text[p + 1] === " " || text[p + 1] === undefined) continue;
      let slashes = 0;
      for (let q = p - 1; text[q] === "\\"; q--) slashes++;
      if (slashes % 2 === 0 && p + 1 < to + (ts.isTemplateExpression(node) ? 1 : 0)) cuts.push(p + 1);
    }
  }
  if (cuts.length === 0) return undefined;
  const indent = /^\s*/.exec(line)[0].length;
  const column = widthOf(text.slice(text.lastIndexOf("\n", start - 1) + 1, start));
  // What follows the literal on its line (`, async () => {`) stays after its last piece.
  const lineEnd = text.indexOf("\n", node.end) === -1 ? text.length : text.indexOf("\n", node.end);
  const tail = widthOf(text.slice(node.end, lineEnd).trim());
  const pieces = [];
  let from = start + 1;
  let width = limit - column - 3;
  while (true) {
    const fits = cuts.filter((c) => c > from && widthOf(text.slice(from, c)) + 2 <= width);
    const rest = text.slice(from, node.end - 1);
    if (widthOf(rest) + 2 + tail <= width || fits.length === 0) {
      if (fits.length === 0 && widthOf(rest) + 2 + tail > width) {
        const next = cuts.find((c) => c > from);
        if (next !== undefined && next < node.end - 1) {
          pieces.push(text.slice(from, next));
          from = next;
          width = limit - indent - 8;
          continue;
        }
      }
      pieces.push(rest);
      break;
    }
    const cut = fits.at(-1);
    pieces.push(text.slice(from, cut));
    from = cut;
    width = limit - indent - 8;
  }
  if (pieces.length < 2) return undefined;
  const literal = (piece) => {
    if (quote !== "`") return quote + piece + quote;
    if (!piece.includes("${") && !/[\\"]/.test(piece)) return `"${piece}"`;
    return `\`${piece}\``;
  };
  let replacement = pieces.map(literal).join(` +\n${" ".repeat(indent + 2)}`);
  if (needsParentheses(node)) replacement = `(${replacement})`;
  return { start, end: node.end, replacement };
}

function needsParentheses(node) {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) return true;
  if (ts.isCallExpression(parent) && parent.expression === node) return true;
  if (ts.isPrefixUnaryExpression(parent) || ts.isTypeOfExpression(parent) || ts.isAwaitExpression(parent)) return true;
  if (ts.isVoidExpression(parent) || ts.isNonNullExpression(parent) || ts.isAsExpression(parent)) return true;
  if (ts.isSatisfiesExpression(parent)) return true;
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    if (op === ts.SyntaxKind.PlusToken) return false;
    const k = ts.SyntaxKind;
    return [k.AsteriskToken, k.SlashToken, k.PercentToken, k.AsteriskAsteriskToken, k.MinusToken].includes(op);
  }
  return false;
}
