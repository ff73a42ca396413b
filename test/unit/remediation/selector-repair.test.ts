import {
  MANAGEMENT_SELECTOR_NAME,
  repairSelectors,
  type SelectorRepair,
  SelectorRepairError,
} from '../../../remediation/selectors';
import { managementCoverage } from '../../../rule/selectors';
import type { AdvancedEventSelector, EventSelector, EventSelectors } from '../../../rule/state';
import { dataEventUniverse, referenceLoggedDataEvents } from '../../support/data-event-reference';
import { advanced, basic, managementSelector, TRAIL_ARN } from '../../support/selector-sets';

const BUCKET = 'arn:aws:s3:::amzn-s3-demo-bucket/';
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:helloworld';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders';

const s3Selector = (
  readWriteType: 'All' | 'ReadOnly' | 'WriteOnly',
  includeManagementEvents: boolean,
  values: string[] = [BUCKET],
): EventSelector => ({
  ReadWriteType: readWriteType,
  IncludeManagementEvents: includeManagementEvents,
  DataResources: [{ Type: 'AWS::S3::Object', Values: values }],
  ExcludeManagementEventSources: [],
});

const fullManagement: AdvancedEventSelector = {
  Name: MANAGEMENT_SELECTOR_NAME,
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
};

const s3Writes: AdvancedEventSelector = {
  Name: 'S3 writes to one bucket',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
    { Field: 'readOnly', Equals: ['false'] },
    { Field: 'resources.ARN', StartsWith: [BUCKET] },
  ],
};

const lambdaInvokes: AdvancedEventSelector = {
  Name: 'Invocations of one function',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
    { Field: 'resources.ARN', Equals: [FUNCTION] },
  ],
};

const dynamoDbTables: AdvancedEventSelector = {
  Name: 'DynamoDB data events except on one table',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
    { Field: 'resources.ARN', NotEquals: [TABLE] },
  ],
};

/** The selectors the trail has after the repair. */
function repairedSet(current: EventSelectors, repair: SelectorRepair): EventSelectors {
  return repair.changed ? { TrailARN: current.TrailARN, ...repair.input } : current;
}

function expectFullCoverage(selectors: EventSelectors): void {
  const coverage = managementCoverage(selectors);
  expect(coverage.uncoveredRead).toEqual([]);
  expect(coverage.uncoveredWrite).toEqual([]);
}

function expectSameDataEvents(before: EventSelectors, repaired: EventSelectors): void {
  const universe = dataEventUniverse(before, repaired);
  expect(referenceLoggedDataEvents(repaired, universe)).toEqual(
    referenceLoggedDataEvents(before, universe),
  );
}

describe('selector repair', () => {
  it('leaves a trail that already logs all management events unchanged', () => {
    const current = basic(managementSelector('All'), s3Selector('WriteOnly', false));

    expect(repairSelectors(current)).toEqual({ changed: false });
  });

  it('leaves an advanced trail with a full management selector unchanged', () => {
    const current = advanced(s3Writes, fullManagement);

    expect(repairSelectors(current)).toEqual({ changed: false });
  });

  it('leaves a trail with no selectors unchanged, as CloudTrail then logs all management events', () => {
    expect(repairSelectors({ TrailARN: TRAIL_ARN })).toEqual({ changed: false });
    expect(repairSelectors(basic())).toEqual({ changed: false });
  });

  it('widens a write-only management selector to read and write in place', () => {
    const current = basic(managementSelector('WriteOnly'));

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: { EventSelectors: [managementSelector('All')] },
      reason: expect.stringContaining('widens ReadWriteType from WriteOnly to All in selector 1'),
    });
    expectFullCoverage(repairedSet(current, repair));
  });

  it('widens a read-only management selector to read and write in place', () => {
    const current = basic(managementSelector('ReadOnly'), s3Selector('All', false));

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: { EventSelectors: [managementSelector('All'), s3Selector('All', false)] },
      reason: expect.stringContaining('from ReadOnly to All in selector 1'),
    });
    expectFullCoverage(repairedSet(current, repair));
  });

  it('turns management events on in an All selector whose data resources stay as they are', () => {
    const current = basic(s3Selector('All', false));

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: { EventSelectors: [s3Selector('All', true)] },
      reason: expect.stringContaining('turns on management events in selector 1'),
    });
    expectFullCoverage(repairedSet(current, repair));
    expectSameDataEvents(current, repairedSet(current, repair));
  });

  it('adds a management selector when management events are off in a read-only data selector', () => {
    const current = basic(s3Selector('ReadOnly', false));

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: {
        EventSelectors: [
          s3Selector('ReadOnly', false),
          { ReadWriteType: 'All', IncludeManagementEvents: true },
        ],
      },
      reason: expect.stringContaining('adds a basic selector'),
    });
    expectFullCoverage(repairedSet(current, repair));
    expectSameDataEvents(current, repairedSet(current, repair));
  });

  it('stops excluding the KMS and RDS Data API sources', () => {
    const current = basic(
      managementSelector('All', ['kms.amazonaws.com', 'rdsdata.amazonaws.com']),
    );

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: {
        EventSelectors: [
          { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] },
        ],
      },
      reason: expect.stringContaining(
        'stops excluding kms.amazonaws.com and rdsdata.amazonaws.com in selector 1',
      ),
    });
    expectFullCoverage(repairedSet(current, repair));
  });

  it('does not widen a write-only selector with S3 data resources, which would log more data events', () => {
    const current = basic(s3Selector('WriteOnly', true));

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: {
        EventSelectors: [
          s3Selector('WriteOnly', true),
          { ReadWriteType: 'All', IncludeManagementEvents: true },
        ],
      },
      reason: expect.any(String),
    });
    expectFullCoverage(repairedSet(current, repair));
    expectSameDataEvents(current, repairedSet(current, repair));
  });

  it('turns management on in a read-only and a write-only data selector when all five are in use', () => {
    const current = basic(
      s3Selector('ReadOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket1/']),
      s3Selector('ReadOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket2/']),
      s3Selector('WriteOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket3/']),
      s3Selector('ReadOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket4/']),
      s3Selector('ReadOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket5/']),
    );

    const repair = repairSelectors(current);

    expect(repair.changed && 'EventSelectors' in repair.input).toBe(true);
    expect(repair).toMatchObject({
      reason: expect.stringContaining('in selector 1 and turns on management events in selector 3'),
    });
    expectFullCoverage(repairedSet(current, repair));
    expectSameDataEvents(current, repairedSet(current, repair));
  });

  it('translates five read-only data selectors, with no room left, into equivalent advanced selectors', () => {
    const current = basic(
      s3Selector('ReadOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket1/']),
      s3Selector('ReadOnly', true, ['arn:aws:s3:::amzn-s3-demo-bucket2/logs/']),
      {
        ReadWriteType: 'ReadOnly',
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::Lambda::Function', Values: [FUNCTION] }],
      },
      {
        ReadWriteType: 'ReadOnly',
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::DynamoDB::Table', Values: ['arn:aws:dynamodb'] }],
      },
      s3Selector('ReadOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket1/']),
    );

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: {
        AdvancedEventSelectors: [
          fullManagement,
          {
            Name: 'Read-only data events on selected S3 objects',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              {
                Field: 'resources.ARN',
                StartsWith: [
                  'arn:aws:s3:::amzn-s3-demo-bucket1/',
                  'arn:aws:s3:::amzn-s3-demo-bucket2/logs/',
                ],
              },
              { Field: 'readOnly', Equals: ['true'] },
            ],
          },
          {
            Name: 'Read-only data events on selected Lambda functions',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
              { Field: 'resources.ARN', Equals: [FUNCTION] },
              { Field: 'readOnly', Equals: ['true'] },
            ],
          },
          {
            Name: 'Read-only data events on all DynamoDB tables',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
              { Field: 'readOnly', Equals: ['true'] },
            ],
          },
        ],
      },
      reason: expect.stringContaining('converts the 5 basic selectors'),
    });
    expectFullCoverage(repairedSet(current, repair));
    expectSameDataEvents(current, repairedSet(current, repair));
  });

  it('translates the values that mean every S3 object into a selector without an ARN condition', () => {
    const current = basic(
      s3Selector('WriteOnly', false, ['arn:aws:s3']),
      s3Selector('WriteOnly', false, ['arn:aws:s3:::']),
      s3Selector('WriteOnly', false, [BUCKET]),
      {
        ReadWriteType: 'WriteOnly',
        DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }],
        IncludeManagementEvents: false,
      },
      s3Selector('WriteOnly', false, ['arn:aws:s3:::amzn-s3-demo-bucket']),
    );

    const repair = repairSelectors(current);

    expect(repair.changed && 'AdvancedEventSelectors' in repair.input).toBe(true);
    const selectors = repairedSet(current, repair).AdvancedEventSelectors ?? [];
    expect(selectors.flatMap((s) => s.FieldSelectors).map((f) => f.Field)).not.toContain(
      'resources.ARN',
    );
    expectFullCoverage(repairedSet(current, repair));
    expectSameDataEvents(current, repairedSet(current, repair));
  });

  it('replaces a read-only advanced management selector with a full one', () => {
    const current = advanced({
      Name: 'Read-only management events',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'readOnly', Equals: ['true'] },
      ],
    });

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: { AdvancedEventSelectors: [fullManagement] },
      reason: expect.stringContaining('replaces management selector "Read-only management events"'),
    });
    expectFullCoverage(repairedSet(current, repair));
  });

  it('replaces management selectors excluding sources, keeping S3, Lambda and DynamoDB selectors', () => {
    const withoutKms: AdvancedEventSelector = {
      Name: 'Management events without KMS',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
      ],
    };
    const writesWithoutS3: AdvancedEventSelector = {
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'readOnly', Equals: ['false'] },
        { Field: 'eventSource', NotStartsWith: ['s3'] },
      ],
    };
    const current = advanced(s3Writes, withoutKms, lambdaInvokes, writesWithoutS3, dynamoDbTables);

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: { AdvancedEventSelectors: [s3Writes, fullManagement, lambdaInvokes, dynamoDbTables] },
      reason: expect.stringContaining(
        'management selectors "Management events without KMS", selector 4',
      ),
    });
    const kept = repairedSet(current, repair).AdvancedEventSelectors ?? [];
    expect(kept[0]).toBe(s3Writes);
    expect(kept[2]).toBe(lambdaInvokes);
    expect(kept[3]).toBe(dynamoDbTables);
    expectFullCoverage(repairedSet(current, repair));
    expectSameDataEvents(current, repairedSet(current, repair));
  });

  it('replaces a management selector narrowed by eventName, which the rule does not count', () => {
    const current = advanced(
      {
        Name: 'Management events except console logins',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'eventName', NotEquals: ['ConsoleLogin'] },
        ],
      },
      lambdaInvokes,
    );

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: { AdvancedEventSelectors: [fullManagement, lambdaInvokes] },
      reason: expect.stringContaining('the other selector is unchanged'),
    });
    expectFullCoverage(repairedSet(current, repair));
  });

  it('adds a management selector after data selectors when none logs only management events', () => {
    const current = advanced(s3Writes, lambdaInvokes);

    const repair = repairSelectors(current);

    expect(repair).toEqual({
      changed: true,
      input: { AdvancedEventSelectors: [s3Writes, lambdaInvokes, fullManagement] },
      reason: expect.stringContaining('adds an advanced selector'),
    });
    expectFullCoverage(repairedSet(current, repair));
  });

  it('keeps a selector that names Management and Data categories, as it logs data events too', () => {
    const mixed: AdvancedEventSelector = {
      Name: 'Reads of everything',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management', 'Data'] },
        { Field: 'readOnly', Equals: ['true'] },
      ],
    };

    const repair = repairSelectors(advanced(mixed));

    expect(repair).toMatchObject({ input: { AdvancedEventSelectors: [mixed, fullManagement] } });
  });

  const manyBuckets = (count: number): AdvancedEventSelector => ({
    Name: 'Many buckets',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      {
        Field: 'resources.ARN',
        StartsWith: Array.from(
          { length: count },
          (_, i) => `arn:aws:s3:::amzn-s3-demo-bucket${i}/`,
        ),
      },
    ],
  });

  it('may use the last of the 500 condition values advanced selectors may have', () => {
    const repair = repairSelectors(advanced(manyBuckets(497)));

    expect(repair).toMatchObject({ changed: true });
  });

  it('refuses to go over the 500 condition values advanced selectors may have', () => {
    const current = advanced(manyBuckets(498));

    expect(() => repairSelectors(current)).toThrow(SelectorRepairError);
    expect(() => repairSelectors(current)).toThrow(/501 condition values/);
  });

  it('refuses to translate a basic data resource whose meaning is not documented', () => {
    const current = basic(
      ...Array.from({ length: 5 }, () => ({
        ReadWriteType: 'ReadOnly' as const,
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::S3Express::Object', Values: ['arn:aws:s3express'] }],
      })),
    );

    expect(() => repairSelectors(current)).toThrow(/convert the trail to advanced event selectors/);
  });

  it('refuses a response with both basic and advanced selectors', () => {
    const current: EventSelectors = {
      TrailARN: TRAIL_ARN,
      EventSelectors: [managementSelector('ReadOnly')],
      AdvancedEventSelectors: [s3Writes],
    };

    expect(() => repairSelectors(current)).toThrow(SelectorRepairError);
  });
});
