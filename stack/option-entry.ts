/**
 * What one entry of the option schema (stack/option-schema.ts) says of an
 * option: the kind of value it takes and what it accepts, its default, an
 * example, and its template parameter. The context reader
 * (stack/context-options.ts) and the template parameters
 * (stack/template-parameters.ts) read nothing else.
 */

/** What an option is about. */
export type OptionGroup =
  | 'rule'
  | 'ruleParameter'
  | 'schedule'
  | 'remediation'
  | 'functionPlacement'
  | 'rollout';

/** How an option appears as a CloudFormation parameter. */
export interface TemplateParameter {
  description: string;
  /** The parameter's pattern, when the stack's parser checks more than the option's `pattern` in code. */
  pattern?: string;
}

interface CommonEntry {
  group: OptionGroup;
  /** What the option accepts, as the errors ("set it to …") and the template's constraint ("must be …") say it. */
  accepts: string;
  /** A value it accepts, for the errors' "for example -c name=…". */
  example: string;
  /**
   * Its parameter in the member template (and, for a rule parameter, the
   * conformance pack; for a rollout option, the rollout stack), named as the
   * option with a capital letter. An option without one is set when the
   * templates are written (`-c`), never at deploy time.
   */
  parameter?: TemplateParameter;
  /** What the docs and the errors call the default when it is not a value of its own. */
  defaultText?: string;
  /** Unset, it stays unset (absent from the parsed options; an empty template parameter). */
  optional?: true;
}

export interface ChoiceEntry<V extends string = string> extends CommonEntry {
  kind: 'choice';
  values: readonly V[];
  default: V;
}

export interface BooleanEntry extends CommonEntry {
  kind: 'boolean';
  default: boolean;
}

/** A whole number from `min` to `max`. */
export interface NumberEntry extends CommonEntry {
  kind: 'number';
  min: number;
  max: number;
  default?: number;
}

export interface TextEntry extends CommonEntry {
  kind: 'text';
  /** The pattern the whole value must match. */
  pattern: string;
  default?: string;
  /** A check beyond the pattern; a value it refuses gets the usual error. */
  valid?: (value: string) => boolean;
  /** A check beyond the pattern with its own reason, said after "which is not accepted: ". */
  refuse?: (value: string) => string | undefined;
}

/**
 * A comma-separated list (from cdk.json, also a JSON array of strings).
 * Either the whole text matches `pattern` (which the template parameter
 * checks too), or each item, trimmed, matches `item`, no item repeats, and
 * there are at most `maxItems`.
 */
export type ListEntry = CommonEntry & { kind: 'list'; optional: true } & (
    | { pattern: string }
    | {
        item: RegExp;
        maxItems?: number;
        /** A check of each item beyond `item`, with its own reason, said after the item. */
        refuseItem?: (item: string) => string | undefined;
      }
  );

export type OptionEntry = ChoiceEntry | BooleanEntry | NumberEntry | TextEntry | ListEntry;

/** The value an entry gives when set: a choice's values, a boolean, a number, text or a list of text. */
export type EntryValue<E> = E extends { kind: 'choice'; values: readonly (infer V)[] }
  ? V
  : E extends { kind: 'boolean' }
    ? boolean
    : E extends { kind: 'number' }
      ? number
      : E extends { kind: 'list' }
        ? string[]
        : string;

/** What `-c name=value` sets: an entry's value, or `undefined` for an optional one left unset. */
export type ParsedValue<E> = E extends { optional: true }
  ? EntryValue<E> | undefined
  : EntryValue<E>;

type OptionalNames<S> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];

/**
 * The parsed options of a schema: each entry's value, an optional entry an
 * optional field. Parsed options are typed from their entries this way, so
 * that no option is restated in an interface.
 */
export type OptionFields<S> = {
  -readonly [K in Exclude<keyof S, OptionalNames<S>>]: EntryValue<S[K]>;
} & { -readonly [K in OptionalNames<S>]?: EntryValue<S[K]> };

/** The default as docs/deployment.md and the errors say it: the value, a phrase, or "(not set)". */
export function defaultText(entry: OptionEntry): string {
  if (entry.defaultText !== undefined) return entry.defaultText;
  return 'default' in entry && entry.default !== undefined ? String(entry.default) : '(not set)';
}

/** What docs/deployment.md and the errors say of one option. */
export interface OptionSpec {
  default: string;
  accepts: string;
  example: string;
}

/** Each option's default, what it accepts and an example, as docs and errors say them. */
export function optionSpecs<S extends Record<string, OptionEntry>>(
  schema: S,
): { [K in keyof S]: OptionSpec } {
  const specs = {} as { [K in keyof S]: OptionSpec };
  for (const [name, entry] of Object.entries<OptionEntry>(schema)) {
    specs[name as keyof S] = {
      default: defaultText(entry),
      accepts: entry.accepts,
      example: entry.example,
    };
  }
  return specs;
}
