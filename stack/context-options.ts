import { InvalidOptionError } from './errors';

/**
 * Reading options from CDK context, for the rule's options and the
 * rollout's alike: every value may be a string (`-c name=value` always
 * gives strings) or, from cdk.json, a JSON boolean or number; an empty
 * string means "not set". A value that is not accepted raises an
 * {@link InvalidOptionError} naming the option, what it accepts, an example
 * and the default, so the synth stops before anything is built.
 */

/** What docs/deployment.md and the errors say of one option. */
export interface OptionSpec {
  default: string;
  accepts: string;
  example: string;
}

/** Reads one context value, as `app.node.tryGetContext` does. */
export type ContextLookup = (name: string) => unknown;

export class ContextOptions<N extends string> {
  constructor(
    private readonly specs: Record<N, OptionSpec>,
    private readonly context: ContextLookup,
  ) {}

  /** The option's text, or `undefined` when unset; `list` also takes a JSON array of strings, joined with commas. */
  text(name: N, settings: { list?: boolean } = {}): string | undefined {
    const value = this.context(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    if (settings.list && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      return value.join(',') || undefined;
    }
    if (typeof value !== 'string') throw this.invalid(name, value);
    return value === '' ? undefined : value;
  }

  oneOf<T extends string>(name: N, fallback: T, accepted: readonly T[]): T {
    const value = this.text(name) ?? fallback;
    const found = accepted.find((a) => a === value);
    if (found === undefined) throw this.invalid(name, value);
    return found;
  }

  boolean(name: N, fallback: boolean): boolean {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw this.invalid(name, value);
    return lower === 'true';
  }

  wholeNumber(name: N, fallback: number, min: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(parsed >= min && parsed <= max)) throw this.invalid(name, value);
    return parsed;
  }

  /** The value when it matches the pattern; `undefined` when unset. */
  matching(name: N, pattern: string | RegExp): string | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    if (!new RegExp(pattern).test(value)) throw this.invalid(name, value);
    return value;
  }

  invalid(name: N, value: unknown): InvalidOptionError {
    const option = this.specs[name];
    return new InvalidOptionError(
      `Context option ${name} has the value ${JSON.stringify(value)}, which is not accepted: set it to ${option.accepts} (for example -c ${name}=${option.example}), or leave it unset for the default, ${option.default}.`,
    );
  }
}

/**
 * A context name that differs from an option only in case is a typo that
 * would otherwise be ignored silently (CDK context names are case-sensitive).
 */
export function rejectMisspelledNames(options: readonly string[], contextNames: string[]): void {
  for (const given of contextNames) {
    const meant = options.find((o) => o !== given && o.toLowerCase() === given.toLowerCase());
    if (meant !== undefined) {
      throw new InvalidOptionError(
        `Context option "${given}" is not an option (names are case-sensitive): did you mean ${meant}?`,
      );
    }
  }
}
