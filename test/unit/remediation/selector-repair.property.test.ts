import fc from 'fast-check';
import {
  MAX_ADVANCED_SELECTOR_VALUES,
  MAX_BASIC_DATA_RESOURCES,
  MAX_BASIC_SELECTORS,
  repairSelectors,
  type SelectorRepair,
  SelectorRepairError,
} from '../../../remediation/selectors';
import { managementCoverage } from '../../../rule/selectors';
import type {
  AdvancedEventSelector,
  EventSelector,
  EventSelectors,
  FieldSelector,
} from '../../../rule/state';
import {
  type DataEvent,
  dataEventUniverse,
  referenceLogsDataEvent,
} from '../../support/data-event-reference';
import { referenceGaps } from '../../support/selector-reference';

const NUM_RUNS = 1000;
const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events';

// Small pools, so that values collide and are often prefixes of one another.
const S3_VALUES = [
  'arn:aws:s3',
  'arn:aws:s3:::',
  'arn:aws:s3:::amzn-s3-demo-bucket',
  'arn:aws:s3:::amzn-s3-demo-bucket/',
  'arn:aws:s3:::amzn-s3-demo-bucket/logs/',
  'arn:aws:s3:::amzn-s3-demo-bucket2/',
];
const LAMBDA_VALUES = [
  'arn:aws:lambda',
  'arn:aws:lambda:us-east-1:111122223333:function:hello',
  'arn:aws:lambda:us-east-1:111122223333:function:helloworld',
];
const DYNAMODB_VALUES = [
  'arn:aws:dynamodb',
  'arn:aws:dynamodb:us-east-1:111122223333:table/Orders',
  'arn:aws:dynamodb:us-east-1:111122223333:table/OrdersArchive',
];
const S3_EXPRESS_VALUES = [
  'arn:aws:s3express:us-east-1:111122223333:bucket/demo--use1-az4--x-s3/',
  'arn:aws:s3express:us-east-1:111122223333:bucket/demo--use1-az4--x-s3/logs/',
];
const EXCLUDABLE_SOURCES = ['kms.amazonaws.com', 'rdsdata.amazonaws.com'];

const VALUES_BY_TYPE: Record<string, string[]> = {
  'AWS::S3::Object': S3_VALUES,
  'AWS::Lambda::Function': LAMBDA_VALUES,
  'AWS::DynamoDB::Table': DYNAMODB_VALUES,
  'AWS::S3Express::Object': S3_EXPRESS_VALUES,
};
const BASIC_TYPES = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'];

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const readWriteType = fc.constantFrom<EventSelector['ReadWriteType']>(
  'All',
  'ReadOnly',
  'WriteOnly',
  undefined,
);

const dataResource = fc
  .constantFrom(...BASIC_TYPES)
  .chain((type) =>
    fc
      .uniqueArray(fc.constantFrom(...(VALUES_BY_TYPE[type] ?? [])), { minLength: 1, maxLength: 3 })
      .map((values) => ({ Type: type, Values: values })),
  );

const dataResources: fc.Arbitrary<EventSelector['DataResources']> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant<EventSelector['DataResources']>([]) },
  { weight: 5, arbitrary: fc.array(dataResource, { minLength: 1, maxLength: 3 }) },
);

/** Any basic selector: management on, off, read-only, write-only, with exclusions, with data. */
const basicSelector: fc.Arbitrary<EventSelector> = fc
  .record({
    ReadWriteType: readWriteType,
    IncludeManagementEvents: optional(fc.boolean()),
    DataResources: dataResources,
    ExcludeManagementEventSources: optional(
      fc.uniqueArray(fc.constantFrom(...EXCLUDABLE_SOURCES), { maxLength: 2 }),
    ),
  })
  .map(withoutUndefined);

/** A data selector of one kind, as people leave them when all five are in use. */
const dataSelectorOfKind = (kind: 'ReadOnly' | 'WriteOnly'): fc.Arbitrary<EventSelector> =>
  fc
    .record({
      IncludeManagementEvents: optional(fc.boolean()),
      DataResources: fc.array(dataResource, { minLength: 1, maxLength: 2 }),
      ExcludeManagementEventSources: optional(
        fc.uniqueArray(fc.constantFrom(...EXCLUDABLE_SOURCES), { maxLength: 2 }),
      ),
    })
    .map((selector) => withoutUndefined({ ReadWriteType: kind, ...selector }));

const basicSet: fc.Arbitrary<EventSelectors> = fc
  .oneof(
    { weight: 3, arbitrary: fc.array(basicSelector, { minLength: 1, maxLength: 4 }) },
    { weight: 3, arbitrary: fc.array(basicSelector, { minLength: 5, maxLength: 5 }) },
    // Five read-only or write-only data selectors and no room: pairs, or advanced selectors.
    {
      weight: 2,
      arbitrary: fc
        .constantFrom<'ReadOnly' | 'WriteOnly'>('ReadOnly', 'WriteOnly')
        .chain((kind) => fc.array(dataSelectorOfKind(kind), { minLength: 5, maxLength: 5 })),
    },
    {
      weight: 2,
      arbitrary: fc.array(
        fc
          .constantFrom<'ReadOnly' | 'WriteOnly'>('ReadOnly', 'WriteOnly')
          .chain(dataSelectorOfKind),
        { minLength: 5, maxLength: 5 },
      ),
    },
  )
  .map((selectors) => ({ TrailARN: TRAIL_ARN, EventSelectors: selectors }));

const OPERATORS = [
  'Equals',
  'StartsWith',
  'EndsWith',
  'NotEquals',
  'NotStartsWith',
  'NotEndsWith',
] as const;

const condition = (field: string, pool: string[]): fc.Arbitrary<FieldSelector> =>
  fc
    .tuple(
      fc.constantFrom(...OPERATORS),
      fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 2 }),
    )
    .map(([operator, values]) => ({ Field: field, [operator]: values }));

const readOnlyCondition: fc.Arbitrary<FieldSelector[]> = fc.constantFrom(
  [],
  [],
  [{ Field: 'readOnly', Equals: ['true'] }],
  [{ Field: 'readOnly', Equals: ['false'] }],
);

const eventNameCondition: fc.Arbitrary<FieldSelector[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<FieldSelector[]>([]) },
  {
    weight: 1,
    arbitrary: condition('eventName', ['PutObject', 'GetObject', 'Invoke', 'Put']).map((c) => [c]),
  },
);

/** Management selectors: full, read-only, write-only, excluding sources, narrowed by eventName. */
const managementAdvanced: fc.Arbitrary<AdvancedEventSelector> = fc
  .record({
    name: optional(fc.constantFrom('Management events selector', 'Reads', 'Writes')),
    readOnly: readOnlyCondition,
    eventSource: fc.oneof(
      { weight: 2, arbitrary: fc.constant<FieldSelector[]>([]) },
      {
        weight: 2,
        arbitrary: condition('eventSource', [...EXCLUDABLE_SOURCES, 's3.amazonaws.com', 'kms']).map(
          (c) => [c],
        ),
      },
    ),
    eventName: fc.oneof(
      { weight: 5, arbitrary: fc.constant<FieldSelector[]>([]) },
      {
        weight: 1,
        arbitrary: fc.constant<FieldSelector[]>([
          { Field: 'eventName', NotEquals: ['ConsoleLogin'] },
        ]),
      },
    ),
  })
  .map(({ name, readOnly, eventSource, eventName }) =>
    withoutUndefined({
      Name: name,
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        ...readOnly,
        ...eventSource,
        ...eventName,
      ],
    }),
  );

/** Data selectors on S3 objects, Lambda functions, DynamoDB tables and S3 Express objects. */
const dataAdvanced: fc.Arbitrary<AdvancedEventSelector> = fc
  .constantFrom(...Object.keys(VALUES_BY_TYPE))
  .chain((type) =>
    fc.record({
      name: optional(fc.constantFrom(`${type} events`, 'Data events')),
      arn: fc.oneof(
        { weight: 1, arbitrary: fc.constant<FieldSelector[]>([]) },
        {
          weight: 3,
          arbitrary: condition('resources.ARN', VALUES_BY_TYPE[type] ?? []).map((c) => [c]),
        },
      ),
      readOnly: readOnlyCondition,
      eventName: eventNameCondition,
      type: fc.constant(type),
    }),
  )
  .map(({ name, type, arn, readOnly, eventName }) =>
    withoutUndefined({
      Name: name,
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: [type] },
        ...arn,
        ...readOnly,
        ...eventName,
      ],
    }),
  );

/** Selectors whose category is not plainly Management alone: they must be kept too. */
const otherAdvanced: fc.Arbitrary<AdvancedEventSelector> = fc.constantFrom<AdvancedEventSelector>(
  {
    Name: 'Reads of everything',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Management', 'Data'] },
      { Field: 'readOnly', Equals: ['true'] },
    ],
  },
  {
    Name: 'Everything but network activity',
    FieldSelectors: [{ Field: 'eventCategory', NotEquals: ['NetworkActivity'] }],
  },
  {
    Name: 'Network activity for EC2',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['NetworkActivity'] },
      { Field: 'eventSource', Equals: ['ec2.amazonaws.com'] },
    ],
  },
);

const advancedSet: fc.Arbitrary<EventSelectors> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: managementAdvanced },
      { weight: 4, arbitrary: dataAdvanced },
      { weight: 1, arbitrary: otherAdvanced },
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((selectors) => ({ TrailARN: TRAIL_ARN, AdvancedEventSelectors: selectors }));

const anySet: fc.Arbitrary<EventSelectors> = fc.oneof(basicSet, advancedSet);

/** The selectors the trail has after the repair. */
function repairedSet(current: EventSelectors, repair: SelectorRepair): EventSelectors {
  return repair.changed ? { TrailARN: current.TrailARN, ...repair.input } : current;
}

const isFull = (selectors: EventSelectors): boolean => {
  const coverage = managementCoverage(selectors);
  return coverage.uncoveredRead.length === 0 && coverage.uncoveredWrite.length === 0;
};

const describeEvent = (event: DataEvent): string =>
  `${event.readOnly ? 'read' : 'write'} ${event.resourceType} ${event.arn} ` +
  `${event.eventSource} ${event.eventName}`;

/** Data events of the universe that one set logs and the other does not. */
function dataDifferences(before: EventSelectors, repaired: EventSelectors): string[] {
  return dataEventUniverse(before, repaired)
    .filter(
      (event) => referenceLogsDataEvent(before, event) !== referenceLogsDataEvent(repaired, event),
    )
    .map(
      (event) =>
        `${referenceLogsDataEvent(before, event) ? 'lost' : 'added'}: ${describeEvent(event)}`,
    );
}

function advancedValues(selectors: readonly AdvancedEventSelector[]): number {
  return selectors
    .flatMap((s) => s.FieldSelectors)
    .flatMap((f) => OPERATORS.map((operator) => f[operator]?.length ?? 0))
    .reduce((a, b) => a + b, 0);
}

function basicDataValues(selectors: readonly EventSelector[]): number {
  return selectors
    .flatMap((s) => s.DataResources ?? [])
    .reduce((sum, resource) => sum + (resource.Values ?? []).length, 0);
}

/**
 * Advanced sets at or just under the limit of condition values: one data
 * selector naming many buckets, plus up to two management selectors that the
 * repair may replace to make room.
 */
const nearLimitSet: fc.Arbitrary<EventSelectors> = fc
  .record({
    management: fc.array(managementAdvanced, { maxLength: 2 }),
    spare: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ management, spare }) => {
    const used = advancedValues(management) + 2;
    const count = Math.max(1, MAX_ADVANCED_SELECTOR_VALUES - used - spare);
    const buckets: AdvancedEventSelector = {
      Name: 'Many buckets',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        {
          Field: 'resources.ARN',
          StartsWith: Array.from({ length: count }, (_, i) => `arn:aws:s3:::bucket-${i}/`),
        },
      ],
    };
    return { TrailARN: TRAIL_ARN, AdvancedEventSelectors: [buckets, ...management] };
  });

describe('selector repair, for any selectors', () => {
  it('logs every management event, read and write, from every source', () => {
    fc.assert(
      fc.property(anySet, (current) => {
        const repaired = repairedSet(current, repairSelectors(current));

        expect(isFull(repaired)).toBe(true);
        expect(referenceGaps(repaired)).toEqual({ read: [], write: [] });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('logs exactly the data events it logged before, by the reference model', () => {
    fc.assert(
      fc.property(anySet, (current) => {
        const repaired = repairedSet(current, repairSelectors(current));

        expect(dataDifferences(current, repaired)).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("stays within CloudTrail's limits and puts one kind of selector", () => {
    fc.assert(
      fc.property(anySet, (current) => {
        const repair = repairSelectors(current);
        if (!repair.changed) return;

        expect(Object.keys(repair.input)).toHaveLength(1);
        if ('EventSelectors' in repair.input) {
          expect(repair.input.EventSelectors.length).toBeLessThanOrEqual(MAX_BASIC_SELECTORS);
          expect(basicDataValues(repair.input.EventSelectors)).toBeLessThanOrEqual(
            MAX_BASIC_DATA_RESOURCES,
          );
        } else {
          const selectors = repair.input.AdvancedEventSelectors;
          const before = current.AdvancedEventSelectors ?? [];
          expect(advancedValues(selectors)).toBeLessThanOrEqual(MAX_ADVANCED_SELECTOR_VALUES);
          for (const selector of selectors.filter((s) => !before.includes(s))) {
            expect(selector.Name).toEqual(expect.any(String));
            expect(selector.FieldSelectors.length).toBeGreaterThan(0);
            for (const field of selector.FieldSelectors) {
              const lists = OPERATORS.map((operator) => field[operator]).filter(
                (list): list is string[] => list !== undefined,
              );
              // CloudTrail: some operator, each with at least one value of at least one character.
              expect(lists.length).toBeGreaterThan(0);
              for (const list of lists) {
                expect(list.length).toBeGreaterThan(0);
                expect(list.every((value) => value.length > 0)).toBe(true);
              }
            }
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('stays within the advanced value limit, and refuses only when no room can be made', () => {
    fc.assert(
      fc.property(nearLimitSet, (current) => {
        const selectors = current.AdvancedEventSelectors ?? [];
        const hasManagementOnly = selectors.some((s) =>
          s.FieldSelectors.some(
            (f) => f.Field === 'eventCategory' && f.Equals?.[0] === 'Management',
          ),
        );
        const roomForOneMore = advancedValues(selectors) + 1 <= MAX_ADVANCED_SELECTOR_VALUES;

        if (isFull(current) || hasManagementOnly || roomForOneMore) {
          const repair = repairSelectors(current);
          const repaired = repairedSet(current, repair).AdvancedEventSelectors ?? [];
          expect(advancedValues(repaired)).toBeLessThanOrEqual(MAX_ADVANCED_SELECTOR_VALUES);
        } else {
          expect(() => repairSelectors(current)).toThrow(SelectorRepairError);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('returns a set the rule already finds compliant unchanged', () => {
    fc.assert(
      fc.property(anySet, (current) => {
        fc.pre(isFull(current));

        expect(repairSelectors(current)).toEqual({ changed: false });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('leaves a repaired set as it is when run again', () => {
    fc.assert(
      fc.property(anySet, (current) => {
        const repaired = repairedSet(current, repairSelectors(current));

        expect(repairSelectors(repaired)).toEqual({ changed: false });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps every basic data selector with its data resources and ReadWriteType when it stays basic', () => {
    fc.assert(
      fc.property(basicSet, (current) => {
        const repair = repairSelectors(current);
        fc.pre(repair.changed && 'EventSelectors' in repair.input);
        const repaired = repairedSet(current, repair).EventSelectors ?? [];

        (current.EventSelectors ?? []).forEach((selector, index) => {
          if ((selector.DataResources ?? []).length === 0) return;
          expect(repaired[index]?.DataResources).toBe(selector.DataResources);
          expect(repaired[index]?.ReadWriteType ?? 'All').toBe(selector.ReadWriteType ?? 'All');
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('converts a basic set to advanced only when five data selectors of one kind leave no other way', () => {
    fc.assert(
      fc.property(basicSet, (current) => {
        const repair = repairSelectors(current);
        fc.pre(repair.changed && 'AdvancedEventSelectors' in repair.input);
        const selectors = current.EventSelectors ?? [];
        const kinds = new Set(selectors.map((selector) => selector.ReadWriteType ?? 'All'));

        expect(selectors).toHaveLength(MAX_BASIC_SELECTORS);
        expect(selectors.every((selector) => (selector.DataResources ?? []).length > 0)).toBe(true);
        expect([...kinds].sort()).toEqual(kinds.has('ReadOnly') ? ['ReadOnly'] : ['WriteOnly']);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('does not modify the selectors it is given', () => {
    fc.assert(
      fc.property(anySet, (current) => {
        const copy = structuredClone(current);

        repairSelectors(current);

        expect(current).toEqual(copy);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps every advanced selector that logs a data event as it is and in order', () => {
    fc.assert(
      fc.property(advancedSet, (current) => {
        const repaired =
          repairedSet(current, repairSelectors(current)).AdvancedEventSelectors ?? [];
        const universe = dataEventUniverse(current);
        const logsData = (current.AdvancedEventSelectors ?? []).filter((selector) =>
          universe.some((event) =>
            referenceLogsDataEvent({ AdvancedEventSelectors: [selector] }, event),
          ),
        );

        expect(repaired.filter((selector) => logsData.includes(selector))).toEqual(logsData);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// The generators are only worth running if they reach every strategy often.
describe('the selector generators', () => {
  it('reach every repair strategy', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(anySet, (current) => {
        const repair = repairSelectors(current);
        if (!repair.changed) seen.add('unchanged');
        else if ('AdvancedEventSelectors' in repair.input) {
          seen.add(current.EventSelectors ? 'translated' : 'advanced');
        } else {
          const before = current.EventSelectors ?? [];
          const after = repair.input.EventSelectors;
          const edited = before.filter((selector, index) => after[index] !== selector).length;
          seen.add(after.length > before.length ? 'added' : `edited ${edited}`);
        }
      }),
      { numRuns: NUM_RUNS },
    );

    expect([...seen].sort()).toEqual([
      'added',
      'advanced',
      'edited 1',
      'edited 2',
      'translated',
      'unchanged',
    ]);
  });
});
