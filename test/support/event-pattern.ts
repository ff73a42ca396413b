/*
 * A small model of how EventBridge matches an event against an event
 * pattern, for the patterns the deployment writes: every field of the
 * pattern must match; a leaf is a list of exact values, and matches when the
 * event's value (or any item of the event's list) equals one of them; an
 * object descends into the event's object, or into each item of the
 * event's list; `$or` holds when any of its patterns does. A comparison
 * operator ({ "prefix": ... }, { "anything-but": ... }) is refused, never
 * guessed at.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `event` matches `pattern`. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected)) throw new Error('$or takes a list of patterns');
      return expected.some((p) => {
        if (!isObject(p)) throw new Error('$or takes a list of patterns');
        return matchesPattern(p, event);
      });
    }
    if (!isObject(event)) return false;
    return matchesField(expected, event[key]);
  });
}

function matchesField(expected: unknown, actual: unknown): boolean {
  if (actual === undefined) return false;
  if (Array.isArray(expected)) {
    for (const value of expected) {
      if (isObject(value)) throw new Error(`The model does not evaluate ${JSON.stringify(value)}`);
    }
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((v) => expected.some((e) => e === (v as Json)));
  }
  if (isObject(expected)) {
    const items = Array.isArray(actual) ? actual : [actual];
    return items.some((item) => matchesPattern(expected, item));
  }
  throw new Error(`A pattern field is a list or an object, not ${JSON.stringify(expected)}`);
}
