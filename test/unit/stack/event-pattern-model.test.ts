import { matchesPattern } from '../../support/event-pattern';

describe('the model of EventBridge pattern matching', () => {
  const event = {
    source: 'aws.config',
    detail: { eventName: 'PutRemediationConfigurations', items: [{ name: 'a' }, { name: 'b' }] },
  };

  it('matches a leaf when the event’s value is one of the pattern’s values, and needs every field', () => {
    expect(matchesPattern({ source: ['aws.s3', 'aws.config'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.s3'] }, event)).toBe(false);
    expect(
      matchesPattern(
        { source: ['aws.config'], detail: { eventName: ['DeleteConfigRule'] } },
        event,
      ),
    ).toBe(false);
    expect(matchesPattern({ detail: { missing: ['x'] } }, event)).toBe(false);
  });

  it('descends into each item of a list in the event', () => {
    expect(matchesPattern({ detail: { items: { name: ['b'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { items: { name: ['c'] } } }, event)).toBe(false);
  });

  it('holds $or when any of its patterns holds', () => {
    const either = (name: string) => ({
      detail: { $or: [{ eventName: ['DeleteConfigRule'] }, { items: { name: [name] } }] },
    });
    expect(matchesPattern(either('a'), event)).toBe(true);
    expect(matchesPattern(either('z'), event)).toBe(false);
  });

  it('refuses a comparison operator rather than guessing', () => {
    expect(() => matchesPattern({ source: [{ prefix: 'aws.' }] }, event)).toThrow(
      'The model does not evaluate {"prefix":"aws."}',
    );
  });
});
