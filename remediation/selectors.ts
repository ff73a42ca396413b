import { managementCoverage } from '../rule/selectors';
import type {
  AdvancedEventSelector,
  EventSelector,
  EventSelectors,
  FieldSelector,
} from '../rule/state';
import { RemediationError } from './errors';

/**
 * Selector repair (docs/design.md, "Remediation"): the `PutEventSelectors` input that makes a
 * trail log every management event, read and write, from every source, while
 * the data events it logs stay exactly as they are. Pure: it sees only the
 * `GetEventSelectors` response and decides by meaning, with the rule's own
 * `managementCoverage` as the judge of "every management event".
 */

/**
 * Basic event selectors per trail.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
 */
export const MAX_BASIC_SELECTORS = 5;

/**
 * Data resource values across all basic selectors of a trail. The repair
 * never adds one, so a trail within the limit stays within it.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DataResource.html
 */
export const MAX_BASIC_DATA_RESOURCES = 250;

/**
 * Values across all conditions of all advanced selectors of a trail (every
 * string in every operator list counts, `eventCategory` included).
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html
 */
export const MAX_ADVANCED_SELECTOR_VALUES = 500;

/** The name the repair gives the advanced selector it adds for management events. */
export const MANAGEMENT_SELECTOR_NAME = 'All management events';

export type SelectorRepair =
  | { changed: false }
  | {
      changed: true;
      /** Exactly the PutEventSelectors input apart from TrailName: one of the two keys. */
      input:
        | { EventSelectors: EventSelector[] }
        | { AdvancedEventSelectors: AdvancedEventSelector[] };
      /** One sentence for a person: what changes and why. */
      reason: string;
    };

/**
 * The selectors cannot be repaired without losing or adding data events, or
 * without going over a CloudTrail limit; the message says what to do.
 */
export class SelectorRepairError extends RemediationError {
  override readonly name = 'SelectorRepairError';
}

/**
 * What to put with `PutEventSelectors` so that the trail logs every
 * management event, read and write, from every source, and exactly the data
 * events it logs now. `{ changed: false }` when it already does.
 *
 * It prefers the smallest edit: a basic set stays basic when it can within
 * {@link MAX_BASIC_SELECTORS}; an advanced set keeps every selector that can
 * log anything but management events as it is.
 *
 * @example
 * repairSelectors({
 *   EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
 * });
 * // => { changed: true,
 * //      input: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] },
 * //      reason: 'widens ReadWriteType from WriteOnly to All in selector 1 so that ...' }
 */
export function repairSelectors(current: EventSelectors): SelectorRepair {
  if (isFullyCovered(current)) return { changed: false };

  const basic = current.EventSelectors ?? [];
  const advanced = current.AdvancedEventSelectors ?? [];
  if (basic.length > 0 && advanced.length > 0) {
    throw new SelectorRepairError(
      'The trail reports both basic and advanced event selectors, which CloudTrail does not ' +
        'allow; read its selectors again with GetEventSelectors and repair from that answer.',
    );
  }
  return advanced.length > 0 ? repairAdvanced(advanced) : repairBasic(basic);
}

function isFullyCovered(selectors: EventSelectors): boolean {
  const coverage = managementCoverage(selectors);
  return coverage.uncoveredRead.length === 0 && coverage.uncoveredWrite.length === 0;
}

// ---------------------------------------------------------------------------
// Basic selectors
// ---------------------------------------------------------------------------

/**
 * An edit of one basic selector that cannot change its data events:
 * `management` touches only `IncludeManagementEvents` and
 * `ExcludeManagementEventSources`, which concern management events alone;
 * `full` also sets `ReadWriteType: All`, which in a basic selector applies to
 * its data resources too, so it is offered only for a selector without any.
 */
type EditKind = 'management' | 'full';

interface SelectorEdit {
  index: number;
  selector: EventSelector;
  /** What changed, for a person. */
  changes: string[];
  hasData: boolean;
}

interface BasicCandidate {
  selectors: EventSelector[];
  edits: SelectorEdit[];
}

const ADDED_BASIC_SELECTOR: EventSelector = { ReadWriteType: 'All', IncludeManagementEvents: true };

function repairBasic(selectors: EventSelector[]): SelectorRepair {
  if (selectors.length > MAX_BASIC_SELECTORS) {
    throw new SelectorRepairError(
      `The trail reports ${selectors.length} basic event selectors, more than CloudTrail's ` +
        `${MAX_BASIC_SELECTORS}; read its selectors again with GetEventSelectors.`,
    );
  }

  const best = bestInPlaceEdit(selectors);
  if (best !== undefined && best.edits.length === 1) return basicEditRepair(best);

  if (selectors.length < MAX_BASIC_SELECTORS) {
    return {
      changed: true,
      input: { EventSelectors: [...selectors, { ...ADDED_BASIC_SELECTOR }] },
      reason:
        'adds a basic selector that logs all read and write management events; ' +
        'the existing selectors and their data events are unchanged',
    };
  }

  if (best !== undefined) return basicEditRepair(best);
  return translateToAdvanced(selectors);
}

function basicEditRepair(candidate: BasicCandidate): SelectorRepair {
  const described = listed(
    candidate.edits.map((edit) => `${listed(edit.changes)} in selector ${edit.index + 1}`),
  );
  const withData = candidate.edits.filter((edit) => edit.hasData).length;
  const data =
    withData === 0
      ? 'data selectors unchanged'
      : `${withData === 1 ? 'its' : 'their'} ReadWriteType and data resources are unchanged, ` +
        'so the same data events are logged';
  return {
    changed: true,
    input: { EventSelectors: candidate.selectors },
    reason: `${described} so that every read and write management event is logged; ${data}`,
  };
}

/**
 * The in-place edit that gives full coverage with the fewest selectors
 * changed, then the fewest fields, preferring management-only selectors over
 * ones with data resources, then the earliest selector.
 */
function bestInPlaceEdit(selectors: EventSelector[]): BasicCandidate | undefined {
  const options = selectors.map((selector, index) => editOptions(selector, index));
  let best: BasicCandidate | undefined;
  let bestScore: number[] | undefined;

  const visit = (position: number, chosen: SelectorEdit[]): void => {
    if (position === selectors.length) {
      if (chosen.length === 0) return;
      const result = [...selectors];
      for (const edit of chosen) result[edit.index] = edit.selector;
      if (!isFullyCovered({ EventSelectors: result })) return;
      const score = [
        chosen.length,
        chosen.reduce((sum, edit) => sum + edit.changes.length, 0),
        chosen.filter((edit) => edit.hasData).length,
        ...chosen.map((edit) => edit.index),
      ];
      if (bestScore === undefined || compareScores(score, bestScore) < 0) {
        best = { selectors: result, edits: [...chosen] };
        bestScore = score;
      }
      return;
    }
    visit(position + 1, chosen);
    for (const edit of options[position] ?? []) visit(position + 1, [...chosen, edit]);
  };
  visit(0, []);
  return best;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The edits of one selector that change something and keep its data events:
 * turning management events fully on, and for a selector without data
 * resources also widening `ReadWriteType` to `All`.
 */
function editOptions(selector: EventSelector, index: number): SelectorEdit[] {
  const hasData = (selector.DataResources ?? []).length > 0;
  const widens = !hasData && (selector.ReadWriteType ?? 'All') !== 'All';
  const kinds: EditKind[] = widens ? ['management', 'full'] : ['management'];
  return kinds
    .map((kind) => ({ index, hasData, ...editSelector(selector, kind) }))
    .filter((edit) => edit.changes.length > 0);
}

function editSelector(
  selector: EventSelector,
  kind: EditKind,
): { selector: EventSelector; changes: string[] } {
  const { ExcludeManagementEventSources: excluded, ...edited } = selector;
  const changes: string[] = [];
  if (excluded !== undefined && excluded.length > 0) {
    changes.push(`stops excluding ${listed(excluded)}`);
  } else if (excluded !== undefined) {
    edited.ExcludeManagementEventSources = excluded;
  }
  if (selector.IncludeManagementEvents === false) {
    edited.IncludeManagementEvents = true;
    changes.push('turns on management events');
  }
  const readWriteType = selector.ReadWriteType ?? 'All';
  if (kind === 'full' && readWriteType !== 'All') {
    edited.ReadWriteType = 'All';
    changes.push(`widens ReadWriteType from ${readWriteType} to All`);
  }
  return { selector: edited, changes };
}

// ---------------------------------------------------------------------------
// Basic → advanced, when no basic edit fits within the limit
// ---------------------------------------------------------------------------

/**
 * How a basic data resource's values select resources (DataResource, CloudTrail
 * API reference): S3 values are ARN prefixes; Lambda function ARNs are exact
 * ("Unlike S3, you cannot use matching"); DynamoDB table ARNs each name one
 * table and no prefix matching is documented for them, so they are taken as
 * exact too. For each type one documented value means every resource of it.
 */
interface BasicResourceType {
  /** Plural, for selector names. */
  label: string;
  operator: 'StartsWith' | 'Equals';
  meansAll: (value: string) => boolean;
}

const BASIC_RESOURCE_TYPES = new Map<string, BasicResourceType>([
  [
    'AWS::S3::Object',
    {
      label: 'S3 objects',
      operator: 'StartsWith',
      // `arn:aws:s3` today; `arn:aws:s3:::` in earlier versions of the reference.
      meansAll: (value) => /^arn:[a-z-]+:s3(:::)?$/.test(value),
    },
  ],
  [
    'AWS::Lambda::Function',
    {
      label: 'Lambda functions',
      operator: 'Equals',
      meansAll: (value) => /^arn:[a-z-]+:lambda$/.test(value),
    },
  ],
  [
    'AWS::DynamoDB::Table',
    {
      label: 'DynamoDB tables',
      operator: 'Equals',
      meansAll: (value) => /^arn:[a-z-]+:dynamodb$/.test(value),
    },
  ],
]);

type ReadWriteType = NonNullable<EventSelector['ReadWriteType']>;

/** The data resources of one type and one `ReadWriteType`, across all basic selectors. */
interface DataGroup {
  type: string;
  known: BasicResourceType;
  readWriteType: ReadWriteType;
  /** Some value means every resource of the type. */
  all: boolean;
  values: string[];
}

const READ_ONLY_VALUE: Record<ReadWriteType, string | undefined> = {
  All: undefined,
  ReadOnly: 'true',
  WriteOnly: 'false',
};

const KIND_LABEL: Record<ReadWriteType, string> = {
  All: 'Read and write',
  ReadOnly: 'Read-only',
  WriteOnly: 'Write-only',
};

/**
 * Equivalent advanced selectors: one for all management events, then one per
 * resource type and `ReadWriteType` for the data resources, in order of first
 * appearance (values of one type and kind are alternatives, so joining them
 * logs the same events, and keeps the count of values within the limit).
 */
function translateToAdvanced(selectors: EventSelector[]): SelectorRepair {
  const groups: DataGroup[] = [];
  selectors.forEach((selector, index) => {
    const readWriteType = selector.ReadWriteType ?? 'All';
    for (const resource of selector.DataResources ?? []) {
      const type = resource.Type;
      const known = type === undefined ? undefined : BASIC_RESOURCE_TYPES.get(type);
      const values = resource.Values ?? [];
      if (type === undefined || known === undefined || values.length === 0) {
        throw new SelectorRepairError(
          `Basic selector ${index + 1} has a data resource (${JSON.stringify(resource)}) whose ` +
            'meaning is not documented for basic selectors, and all ' +
            `${MAX_BASIC_SELECTORS} selectors are in use, so there is no room for one that logs ` +
            'management events; convert the trail to advanced event selectors by hand, then run ' +
            'the remediation again.',
        );
      }
      let group = groups.find((g) => g.type === type && g.readWriteType === readWriteType);
      if (group === undefined) {
        group = { type, known, readWriteType, all: false, values: [] };
        groups.push(group);
      }
      for (const value of values) {
        if (known.meansAll(value)) group.all = true;
        else if (!group.values.includes(value)) group.values.push(value);
      }
    }
  });

  const data = groups.map(dataSelector);
  const result = [fullManagementSelector(), ...data];
  assertAdvancedWithinLimit(result);
  return {
    changed: true,
    input: { AdvancedEventSelectors: result },
    reason:
      `converts the ${selectors.length} basic selectors, which leave no room for one that logs ` +
      'all management events, to advanced selectors: one for all management events and ' +
      `${data.length} that log exactly the same data events as before`,
  };
}

function dataSelector(group: DataGroup): AdvancedEventSelector {
  const fields: FieldSelector[] = [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: [group.type] },
  ];
  if (!group.all) {
    const arn: FieldSelector = { Field: 'resources.ARN' };
    arn[group.known.operator] = [...group.values];
    fields.push(arn);
  }
  const readOnly = READ_ONLY_VALUE[group.readWriteType];
  if (readOnly !== undefined) fields.push({ Field: 'readOnly', Equals: [readOnly] });
  const scope = group.all ? 'all' : 'selected';
  return {
    Name: `${KIND_LABEL[group.readWriteType]} data events on ${scope} ${group.known.label}`,
    FieldSelectors: fields,
  };
}

// ---------------------------------------------------------------------------
// Advanced selectors
// ---------------------------------------------------------------------------

function fullManagementSelector(): AdvancedEventSelector {
  return {
    Name: MANAGEMENT_SELECTOR_NAME,
    FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
  };
}

/**
 * Whether an advanced selector can log nothing but management events: some
 * `eventCategory` condition accepts `Management` alone. Anything less certain
 * counts as logging other events, so the selector is kept as it is.
 */
function logsOnlyManagement(selector: AdvancedEventSelector): boolean {
  return selector.FieldSelectors.some(
    (field) =>
      field.Field === 'eventCategory' &&
      field.Equals !== undefined &&
      field.Equals.length > 0 &&
      field.Equals.every((value) => value === 'Management'),
  );
}

/**
 * Keeps every selector that can log data (or anything but management events)
 * exactly as it is and in its place; replaces the management-only selectors,
 * whose events a full management selector logs too, by one such selector in
 * the place of the first, or adds one at the end when there is none.
 */
function repairAdvanced(selectors: AdvancedEventSelector[]): SelectorRepair {
  const replaced = selectors.flatMap((selector, index) =>
    logsOnlyManagement(selector) ? [index] : [],
  );
  const first = replaced[0];
  const result =
    first === undefined
      ? [...selectors, fullManagementSelector()]
      : selectors.flatMap((selector, index) => {
          if (index === first) return [fullManagementSelector()];
          return replaced.includes(index) ? [] : [selector];
        });
  assertAdvancedWithinLimit(result);

  const kept = selectors.length - replaced.length;
  const unchanged =
    kept === 0
      ? 'there are no other selectors'
      : kept === 1
        ? 'the other selector is unchanged'
        : `the ${kept} other selectors are unchanged`;
  const verb = replaced.length === 1 ? 'logs' : 'log';
  const reason =
    first === undefined
      ? 'adds an advanced selector that logs all management events; ' +
        'the existing selectors are unchanged'
      : `replaces ${describeSelectors(selectors, replaced)}, which ${verb} only management ` +
        `events and not all of them, with one that logs all management events; ${unchanged}`;
  return { changed: true, input: { AdvancedEventSelectors: result }, reason };
}

function describeSelectors(all: readonly AdvancedEventSelector[], indexes: number[]): string {
  const names = indexes.map((index) => {
    const name = all[index]?.Name;
    return name !== undefined && name !== '' ? `"${name}"` : `selector ${index + 1}`;
  });
  const noun = indexes.length === 1 ? 'management selector' : 'management selectors';
  return `${noun} ${names.join(', ')}`;
}

/** Every value of every operator of every condition, as CloudTrail counts toward its limit. */
function advancedValueCount(selectors: readonly AdvancedEventSelector[]): number {
  let count = 0;
  for (const selector of selectors) {
    for (const field of selector.FieldSelectors) {
      for (const list of [
        field.Equals,
        field.StartsWith,
        field.EndsWith,
        field.NotEquals,
        field.NotStartsWith,
        field.NotEndsWith,
      ]) {
        count += list?.length ?? 0;
      }
    }
  }
  return count;
}

function assertAdvancedWithinLimit(selectors: readonly AdvancedEventSelector[]): void {
  const count = advancedValueCount(selectors);
  if (count > MAX_ADVANCED_SELECTOR_VALUES) {
    throw new SelectorRepairError(
      `Logging all management events would take the trail's advanced event selectors to ${count} ` +
        `condition values, over CloudTrail's limit of ${MAX_ADVANCED_SELECTOR_VALUES}; remove or ` +
        'combine conditions in its data selectors, then run the remediation again.',
    );
  }
}
