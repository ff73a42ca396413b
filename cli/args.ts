import { parseArgs } from 'node:util';
import { type RemediationInput, remediationInputSchema } from '../remediation/input';
import { unknownRegionReason } from '../remediation/regions';
import { CALL_TIMEOUTS, type CallTimeouts } from '../rule/clients';
import { parameterValues, type RuleParameters } from '../rule/parameters';
import { DEFAULT_RULE_NAME } from '../stack/names';
import { isRuleName } from './deployment';
import { UsageError } from './errors';
import type { HelpTopic } from './help';

/** Where a live read goes: the SDK's defaults unless these are given. */
export interface LiveTarget {
  region?: string;
  profile?: string;
  /** `--endpoint-url`: every AWS call goes there instead of the endpoint the SDK resolves. */
  endpoint?: string;
  /** How long one attempt of each AWS call may take; by default the rule's own. */
  timeouts?: CallTimeouts;
}

/** A parsed command line: one command and only the options it takes. */
export type Command =
  | { name: 'help'; topic?: HelpTopic }
  | { name: 'version' }
  | {
      name: 'evaluate';
      source: { snapshot: string } | { live: LiveTarget };
      parameters: RuleParameters;
      json: boolean;
      /** One CSV row (`--csv`) instead of the report. */
      csv: boolean;
    }
  | EvaluateOrganizationCommand
  | { name: 'snapshot'; live: LiveTarget; out?: string; force: boolean }
  | { name: 'examples'; directory?: string; parameters: RuleParameters; json: boolean }
  | RemediateCommand;

/**
 * `remediate`: plan (`--dry-run`, from the live account or a snapshot) or
 * apply (`--apply`, live only) the remediation. `yes` skips the question
 * before applying; `json` is for a dry run only.
 */
export type RemediateCommand = {
  name: 'remediate';
  parameters: RuleParameters;
  /** What the remediation function would get as input, checked by its own schema. */
  choices: RemediationChoices;
} & (
  | { mode: 'dry-run'; source: { snapshot: string } | { live: LiveTarget }; json: boolean }
  | { mode: 'apply'; live: LiveTarget; yes: boolean; json: boolean }
);

/**
 * `evaluate --organization` or `evaluate --accounts FILE`: every account of
 * the organization (or of the file), each through the role `roleName`
 * assumed in it, `concurrency` accounts at a time.
 */
export interface EvaluateOrganizationCommand {
  name: 'evaluate-organization';
  accounts: { organization: true } | { file: string };
  /** The caller's credentials (`--profile`) and the Region trails are listed from (`--region`). */
  live: LiveTarget;
  roleName: string;
  externalId?: string;
  concurrency: number;
  parameters: RuleParameters;
  format: 'table' | 'json' | 'csv';
  /** The deployment's rule name (`--rule-name`), when not the default. */
  ruleName?: string;
  /** Also show Security Hub's own CloudTrail.1 status (`--security-hub`). */
  securityHub: boolean;
}

/**
 * What the remediation's flags give it: the names `--trail-name`,
 * `--bucket-name` and `--kms-key-id`, and the hardening choices
 * (`--access-log-bucket`, `--tag`, `--harden-repaired-trail`, ...).
 */
export type RemediationChoices = Omit<RemediationInput, 'accountId' | 'dryRun'>;

const OPTIONS = {
  snapshot: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  param: { type: 'string', multiple: true },
  'require-delivery': { type: 'boolean' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  apply: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'trail-name': { type: 'string' },
  'bucket-name': { type: 'string' },
  'kms-key-id': { type: 'string' },
  'access-log-bucket': { type: 'string' },
  'log-retention-days': { type: 'string' },
  tag: { type: 'string', multiple: true },
  'cloudwatch-logs-group-arn': { type: 'string' },
  'cloudwatch-logs-role-arn': { type: 'string' },
  'object-lock-days': { type: 'string' },
  'harden-repaired-trail': { type: 'boolean' },
  'trusted-log-account': { type: 'string', multiple: true },
  csv: { type: 'boolean' },
  organization: { type: 'boolean' },
  accounts: { type: 'string' },
  'role-name': { type: 'string' },
  'external-id': { type: 'string' },
  concurrency: { type: 'string' },
  'rule-name': { type: 'string' },
  'security-hub': { type: 'boolean' },
  'connect-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  // Read by bin/cloudtrail-rule.cjs before the rule's logger exists; accepted here so it parses.
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each command takes besides --verbose and --help. */
const ACCEPTS: Record<HelpTopic, readonly OptionName[]> = {
  evaluate: [
    'snapshot',
    'region',
    'profile',
    'endpoint-url',
    'param',
    'require-delivery',
    'json',
    'csv',
    'organization',
    'accounts',
    'role-name',
    'external-id',
    'concurrency',
    'rule-name',
    'security-hub',
    'connect-timeout',
    'request-timeout',
  ],
  snapshot: ['region', 'profile', 'out', 'force', 'connect-timeout', 'request-timeout'],
  examples: ['param', 'json'],
  remediate: [
    'dry-run',
    'apply',
    'yes',
    'snapshot',
    'region',
    'profile',
    'endpoint-url',
    'param',
    'json',
    'trail-name',
    'bucket-name',
    'kms-key-id',
    'access-log-bucket',
    'log-retention-days',
    'tag',
    'cloudwatch-logs-group-arn',
    'cloudwatch-logs-role-arn',
    'object-lock-days',
    'harden-repaired-trail',
    'trusted-log-account',
    'connect-timeout',
    'request-timeout',
  ],
};

const COMMANDS = ['evaluate', 'snapshot', 'examples', 'remediate'] as const;

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

  if (values.help === true || name === 'help') {
    // `evaluate --help` and `help evaluate`: that command's help.
    const topic = name === 'help' ? rest[0] : name;
    return topic !== undefined && isCommandName(topic) ? { name: 'help', topic } : { name: 'help' };
  }
  if (values.version === true) return { name: 'version' };
  if (name === undefined) {
    throw new UsageError(
      `Give a command: evaluate, snapshot or examples to read, remediate to repair. ${HELP_HINT}`,
    );
  }
  if (!isCommandName(name)) {
    throw new UsageError(
      `Unknown command "${name}": the commands are evaluate, snapshot, examples and remediate. ${HELP_HINT}`,
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

  const timeouts = parseTimeouts(values);
  checkRegion(values.region);
  const endpoint = values['endpoint-url'];
  if (endpoint !== undefined) checkEndpointUrl('--endpoint-url', endpoint);
  const live: LiveTarget = {
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(timeouts !== undefined ? { timeouts } : {}),
  };
  if (values.snapshot !== undefined && (values.region ?? values.profile) !== undefined) {
    throw new UsageError(
      '--region and --profile are for reading a live account; a snapshot already names its account and Region. Give either --snapshot or --region/--profile.',
    );
  }
  if (values.snapshot !== undefined && endpoint !== undefined) {
    throw new UsageError(
      '--endpoint-url is where a live read sends its calls, and reading a snapshot makes none: leave it out, or read the live account instead of --snapshot.',
    );
  }
  if (values.snapshot !== undefined && timeouts !== undefined) {
    throw new UsageError(
      '--connect-timeout and --request-timeout bound the calls to AWS, and reading a snapshot makes none: leave them out, or read the live account instead of --snapshot.',
    );
  }
  switch (name) {
    case 'evaluate':
      if (values.organization === true || values.accounts !== undefined) {
        return parseEvaluateOrganization(values, live);
      }
      for (const option of ORGANIZATION_ONLY) {
        if (values[option] === undefined) continue;
        throw new UsageError(
          `--${option} is for evaluating several accounts: add --organization (every ACTIVE account of the organization) or --accounts FILE. ${HELP_HINT}`,
        );
      }
      checkOneFormat(values);
      return {
        name,
        source: values.snapshot !== undefined ? { snapshot: values.snapshot } : { live },
        parameters: evaluateParameters(values),
        json: values.json === true,
        csv: values.csv === true,
      };
    case 'snapshot':
      if (values.force === true && values.out === undefined) {
        throw new UsageError(
          '--force lets --out replace an existing file; without --out the snapshot goes to stdout. Give --out FILE too, or leave --force out.',
        );
      }
      return {
        name,
        live,
        ...(values.out !== undefined ? { out: values.out } : {}),
        force: values.force === true,
      };
    case 'examples':
      return {
        name,
        ...(rest[0] !== undefined ? { directory: rest[0] } : {}),
        parameters: parseParams(values.param ?? []),
        json: values.json === true,
      };
    case 'remediate':
      return parseRemediate(values, live);
  }
}

/**
 * An endpoint URL as the SDK needs it: `http://` or `https://` and a host.
 * Without the scheme (`127.0.0.1:5091`) the SDK fails with "Invalid URL",
 * or reads `localhost:5091` as a URL of the scheme `localhost:`. `source`
 * is the flag or the variable the value came from.
 */
export function checkEndpointUrl(source: string, value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url !== undefined &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.host !== ''
  ) {
    return;
  }
  const example = /^[a-z][a-z0-9+.-]*:\/\//i.test(value)
    ? 'https://cloudtrail.eu-west-1.amazonaws.com'
    : `http://${value}`;
  const how = source.startsWith('--') ? `${source} ${example}` : `${source}=${example}`;
  throw new UsageError(
    `${source} "${value}" is not an endpoint URL: give the scheme and the host, for example ${how}${source.startsWith('--') ? '' : `, or unset ${source} to use the AWS endpoint`}.`,
  );
}

/** `--region` names a Region the AWS SDK knows, or the error suggests the closest one. */
function checkRegion(region: string | undefined): void {
  const reason = region === undefined ? undefined : unknownRegionReason(region);
  if (reason !== undefined) throw new UsageError(`--region "${region}" ${reason}`);
}

function isCommandName(name: string): name is HelpTopic {
  return (COMMANDS as readonly string[]).includes(name);
}

type Values = ReturnType<typeof parseOptions>['values'];

/** The options only an evaluation of several accounts takes. */
const ORGANIZATION_ONLY = [
  'role-name',
  'external-id',
  'concurrency',
  'rule-name',
  'security-hub',
] as const;

/** The most accounts evaluated at once: beyond it, AWS's throttling, not the bound, sets the pace. */
export const MAX_CONCURRENCY = 64;

/** Accounts evaluated at once when `--concurrency` is not given. */
export const DEFAULT_CONCURRENCY = 8;

/**
 * IAM role names: 1 to 64 of letters, digits and `+=,.@_-`
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
 */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * AssumeRole's ExternalId: 2 to 1224 of letters, digits and `+=,.@:/_-`
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

function checkOneFormat(values: Values): void {
  if (values.json === true && values.csv === true) {
    throw new UsageError('--json and --csv are two output formats: give one of them.');
  }
}

/**
 * `evaluate --organization` / `--accounts FILE`: exactly one source of
 * accounts, the role to assume in each, an optional external ID, and how
 * many accounts at once (1 to {@link MAX_CONCURRENCY}).
 */
function parseEvaluateOrganization(values: Values, live: LiveTarget): EvaluateOrganizationCommand {
  if (values['endpoint-url'] !== undefined) {
    throw new UsageError(
      "--endpoint-url is for reading one account; an organization is read through Organizations, STS and each account's CloudTrail, each at its own endpoint. Set AWS_ENDPOINT_URL_<SERVICE> for the service to redirect instead.",
    );
  }
  if (values.organization === true && values.accounts !== undefined) {
    throw new UsageError(
      '--organization lists the accounts from AWS Organizations and --accounts FILE lists them from a file: give one of them.',
    );
  }
  if (values.snapshot !== undefined) {
    throw new UsageError(
      '--snapshot is one account read earlier; --organization and --accounts read every account live. Give one or the other.',
    );
  }
  checkOneFormat(values);
  const roleName = values['role-name'];
  if (roleName === undefined || roleName === '') {
    throw new UsageError(
      `${values.organization === true ? '--organization' : '--accounts'} needs --role-name NAME: the IAM role to assume in each account, which may read its trails (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors) and its deployment (config:DescribeConfigRules, DescribeRemediationConfigurations). ${HELP_HINT}`,
    );
  }
  if (!ROLE_NAME.test(roleName)) {
    throw new UsageError(
      `--role-name "${roleName}" is not an IAM role name: 1 to 64 letters, digits and +=,.@_- (the name only, not the ARN or the path).`,
    );
  }
  const externalId = values['external-id'];
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new UsageError(
      '--external-id is not one AssumeRole accepts: 2 to 1224 letters, digits and +=,.@:/_-.',
    );
  }
  const ruleName = values['rule-name'];
  if (ruleName !== undefined && !isRuleName(ruleName)) {
    throw new UsageError(
      `--rule-name "${ruleName}" is not a rule name the deployment accepts: 1 to 36 letters, digits and hyphens, starting with a letter (the deployment's ruleName option; by default ${DEFAULT_RULE_NAME}).`,
    );
  }
  return {
    name: 'evaluate-organization',
    accounts: values.accounts !== undefined ? { file: values.accounts } : { organization: true },
    live,
    roleName,
    ...(externalId !== undefined ? { externalId } : {}),
    concurrency: parseConcurrency(values.concurrency),
    parameters: evaluateParameters(values),
    format: values.json === true ? 'json' : values.csv === true ? 'csv' : 'table',
    ...(ruleName !== undefined ? { ruleName } : {}),
    securityHub: values['security-hub'] === true,
  };
}

function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= MAX_CONCURRENCY)) {
    throw new UsageError(
      `--concurrency "${value}" is not a whole number from 1 to ${MAX_CONCURRENCY}: it is how many accounts are read at once (${DEFAULT_CONCURRENCY} by default).`,
    );
  }
  return count;
}

/**
 * `remediate`'s combinations: exactly one of --dry-run and --apply; --apply
 * only against a live account (a snapshot is a record, not an account);
 * --kms-key-id only live (the key's Region and policy must be read).
 */
function parseRemediate(values: Values, live: LiveTarget): RemediateCommand {
  const dryRun = values['dry-run'] === true;
  const apply = values.apply === true;
  if (dryRun === apply) {
    throw new UsageError(
      `remediate needs exactly one of --dry-run (show the plan, change nothing) and --apply (make the changes). ${HELP_HINT}`,
    );
  }
  const choices = parseChoices(values);
  const parameters = parseParams(values.param ?? []);
  if (apply) {
    if (values.snapshot !== undefined) {
      throw new UsageError(
        '--apply changes a live account, and a snapshot is only a record of one: use --dry-run with --snapshot, or --apply with --region/--profile.',
      );
    }
    return {
      name: 'remediate',
      mode: 'apply',
      live,
      parameters,
      choices,
      yes: values.yes === true,
      json: values.json === true,
    };
  }
  if (values.yes === true) {
    throw new UsageError('--yes answers the question --apply asks; a dry run asks nothing.');
  }
  if (values.snapshot !== undefined && choices.kmsKeyId !== undefined) {
    throw new UsageError(
      '--kms-key-id needs the key read from the live account (its ARN, Region and policy), which a snapshot does not hold: plan with --region/--profile instead, or leave the key out.',
    );
  }
  if (values.snapshot !== undefined && choices.hardenRepairedTrail === true) {
    throw new UsageError(
      "--harden-repaired-trail needs the repaired trail's bucket read from the live account (its owner, policy and Block Public Access), which a snapshot does not hold: plan with --region/--profile instead, or leave it out.",
    );
  }
  return {
    name: 'remediate',
    mode: 'dry-run',
    source: values.snapshot !== undefined ? { snapshot: values.snapshot } : { live },
    parameters,
    choices,
    json: values.json === true,
  };
}

/** The flag of each remediation input, by its field: the command line's name for it. */
export const CHOICE_OPTIONS = {
  trailName: 'trail-name',
  bucketName: 'bucket-name',
  kmsKeyId: 'kms-key-id',
  accessLogBucketName: 'access-log-bucket',
  logRetentionDays: 'log-retention-days',
  tags: 'tag',
  cloudWatchLogsLogGroupArn: 'cloudwatch-logs-group-arn',
  cloudWatchLogsRoleArn: 'cloudwatch-logs-role-arn',
  objectLockDays: 'object-lock-days',
  hardenRepairedTrail: 'harden-repaired-trail',
  trustedLogAccountIds: 'trusted-log-account',
} as const satisfies Record<keyof RemediationChoices, OptionName>;

/**
 * Checks the remediation's flags with the remediation function's own input
 * schema, so the CLI accepts exactly what it accepts. A repeatable flag
 * (`--tag`, `--trusted-log-account`) is one comma-separated value there.
 */
function parseChoices(values: Values): RemediationChoices {
  const raw: Record<string, string | boolean> = {};
  for (const [field, option] of Object.entries(CHOICE_OPTIONS)) {
    const value: string | boolean | string[] | undefined = values[option];
    if (value === undefined) continue;
    const items = typeof value === 'boolean' ? [] : [value].flat();
    // The schema reads '' as "not given" (what SSM sends for an empty parameter); here it is a slip.
    if (items.some((item) => item === '')) {
      throw new UsageError(`--${option} needs a value. ${HELP_HINT}`);
    }
    // One key=value (or account) a flag: a comma would silently make two.
    if (typeof value !== 'boolean' && Array.isArray(value) && items.some((i) => i.includes(','))) {
      const bad = items.find((i) => i.includes(','));
      throw new UsageError(
        `--${option} "${bad}" has a comma: give one value per --${option}, repeating the flag for more. ${HELP_HINT}`,
      );
    }
    raw[field] = typeof value === 'boolean' ? value : items.join(',');
  }
  const parsed = remediationInputSchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const field = String(issue?.path[0] ?? '') as keyof typeof CHOICE_OPTIONS;
    const option = CHOICE_OPTIONS[field];
    throw new UsageError(
      `--${option} "${String(raw[field])}" is not accepted: it ${issue?.message ?? 'is not valid'}.`,
    );
  }
  const { dryRun: _dryRun, accountId: _accountId, ...choices } = parsed.data;
  // The plan checks the pair only where it sets CloudWatch Logs (a new or hardened trail); a
  // repair would otherwise drop the one flag given without a word.
  const group = choices.cloudWatchLogsLogGroupArn !== undefined;
  if (group !== (choices.cloudWatchLogsRoleArn !== undefined)) {
    const [given, missing] = group
      ? ['cloudwatch-logs-group-arn', 'cloudwatch-logs-role-arn']
      : ['cloudwatch-logs-role-arn', 'cloudwatch-logs-group-arn'];
    throw new UsageError(
      `--${given} needs --${missing} too: CloudTrail sends to the log group through the role it assumes. Give both, or neither.`,
    );
  }
  return Object.fromEntries(
    Object.entries(choices).filter(
      ([k, v]) => v !== undefined && !(k === 'hardenRepairedTrail' && v === false),
    ),
  ) as RemediationChoices;
}

/** The longest timeout accepted: 5 minutes, longer than any one AWS call should take. */
export const MAX_TIMEOUT_MS = 300_000;

/**
 * `--connect-timeout MS` and `--request-timeout MS`, each a whole number of
 * milliseconds; the one not given keeps the rule's default. `undefined`
 * when neither is given.
 */
function parseTimeouts(values: Values): CallTimeouts | undefined {
  const connect = values['connect-timeout'];
  const request = values['request-timeout'];
  if (connect === undefined && request === undefined) return undefined;
  return {
    connectionMs: milliseconds('connect-timeout', connect, CALL_TIMEOUTS.connectionMs),
    requestMs: milliseconds('request-timeout', request, CALL_TIMEOUTS.requestMs),
  };
}

function milliseconds(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw new UsageError(
      `--${option} takes a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got "${value}": for example --${option} ${fallback * 2}.`,
    );
  }
  return ms;
}

function parseOptions(argv: readonly string[]) {
  const parsed = (() => {
    try {
      return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      // node:util's first sentence names the option; the rest is about `--` escapes.
      const [problem] = (error as Error).message.split('. ');
      throw new UsageError(`${problem}. ${HELP_HINT}`);
    }
  })();
  refuseEmptyValues(parsed.values);
  return parsed;
}

/**
 * An option that takes a value, given `""` (`--region ""`, `--profile=`):
 * a variable that was meant to hold the value and is unset, most often.
 * Left to the SDK, `--region ""` is "Region is missing" and `--profile ""`
 * the default profile, silently.
 */
function refuseEmptyValues(
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
): void {
  for (const [option, value] of Object.entries(values)) {
    if (value === '' || (Array.isArray(value) && value.includes(''))) {
      throw new UsageError(
        `--${option} needs a value, and "" is empty: give one (is the variable meant to hold it unset?), or leave --${option} out. ${HELP_HINT}`,
      );
    }
  }
}

/** `evaluate`'s parameters: `--param` pairs, and `--require-delivery` for `--param requireDelivery=true`. */
function evaluateParameters(values: {
  param?: string[];
  'require-delivery'?: boolean;
}): RuleParameters {
  const pairs = values.param ?? [];
  if (values['require-delivery'] !== true) return parseParams(pairs);
  if (pairs.some((pair) => pair.startsWith('requireDelivery='))) {
    throw new UsageError(
      '--require-delivery and --param requireDelivery=... both set requireDelivery: give one of them.',
    );
  }
  return parseParams([...pairs, 'requireDelivery=true']);
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
