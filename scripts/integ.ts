// First, before any AWS SDK client is built.
import './quiet-sdk';
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribeConfigRulesCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { EXPECTED_COMPLIANCE_VARIABLE } from '../integ/expected-compliance';
import { configServiceClient } from '../rule/clients';
import { DEFAULT_RULE_NAME } from '../stack/options';
import {
  CliVerdictError,
  cliArgs,
  deployArgs,
  INTEG_RUNNER_BASE_ARGS,
  IntegError,
  IntegUsageError,
  parseRunArgs,
  type RunOptions,
  SNAPSHOT_DIRECTORY,
  verdictFromCli,
} from './integ-args';

/*
 * The acceptance test's commands (docs/developing.md, "Acceptance test in a sandbox account"):
 *
 *   tsx scripts/integ.ts check    the committed snapshot against a fresh synth; offline (npm test)
 *   tsx scripts/integ.ts update   rewrite the snapshot from a fresh synth; offline, deploys nothing
 *   tsx scripts/integ.ts run ...  the real test: deploy, assert, destroy (npm run integ)
 */

const ROOT = resolve(__dirname, '..');

/** What to do when the check fails (integ-runner's own hint, --update-on-failed, would deploy). */
const STALE_SNAPSHOT =
  'The acceptance test\'s snapshot does not match the stack. If the change is intended, run "npm run integ:update" (offline, deploys nothing), review the diff of integ/integ.cloudtrail-rule.ts.snapshot and commit it.';

class AccountNotReadyError extends IntegError {
  override readonly name = 'AccountNotReadyError';
}

/** The environment of an offline integ-runner: no verdict, so the synth is the snapshot's. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[EXPECTED_COMPLIANCE_VARIABLE];
  return env;
}

/**
 * integ-runner as this project installs it (`@aws-cdk/integ-runner`): `npm
 * exec --no` never fetches a package of that name from the registry, where
 * `integ-runner` is not this one.
 */
function integRunner(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return run('npm', ['exec', '--no', '--', 'integ-runner', ...args], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
}

/** Runs a command to its end; Ctrl-C reaches it, and this process waits for it before cleaning up. */
function run(command: string, args: string[], options: SpawnOptions): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, options);
    const ignore = () => {};
    process.on('SIGINT', ignore);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      done(code ?? (signal !== null ? 130 : 1));
    });
  });
}

/**
 * The account must record configurations in the Region (AWS Config refuses
 * to create a rule otherwise) and must not hold this rule already: the test
 * deploys a stack under the rule's fixed names and deletes it afterwards.
 */
async function checkAccount(options: RunOptions): Promise<void> {
  // With the rule's timeouts and retries, like every client of the project.
  const config = configServiceClient({
    region: options.region,
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
  });
  try {
    const recorders = await config
      .send(new DescribeConfigurationRecorderStatusCommand({}))
      .catch((error: unknown) => {
        throw new AccountNotReadyError(
          `Could not read AWS Config in ${options.region} (config:DescribeConfigurationRecorderStatus): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}. Check the credentials (--profile, or AWS_PROFILE / AWS_ACCESS_KEY_ID) and that they may call it.`,
        );
      });
    if (!(recorders.ConfigurationRecordersStatus ?? []).some((r) => r.recording === true)) {
      throw new AccountNotReadyError(
        `AWS Config is not recording in ${options.region}: AWS Config creates no rule without a configuration recorder. Turn recording on in this Region (console: AWS Config > Settings), or pick a Region where it is on.`,
      );
    }
    const existing = await config
      .send(new DescribeConfigRulesCommand({ ConfigRuleNames: [DEFAULT_RULE_NAME] }))
      .then((r) => r.ConfigRules ?? [])
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'NoSuchConfigRuleException') return [];
        throw error;
      });
    if (existing.length > 0) {
      throw new AccountNotReadyError(
        `The Config rule ${DEFAULT_RULE_NAME} already exists in ${options.region}: the test deploys the stack under the same fixed names and deletes it afterwards. Run it in a sandbox account or Region without this deployment.`,
      );
    }
  } finally {
    config.destroy();
  }
}

async function runAcceptanceTest(args: string[]): Promise<number> {
  const options = parseRunArgs(args, process.env);

  console.error('1/4 Checking the committed snapshot against a fresh synth (offline).');
  if ((await integRunner(INTEG_RUNNER_BASE_ARGS, offlineEnv())) !== 0) {
    console.error(STALE_SNAPSHOT);
    return 1;
  }

  console.error(`2/4 Checking the account in ${options.region}.`);
  await checkAccount(options);

  console.error('3/4 Asking the CLI for the verdict on the same account and Region.');
  const cli = spawnSync(process.execPath, cliArgs(options), {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const { verdict, accountId, region } = verdictFromCli(cli);
  if (region !== options.region) {
    throw new CliVerdictError(
      `The CLI read the account from ${region}, not ${options.region}: its verdict would not be for the Region the test deploys to.`,
    );
  }
  console.error(`    The CLI says ${verdict} for account ${accountId} in ${options.region}.`);

  console.error('4/4 Deploying, asserting and destroying with integ-runner.');
  // A successful run rewrites the snapshot, with this account's verdict in the assertions: put the
  // committed one back.
  const saved = mkdtempSync(join(tmpdir(), 'cloudtrail-rule-snapshot-'));
  const snapshot = join(ROOT, SNAPSHOT_DIRECTORY);
  cpSync(snapshot, saved, { recursive: true });
  try {
    return await integRunner(deployArgs(options), {
      ...process.env,
      [EXPECTED_COMPLIANCE_VARIABLE]: verdict,
      AWS_REGION: options.region,
    });
  } finally {
    if (existsSync(snapshot)) rmSync(snapshot, { recursive: true, force: true });
    cpSync(saved, snapshot, { recursive: true });
    rmSync(saved, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'check': {
      if (args.length > 0) throw new IntegUsageError('"check" takes no arguments.');
      const status = await integRunner(INTEG_RUNNER_BASE_ARGS, offlineEnv());
      if (status !== 0) console.error(STALE_SNAPSHOT);
      return status;
    }
    case 'update':
      if (args.length > 0) throw new IntegUsageError('"update" takes no arguments.');
      // --force: rewrite it even when the stack is unchanged (the assertions may not be);
      // --dry-run: from a synth, deploying nothing.
      return integRunner([...INTEG_RUNNER_BASE_ARGS, '--force', '--dry-run'], offlineEnv());
    case 'run':
      return runAcceptanceTest(args);
    default:
      throw new IntegUsageError(
        `Unknown command "${command ?? ''}": use check, update, or run [--profile NAME] [--region REGION].`,
      );
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(error instanceof IntegError ? error.message : error);
    process.exitCode = 2;
  },
);
