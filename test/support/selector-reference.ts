import type {
  AdvancedEventSelector,
  EventSelector,
  EventSelectors,
  FieldSelector,
} from '../../rule/state';

/**
 * A small reference model of which management events a trail's event
 * selectors log (docs/design.md, "Selector semantics"), for property tests of
 * rule/selectors.ts. It is written to be obviously correct rather than fast
 * or clever, and shares no code with the implementation: it lists concrete
 * events and asks of each one "does any selector match it?".
 */

/** The two kinds of management event. */
export type ReferenceKind = 'read' | 'write';

/** A management event as advanced selectors see it: the values of the fields they can test. */
export interface ManagementEvent {
  eventCategory: 'Management';
  readOnly: 'true' | 'false';
  eventSource: string;
}

/** Per kind, the sources of the universe whose events of that kind no selector logs (sorted). */
export interface ReferenceGaps {
  read: string[];
  write: string[];
}

/**
 * Joins a named prefix to a named suffix in the universe of sources. It starts
 * and ends with `~`, a character no selector value may use (checked), so a
 * source built with it starts and ends with exactly the named values that its
 * prefix and suffix do, and equals no named value.
 */
export const UNNAMED_MARKER = '~unnamed~';

/** A source no selector names. */
export const UNNAMED_SOURCE = UNNAMED_MARKER;

/** Whether one field selector accepts a value: every operator it states must accept it. */
export function referenceAccepts(field: FieldSelector, value: string): boolean {
  const stated = (list: string[] | undefined): list is string[] =>
    list !== undefined && list.length > 0;
  if (stated(field.Equals) && !field.Equals.includes(value)) return false;
  if (stated(field.StartsWith) && !field.StartsWith.some((p) => value.startsWith(p))) return false;
  if (stated(field.EndsWith) && !field.EndsWith.some((s) => value.endsWith(s))) return false;
  if (stated(field.NotEquals) && field.NotEquals.includes(value)) return false;
  if (stated(field.NotStartsWith) && field.NotStartsWith.some((p) => value.startsWith(p))) {
    return false;
  }
  if (stated(field.NotEndsWith) && field.NotEndsWith.some((s) => value.endsWith(s))) return false;
  return true;
}

/** The value of a field on a management event; `undefined` for a field the model cannot know. */
function fieldValue(event: ManagementEvent, field: string): string | undefined {
  if (field === 'eventCategory') return event.eventCategory;
  if (field === 'readOnly') return event.readOnly;
  if (field === 'eventSource') return event.eventSource;
  return undefined;
}

function basicMatches(selector: EventSelector, event: ManagementEvent): boolean {
  const includesManagement = selector.IncludeManagementEvents ?? true;
  const readWriteType = selector.ReadWriteType ?? 'All';
  const excluded = selector.ExcludeManagementEventSources ?? [];
  if (!includesManagement) return false;
  if (readWriteType === 'ReadOnly' && event.readOnly !== 'true') return false;
  if (readWriteType === 'WriteOnly' && event.readOnly !== 'false') return false;
  return !excluded.includes(event.eventSource);
}

function advancedMatches(selector: AdvancedEventSelector, event: ManagementEvent): boolean {
  const fields = selector.FieldSelectors;
  if (!fields.some((f) => f.Field === 'eventCategory')) return false;
  return fields.every((f) => {
    const value = fieldValue(event, f.Field);
    return value !== undefined && referenceAccepts(f, value);
  });
}

/** Whether the trail logs the event: with no selectors at all, everything is logged. */
export function referenceLogs(selectors: EventSelectors, event: ManagementEvent): boolean {
  const basic = selectors.EventSelectors ?? [];
  const advanced = selectors.AdvancedEventSelectors ?? [];
  if (basic.length === 0 && advanced.length === 0) return true;
  return (
    basic.some((s) => basicMatches(s, event)) || advanced.some((s) => advancedMatches(s, event))
  );
}

/**
 * Event-source values the selectors state as whole sources: excluded by a
 * basic selector, or listed by `Equals` / `NotEquals` on `eventSource`.
 */
export function exactlyNamedSources(selectors: EventSelectors): Set<string> {
  const named = new Set<string>();
  for (const s of selectors.EventSelectors ?? []) {
    for (const v of s.ExcludeManagementEventSources ?? []) named.add(v);
  }
  for (const f of eventSourceFields(selectors)) {
    for (const v of [...(f.Equals ?? []), ...(f.NotEquals ?? [])]) named.add(v);
  }
  return named;
}

function eventSourceFields(selectors: EventSelectors): FieldSelector[] {
  return (selectors.AdvancedEventSelectors ?? [])
    .flatMap((s) => s.FieldSelectors)
    .filter((f) => f.Field === 'eventSource');
}

/**
 * The sources to try: every event-source value named anywhere in the
 * selectors, one unnamed source, and for every named prefix `p` and suffix
 * `q` (each possibly empty) the source `p + UNNAMED_MARKER + q`, which stands
 * for the sources with that prefix and suffix that no selector names.
 */
export function referenceUniverse(selectors: EventSelectors): string[] {
  const fields = eventSourceFields(selectors);
  const prefixes = [
    '',
    ...fields.flatMap((f) => [...(f.StartsWith ?? []), ...(f.NotStartsWith ?? [])]),
  ];
  const suffixes = [
    '',
    ...fields.flatMap((f) => [...(f.EndsWith ?? []), ...(f.NotEndsWith ?? [])]),
  ];
  const named = [...exactlyNamedSources(selectors), ...prefixes, ...suffixes];
  for (const value of named) {
    if (value.includes('~')) {
      throw new Error(`the reference model cannot use "~" in a selector value: ${value}`);
    }
  }
  const universe = new Set<string>([...named, UNNAMED_SOURCE]);
  for (const p of prefixes) {
    for (const q of suffixes) universe.add(p + UNNAMED_MARKER + q);
  }
  return [...universe].sort();
}

/**
 * For each kind, the sources of the universe whose management events of that
 * kind no selector logs.
 */
export function referenceGaps(selectors: EventSelectors): ReferenceGaps {
  const universe = referenceUniverse(selectors);
  const unlogged = (readOnly: 'true' | 'false') =>
    universe.filter(
      (eventSource) =>
        !referenceLogs(selectors, { eventCategory: 'Management', readOnly, eventSource }),
    );
  return { read: unlogged('true'), write: unlogged('false') };
}
