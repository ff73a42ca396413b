import * as z from 'zod';
import { InvalidParameterError } from '../rule/errors';
import { parameterValues } from '../rule/parameters';
import { rejectUnknownContextNames } from './context-names';
import { InvalidOptionError } from './errors';
import { defaultText, type OptionEntry, type ParsedValue } from './option-entry';

/**
 * Reading options from CDK context, for the rule's options and the
 * rollout's alike, as their entries in stack/option-schema.ts say: every
 * value may be a string (`-c name=value` always gives strings) or, from
 * cdk.json, a JSON boolean or number (a list also a JSON array of strings);
 * an empty string means "not set". A value that is not accepted raises an
 * {@link InvalidOptionError} naming the option, what it accepts, an example
 * and the default, so the synth stops before anything is built.
 */

/** Reads one context value, as `app.node.tryGetContext` does. */
export type ContextLookup = (name: string) => unknown;

/** The options a schema's entries give, each its entry's value (`undefined` for an optional one left unset). */
export type ContextValues<S> = { -readonly [K in keyof S]: ParsedValue<S[K]> };

/** The error for a value an option does not accept. */
function invalidOptionMessage(name: string, entry: OptionEntry, value: unknown): string {
  return `Context option ${name} has the value ${JSON.stringify(value)}, which is not accepted: set it to ${entry.accepts} (for example -c ${name}=${entry.example}), or leave it unset for the default, ${defaultText(entry)}.`;
}

/** An issue whose message says on its own why the value is refused (not the usual "set it to …"). */
const EXPLAINED = { explained: true };

/**
 * The context object of a schema's options: each option's text checked as
 * its entry says, unset ones given their default. `fallbacks` are defaults
 * known only when reading (the StackSet's name is the rule's), checked like
 * given values.
 */
export function contextObject<S extends Record<string, OptionEntry>>(
  schema: S,
  fallbacks: Partial<Record<keyof S, string>> = {},
): z.ZodType<ContextValues<S>, Record<string, unknown>> {
  const fields: Record<string, z.ZodType> = {};
  for (const [name, entry] of Object.entries<OptionEntry>(schema)) {
    fields[name] = optionField(name, entry, fallbacks[name]);
  }
  return z.object(fields) as unknown as z.ZodType<ContextValues<S>, Record<string, unknown>>;
}

/**
 * Parses the options from CDK context with `object` (a {@link contextObject},
 * perhaps with checks across options), after refusing every context name
 * that is neither an option nor the CDK's own (a typo that would otherwise
 * be ignored). The first problem found stops the synth.
 */
export function parseContext<T>(
  object: z.ZodType<T, Record<string, unknown>>,
  names: readonly string[],
  context: ContextLookup,
  contextNames: string[],
): T {
  rejectUnknownContextNames(contextNames);
  const given = Object.fromEntries(names.map((name) => [name, context(name)]));
  const parsed = object.safeParse(given);
  if (!parsed.success) {
    throw new InvalidOptionError(parsed.error.issues[0]?.message ?? parsed.error.message);
  }
  return parsed.data;
}

/** One option: its context value as text (`undefined` when unset), then its value. */
function optionField(name: string, entry: OptionEntry, fallback: string | undefined): z.ZodType {
  const value = valueSchema(name, entry);
  return contextText(name, entry).transform((text, ctx) => {
    const given = text ?? fallback;
    if (given === undefined) return 'default' in entry ? entry.default : undefined;
    const parsed = value.safeParse(given);
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    ctx.addIssue({
      code: 'custom',
      message:
        issue?.code === 'custom' && issue.params?.explained === true
          ? issue.message
          : invalidOptionMessage(name, entry, given),
    });
    return z.NEVER;
  });
}

/** A context value as text: a string, a JSON boolean or number, or (for a list) strings joined with commas; `''` is unset. */
function contextText(name: string, entry: OptionEntry): z.ZodType<string | undefined, unknown> {
  const forms = [z.undefined(), z.null(), z.string(), z.boolean(), z.number()] as const;
  const error = (issue: { input?: unknown }) => invalidOptionMessage(name, entry, issue.input);
  const accepted =
    entry.kind === 'list'
      ? z.union([...forms, z.array(z.string())], { error })
      : z.union(forms, { error });
  return accepted.transform((value) => {
    if (value === undefined || value === null) return undefined;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    return text === '' ? undefined : text;
  });
}

/** What the entry accepts of a (non-empty) text, and the value it gives. */
function valueSchema(name: string, entry: OptionEntry): z.ZodType<unknown, string> {
  // The rule's parameters are checked by the rule's own parser: the stack accepts exactly what the rule does.
  if (entry.group === 'ruleParameter') return ruleParameterValue(name);
  switch (entry.kind) {
    case 'choice':
      return z.enum(entry.values as [string, ...string[]]);
    case 'boolean':
      return z.stringbool({ truthy: ['true'], falsy: ['false'], case: 'insensitive' });
    case 'number':
      return z
        .string()
        .regex(/^\d+$/)
        .pipe(z.coerce.number<string>().int().min(entry.min).max(entry.max));
    case 'text': {
      const { valid, refuse } = entry;
      return z
        .string()
        .regex(new RegExp(entry.pattern), { abort: true })
        .refine((text) => valid?.(text) ?? true, { abort: true })
        .superRefine((text, ctx) => {
          const reason = refuse?.(text);
          if (reason === undefined) return;
          ctx.addIssue({
            code: 'custom',
            message: `Context option ${name} has the value ${JSON.stringify(text)}, which is not accepted: ${reason}.`,
            params: EXPLAINED,
          });
        });
    }
    case 'list':
      return 'pattern' in entry ? wholeList(entry.pattern) : itemList(name, entry);
  }
}

/** A list checked as one text (as the template parameter checks it). */
function wholeList(pattern: string): z.ZodType<string[], string> {
  return z
    .string()
    .regex(new RegExp(pattern))
    .transform((text) => text.split(','));
}

/** A list of distinct items, each trimmed and matching, at most `maxItems` of them. */
function itemList(
  name: string,
  entry: OptionEntry & {
    item: RegExp;
    maxItems?: number;
    refuseItem?: (item: string) => string | undefined;
  },
): z.ZodType<string[], string> {
  return z
    .string()
    .transform((text) => text.split(',').map((item) => item.trim()))
    .pipe(
      z.array(z.string().regex(entry.item)).refine((items) => new Set(items).size === items.length),
    )
    .superRefine((items, ctx) => {
      for (const item of items) {
        const reason = entry.refuseItem?.(item);
        if (reason === undefined) continue;
        ctx.addIssue({
          code: 'custom',
          message: `Context option ${name} has the item ${JSON.stringify(item)}, which ${reason}`,
          params: EXPLAINED,
        });
        return;
      }
      if (entry.maxItems === undefined || items.length <= entry.maxItems) return;
      ctx.addIssue({
        code: 'custom',
        message: invalidOptionMessage(name, entry, items.join(',')),
        params: EXPLAINED,
      });
    });
}

/** A rule parameter, read by the rule's parser; its error says it is a rule parameter. */
function ruleParameterValue(name: string): z.ZodType<unknown, string> {
  return z.string().transform((text, ctx) => {
    try {
      return parameterValues({ [name]: text })[name as keyof ReturnType<typeof parameterValues>];
    } catch (error) {
      if (!(error instanceof InvalidParameterError)) throw error;
      ctx.addIssue({
        code: 'custom',
        message: `Invalid context option (a rule parameter): ${error.message}`,
        params: EXPLAINED,
      });
      return z.NEVER;
    }
  });
}
