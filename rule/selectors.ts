import type { AdvancedEventSelector, EventSelector, EventSelectors, FieldSelector } from './state';

/** A management event is a read (`readOnly: true`) or a write (`readOnly: false`). */
export type ManagementKind = 'read' | 'write';
export const MANAGEMENT_KINDS: readonly ManagementKind[] = ['read', 'write'];

/** What a trail's event selectors log of management events, decided by meaning. */
export interface ManagementCoverage {
  /** Which selector API the trail uses. `none`: no selectors, so all management events. */
  form: 'none' | 'basic' | 'advanced';
  /** Event sources whose read events are not logged: empty when every read is logged. */
  uncoveredRead: string[];
  /** Event sources whose write events are not logged: empty when every write is logged. */
  uncoveredWrite: string[];
  /** For each kind, whether no management event of that kind is logged from any source. */
  nothingLogged: Record<ManagementKind, boolean>;
  /**
   * Selectors that would log management events but also narrow on another
   * field (for example `eventName`), so they are not counted toward coverage.
   */
  uncounted: string[];
}

/** The part of one selector that concerns management events. */
interface ManagementRule {
  kinds: ReadonlySet<ManagementKind>;
  logsSource: (source: string) => boolean;
}

/** A source the witness set stands for, kept with how to describe it to a person. */
interface Witness {
  source: string;
  describe: string;
}

/** How a gap names the sources that no selector mentions. */
export const OTHER_SOURCES = 'any other source';

const BOTH_KINDS: ReadonlySet<ManagementKind> = new Set(['read', 'write']);

/** Fields that shape which management events an advanced selector logs. */
const MANAGEMENT_FIELDS = new Set(['eventCategory', 'readOnly', 'eventSource']);

/**
 * Decides which management events a trail's selectors log, as CloudTrail
 * applies them: an event is logged when any selector matches it.
 *
 * Event sources are open-ended, so coverage is checked on a witness set that
 * stands for every possible source: each value named in the selectors, and
 * for each pair of a named prefix and a named suffix (either may be empty), a
 * source with that prefix and suffix and nothing else in common with any
 * named value. Every source agrees with one witness on every condition the
 * selectors can state, so "every witness is logged" means "every source is".
 *
 * @example
 * managementCoverage({ EventSelectors: [
 *   { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true },
 *   { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true },
 * ] }).uncoveredRead // => []
 */
export function managementCoverage(selectors: EventSelectors): ManagementCoverage {
  const basic = selectors.EventSelectors ?? [];
  const advanced = selectors.AdvancedEventSelectors ?? [];
  if (basic.length === 0 && advanced.length === 0) {
    return {
      form: 'none',
      uncoveredRead: [],
      uncoveredWrite: [],
      nothingLogged: { read: false, write: false },
      uncounted: [],
    };
  }

  const rules: ManagementRule[] = basic.flatMap(basicRule);
  const uncounted: string[] = [];
  advanced.forEach((selector, index) => {
    const rule = advancedRule(selector);
    if (rule === 'uncounted') {
      uncounted.push(selector.Name ?? `advanced selector ${index + 1}`);
    } else if (rule !== undefined) {
      rules.push(rule);
    }
  });

  const witnesses = witnessSources(basic, advanced);
  const uncovered = (kind: ManagementKind) =>
    witnesses.filter(
      (w) => !rules.some((rule) => rule.kinds.has(kind) && rule.logsSource(w.source)),
    );
  const read = uncovered('read');
  const write = uncovered('write');

  return {
    form: advanced.length > 0 ? 'advanced' : 'basic',
    uncoveredRead: read.map((w) => w.describe),
    uncoveredWrite: write.map((w) => w.describe),
    nothingLogged: {
      read: read.length === witnesses.length,
      write: write.length === witnesses.length,
    },
    uncounted,
  };
}

function basicRule(selector: EventSelector): ManagementRule[] {
  // CloudTrail's defaults: management events included, read and write.
  if (selector.IncludeManagementEvents === false) return [];
  const excluded = new Set(selector.ExcludeManagementEventSources ?? []);
  const kinds: ReadonlySet<ManagementKind> =
    selector.ReadWriteType === 'ReadOnly'
      ? new Set(['read'])
      : selector.ReadWriteType === 'WriteOnly'
        ? new Set(['write'])
        : BOTH_KINDS;
  return [{ kinds, logsSource: (source) => !excluded.has(source) }];
}

/**
 * The management events an advanced selector logs; `undefined` when it logs
 * none; `'uncounted'` when it logs some but narrows on a field other than
 * `eventCategory`, `readOnly` and `eventSource`.
 */
function advancedRule(selector: AdvancedEventSelector): ManagementRule | 'uncounted' | undefined {
  const fields = selector.FieldSelectors;
  const byField = (name: string) => fields.filter((f) => f.Field === name);

  const category = byField('eventCategory');
  // eventCategory is required by CloudTrail; without it nothing is selected.
  if (category.length === 0 || !category.every((f) => fieldMatches(f, 'Management'))) {
    return undefined;
  }

  const readOnly = byField('readOnly');
  const kinds = new Set<ManagementKind>();
  if (readOnly.every((f) => fieldMatches(f, 'true'))) kinds.add('read');
  if (readOnly.every((f) => fieldMatches(f, 'false'))) kinds.add('write');
  if (kinds.size === 0) return undefined;

  if (fields.some((f) => !MANAGEMENT_FIELDS.has(f.Field))) return 'uncounted';

  const source = byField('eventSource');
  return { kinds, logsSource: (value) => source.every((f) => fieldMatches(f, value)) };
}

/**
 * Whether a field selector accepts a value. Operators combine with AND;
 * `Equals`, `StartsWith` and `EndsWith` accept any listed value, the `Not`
 * operators reject every listed value. An empty list states no condition.
 */
export function fieldMatches(selector: FieldSelector, value: string): boolean {
  const any = (list: string[] | undefined, test: (v: string) => boolean) =>
    list === undefined || list.length === 0 || list.some(test);
  const none = (list: string[] | undefined, test: (v: string) => boolean) =>
    list === undefined || !list.some(test);
  return (
    any(selector.Equals, (v) => value === v) &&
    any(selector.StartsWith, (v) => value.startsWith(v)) &&
    any(selector.EndsWith, (v) => value.endsWith(v)) &&
    none(selector.NotEquals, (v) => value === v) &&
    none(selector.NotStartsWith, (v) => value.startsWith(v)) &&
    none(selector.NotEndsWith, (v) => value.endsWith(v))
  );
}

/** The witness sources for a selector set: see {@link managementCoverage}. */
function witnessSources(
  basic: readonly EventSelector[],
  advanced: readonly AdvancedEventSelector[],
): Witness[] {
  const named = new Set<string>();
  const prefixes = new Set<string>(['']);
  const suffixes = new Set<string>(['']);
  for (const selector of basic) {
    for (const source of selector.ExcludeManagementEventSources ?? []) named.add(source);
  }
  for (const selector of advanced) {
    for (const field of selector.FieldSelectors) {
      if (field.Field !== 'eventSource') continue;
      for (const v of [...(field.Equals ?? []), ...(field.NotEquals ?? [])]) named.add(v);
      // A prefix or suffix is often a whole source name itself, worth naming as one.
      for (const v of [...(field.StartsWith ?? []), ...(field.NotStartsWith ?? [])]) {
        prefixes.add(v);
        named.add(v);
      }
      for (const v of [...(field.EndsWith ?? []), ...(field.NotEndsWith ?? [])]) {
        suffixes.add(v);
        named.add(v);
      }
    }
  }

  const everything = [...named, ...prefixes, ...suffixes].join('');
  const fresh = freshText(everything);
  const witnesses: Witness[] = [...named].sort().map((source) => ({ source, describe: source }));
  for (const prefix of [...prefixes].sort()) {
    for (const suffix of [...suffixes].sort()) {
      witnesses.push({ source: prefix + fresh + suffix, describe: describeOther(prefix, suffix) });
    }
  }
  return witnesses;
}

/** A character that occurs in no named value, so a witness shares nothing else with them. */
function freshText(used: string): string {
  for (let code = 0xe000; ; code++) {
    const candidate = String.fromCharCode(code);
    if (!used.includes(candidate)) return candidate;
  }
}

function describeOther(prefix: string, suffix: string): string {
  if (prefix === '' && suffix === '') return OTHER_SOURCES;
  if (suffix === '') return `other sources starting with "${prefix}"`;
  if (prefix === '') return `other sources ending with "${suffix}"`;
  return `other sources starting with "${prefix}" and ending with "${suffix}"`;
}
