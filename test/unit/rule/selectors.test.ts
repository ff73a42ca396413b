import { fieldMatches, managementCoverage } from '../../../rule/selectors';
import type { AdvancedEventSelector, EventSelector, EventSelectors } from '../../../rule/state';
import { advanced, basic, managementSelector, TRAIL_ARN } from '../../support/selector-sets';

const s3DataOnlySelector: EventSelector = {
  ReadWriteType: 'All',
  IncludeManagementEvents: false,
  DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::amzn-s3-demo-bucket/'] }],
  ExcludeManagementEventSources: [],
};

const allManagementEvents: AdvancedEventSelector = {
  Name: 'Management events selector',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
};

const managementFrom = (
  name: string,
  eventSource: Omit<AdvancedEventSelector['FieldSelectors'][number], 'Field'>,
): AdvancedEventSelector => ({
  Name: name,
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Management'] },
    { Field: 'eventSource', ...eventSource },
  ],
});

const s3ObjectDataEvents: AdvancedEventSelector = {
  Name: 'Log PutObject and DeleteObject events for one bucket',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    { Field: 'eventName', StartsWith: ['PutObject', 'DeleteObject'] },
    { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::amzn-s3-demo-bucket/'] },
  ],
};

describe('selector coverage', () => {
  describe('without selectors', () => {
    it('logs every management event when the trail has no selectors', () => {
      const selectors: EventSelectors = { TrailARN: TRAIL_ARN };

      const coverage = managementCoverage(selectors);

      expect(coverage).toEqual({
        form: 'none',
        uncoveredRead: [],
        uncoveredWrite: [],
        nothingLogged: { read: false, write: false },
        uncounted: [],
      });
    });

    it('treats empty selector lists as no selectors', () => {
      const selectors: EventSelectors = {
        TrailARN: TRAIL_ARN,
        EventSelectors: [],
        AdvancedEventSelectors: [],
      };

      const coverage = managementCoverage(selectors);

      expect(coverage).toEqual({
        form: 'none',
        uncoveredRead: [],
        uncoveredWrite: [],
        nothingLogged: { read: false, write: false },
        uncounted: [],
      });
    });
  });

  describe('with basic event selectors', () => {
    it('passes the default selector: all management events, no exclusions', () => {
      const selectors = basic(managementSelector('All'));

      const coverage = managementCoverage(selectors);

      expect(coverage).toEqual({
        form: 'basic',
        uncoveredRead: [],
        uncoveredWrite: [],
        nothingLogged: { read: false, write: false },
        uncounted: [],
      });
    });

    it('reads an absent IncludeManagementEvents and ReadWriteType as true and All', () => {
      const selectors = basic({
        DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
      });

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('misses every read with only a write-only selector', () => {
      const selectors = basic(managementSelector('WriteOnly'));

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['any other source']);
      expect(coverage.uncoveredWrite).toEqual([]);
    });

    it('misses every write with only a read-only selector', () => {
      const selectors = basic(managementSelector('ReadOnly'));

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual([]);
      expect(coverage.uncoveredWrite).toEqual(['any other source']);
    });

    it('passes a read-only selector plus a write-only selector', () => {
      const selectors = basic(managementSelector('ReadOnly'), managementSelector('WriteOnly'));

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('logs no management event with a data-only selector (IncludeManagementEvents false)', () => {
      const selectors = basic(s3DataOnlySelector);

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['any other source']);
      expect(coverage.uncoveredWrite).toEqual(['any other source']);
    });

    it('keeps full coverage when a data-only selector sits beside the default selector', () => {
      const selectors = basic(s3DataOnlySelector, managementSelector('All'));

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('reports the sources in ExcludeManagementEventSources as not logged', () => {
      const selectors = basic(
        managementSelector('All', ['kms.amazonaws.com', 'rdsdata.amazonaws.com']),
      );

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['kms.amazonaws.com', 'rdsdata.amazonaws.com']);
      expect(coverage.uncoveredWrite).toEqual(['kms.amazonaws.com', 'rdsdata.amazonaws.com']);
    });

    it('treats any excluded source the same way, not only the two CloudTrail offers today', () => {
      const selectors = basic(managementSelector('All', ['example.amazonaws.com']));

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['example.amazonaws.com']);
    });

    it('counts a source one selector excludes as logged when another selector logs it', () => {
      const selectors = basic(
        managementSelector('All', ['kms.amazonaws.com']),
        managementSelector('All', ['rdsdata.amazonaws.com']),
      );

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('misses reads from an excluded source when the other selector logs only writes', () => {
      const selectors = basic(
        managementSelector('All', ['kms.amazonaws.com']),
        managementSelector('WriteOnly'),
      );

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['kms.amazonaws.com']);
      expect(coverage.uncoveredWrite).toEqual([]);
    });
  });

  describe('with advanced event selectors', () => {
    it('passes eventCategory Equals Management: every management event', () => {
      const selectors = advanced(allManagementEvents);

      const coverage = managementCoverage(selectors);

      expect(coverage).toEqual({
        form: 'advanced',
        uncoveredRead: [],
        uncoveredWrite: [],
        nothingLogged: { read: false, write: false },
        uncounted: [],
      });
    });

    it('logs only reads with readOnly Equals ["true"]', () => {
      const selectors = advanced({
        Name: 'Read-only management events',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['true'] },
        ],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual([]);
      expect(coverage.uncoveredWrite).toEqual(['any other source']);
    });

    it('logs only writes with readOnly Equals ["false"]', () => {
      const selectors = advanced({
        Name: 'Write-only management events',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['false'] },
        ],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['any other source']);
      expect(coverage.uncoveredWrite).toEqual([]);
    });

    it('passes a readOnly "true" selector plus a readOnly "false" selector', () => {
      const selectors = advanced(
        {
          Name: 'reads',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['true'] },
          ],
        },
        {
          Name: 'writes',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
      );

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('logs only writes with readOnly NotEquals ["true"]', () => {
      const selectors = advanced({
        Name: 'Not read-only',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', NotEquals: ['true'] },
        ],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['any other source']);
      expect(coverage.uncoveredWrite).toEqual([]);
    });

    it('counts eventCategory NotEquals ["Data"] as selecting management events', () => {
      const selectors = advanced({
        Name: 'Everything but data events',
        FieldSelectors: [{ Field: 'eventCategory', NotEquals: ['Data'] }],
      });

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('reports a source excluded with eventSource NotEquals as not logged', () => {
      const selectors = advanced(
        managementFrom('Management events except KMS', { NotEquals: ['kms.amazonaws.com'] }),
      );

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['kms.amazonaws.com']);
      expect(coverage.uncoveredWrite).toEqual(['kms.amazonaws.com']);
    });

    it('counts a source excluded by one advanced selector as logged when a second logs it', () => {
      const selectors = advanced(
        managementFrom('Management events except KMS', { NotEquals: ['kms.amazonaws.com'] }),
        managementFrom('KMS management events', { Equals: ['kms.amazonaws.com'] }),
      );

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('logs nothing with a selector that has no eventCategory field selector', () => {
      const selectors = advanced({
        Name: 'No category',
        FieldSelectors: [{ Field: 'readOnly', Equals: ['false'] }],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredWrite).toEqual(['any other source']);
    });

    it('does not count a management selector that narrows on eventName', () => {
      const selectors = advanced({
        Name: 'Console logins only',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'eventName', NotEquals: ['ConsoleLogin'] },
        ],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['any other source']);
      expect(coverage.uncoveredWrite).toEqual(['any other source']);
    });

    it('lists a management selector that narrows on eventName as uncounted, by Name', () => {
      const selectors = advanced(allManagementEvents, {
        Name: 'No console logins',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'eventName', NotEquals: ['ConsoleLogin'] },
        ],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncounted).toEqual(['No console logins']);
    });

    it('lists an uncounted selector without a Name by its position', () => {
      const selectors = advanced(allManagementEvents, {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'eventName', Equals: ['CreateTrail', 'DeleteTrail'] },
        ],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncounted).toEqual(['advanced selector 2']);
    });

    it('ignores a data-event selector: it logs no management event and is not uncounted', () => {
      const selectors = advanced(s3ObjectDataEvents);

      const coverage = managementCoverage(selectors);

      expect(coverage).toEqual({
        form: 'advanced',
        uncoveredRead: ['any other source'],
        uncoveredWrite: ['any other source'],
        nothingLogged: { read: true, write: true },
        uncounted: [],
      });
    });

    it('keeps full coverage when a data-event selector sits beside a management selector', () => {
      const selectors = advanced(s3ObjectDataEvents, allManagementEvents);

      const coverage = managementCoverage(selectors);

      expect(coverage).toEqual({
        form: 'advanced',
        uncoveredRead: [],
        uncoveredWrite: [],
        nothingLogged: { read: false, write: false },
        uncounted: [],
      });
    });

    it('judges a selector by its field selectors, never by its Name', () => {
      const selectors = advanced({
        Name: 'Log all management events, read and write, from every source',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['true'] },
        ],
      });

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredWrite).toEqual(['any other source']);
    });

    it('passes a selector whose Name says it logs nothing when its fields log everything', () => {
      const selectors = advanced({
        Name: 'Data events only (no management events)',
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      });

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });
  });

  describe('with prefix and suffix operators on eventSource', () => {
    it('misses sources not starting with the StartsWith value', () => {
      const selectors = advanced(managementFrom('KMS family', { StartsWith: ['kms'] }));

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['any other source']);
    });

    it('misses sources starting with the NotStartsWith value', () => {
      const selectors = advanced(managementFrom('Not KMS', { NotStartsWith: ['kms'] }));

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['kms', 'other sources starting with "kms"']);
    });

    it('misses sources not ending with the EndsWith value', () => {
      const selectors = advanced(managementFrom('AWS services', { EndsWith: ['.amazonaws.com'] }));

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredWrite).toEqual(['any other source']);
    });

    it('misses sources ending with the NotEndsWith value', () => {
      const selectors = advanced(
        managementFrom('Not AWS services', { NotEndsWith: ['.amazonaws.com'] }),
      );

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredWrite).toEqual([
        '.amazonaws.com',
        'other sources ending with ".amazonaws.com"',
      ]);
    });

    it('passes StartsWith and NotStartsWith on the same prefix in two selectors', () => {
      const selectors = advanced(
        managementFrom('KMS family', { StartsWith: ['kms'] }),
        managementFrom('Not KMS', { NotStartsWith: ['kms'] }),
      );

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('passes EndsWith and NotEndsWith on the same suffix in two selectors', () => {
      const selectors = advanced(
        managementFrom('AWS services', { EndsWith: ['.amazonaws.com'] }),
        managementFrom('Not AWS services', { NotEndsWith: ['.amazonaws.com'] }),
      );

      const coverage = managementCoverage(selectors);

      expect([coverage.uncoveredRead, coverage.uncoveredWrite]).toEqual([[], []]);
    });

    it('misses only the sources with a prefix one selector drops and a suffix the other drops', () => {
      const selectors = advanced(
        managementFrom('Not KMS', { NotStartsWith: ['kms'] }),
        managementFrom('Not AWS services', { NotEndsWith: ['.amazonaws.com'] }),
      );

      const coverage = managementCoverage(selectors);

      const gap = 'other sources starting with "kms" and ending with ".amazonaws.com"';
      expect(coverage.uncoveredRead).toEqual([gap]);
      expect(coverage.uncoveredWrite).toEqual([gap]);
    });

    it('logs a source inside the gap that a third selector lists with Equals', () => {
      const selectors = advanced(
        managementFrom('Not KMS', { NotStartsWith: ['kms'] }),
        managementFrom('Not AWS services', { NotEndsWith: ['.amazonaws.com'] }),
        managementFrom('S3 and KMS', { Equals: ['s3.amazonaws.com', 'kms.amazonaws.com'] }),
      );

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual([
        'other sources starting with "kms" and ending with ".amazonaws.com"',
      ]);
    });

    it('lists a named source in the gap that no selector logs', () => {
      const selectors = advanced(
        managementFrom('Not KMS', { NotStartsWith: ['kms'] }),
        managementFrom('Not AWS services', {
          NotEndsWith: ['.amazonaws.com'],
          NotEquals: ['kms-fips.amazonaws.com'],
        }),
      );

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual([
        'kms-fips.amazonaws.com',
        'other sources starting with "kms" and ending with ".amazonaws.com"',
      ]);
    });
  });
});

describe('fieldMatches', () => {
  const field = 'eventSource';

  it.each([
    ['Equals', { Equals: ['kms.amazonaws.com'] }, 'kms.amazonaws.com', true],
    ['Equals', { Equals: ['kms.amazonaws.com'] }, 'kms.amazonaws.co', false],
    ['NotEquals', { NotEquals: ['kms.amazonaws.com'] }, 'kms.amazonaws.com', false],
    ['NotEquals', { NotEquals: ['kms.amazonaws.com'] }, 's3.amazonaws.com', true],
    ['StartsWith', { StartsWith: ['kms'] }, 'kms.amazonaws.com', true],
    ['StartsWith', { StartsWith: ['kms'] }, 'akms.amazonaws.com', false],
    ['NotStartsWith', { NotStartsWith: ['kms'] }, 'kms.amazonaws.com', false],
    ['NotStartsWith', { NotStartsWith: ['kms'] }, 's3.amazonaws.com', true],
    ['EndsWith', { EndsWith: ['.amazonaws.com'] }, 's3.amazonaws.com', true],
    ['EndsWith', { EndsWith: ['.amazonaws.com'] }, 's3.amazonaws.com.cn', false],
    ['NotEndsWith', { NotEndsWith: ['.amazonaws.com'] }, 's3.amazonaws.com', false],
    ['NotEndsWith', { NotEndsWith: ['.amazonaws.com'] }, 's3.amazonaws.com.cn', true],
  ])('%s %j on "%s" → %s', (_operator, operators, value, expected) => {
    const selector = { Field: field, ...operators };

    const matches = fieldMatches(selector, value);

    expect(matches).toBe(expected);
  });

  it('accepts a value equal to any one of the Equals values', () => {
    const selector = { Field: field, Equals: ['s3.amazonaws.com', 'kms.amazonaws.com'] };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(true);
  });

  it('accepts a value starting with any one of the StartsWith values', () => {
    const selector = { Field: field, StartsWith: ['s3', 'kms'] };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(true);
  });

  it('accepts a value ending with any one of the EndsWith values', () => {
    const selector = { Field: field, EndsWith: ['.amazonaws.com.cn', '.amazonaws.com'] };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(true);
  });

  it('rejects a value equal to any one of the NotEquals values', () => {
    const selector = { Field: field, NotEquals: ['s3.amazonaws.com', 'kms.amazonaws.com'] };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(false);
  });

  it('rejects a value starting with any one of the NotStartsWith values', () => {
    const selector = { Field: field, NotStartsWith: ['s3', 'kms'] };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(false);
  });

  it('rejects a value ending with any one of the NotEndsWith values', () => {
    const selector = { Field: field, NotEndsWith: ['.amazonaws.com.cn', '.amazonaws.com'] };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(false);
  });

  it('requires every operator to accept: StartsWith AND NotEquals', () => {
    const selector = { Field: field, StartsWith: ['kms'], NotEquals: ['kms.amazonaws.com'] };

    expect([
      fieldMatches(selector, 'kms.amazonaws.com'),
      fieldMatches(selector, 'kms-fips.amazonaws.com'),
      fieldMatches(selector, 's3.amazonaws.com'),
    ]).toEqual([false, true, false]);
  });

  it('requires every operator to accept: EndsWith AND NotStartsWith', () => {
    const selector = { Field: field, EndsWith: ['.amazonaws.com'], NotStartsWith: ['kms'] };

    expect([
      fieldMatches(selector, 's3.amazonaws.com'),
      fieldMatches(selector, 'kms.amazonaws.com'),
      fieldMatches(selector, 's3.example.com'),
    ]).toEqual([true, false, false]);
  });

  it('reads an empty list as no condition', () => {
    const selector = { Field: field, Equals: [], StartsWith: [], NotEquals: [] };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(true);
  });

  it('accepts every value when no operator is given', () => {
    const selector = { Field: field };

    expect(fieldMatches(selector, 'kms.amazonaws.com')).toBe(true);
  });

  describe('when nothing of a kind is logged', () => {
    it('says so for a write-only selector', () => {
      const coverage = managementCoverage(basic(managementSelector('WriteOnly')));

      expect(coverage.nothingLogged).toEqual({ read: true, write: false });
    });

    it('does not say so when a selector logs only some sources', () => {
      const selectors = advanced(managementFrom('S3 only', { Equals: ['s3.amazonaws.com'] }));

      const coverage = managementCoverage(selectors);

      expect(coverage.uncoveredRead).toEqual(['any other source']);
      expect(coverage.nothingLogged).toEqual({ read: false, write: false });
    });
  });
});
