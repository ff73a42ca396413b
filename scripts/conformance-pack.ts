import { z } from 'zod';
import { unknownRegionReason } from '../remediation/regions';
import {
  ACCOUNT_ID_PATTERN,
  conformancePackYaml,
  MAX_TEMPLATE_BYTES,
  PARTITIONS,
  type PackTarget,
  REGION_PATTERN,
  regionPartition,
} from '../stack/conformance-pack';
import { StackError } from '../stack/errors';
import { parseOptions } from '../stack/options';
import { contextArgs, wantsHelp } from './context-args';
import { outputProblem, writeOutput } from './output-file';

/*
 * `npm run conformance-pack -- --account ID --region REGION [-c name=value ...] [--out file] [--force]`
 * (or `--organization --management-account ID --region REGION`): writes the
 * conformance pack template (default dist/conformance-pack.yaml) for one
 * account, or for an organization, from the same options as the stack:
 * cdk.json's context, then `-c name=value`, read by the same parser, so a
 * bad value fails here exactly as it fails a synth. Nothing is written
 * unless every argument is valid, and an existing file only with --force.
 */

const DEFAULT_OUT = 'dist/conformance-pack.yaml';

const USAGE = [
  'Usage: npm run conformance-pack -- --account ID --region REGION [--partition PARTITION] [-c name=value ...] [--out FILE] [--force]',
  '       npm run conformance-pack -- --organization --management-account ID --region REGION [...]',
  '  --account ID               the 12-digit ID of the account the pack is deployed in',
  "  --organization             a pack for put-organization-conformance-pack, with --management-account ID, the organization's management account",
  '  --region REGION            the Region the pack is deployed in, e.g. eu-west-1',
  `  --partition PARTITION      ${PARTITIONS.join(', ')}; by default the Region's (cn-… aws-cn, us-gov-… aws-us-gov, else aws)`,
  "  -c name=value              a CDK context option of the stack (see docs/deployment.md); cdk.json's apply too",
  `  --out FILE                 where to write the pack (default ${DEFAULT_OUT}); its directory must exist`,
  '  --force                    replace FILE if it exists',
  '  --help                     this help',
].join('\n');

/** Each target flag: the argument it sets, and what its value is called in the usage. */
const TARGET_FLAGS = {
  '--account': ['account', 'ID'],
  '--management-account': ['managementAccount', 'ID'],
  '--region': ['region', 'REGION'],
  '--partition': ['partition', 'PARTITION'],
} as const;
type TargetFlag = keyof typeof TARGET_FLAGS;
const isTargetFlag = (arg: string): arg is TargetFlag => arg in TARGET_FLAGS;

/** What `contextArgs` reads with a value after it: skipped here so that `-c --region=x` stays a context pair. */
const CONTEXT_FLAGS_WITH_VALUE = new Set(['-c', '--context', '--out']);

const accountId = (flag: string, whose: string) =>
  z
    .string()
    .regex(ACCOUNT_ID_PATTERN, {
      error: (issue) =>
        `${flag} "${String(issue.input)}" is not an AWS account ID: give ${whose} 12 digits, e.g. ${flag} 111122223333.`,
    })
    .optional();

const targetArgs = z
  .object({
    account: accountId('--account', "the account's"),
    managementAccount: accountId('--management-account', "the management account's"),
    organization: z.boolean(),
    region: z
      .string()
      .regex(REGION_PATTERN, {
        error: (issue) =>
          `--region "${String(issue.input)}" is not an AWS Region name: give one like --region eu-west-1.`,
        abort: true,
      })
      .superRefine((region, ctx) => {
        const reason = unknownRegionReason(region);
        if (reason !== undefined)
          ctx.addIssue({ code: 'custom', message: `--region "${region}" ${reason}` });
      })
      .optional(),
    partition: z
      .enum(PARTITIONS, {
        error: (issue) =>
          `--partition "${String(issue.input)}" is not a partition this project deploys to: give ${PARTITIONS.join(', ')}, or leave it out to use the Region's.`,
      })
      .optional(),
  })
  .strict()
  .superRefine((args, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (args.organization) {
      if (args.account !== undefined) {
        problem(
          'Give either --account ID (a pack for one account) or --organization --management-account ID (a pack for an organization), not both.',
        );
      }
      if (args.managementAccount === undefined) {
        problem(
          "--organization needs --management-account ID: the 12-digit ID of the organization's management account, which AWS Config replaces with each member account's ID.",
        );
      }
    } else {
      if (args.managementAccount !== undefined) {
        problem(
          '--management-account is for an organization pack: add --organization, or give --account ID for a pack for one account.',
        );
      } else if (args.account === undefined) {
        problem(
          'Missing the account: give --account ID, the 12-digit ID of the account the pack is deployed in (the rule function and automation role ARNs name it), or --organization --management-account ID for an organization pack.',
        );
      }
    }
    if (args.region === undefined) {
      problem(
        "Missing the Region: give --region REGION, the Region the pack is deployed in, e.g. --region eu-west-1 (the rule function's ARN and the automation role's name contain it).",
      );
    } else if (
      args.partition !== undefined &&
      REGION_PATTERN.test(args.region) &&
      args.partition !== regionPartition(args.region)
    ) {
      problem(
        `--partition ${args.partition} does not match --region ${args.region}, which is in ${regionPartition(args.region)}: give --partition ${regionPartition(args.region)}, or leave it out.`,
      );
    }
  });

/** The target arguments, taken out of `args`; the rest goes to `contextArgs`. */
function splitArgs(
  args: string[],
): { target: Record<string, string | boolean>; rest: string[] } | { problems: string[] } {
  const target: Record<string, string | boolean> = { organization: false };
  const rest: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  const once = (flag: string) => {
    if (seen.has(flag)) problems.push(`${flag} is given twice: give it once.`);
    seen.add(flag);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (isTargetFlag(flag)) {
      once(flag);
      const next = args[i + 1];
      let value: string | undefined;
      if (flag !== arg) value = arg.slice(eq + 1);
      else if (next !== undefined && !next.startsWith('-')) value = args[++i];
      if (value === undefined || value === '') {
        problems.push(`${flag} needs a value: ${flag} ${TARGET_FLAGS[flag][1]}.`);
      } else {
        target[TARGET_FLAGS[flag][0]] = value;
      }
    } else if (arg === '--organization') {
      once(arg);
      target.organization = true;
    } else {
      rest.push(arg);
      const next = args[i + 1];
      if (CONTEXT_FLAGS_WITH_VALUE.has(arg) && next !== undefined) {
        rest.push(next);
        i++;
      }
    }
  }
  return problems.length > 0 ? { problems } : { target, rest };
}

/** The pack's target from the command's arguments, or every problem with them. */
export function packTargetArgs(
  args: string[],
): { target: PackTarget; rest: string[] } | { problems: string[] } {
  const split = splitArgs(args);
  if ('problems' in split) return split;
  const parsed = targetArgs.safeParse(split.target);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => issue.message) };
  const { account, managementAccount, organization, region, partition } = parsed.data;
  const accountId = organization ? managementAccount : account;
  // The refinement above guarantees both; this narrows their types.
  if (accountId === undefined || region === undefined) throw new Error('unreachable');
  return {
    target: { accountId, region, partition: partition ?? regionPartition(region), organization },
    rest: split.rest,
  };
}

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  if (wantsHelp(args, Object.keys(TARGET_FLAGS))) {
    console.log(USAGE);
    return 0;
  }
  const target = packTargetArgs(args);
  if ('problems' in target) return usage(target.problems);
  const parsed = contextArgs(target.rest, DEFAULT_OUT);
  if ('problem' in parsed) return usage([parsed.problem]);
  const { context, out, force } = parsed;
  // Before building anything: a file that may not be replaced, or a missing directory.
  const refused = outputProblem(out, force);
  if (refused !== undefined) {
    console.error(refused);
    return 2;
  }

  let yaml: string;
  try {
    yaml = conformancePackYaml(
      parseOptions((name) => context[name], Object.keys(context)),
      target.target,
    );
  } catch (error) {
    if (error instanceof StackError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const bytes = Buffer.byteLength(yaml);
  if (bytes > MAX_TEMPLATE_BYTES) {
    console.error(`The pack is ${bytes} bytes; AWS Config accepts at most ${MAX_TEMPLATE_BYTES}.`);
    return 1;
  }
  const problem = writeOutput(out, yaml, force);
  if (problem !== undefined) {
    console.error(problem);
    return 2;
  }
  const { accountId, region, partition, organization } = target.target;
  const what = organization
    ? `an organization pack for ${region} (${partition}), naming management account ${accountId}`
    : `the pack for account ${accountId} in ${region} (${partition})`;
  console.log(`Wrote ${out.shown} (${bytes} bytes): ${what}.`);
  return 0;
}

function usage(problems: string[]): number {
  console.error(`${problems.join('\n')}\n${USAGE}`);
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
