import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_ANNOTATION_LENGTH } from '../../../rule/annotation';
import { evaluateAccount } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS, type RuleParameters } from '../../../rule/parameters';
import type { TrailState } from '../../../rule/state';
import { undecidedOutcome } from '../../../rule/undecided';
import {
  ACCOUNT,
  accountState,
  advancedSelectors,
  basicSelector,
  basicSelectors,
  MANAGEMENT_ACCOUNT,
  managementSelector,
  organizationTrail,
  readTrail,
  s3DataSelector,
  status,
  trail,
} from '../../support/fixtures';

const params = (overrides: Partial<RuleParameters> = {}): RuleParameters => ({
  ...DEFAULT_PARAMETERS,
  ...overrides,
});

const verdictOf = (trails: TrailState[], overrides: Partial<RuleParameters> = {}) =>
  evaluateAccount(accountState(trails), params(overrides));

/** A trail with the given basic selectors. */
const withBasic = (...selectors: Parameters<typeof basicSelector>[0][]) => {
  const t = trail();
  return readTrail(t, { selectors: basicSelectors(t.TrailARN, selectors.map(basicSelector)) });
};

/** A trail with the given advanced selectors. */
const withAdvanced = (...selectors: Parameters<typeof advancedSelectors>[1]) => {
  const t = trail();
  return readTrail(t, { selectors: advancedSelectors(t.TrailARN, selectors) });
};

/** The "What it checks" table of docs/verdict.md, as `condition | verdict` rows. */
function docRows(): string[] {
  const doc = readFileSync(join(__dirname, '../../..', 'docs', 'verdict.md'), 'utf8');
  const section = doc.slice(doc.indexOf('# What it checks'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('\n|')));
  return table
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim())
        .join(' | '),
    );
}

const rows: string[] = [];

/** A test that is a row of docs/verdict.md's table: named after it, and checked against it. */
function row(condition: string, verdict: string, body: () => void): void {
  rows.push(`${condition} | ${verdict}`);
  it(`${condition} → ${verdict}`, body);
}

describe('CloudTrail.1 verdict (docs/verdict.md conditions → verdicts)', () => {
  it('has one test per row of the docs/verdict.md table, in its order', () => {
    expect(rows).toEqual(docRows());
  });

  row('no trail is visible', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /No CloudTrail trail/,
    );
  });

  row('a multi-Region trail, logging, with the default selector', 'COMPLIANT', () => {
    const verdict = verdictOf([readTrail(trail())]);

    expect(verdict.compliance).toBe('COMPLIANT');
    expect(verdict.compliance === 'COMPLIANT' && verdict.annotation).toContain('management-events');
  });

  row(
    'a trail with no event selectors at all (CloudTrail logs all management events)',
    'COMPLIANT',
    () => {
      const t = trail();
      const verdict = verdictOf([readTrail(t, { selectors: { TrailARN: t.TrailARN } })]);

      expect(verdict.compliance).toBe('COMPLIANT');
    },
  );

  row('the only trails are single-Region', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([readTrail(trail({ IsMultiRegionTrail: false }))]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /not multi-Region/,
    );
  });

  row('the multi-Region trail has logging stopped', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([readTrail(trail(), { logging: false })]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /logging is stopped/,
    );
  });

  row('a write-only basic selector', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([withBasic({ ReadWriteType: 'WriteOnly' })]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /no read management events/,
    );
  });

  row('a read-only basic selector', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([withBasic({ ReadWriteType: 'ReadOnly' })]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /no write management events/,
    );
  });

  row('a read-only selector plus a write-only selector', 'COMPLIANT', () => {
    const verdict = verdictOf([
      withBasic({ ReadWriteType: 'ReadOnly' }, { ReadWriteType: 'WriteOnly' }),
    ]);

    expect(verdict.compliance).toBe('COMPLIANT');
  });

  row('selectors log data events only (`IncludeManagementEvents: false`)', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([
      withBasic({
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
      }),
    ]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
  });

  row(
    'a basic selector excludes event sources (`ExcludeManagementEventSources`)',
    'NON_COMPLIANT',
    () => {
      const verdict = verdictOf([
        withBasic({
          ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'],
        }),
      ]);

      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toContain(
        'kms.amazonaws.com',
      );
    },
  );

  row('a source excluded by one selector is logged by another', 'COMPLIANT', () => {
    const verdict = verdictOf([
      withBasic({ ExcludeManagementEventSources: ['kms.amazonaws.com'] }, {}),
    ]);

    expect(verdict.compliance).toBe('COMPLIANT');
  });

  row(
    'an advanced selector on `eventCategory = Management` alone (data selectors beside it are fine)',
    'COMPLIANT',
    () => {
      const verdict = verdictOf([withAdvanced(managementSelector(), s3DataSelector)]);

      expect(verdict.compliance).toBe('COMPLIANT');
    },
  );

  row('an advanced selector limited to `readOnly = true`', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([
      withAdvanced(managementSelector([{ Field: 'readOnly', Equals: ['true'] }])),
    ]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /no write management events from any source/,
    );
  });

  row(
    'an advanced selector that excludes an event source (`NotEquals`, `NotStartsWith`, …)',
    'NON_COMPLIANT',
    () => {
      const verdict = verdictOf([
        withAdvanced(
          managementSelector([{ Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }]),
        ),
      ]);

      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toContain(
        'kms.amazonaws.com',
      );
    },
  );

  row(
    'the only management selector also narrows on another field (e.g. `eventName`): not counted, and the annotation says so',
    'NON_COMPLIANT',
    () => {
      const verdict = verdictOf([
        withAdvanced(
          managementSelector([{ Field: 'eventName', NotEquals: ['Decrypt'] }], 'almost everything'),
        ),
      ]);

      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
        /not counted.*almost everything/,
      );
    },
  );

  row('a passing shadow trail homed in another Region', 'COMPLIANT', () => {
    const shadow = trail({ Name: 'central', HomeRegion: 'eu-west-1' });
    const local = trail({ Name: 'local', HomeRegion: 'us-west-2', IsMultiRegionTrail: false });

    const verdict = evaluateAccount(
      accountState([readTrail(local), readTrail(shadow)], 'us-west-2'),
      params(),
    );

    expect(verdict.compliance === 'COMPLIANT' && verdict.passing.homeRegion).toBe('eu-west-1');
  });

  row(
    'a logging multi-Region organization trail whose selectors the member account cannot read (`trustOrganizationTrails` true, the default)',
    'COMPLIANT',
    () => {
      const org = organizationTrail();
      const verdict = verdictOf([
        {
          trail: org,
          status: { response: status(true) },
          eventSelectors: {
            error: { name: 'AccessDeniedException', message: 'not authorized for this trail' },
          },
        },
      ]);

      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.compliance === 'COMPLIANT' && verdict.annotation).toMatch(/trusted/);
    },
  );

  row('the same with `trustOrganizationTrails` false', 'NON_COMPLIANT', () => {
    const org = organizationTrail();
    const verdict = verdictOf(
      [
        {
          trail: org,
          status: { response: status(true) },
          eventSelectors: {
            error: { name: 'CloudTrailARNInvalidException', message: 'ARN is not valid' },
          },
        },
      ],
      { trustOrganizationTrails: false },
    );

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      new RegExp(`account ${MANAGEMENT_ACCOUNT}.*trustOrganizationTrails is false`),
    );
  });

  row('one trail passes and another could not be read', 'COMPLIANT', () => {
    const unreadable: TrailState = {
      trail: trail({ Name: 'locked' }),
      status: { error: { name: 'AccessDeniedException', message: 'User is not authorized' } },
    };

    const verdict = verdictOf([unreadable, readTrail(trail({ Name: 'open' }))]);

    expect(verdict.compliance === 'COMPLIANT' && verdict.passing.name).toBe('open');
  });

  row(
    'none passes and one could not be read (AccessDenied, throttled after retries)',
    '**error**: no evaluation is sent; past `undecidedWindowHours` since the last decided verdict, NON_COMPLIANT "could not verify since …"',
    () => {
      const unreadable: TrailState = {
        trail: trail({ Name: 'locked' }),
        status: { response: status(true) },
        eventSelectors: {
          error: { name: 'AccessDeniedException', message: 'User is not authorized' },
        },
      };

      const verdict = verdictOf([
        unreadable,
        readTrail(trail({ Name: 'off' }), { logging: false }),
      ]);

      expect(verdict.compliance).toBe('UNDECIDED');
      expect(verdict.compliance === 'UNDECIDED' && verdict.reason).toMatch(
        /trail\/locked: GetEventSelectors failed: AccessDeniedException/,
      );
      // The rule's side of it (test/unit/rule/fail-closed.test.ts runs the handler).
      const decided = { complianceType: 'COMPLIANT', resultRecordedTime: new Date(0) };
      const hoursLater = (hours: number) =>
        undecidedOutcome({
          last: decided,
          now: new Date(hours * 3_600_000),
          windowHours: 48,
          reason: 'x',
        });
      expect(hoursLater(48).action).toBe('fail');
      expect(hoursLater(48.001)).toMatchObject({
        action: 'report',
        annotation: 'could not verify since 1970-01-01T00:00:00.000Z: x',
      });
    },
  );

  row(
    'a trail deleted between listing and reading (`TrailNotFoundException`)',
    'treated as absent',
    () => {
      const deleted: TrailState = {
        trail: trail({ Name: 'deleted' }),
        status: { error: { name: 'TrailNotFoundException', message: 'Unknown trail' } },
        eventSelectors: { error: { name: 'TrailNotFoundException', message: 'Unknown trail' } },
      };

      const verdict = verdictOf([deleted]);

      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.trails).toHaveLength(0);
    },
  );

  row(
    'the passing trail delivers to another bucket than `s3BucketName` (likewise `snsTopicArn`, `cloudWatchLogsLogGroupArn`)',
    'NON_COMPLIANT',
    () => {
      const verdict = verdictOf([readTrail(trail({ S3BucketName: 'team-a-trail' }))], {
        s3BucketName: 'central-audit-logs',
      });

      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
        /S3 bucket is team-a-trail, not central-audit-logs/,
      );
    },
  );

  const notDelivering = (): TrailState => {
    const t = trail();
    return {
      ...readTrail(t),
      status: { response: { ...status(true), LatestDeliveryError: 'NoSuchBucket' } },
    };
  };

  row(
    'a logging trail whose last delivery failed (`LatestDeliveryError`, or nothing delivered for over an hour), `requireDelivery` false (the default)',
    'COMPLIANT, and the annotation names the error',
    () => {
      const verdict = verdictOf([notDelivering()]);

      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.compliance === 'COMPLIANT' && verdict.annotation).toContain(
        'not delivering: last delivery failed with NoSuchBucket',
      );
    },
  );

  row('the same with `requireDelivery` true', 'NON_COMPLIANT', () => {
    const verdict = verdictOf([notDelivering()], { requireDelivery: true });

    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toContain(
      'delivery failing: last delivery failed with NoSuchBucket',
    );
  });
});

describe('CloudTrail.1 parameters', () => {
  it('s3BucketName: passes the trail that delivers to that bucket', () => {
    const verdict = verdictOf(
      [
        readTrail(trail({ Name: 'other', S3BucketName: 'team-a-trail' })),
        readTrail(trail({ Name: 'central', S3BucketName: 'central-audit-logs' })),
      ],
      { s3BucketName: 'central-audit-logs' },
    );

    expect(verdict.compliance === 'COMPLIANT' && verdict.passing.name).toBe('central');
  });

  it('snsTopicArn: compares with the trail SnsTopicARN', () => {
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:trail-notifications`;
    const withTopic = trail({ SnsTopicName: topic, SnsTopicARN: topic });

    expect(verdictOf([readTrail(withTopic)], { snsTopicArn: topic }).compliance).toBe('COMPLIANT');
    expect(verdictOf([readTrail(trail())], { snsTopicArn: topic }).compliance).toBe(
      'NON_COMPLIANT',
    );
  });

  it('cloudWatchLogsLogGroupArn: matches with or without the trailing ":*"', () => {
    const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-cloudtrail-logs`;
    const t = trail({ CloudWatchLogsLogGroupArn: `${group}:*` });

    expect(verdictOf([readTrail(t)], { cloudWatchLogsLogGroupArn: group }).compliance).toBe(
      'COMPLIANT',
    );
    expect(
      verdictOf([readTrail(trail())], { cloudWatchLogsLogGroupArn: `${group}:*` }).compliance,
    ).toBe('NON_COMPLIANT');
  });

  it('includeManagementEvents false: a data-only trail passes when multi-Region and logging', () => {
    const dataOnly = withBasic({ IncludeManagementEvents: false });

    expect(verdictOf([dataOnly], { includeManagementEvents: false }).compliance).toBe('COMPLIANT');
  });

  it('readWriteType WriteOnly: a write-only selector passes', () => {
    const writeOnly = withBasic({ ReadWriteType: 'WriteOnly' });

    expect(verdictOf([writeOnly], { readWriteType: 'WriteOnly' }).compliance).toBe('COMPLIANT');
  });

  it('readWriteType ReadOnly: a write-only selector fails', () => {
    const writeOnly = withBasic({ ReadWriteType: 'WriteOnly' });

    expect(verdictOf([writeOnly], { readWriteType: 'ReadOnly' }).compliance).toBe('NON_COMPLIANT');
  });

  it('readWriteType ALL: requires reads and writes (the default)', () => {
    const writeOnly = withBasic({ ReadWriteType: 'WriteOnly' });

    expect(verdictOf([writeOnly], { readWriteType: 'ALL' }).compliance).toBe('NON_COMPLIANT');
  });

  it('trustOrganizationTrails: does not trust an organization trail that is not logging', () => {
    const verdict = verdictOf([
      {
        trail: organizationTrail(),
        status: { response: status(false) },
        eventSelectors: { error: { name: 'AccessDeniedException', message: 'denied' } },
      },
    ]);

    expect(verdict.compliance).toBe('NON_COMPLIANT');
  });
});

describe('CloudTrail.1 annotation', () => {
  describe('when the parameters weaken the control', () => {
    const PREFIX =
      'Custom parameters (readWriteType=WriteOnly), not CloudTrail.1 as Security Hub defines it: ';
    const annotationOf = (verdict: ReturnType<typeof verdictOf>) =>
      verdict.compliance === 'UNDECIDED' ? verdict.reason : verdict.annotation;

    it('says so first when a trail passes', () => {
      const verdict = verdictOf([withBasic({ ReadWriteType: 'WriteOnly' })], {
        readWriteType: 'WriteOnly',
      });

      expect(verdict.compliance).toBe('COMPLIANT');
      expect(annotationOf(verdict)).toBe(
        `${PREFIX}Trail management-events (us-east-1) is multi-Region, logging and records write management events from every source.`,
      );
    });

    it('says so first when no trail passes', () => {
      const verdict = verdictOf([readTrail(trail(), { logging: false })], {
        readWriteType: 'WriteOnly',
      });

      expect(annotationOf(verdict)).toBe(
        `${PREFIX}no trail passes. Closest: management-events (us-east-1): logging is stopped.`,
      );
    });

    it('names both parameters when management events are not required at all', () => {
      const verdict = verdictOf([], { includeManagementEvents: false, readWriteType: 'ReadOnly' });

      expect(annotationOf(verdict)).toBe(
        'Custom parameters (includeManagementEvents=false, readWriteType=ReadOnly), not CloudTrail.1 as Security Hub defines it: No CloudTrail trail is visible from us-east-1: create a multi-Region trail.',
      );
    });

    it('keeps the notice within 256 characters, cutting the rest, with the longest names', () => {
      const org = organizationTrail({ Name: 'o'.repeat(128), HomeRegion: 'ap-southeast-2' });
      const verdict = verdictOf(
        [
          {
            trail: org,
            status: { response: status(true) },
            eventSelectors: { error: { name: 'AccessDeniedException', message: 'denied' } },
          },
        ],
        { readWriteType: 'WriteOnly' },
      );

      expect(verdict.compliance).toBe('COMPLIANT');
      expect(annotationOf(verdict).length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
      expect(annotationOf(verdict)).toMatch(
        /^Custom parameters \(readWriteType=WriteOnly\), not CloudTrail\.1 as Security Hub defines it: Trail o+… \(ap-southeast-2\)/,
      );
    });

    it('says nothing of the kind with parameters that only make it stricter', () => {
      const verdict = verdictOf([readTrail(trail())], {
        s3BucketName: trail().S3BucketName,
        trustOrganizationTrails: false,
      });

      expect(annotationOf(verdict)).toMatch(
        /^Trail management-events \(us-east-1\) is multi-Region/,
      );
    });
  });

  it('fits in 256 characters however long the reason', () => {
    const many = Array.from({ length: 40 }, (_, i) => `service${i}.amazonaws.com`);
    const long = trail({ Name: 'x'.repeat(128), IsMultiRegionTrail: false });
    const verdict = verdictOf([
      readTrail(long, {
        logging: false,
        selectors: basicSelectors(long.TrailARN, [
          basicSelector({ ExcludeManagementEventSources: many }),
        ]),
      }),
    ]);

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation.length).toBeLessThanOrEqual(
      MAX_ANNOTATION_LENGTH,
    );
    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(/…$/);
  });

  it('names the closest trail: the one failing fewest requirements', () => {
    const verdict = verdictOf([
      readTrail(trail({ Name: 'far', IsMultiRegionTrail: false }), { logging: false }),
      readTrail(trail({ Name: 'near' }), { logging: false }),
    ]);

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.closest?.name).toBe('near');
  });

  it('names an own trail before a trusted organization trail when both pass', () => {
    const verdict = verdictOf([
      {
        trail: organizationTrail({ Name: 'a-org-trail' }),
        status: { response: status(true) },
        eventSelectors: { error: { name: 'AccessDeniedException', message: 'denied' } },
      },
      readTrail(trail({ Name: 'z-own-trail' })),
    ]);

    expect(verdict.compliance === 'COMPLIANT' && verdict.passing.name).toBe('z-own-trail');
  });
});

describe('CloudTrail.1 closest trail', () => {
  it('prefers a read multi-Region trail with one gap to a single-Region trail that was not read', () => {
    const single: TrailState = { trail: trail({ Name: 'a-single', IsMultiRegionTrail: false }) };
    const stopped = readTrail(trail({ Name: 'b-stopped' }), { logging: false });

    const verdict = verdictOf([single, stopped]);

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.closest?.name).toBe('b-stopped');
  });
});

describe('CloudTrail.1 annotation of gaps', () => {
  it('names the sources not logged, not "any source", when a selector logs only some sources', () => {
    const verdict = verdictOf([
      withAdvanced(managementSelector([{ Field: 'eventSource', Equals: ['s3.amazonaws.com'] }])),
    ]);

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /no read or write management events from any other source/,
    );
  });

  it('follows readWriteType when there are no trails', () => {
    const verdict = verdictOf([], { readWriteType: 'WriteOnly' });

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /create a multi-Region trail that logs write management events/,
    );
  });
});

describe('CloudTrail.1 absent and unreadable trails', () => {
  it('treats an own trail whose selectors answer TrailNotFoundException as absent', () => {
    const deleted: TrailState = {
      trail: trail({ Name: 'deleted' }),
      status: { response: status(true) },
      eventSelectors: { error: { name: 'TrailNotFoundException', message: 'Unknown trail' } },
    };

    expect(verdictOf([deleted]).trails).toHaveLength(0);
  });

  it('is undecided, not NON_COMPLIANT, when an organization trail answers TrailNotFoundException for its status', () => {
    const org: TrailState = {
      trail: organizationTrail(),
      status: { error: { name: 'TrailNotFoundException', message: 'Unknown trail' } },
      eventSelectors: { error: { name: 'AccessDeniedException', message: 'denied' } },
    };

    const verdict = verdictOf([org]);

    expect(verdict.compliance).toBe('UNDECIDED');
    expect(verdict.compliance === 'UNDECIDED' && verdict.reason).toMatch(
      /trail\/org-trail: GetTrailStatus failed: TrailNotFoundException/,
    );
  });
});

describe('CloudTrail.1 annotation with a 128-character trail name', () => {
  const longName = `org-${'n'.repeat(124)}`;

  it('keeps the note that an organization trail was trusted', () => {
    const verdict = verdictOf([
      {
        trail: organizationTrail({ Name: longName }),
        status: { response: status(true) },
        eventSelectors: { error: { name: 'AccessDeniedException', message: 'denied' } },
      },
    ]);

    expect(verdict.compliance === 'COMPLIANT' && verdict.annotation).toMatch(
      /organization trail whose selectors are not readable here \(trusted\)/,
    );
    expect(verdict.compliance === 'COMPLIANT' && verdict.annotation.length).toBeLessThanOrEqual(
      MAX_ANNOTATION_LENGTH,
    );
  });

  it('keeps the note that a selector narrowing on another field was not counted', () => {
    const t = trail({ Name: longName });
    const verdict = verdictOf([
      readTrail(t, {
        logging: false,
        selectors: advancedSelectors(t.TrailARN, [
          managementSelector([{ Field: 'eventName', NotEquals: ['Decrypt'] }], 'no decrypt'),
        ]),
      }),
    ]);

    expect(verdict.compliance === 'NON_COMPLIANT' && verdict.annotation).toMatch(
      /logging is stopped; selectors narrowing on other fields are not counted \(no decrypt\); no read or write management events from any source\.$/,
    );
  });
});
