import type {
  AdvancedEventSelector,
  EventSelector,
  EventSelectors,
  FieldSelector,
} from '../../rule/state';

type DataResource = NonNullable<EventSelector['DataResources']>[number];

/**
 * A small reference model of which data events a trail's event selectors log,
 * for property tests of remediation/selectors.ts. It is written to be
 * obviously correct rather than fast, and shares no code with the
 * implementation: it takes one concrete event and asks of each selector, in
 * the words of the CloudTrail API reference, "does it select this event?".
 *
 * Basic selectors (DataResource, CloudTrail API reference):
 * - `AWS::S3::Object`: a value is an ARN prefix; `arn:aws:s3` (and
 *   `arn:aws:s3:::`, in earlier versions of the reference) mean every object.
 * - `AWS::Lambda::Function`: a value is an exact function ARN ("Lambda
 *   function ARNs are exact"); `arn:aws:lambda` means every function.
 * - `AWS::DynamoDB::Table`: a value is a table ARN, taken as exact (the
 *   reference documents no prefix matching for it); `arn:aws:dynamodb` means
 *   every table.
 * - `ReadWriteType` (default `All`) decides read, write or both; the
 *   management settings play no part in data events.
 *
 * Advanced selectors: a selector with an `eventCategory` condition selects an
 * event when every condition accepts the event's value of its field; a
 * condition accepts a value when each operator it states accepts it.
 */

/** One data event, described by the values of the fields selectors can test. */
export interface DataEvent {
  resourceType: string;
  arn: string;
  readOnly: boolean;
  eventSource?: string;
  eventName?: string;
}

const EVERY_S3_OBJECT = ['arn:aws:s3', 'arn:aws:s3:::'];
const EVERY_LAMBDA_FUNCTION = ['arn:aws:lambda'];
const EVERY_DYNAMODB_TABLE = ['arn:aws:dynamodb'];

function basicValueSelects(type: string, value: string, arn: string): boolean {
  switch (type) {
    case 'AWS::S3::Object':
      return EVERY_S3_OBJECT.includes(value) || arn.startsWith(value);
    case 'AWS::Lambda::Function':
      return EVERY_LAMBDA_FUNCTION.includes(value) || arn === value;
    case 'AWS::DynamoDB::Table':
      return EVERY_DYNAMODB_TABLE.includes(value) || arn === value;
    default:
      throw new Error(`the reference model does not know basic resource type ${type}`);
  }
}

function basicResourceSelects(resource: DataResource, event: DataEvent): boolean {
  if (resource.Type !== event.resourceType) return false;
  return (resource.Values ?? []).some((value) =>
    basicValueSelects(event.resourceType, value, event.arn),
  );
}

function basicSelects(selector: EventSelector, event: DataEvent): boolean {
  const readWriteType = selector.ReadWriteType ?? 'All';
  if (readWriteType === 'ReadOnly' && !event.readOnly) return false;
  if (readWriteType === 'WriteOnly' && event.readOnly) return false;
  return (selector.DataResources ?? []).some((resource) => basicResourceSelects(resource, event));
}

/** The value of a field on a data event. */
function fieldValue(event: DataEvent, field: string): string {
  let value: string | undefined;
  if (field === 'eventCategory') value = 'Data';
  else if (field === 'resources.type') value = event.resourceType;
  else if (field === 'resources.ARN') value = event.arn;
  else if (field === 'readOnly') value = event.readOnly ? 'true' : 'false';
  else if (field === 'eventSource') value = event.eventSource;
  else if (field === 'eventName') value = event.eventName;
  else throw new Error(`the reference model does not know the field ${field}`);
  if (value === undefined) throw new Error(`the event has no value for ${field}`);
  return value;
}

/** Whether one condition accepts a value: every operator it states must accept it. */
function conditionAccepts(condition: FieldSelector, value: string): boolean {
  const stated = (list: string[] | undefined): list is string[] =>
    list !== undefined && list.length > 0;
  const { Equals, StartsWith, EndsWith, NotEquals, NotStartsWith, NotEndsWith } = condition;
  if (stated(Equals) && !Equals.includes(value)) return false;
  if (stated(StartsWith) && !StartsWith.some((prefix) => value.startsWith(prefix))) return false;
  if (stated(EndsWith) && !EndsWith.some((suffix) => value.endsWith(suffix))) return false;
  if (stated(NotEquals) && NotEquals.includes(value)) return false;
  if (stated(NotStartsWith) && NotStartsWith.some((prefix) => value.startsWith(prefix))) {
    return false;
  }
  if (stated(NotEndsWith) && NotEndsWith.some((suffix) => value.endsWith(suffix))) return false;
  return true;
}

function advancedSelects(selector: AdvancedEventSelector, event: DataEvent): boolean {
  const conditions = selector.FieldSelectors;
  if (!conditions.some((condition) => condition.Field === 'eventCategory')) return false;
  return conditions.every((condition) =>
    conditionAccepts(condition, fieldValue(event, condition.Field)),
  );
}

/** Whether the trail logs the data event: some selector selects it (none without selectors). */
export function referenceLogsDataEvent(selectors: EventSelectors, event: DataEvent): boolean {
  return (
    (selectors.EventSelectors ?? []).some((selector) => basicSelects(selector, event)) ||
    (selectors.AdvancedEventSelectors ?? []).some((selector) => advancedSelects(selector, event))
  );
}

/** Text no generated selector value contains, to make values nobody named. */
export const UNNAMED = '~unnamed~';

/** Resource types every universe includes, whether or not a selector names them. */
const COMMON_TYPES = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'];

/** An ARN that no selector names and that no "every resource" value prefixes. */
const UNRELATED_ARN = `arn:aws:unrelated:us-east-1:111122223333:${UNNAMED}`;

function valuesOf(sets: readonly EventSelectors[], field: string): string[] {
  const values: string[] = [];
  for (const selectors of sets) {
    for (const selector of selectors.AdvancedEventSelectors ?? []) {
      for (const condition of selector.FieldSelectors) {
        if (condition.Field !== field) continue;
        values.push(
          ...(condition.Equals ?? []),
          ...(condition.StartsWith ?? []),
          ...(condition.EndsWith ?? []),
          ...(condition.NotEquals ?? []),
          ...(condition.NotStartsWith ?? []),
          ...(condition.NotEndsWith ?? []),
        );
      }
    }
  }
  return values;
}

function basicResources(sets: readonly EventSelectors[]): DataResource[] {
  return sets.flatMap((selectors) =>
    (selectors.EventSelectors ?? []).flatMap((selector) => selector.DataResources ?? []),
  );
}

/**
 * A finite set of data events that tells apart any two selector sets built
 * from the values the given sets name: every resource type named, the common
 * basic types and one nobody named; every ARN value named, as it is, with
 * something after it and with something before it, plus an unrelated ARN;
 * read and write; every event source and event name named plus one not.
 */
export function dataEventUniverse(...sets: EventSelectors[]): DataEvent[] {
  const named = [
    ...basicResources(sets).flatMap((resource) => resource.Values ?? []),
    ...valuesOf(sets, 'resources.ARN'),
  ];
  for (const value of named) {
    if (value.includes(UNNAMED)) throw new Error(`a selector value contains ${UNNAMED}: ${value}`);
  }
  const arns = new Set<string>([UNRELATED_ARN]);
  for (const value of named) {
    arns.add(value);
    arns.add(`${value}${UNNAMED}`);
    arns.add(`${UNNAMED}${value}`);
  }
  const types = new Set<string>([
    ...COMMON_TYPES,
    ...basicResources(sets).flatMap((resource) => (resource.Type ? [resource.Type] : [])),
    ...valuesOf(sets, 'resources.type'),
    `AWS::${UNNAMED}::Resource`,
  ]);
  const sources = new Set([...valuesOf(sets, 'eventSource'), `${UNNAMED}.amazonaws.com`]);
  const names = new Set([...valuesOf(sets, 'eventName'), `${UNNAMED}Object`]);

  const universe: DataEvent[] = [];
  for (const resourceType of types) {
    for (const arn of arns) {
      for (const readOnly of [true, false]) {
        for (const eventSource of sources) {
          for (const eventName of names) {
            universe.push({ resourceType, arn, readOnly, eventSource, eventName });
          }
        }
      }
    }
  }
  return universe;
}

/** The events of the universe the trail logs, each as a readable key. */
export function referenceLoggedDataEvents(
  selectors: EventSelectors,
  universe: readonly DataEvent[],
): string[] {
  return universe
    .filter((event) => referenceLogsDataEvent(selectors, event))
    .map(
      (event) =>
        `${event.resourceType} ${event.arn} ${event.readOnly ? 'read' : 'write'} ` +
        `${event.eventSource ?? '-'} ${event.eventName ?? '-'}`,
    );
}
