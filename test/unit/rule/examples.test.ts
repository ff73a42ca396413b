import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AccountVerdict, evaluateAccount } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS, parameterValues } from '../../../rule/parameters';
import { type AccountTrailState, accountTrailStateSchema } from '../../../rule/state';

const EXAMPLES = join(__dirname, '../../..', 'examples');

/**
 * What each example is there to show. A new example needs a line here (and
 * in examples/README.md), or the first test fails.
 */
const EXPECTED: Record<string, AccountVerdict['compliance']> = {
  'compliant-default-trail.json': 'COMPLIANT',
  'write-only-trail.json': 'NON_COMPLIANT',
  'advanced-selectors-exclude-kms.json': 'NON_COMPLIANT',
  'advanced-selectors-kms-logged-by-another.json': 'COMPLIANT',
  'split-read-write-selectors.json': 'COMPLIANT',
  'shadow-trail-other-region.json': 'COMPLIANT',
  'organization-trail-member-view.json': 'COMPLIANT',
  'logging-stopped.json': 'NON_COMPLIANT',
  'single-region-trail.json': 'NON_COMPLIANT',
  'data-events-only.json': 'NON_COMPLIANT',
  'no-trails.json': 'NON_COMPLIANT',
  'own-trail-selectors-access-denied.json': 'UNDECIDED',
};

const ISO_OR_EMPTY = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z)?$/;

const files = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.json'))
  .sort();

function load(file: string): AccountTrailState {
  return accountTrailStateSchema.parse(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')));
}

function evaluate(file: string, parameters: Record<string, string> = {}): AccountVerdict {
  return evaluateAccount(load(file), parameterValues(parameters));
}

describe('example snapshots', () => {
  it('has an expected verdict for every example file, and a file for every expected verdict', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s evaluates to %s', (file, expected) => {
    expect(evaluateAccount(load(file), { ...DEFAULT_PARAMETERS }).compliance).toBe(expected);
  });

  it('lists every example with its verdict in examples/README.md', () => {
    const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([^`]+)` +\|.*\| (\w+) +\|$/gm)];

    expect(Object.fromEntries(rows.map(([, file, verdict]) => [file, verdict]))).toEqual(EXPECTED);
  });

  it.each(files)('%s is a snapshot of account 111122223333 in real CloudTrail shapes', (file) => {
    const state = load(file);

    expect(state.accountId).toBe('111122223333');
    expect(JSON.stringify(state)).not.toContain('$metadata');
    for (const { trail, status, eventSelectors } of state.trails) {
      // DescribeTrails names every trail by an ARN in its home Region and owner account.
      expect(trail.TrailARN).toMatch(
        new RegExp(`^arn:aws:cloudtrail:${trail.HomeRegion}:\\d{12}:trail/${trail.Name}$`),
      );
      expect(typeof trail.IsMultiRegionTrail).toBe('boolean');
      expect(typeof trail.IsOrganizationTrail).toBe('boolean');
      // A snapshot reads every trail fully.
      expect(status).toBeDefined();
      expect(eventSelectors).toBeDefined();
      if (eventSelectors !== undefined && 'response' in eventSelectors) {
        expect(eventSelectors.response.TrailARN).toBe(trail.TrailARN);
      }
      if (status !== undefined && 'response' in status) {
        for (const [field, value] of Object.entries(status.response)) {
          // Timestamps are ISO strings; CloudTrail leaves the ones that never happened empty.
          if (field.endsWith('Time')) expect(value).toMatch(ISO_OR_EMPTY);
        }
      }
    }
  });
});

describe('what the examples teach', () => {
  it('passes the shadow trail of another home Region when read from eu-west-1', () => {
    const verdict = evaluate('shadow-trail-other-region.json');

    expect(load('shadow-trail-other-region.json').region).toBe('eu-west-1');
    expect(verdict.compliance === 'COMPLIANT' && verdict.passing.homeRegion).toBe('us-east-1');
  });

  it('trusts the organization trail only while trustOrganizationTrails is true', () => {
    expect(evaluate('organization-trail-member-view.json').compliance).toBe('COMPLIANT');
    expect(
      evaluate('organization-trail-member-view.json', { trustOrganizationTrails: 'false' })
        .compliance,
    ).toBe('NON_COMPLIANT');
  });

  it('passes the write-only trail when only write events are required', () => {
    expect(evaluate('write-only-trail.json', { readWriteType: 'WriteOnly' }).compliance).toBe(
      'COMPLIANT',
    );
  });

  it('names KMS as the source the excluding selector leaves out', () => {
    const verdict = evaluate('advanced-selectors-exclude-kms.json');

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toContain(
      'kms.amazonaws.com',
    );
  });
});
