/**
 * Where a text stops being JSON, as a position only. `JSON.parse`'s own
 * message quotes the text around the error (`Unexpected token 'r',
 * "root:x:0:0:..." is not valid JSON`), which would echo a file that is not
 * a snapshot, such as a password file, back to the terminal or a CI log.
 */

/** A position in a text: 1-based line and column, and the 0-based character offset. */
export interface TextPosition {
  line: number;
  column: number;
  offset: number;
}

/** Thrown inside the scanner at the first character that cannot continue the JSON text. */
class Stop {
  constructor(readonly offset: number) {}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * The position of the first character at which `text` is not JSON (RFC 8259,
 * as `JSON.parse` reads it), or `undefined` when it is JSON or is nested too
 * deeply to scan.
 *
 * @example
 * jsonErrorPosition('{"a":\n tru}') // => { line: 2, column: 2, offset: 7 }
 */
export function jsonErrorPosition(text: string): TextPosition | undefined {
  let i = 0;
  const stop = (): never => {
    throw new Stop(i);
  };
  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text.charAt(i))) i++;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) stop();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) stop();
      if (c !== 0x5c) {
        i++;
        continue;
      }
      const escaped = text.charAt(i + 1);
      if (ESCAPES.has(escaped)) {
        i += 2;
        continue;
      }
      HEX4.lastIndex = i + 2;
      if (escaped !== 'u' || !HEX4.test(text)) {
        i++;
        stop();
      }
      i += 6;
    }
  };
  const value = (): void => {
    skipWhitespace();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      skipWhitespace();
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text.charAt(i) !== '"') stop();
        string();
        skipWhitespace();
        if (text.charAt(i) !== ':') stop();
        i++;
        value();
        skipWhitespace();
        const next = text.charAt(i++);
        if (next === '}') return;
        if (next !== ',') {
          i--;
          stop();
        }
      }
    }
    if (c === '[') {
      i++;
      skipWhitespace();
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWhitespace();
        const next = text.charAt(i++);
        if (next === ']') return;
        if (next !== ',') {
          i--;
          stop();
        }
      }
    }
    if (c === '"') {
      string();
      return;
    }
    LITERAL.lastIndex = i;
    const literal = LITERAL.exec(text);
    if (literal === null) stop();
    i += literal?.[0].length ?? 0;
  };

  let offset: number;
  try {
    value();
    skipWhitespace();
    if (i === text.length) return undefined;
    offset = i;
  } catch (error) {
    if (error instanceof Stop) offset = error.offset;
    else if (error instanceof RangeError)
      return undefined; // nested deeper than the stack
    else throw error;
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n'), offset };
}
