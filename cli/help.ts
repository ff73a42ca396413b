import { DEFAULT_TRAIL_NAME } from '../remediation/input';
import { CALL_TIMEOUTS } from '../rule/clients';
import { PARAMETER_NAMES } from '../rule/parameters';
import { DEFAULT_RULE_NAME } from '../stack/names';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from './args';

/** The `--help` text. */
export const USAGE = `Usage: cloudtrail-rule <command> [options]

Checks AWS Security Hub control CloudTrail.1 (CIS AWS Foundations 3.1) with the
AWS Config rule's own code: at least one multi-Region trail that is logging and
records read and write management events from every event source.

Commands:
  evaluate                 Evaluate the live account (default credential chain).
                           Reads every trail fully and lists every gap of the closest trail.
  evaluate --snapshot FILE Evaluate a saved snapshot instead (- for stdin); needs no AWS account.
  evaluate --organization --role-name NAME
                           Evaluate every ACTIVE account of the organization (from the management
                           or a delegated administrator account), each through role NAME assumed
                           in it: one row per account (account, name, verdict, deployment,
                           trail, reason), then the counts. An account that cannot be assumed,
                           read or decided is ERROR, with why; it is never left out or counted
                           NON_COMPLIANT. DEPLOYMENT is INTACT (our rule, running the account's
                           rule function with the expected parameters, remediated by our
                           document), CHANGED (with what differs) or MISSING.
  evaluate --accounts FILE --role-name NAME
                           The same for the accounts FILE lists: one per line, ID or ID,name;
                           blank lines and lines starting with # are ignored (at most 16 MiB).
                           What --csv or --json wrote lists the accounts it audited too.
  snapshot                 Read the live account fully and write its trail state (JSON).
  examples [DIR]           Evaluate every *.json snapshot in DIR (default: the project's examples/).
  remediate --dry-run      Show the remediation's plan for the live account, or for a snapshot
                           with --snapshot FILE: the exact API calls, numbered, each with why.
                           Changes nothing.
  remediate --apply        Apply the plan to the live account: shows it, asks (unless --yes),
                           prints each step as it runs, then checks the result with a fresh read.

Options:
  --snapshot FILE          evaluate, remediate --dry-run: the snapshot to read instead of the account,
                           - for stdin (at most 64 MiB; errors name the file and a position, never
                           its content).
  --region REGION          evaluate, snapshot, remediate: the Region to list trails from, and where
                           remediate creates a trail (default: AWS_REGION or the profile's region).
  --profile NAME           evaluate, snapshot, remediate: a profile from the shared AWS config files;
                           it wins over access keys in the environment.
  --endpoint-url URL       evaluate, remediate: send every AWS call to URL (http:// or https://),
                           over AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
  --connect-timeout MS     evaluate, snapshot, remediate: how long each attempt of an AWS call may
                           take to connect (default ${CALL_TIMEOUTS.connectionMs}).
  --request-timeout MS     evaluate, snapshot, remediate: how long each attempt may take in all
                           (default ${CALL_TIMEOUTS.requestMs}). A call is tried up to 5 times (AWS_MAX_ATTEMPTS).
  --out FILE               snapshot: write to FILE instead of stdout (mode 0600, written whole or
                           not at all). An existing FILE is kept unless --force; a symbolic link
                           is never written through, even with --force.
  --force                  snapshot --out: replace FILE if it exists (a regular file only).
  --param NAME=VALUE       evaluate, examples, remediate: a rule parameter, repeatable. Names:
                           ${PARAMETER_NAMES.join(', ')}.
  --require-delivery       evaluate: a logging trail whose last delivery failed does not pass
                           (--param requireDelivery=true); without it, such a trail passes and the
                           reason names the error.
  --json                   evaluate, examples, remediate: print JSON for machines (remediate --apply:
                           one object once done; the steps go to stderr as they run).
  --csv                    evaluate: print CSV (RFC 4180): a header, then one row per account.
  --role-name NAME         evaluate --organization/--accounts: the IAM role to assume in each
                           account, as arn:PARTITION:iam::ACCOUNT:role/NAME (the caller's partition);
                           it needs cloudtrail:DescribeTrails, GetTrailStatus and GetEventSelectors,
                           and config:DescribeConfigRules and DescribeRemediationConfigurations.
  --rule-name NAME         evaluate --organization/--accounts: the deployment's rule name, when it
                           was deployed with another ruleName (default ${DEFAULT_RULE_NAME}).
  --security-hub           evaluate --organization/--accounts: also show Security Hub's own
                           CloudTrail.1 status (PASSED, FAILED, NO_FINDING) from the caller's
                           account (the Security Hub administrator; securityhub:GetFindings), and
                           why it disagrees with ours where that is known.
  --external-id ID         evaluate --organization/--accounts: the external ID the role's trust
                           policy requires.
  --concurrency N          evaluate --organization/--accounts: accounts read at once, 1 to ${MAX_CONCURRENCY}
                           (default ${DEFAULT_CONCURRENCY}). A progress bar goes to stderr when it is a terminal.
  --trail-name NAME        remediate: the trail to repair, or to create if the account has no
                           trail of that name (default: the trail needing the fewest changes, or a
                           new ${DEFAULT_TRAIL_NAME} when none can be repaired).
  --bucket-name NAME       remediate: the log bucket of a new trail (default: the s3BucketName
                           parameter, else cloudtrail-logs-ACCOUNT-REGION-SUFFIX, SUFFIX a hash of
                           the caller). A snapshot holds no bucket state, so a dry run from one
                           assumes the bucket does not exist.
  --kms-key-id KEY         remediate, live only: a KMS key (ID, ARN or alias) to encrypt a new
                           trail's logs and its bucket with; its policy is read and added to.
  --access-log-bucket NAME remediate: where a new log bucket's server access logs go, a bucket of
                           this account and Region (default: one created beside the log bucket).
  --log-retention-days N   remediate: log files in a new log bucket, and its access logs, expire
                           after N days (default: never).
  --tag KEY=VALUE          remediate, repeatable: a tag for the trail and buckets it creates.
  --cloudwatch-logs-group-arn ARN, --cloudwatch-logs-role-arn ARN
                           remediate: a new (or hardened) trail also sends to this log group,
                           through this role CloudTrail assumes. Give both.
  --object-lock-days N     remediate: Object Lock GOVERNANCE retention on a new log bucket.
  --harden-repaired-trail  remediate, live only: also turn on a repaired trail's log file
                           validation, key, CloudWatch Logs and tags, and its own bucket's Block
                           Public Access and TLS-only statement. Nothing is removed.
  --trusted-log-account ID remediate, repeatable: an account besides this one whose buckets and
                           keys a repaired trail may deliver to (a trail delivering anywhere else
                           is left alone and a trail of the account's own is created).
  -y, --yes                remediate --apply: apply without asking (needed when stdin is not a
                           terminal).
  --verbose                Show the rule's structured logs (on stderr; stdout keeps the result only).
  -h, --help               Show this help; after a command, that command's help.
  --version                Print the version and exit.

Run "cloudtrail-rule <command> --help" for one command's options.

Exit status: 0 COMPLIANT, 1 NON_COMPLIANT, 2 error (bad input, unreadable snapshot,
AWS failure, or an UNDECIDED verdict). With --organization or --accounts: 2 if any account is
ERROR or its deployment is not INTACT, else 1 if any is NON_COMPLIANT, else 0. examples
exits 0 unless a file cannot be read.
remediate --dry-run: 0 nothing to change, 1 changes planned, 2 error or UNDECIDED.
remediate --apply: 0 applied and a fresh read passes (or nothing to change), 1 the answer
was not yes (nothing changed), 2 error (the message says which steps, if any, were applied;
running again continues from the account's new state).

Examples:
  cloudtrail-rule evaluate --region us-east-1
  cloudtrail-rule evaluate --snapshot examples/write-only-trail.json --json
  cloudtrail-rule evaluate --organization --role-name OrganizationAuditor --csv > accounts.csv
  cloudtrail-rule evaluate --accounts accounts.txt --role-name Audit --external-id ID --json
  cloudtrail-rule snapshot --profile audit --out state.json
  cloudtrail-rule evaluate --snapshot state.json --param readWriteType=WriteOnly
  cloudtrail-rule remediate --dry-run --snapshot examples/logging-stopped.json
  cloudtrail-rule remediate --dry-run --region us-east-1 --json
  cloudtrail-rule remediate --apply --profile admin --region us-east-1
`;

/** The commands that have a help of their own. */
export type HelpTopic = 'evaluate' | 'snapshot' | 'examples' | 'remediate';

/**
 * One command's help (`cloudtrail-rule evaluate --help`), taken from
 * {@link USAGE} so the two never disagree: the command's lines under
 * Commands, the options whose description names it (and those that name no
 * command, such as --verbose), the exit status, and its examples.
 *
 * @example
 * commandUsage('snapshot') // 'Usage: cloudtrail-rule snapshot [options]\n…--out FILE…'
 */
export function commandUsage(command: HelpTopic): string {
  const sections = usageSections();
  const commands = entries(sections.Commands).filter((entry) =>
    entry.trimStart().startsWith(`${command} `),
  );
  const options = entries(sections.Options).filter((entry) => optionApplies(entry, command));
  const examples = (sections.Examples ?? []).filter((line) =>
    line.includes(`cloudtrail-rule ${command} `),
  );
  return [
    `Usage: cloudtrail-rule ${command} [options]`,
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    ...options,
    '',
    ...(sections['Exit status'] ?? []),
    ...(examples.length === 0 ? [] : ['', 'Examples:', ...examples]),
    '',
  ].join('\n');
}

/** USAGE's sections by heading (`Options:`), each as its lines up to the next blank line. */
function usageSections(): Record<string, string[]> {
  const sections: Record<string, string[]> = {};
  for (const block of USAGE.split('\n\n')) {
    const [first = ''] = block.split('\n');
    const heading = /^([A-Z][a-z ]+):/.exec(first)?.[1];
    if (heading !== undefined) sections[heading] = block.trimEnd().split('\n');
  }
  return sections;
}

/** A section's entries: a line indented two spaces, with the deeper-indented lines that continue it. */
function entries(lines: readonly string[] = []): string[] {
  const result: string[] = [];
  for (const line of lines.slice(1)) {
    if (/^ {2}\S/.test(line) || result.length === 0) result.push(line);
    else result[result.length - 1] += `\n${line}`;
  }
  return result;
}

const TOPICS: readonly HelpTopic[] = ['evaluate', 'snapshot', 'examples', 'remediate'];

/**
 * An option entry's names and placeholders (`-y, --yes`, `--tag KEY=VALUE`,
 * `--cloudwatch-logs-group-arn ARN, --cloudwatch-logs-role-arn ARN`) and the
 * space after them, which may be one space (a name that fills its column)
 * or a line break (names longer than it).
 */
const OPTION_NAMES = /^ {2}(?:-\w, )?--[a-z-]+(?: [A-Z=]+)?(?:, --[a-z-]+(?: [A-Z=]+)?)*\s+/;

/**
 * Whether an option's entry is for `command`: its description starts with
 * the commands it is for (`evaluate, snapshot: …`, `remediate --apply: …`,
 * `evaluate --organization/--accounts: …`);
 * an entry that names none (`--verbose`) is for every command.
 */
function optionApplies(entry: string, command: HelpTopic): boolean {
  const description = entry.replace(OPTION_NAMES, '');
  const scope = /^([a-z ,/-]+):/.exec(description)?.[1];
  if (scope === undefined) return true;
  const named = scope
    .split(/[ ,/]+/)
    .filter((word): word is HelpTopic => (TOPICS as readonly string[]).includes(word));
  return named.length === 0 || named.includes(command);
}
