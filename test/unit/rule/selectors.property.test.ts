import fc from 'fast-check';
import { fieldMatches, managementCoverage } from '../../../rule/selectors';
import type {
  AdvancedEventSelector,
  EventSelector,
  EventSelectors,
  FieldSelector,
} from '../../../rule/state';
import {
  type ReferenceKind,
  referenceAccepts,
  referenceGaps,
  referenceUniverse,
  UNNAMED_MARKER,
} from '../../support/selector-reference';

const NUM_RUNS = 2000;

// Small pools, so that values collide and overlap as prefixes and suffixes often.
const SOURCES = [
  'kms.amazonaws.com',
  'rdsdata.amazonaws.com',
  's3.amazonaws.com',
  'kms',
  '.amazonaws.com',
  's3',
  'rds',
];
const READ_ONLY_VALUES = ['true', 'false', 't', 'f', 'ue', 'se', 'tru'];
const CATEGORY_VALUES = ['Management', 'Data', 'NetworkActivity', 'Man', 'ment', 'Da'];

const valuesFrom = (pool: string[]) => fc.array(fc.constantFrom(...pool), { maxLength: 3 });

/** A field selector with any combination of the six operators, each possibly empty. */
const fieldSelector = (field: string, pool: string[]): fc.Arbitrary<FieldSelector> =>
  fc
    .record(
      {
        Equals: valuesFrom(pool),
        NotEquals: valuesFrom(pool),
        StartsWith: valuesFrom(pool),
        NotStartsWith: valuesFrom(pool),
        EndsWith: valuesFrom(pool),
        NotEndsWith: valuesFrom(pool),
      },
      { requiredKeys: [] },
    )
    .map((operators) => ({ Field: field, ...operators }));

/** Mostly one operator, as people write them, sometimes any mix. */
const eventSourceField: fc.Arbitrary<FieldSelector> = fc.oneof(
  { weight: 3, arbitrary: fieldSelector('eventSource', SOURCES) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'Equals',
          'NotEquals',
          'StartsWith',
          'NotStartsWith',
          'EndsWith',
          'NotEndsWith',
        ),
        fc.array(fc.constantFrom(...SOURCES), { minLength: 1, maxLength: 2 }),
      )
      .map(([operator, values]) => ({ Field: 'eventSource', [operator]: values })),
  },
);

const categoryFields: fc.Arbitrary<FieldSelector[]> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constant<FieldSelector[]>([{ Field: 'eventCategory', Equals: ['Management'] }]),
  },
  {
    weight: 2,
    arbitrary: fc.array(fieldSelector('eventCategory', CATEGORY_VALUES), {
      minLength: 1,
      maxLength: 2,
    }),
  },
  { weight: 1, arbitrary: fc.constant<FieldSelector[]>([]) },
);

const readOnlyFields: fc.Arbitrary<FieldSelector[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<FieldSelector[]>([]) },
  { weight: 2, arbitrary: fc.constant<FieldSelector[]>([{ Field: 'readOnly', Equals: ['true'] }]) },
  {
    weight: 2,
    arbitrary: fc.constant<FieldSelector[]>([{ Field: 'readOnly', Equals: ['false'] }]),
  },
  {
    weight: 2,
    arbitrary: fc.array(fieldSelector('readOnly', READ_ONLY_VALUES), {
      minLength: 1,
      maxLength: 2,
    }),
  },
);

const otherFields: fc.Arbitrary<FieldSelector[]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<FieldSelector[]>([]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<FieldSelector[]>(
      [{ Field: 'eventName', NotEquals: ['ConsoleLogin'] }],
      [{ Field: 'eventName', Equals: ['CreateTrail', 'DeleteTrail'] }],
      [{ Field: 'eventType', Equals: ['AwsApiCall'] }],
    ),
  },
);

const managementAdvancedSelector: fc.Arbitrary<AdvancedEventSelector> = fc
  .record({
    name: fc.option(fc.constantFrom('Management events selector', 'reads', 'writes', 'Log all'), {
      nil: undefined,
    }),
    category: categoryFields,
    readOnly: readOnlyFields,
    eventSource: fc.array(eventSourceField, { maxLength: 2 }),
    other: otherFields,
  })
  .map(({ name, category, readOnly, eventSource, other }) => ({
    ...(name === undefined ? {} : { Name: name }),
    FieldSelectors: [...category, ...readOnly, ...eventSource, ...other],
  }));

const dataAdvancedSelector: fc.Arbitrary<AdvancedEventSelector> = fc.constantFrom(
  {
    Name: 'S3 object events',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    ],
  },
  {
    Name: 'S3 writes to one bucket',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'readOnly', Equals: ['false'] },
      { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::amzn-s3-demo-bucket/'] },
    ],
  },
);

const advancedSelector: fc.Arbitrary<AdvancedEventSelector> = fc.oneof(
  { weight: 6, arbitrary: managementAdvancedSelector },
  { weight: 1, arbitrary: dataAdvancedSelector },
);

const basicSelector: fc.Arbitrary<EventSelector> = fc.record(
  {
    ReadWriteType: fc.constantFrom('All', 'ReadOnly', 'WriteOnly'),
    IncludeManagementEvents: fc.boolean(),
    DataResources: fc.constantFrom(
      [],
      [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::amzn-s3-demo-bucket/'] }],
    ),
    ExcludeManagementEventSources: fc.array(fc.constantFrom(...SOURCES), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events';

/**
 * Management selectors that each drop sources by one pattern, so that what is
 * left unlogged is often only the sources matching a prefix of one selector
 * and a suffix of another, which no named value stands for.
 */
const onePatternSelector: fc.Arbitrary<AdvancedEventSelector> = fc
  .tuple(
    fc.constantFrom('StartsWith', 'NotStartsWith', 'EndsWith', 'NotEndsWith', 'NotEquals'),
    fc.constantFrom(...SOURCES),
  )
  .map(([operator, value]) => ({
    Name: `${operator} ${value}`,
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Management'] },
      { Field: 'eventSource', [operator]: [value] },
    ],
  }));

/** 0–5 selectors, basic or advanced (rarely both, which CloudTrail would not return). */
const eventSelectors: fc.Arbitrary<EventSelectors> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(basicSelector, { maxLength: 5 })
      .map((selectors) => ({ TrailARN: TRAIL_ARN, EventSelectors: selectors })),
  },
  {
    weight: 8,
    arbitrary: fc
      .array(advancedSelector, { maxLength: 5 })
      .map((selectors) => ({ TrailARN: TRAIL_ARN, AdvancedEventSelectors: selectors })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.array(basicSelector, { maxLength: 2 }),
        fc.array(advancedSelector, { maxLength: 3 }),
      )
      .map(([basic, advanced]) => ({
        TrailARN: TRAIL_ARN,
        EventSelectors: basic,
        AdvancedEventSelectors: advanced,
      })),
  },
  {
    weight: 3,
    arbitrary: fc
      .array(onePatternSelector, { minLength: 1, maxLength: 4 })
      .map((selectors) => ({ TrailARN: TRAIL_ARN, AdvancedEventSelectors: selectors })),
  },
  { weight: 1, arbitrary: fc.constant({ TrailARN: TRAIL_ARN }) },
);

const KINDS: readonly ReferenceKind[] = ['read', 'write'];

/** Every non-empty value the selectors name (whole sources, prefixes, suffixes). */
const namedValues = (selectors: EventSelectors): Set<string> =>
  new Set(
    referenceUniverse(selectors).filter(
      (source) => source !== '' && !source.includes(UNNAMED_MARKER),
    ),
  );

const uncoveredOf = (selectors: EventSelectors, kind: ReferenceKind): string[] => {
  const coverage = managementCoverage(selectors);
  return kind === 'read' ? coverage.uncoveredRead : coverage.uncoveredWrite;
};

describe('selector coverage against the reference model', () => {
  it('finds a kind fully logged exactly when the model finds no unlogged event of it', () => {
    fc.assert(
      fc.property(eventSelectors, (selectors) => {
        const gaps = referenceGaps(selectors);

        for (const kind of KINDS) {
          expect(uncoveredOf(selectors, kind).length === 0).toBe(gaps[kind].length === 0);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('says nothing of a kind is logged exactly when the model finds every source unlogged', () => {
    fc.assert(
      fc.property(eventSelectors, (selectors) => {
        const gaps = referenceGaps(selectors);
        const universe = referenceUniverse(selectors);
        const { nothingLogged } = managementCoverage(selectors);

        for (const kind of KINDS) {
          expect(nothingLogged[kind]).toBe(gaps[kind].length === universe.length);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('lists every named source the model finds unlogged', () => {
    fc.assert(
      fc.property(eventSelectors, (selectors) => {
        const gaps = referenceGaps(selectors);
        const named = namedValues(selectors);

        for (const kind of KINDS) {
          const unloggedNamed = gaps[kind].filter((source) => named.has(source));
          expect(uncoveredOf(selectors, kind)).toEqual(expect.arrayContaining(unloggedNamed));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('lists no named source that the model finds logged', () => {
    fc.assert(
      fc.property(eventSelectors, (selectors) => {
        const gaps = referenceGaps(selectors);
        const named = namedValues(selectors);

        for (const kind of KINDS) {
          const listedNamed = uncoveredOf(selectors, kind).filter((entry) => named.has(entry));
          expect(gaps[kind]).toEqual(expect.arrayContaining(listedNamed));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('fieldMatches against the reference model', () => {
  it('agrees with the model on every operator combination', () => {
    fc.assert(
      fc.property(
        fieldSelector('eventSource', SOURCES),
        fc.oneof(fc.constantFrom(...SOURCES), fc.constantFrom('', 'kms-fips.amazonaws.com', 'x')),
        (selector, value) => {
          expect(fieldMatches(selector, value)).toBe(referenceAccepts(selector, value));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

// The model is only worth comparing against if it finds the gaps a person would.
describe('the reference model', () => {
  it('finds nothing unlogged when the trail has no selectors', () => {
    const gaps = referenceGaps({ TrailARN: TRAIL_ARN });

    expect(gaps).toEqual({ read: [], write: [] });
  });

  it('finds an excluded source unlogged', () => {
    const gaps = referenceGaps({
      TrailARN: TRAIL_ARN,
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          ExcludeManagementEventSources: ['kms.amazonaws.com'],
        },
      ],
    });

    expect(gaps).toEqual({ read: ['kms.amazonaws.com'], write: ['kms.amazonaws.com'] });
  });

  it('finds the sources with a prefix one selector drops and a suffix the other drops', () => {
    const gaps = referenceGaps({
      TrailARN: TRAIL_ARN,
      AdvancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'eventSource', NotStartsWith: ['kms'] },
          ],
        },
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'eventSource', NotEndsWith: ['.amazonaws.com'] },
          ],
        },
      ],
    });

    expect(gaps.read).toEqual([`kms${UNNAMED_MARKER}.amazonaws.com`]);
  });
});
