import fc from 'fast-check';
import { jsonErrorPosition } from '../../../cli/json-error';

/*
 * The position the CLI reports for a snapshot that is not JSON comes from its
 * own scanner, since JSON.parse's message quotes the text. The scanner must
 * agree with JSON.parse on what is JSON (RFC 8259, https://www.rfc-editor.org/rfc/rfc8259).
 */

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Characters JSON is made of, so random texts are often nearly JSON. */
const jsonish = fc.string({
  unit: fc.constantFrom(...'{}[]":,. \n\\-+0123456789eEaflnrstu\u0001'.split('')),
  maxLength: 30,
});

describe('the position of a JSON error', () => {
  it('finds no error in any JSON text', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(jsonErrorPosition(text)).toBeUndefined();
      }),
    );
  });

  it('finds an error exactly when JSON.parse fails, inside the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          jsonish,
          fc.json().map((j) => j.slice(0, -1)),
        ),
        (text) => {
          const position = jsonErrorPosition(text);
          expect(position === undefined).toBe(parses(text));
          if (position !== undefined) {
            expect(position.offset).toBeGreaterThanOrEqual(0);
            expect(position.offset).toBeLessThanOrEqual(text.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['root:x:0:0:root:/root:/bin/bash', { line: 1, column: 1, offset: 0 }],
    ['{"a":\n tru}', { line: 2, column: 2, offset: 7 }],
    ['[1, 2,]', { line: 1, column: 7, offset: 6 }],
    ['{"a": "b\\x"}', { line: 1, column: 10, offset: 9 }],
    ['{"a": 1} trailing', { line: 1, column: 10, offset: 9 }],
    ['', { line: 1, column: 1, offset: 0 }],
  ])('puts the error in %j at %j', (text, position) => {
    expect(jsonErrorPosition(text)).toEqual(position);
  });
});
