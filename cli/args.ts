import { parseArgs } from 'node:util';
import { parameterValues, type RuleParameters } from '../rule/parameters';
import { UsageError } from './errors';

/** Where a live read goes: the SDK's defaults unless these are given. */
export interface LiveTarget {
  region?: string;
  profile?: string;
}

/** A parsed command line: one command and only the options it takes. */
export type Command =
  | { name: 'help' }
  | {
      name: 'evaluate';
      source: { snapshot: string } | { live: LiveTarget };
      parameters: RuleParameters;
      json: boolean;
    }
  | { name: 'snapshot'; live: LiveTarget; out?: string }
  | { name: 'examples'; directory?: string; parameters: RuleParameters; json: boolean };

const OPTIONS = {
  snapshot: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  out: { type: 'string' },
  param: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  // Read by bin/cloudtrail-rule.cjs before the rule's logger exists; accepted here so it parses.
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each command takes besides --verbose and --help. */
const ACCEPTS: Record<Exclude<Command['name'], 'help'>, readonly OptionName[]> = {
  evaluate: ['snapshot', 'region', 'profile', 'param', 'json'],
  snapshot: ['region', 'profile', 'out'],
  examples: ['param', 'json'],
};

const HELP_HINT = 'Run "cloudtrail-rule --help" for usage.';

/**
 * Parses the arguments after the program name into a {@link Command}.
 * Anything that is not accepted raises {@link UsageError}; a bad `--param`
 * raises the rule's own `InvalidParameterError`, so the CLI and the rule
 * accept exactly the same parameter values.
 *
 * @example
 * parseCommandLine(['evaluate', '--snapshot', 'state.json', '--param', 'readWriteType=WriteOnly'])
 */
export function parseCommandLine(argv: readonly string[]): Command {
  const { values, positionals } = parseOptions(argv);
  const [name, ...rest] = positionals;

  if (values.help === true || name === 'help') return { name: 'help' };
  if (name === undefined)
    throw new UsageError(`Give a command: evaluate, snapshot or examples. ${HELP_HINT}`);
  if (name !== 'evaluate' && name !== 'snapshot' && name !== 'examples') {
    throw new UsageError(
      `Unknown command "${name}": the commands are evaluate, snapshot and examples. ${HELP_HINT}`,
    );
  }

  for (const option of Object.keys(values) as OptionName[]) {
    if (option === 'verbose' || option === 'help' || ACCEPTS[name].includes(option)) continue;
    throw new UsageError(`The ${name} command does not take --${option}. ${HELP_HINT}`);
  }
  const maxPositionals = name === 'examples' ? 1 : 0;
  if (rest.length > maxPositionals) {
    throw new UsageError(
      `Unexpected argument "${rest[maxPositionals]}" after ${name}. ${HELP_HINT}`,
    );
  }

  const live: LiveTarget = {
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
  };
  switch (name) {
    case 'evaluate':
      if (values.snapshot !== undefined && (values.region ?? values.profile) !== undefined) {
        throw new UsageError(
          '--region and --profile are for reading a live account; a snapshot already names its account and Region. Give either --snapshot or --region/--profile.',
        );
      }
      return {
        name,
        source: values.snapshot !== undefined ? { snapshot: values.snapshot } : { live },
        parameters: parseParams(values.param ?? []),
        json: values.json === true,
      };
    case 'snapshot':
      return { name, live, ...(values.out !== undefined ? { out: values.out } : {}) };
    case 'examples':
      return {
        name,
        ...(rest[0] !== undefined ? { directory: rest[0] } : {}),
        parameters: parseParams(values.param ?? []),
        json: values.json === true,
      };
  }
}

function parseOptions(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's first sentence names the option; the rest is about `--` escapes.
    const [problem] = (error as Error).message.split('. ');
    throw new UsageError(`${problem}. ${HELP_HINT}`);
  }
}

/**
 * Turns repeated `--param name=value` into the rule's parameters, through the
 * rule's own parser. The value is everything after the first `=`.
 */
export function parseParams(pairs: readonly string[]): RuleParameters {
  const raw = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new UsageError(
        `--param expects NAME=VALUE, got "${pair}": for example --param readWriteType=ALL.`,
      );
    }
    const name = pair.slice(0, at);
    if (raw.has(name)) {
      throw new UsageError(`--param ${name} is given more than once: give each parameter once.`);
    }
    raw.set(name, pair.slice(at + 1));
  }
  // fromEntries defines own properties, so a name like "__proto__" reaches the
  // parser as a name (and is refused there) instead of changing the prototype.
  return parameterValues(Object.fromEntries(raw));
}
