// First, before any AWS SDK client is built.
import './quiet-sdk';
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  DescribeConfigRulesCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { snapshotDifferences, writeSnapshot } from '../integ/assembly-files';
import { EXPECTED_COMPLIANCE_VARIABLE } from '../integ/expected-compliance';
import { configServiceClient } from '../rule/clients';
import { DEFAULT_RULE_NAME } from '../stack/options';
import {
  ASSERTION_STACK,
  assertionResults,
  CliVerdictError,
  cdk,
  cliArgs,
  declaredAssertionResults,
  deployArgs,
  destroyArgs,
  IntegError,
  IntegUsageError,
  parseRunArgs,
  type RunOptions,
  SNAPSHOT_DIRECTORY,
  synthArgs,
  verdictFromCli,
} from './integ-args';

/*
 * The acceptance test's commands (docs/developing.md, "Acceptance test in a sandbox account"),
 * all with the project's own CDK CLI:
 *
 *   tsx scripts/integ.ts check    the committed snapshot against a fresh synth; offline (npm test)
 *   tsx scripts/integ.ts update   rewrite the snapshot from a fresh synth; offline, deploys nothing
 *   tsx scripts/integ.ts run ...  the real test: deploy, read the assertions' results, destroy (npm run integ)
 */

const ROOT = resolve(__dirname, '..');

const STALE_SNAPSHOT =
  'The acceptance test\'s snapshot does not match the stack. If the change is intended, run "npm run integ:update" (offline, deploys nothing), review the diff of integ/integ.cloudtrail-rule.ts.snapshot and commit it.';

class IntegSynthError extends IntegError {
  override readonly name = 'IntegSynthError';
}

class AccountNotReadyError extends IntegError {
  override readonly name = 'AccountNotReadyError';
}

/** The environment of an offline synth: no verdict, so the synth is the snapshot's. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env[EXPECTED_COMPLIANCE_VARIABLE];
  return env;
}

/** Runs the project's CDK CLI with `args`, its output on this process's. */
function runCdk(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, commandArgs] = cdk(args);
  return run(command, commandArgs, { cwd: ROOT, env, stdio: 'inherit' });
}

/** A new temporary directory, for one synth or its outputs. */
function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Synthesizes the test app into a new directory and returns it; `env` decides the verdict. */
async function synth(env: NodeJS.ProcessEnv): Promise<string> {
  const outdir = temporaryDirectory('cloudtrail-rule-integ-');
  const status = await runCdk(synthArgs(outdir), env);
  if (status !== 0) {
    rmSync(outdir, { recursive: true, force: true });
    throw new IntegSynthError(
      `cdk synth of the test app failed (exit status ${status}); its output is above.`,
    );
  }
  return outdir;
}

/** The committed snapshot against a fresh offline synth: 0 when they agree. */
async function checkSnapshot(): Promise<number> {
  const fresh = await synth(offlineEnv());
  try {
    const differences = snapshotDifferences(join(ROOT, SNAPSHOT_DIRECTORY), fresh);
    if (differences.length === 0) {
      console.error(`The snapshot matches a fresh synth (${SNAPSHOT_DIRECTORY}).`);
      return 0;
    }
    console.error(`${differences.join('\n')}\n${STALE_SNAPSHOT}`);
    return 1;
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
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

  console.error('1/6 Checking the committed snapshot against a fresh synth (offline).');
  if ((await checkSnapshot()) !== 0) return 1;

  console.error(`2/6 Checking the account in ${options.region}.`);
  await checkAccount(options);

  console.error('3/6 Asking the CLI for the verdict on the same account and Region.');
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

  console.error('4/6 Synthesizing the test app with that verdict.');
  const assembly = await synth({ ...process.env, [EXPECTED_COMPLIANCE_VARIABLE]: verdict });
  const outputsFile = join(temporaryDirectory('cloudtrail-rule-outputs-'), 'outputs.json');
  const env = { ...process.env, AWS_REGION: options.region };
  let status = 1;
  try {
    console.error(
      '5/6 Deploying it with the CDK CLI: the assertions run as the assertion stack deploys.',
    );
    const deployed = await runCdk(deployArgs(options, assembly, outputsFile), env);
    if (deployed !== 0) {
      console.error(
        `cdk deploy failed (exit status ${deployed}): a polling assertion that timed out fails the deployment; its output is above.`,
      );
    } else {
      const template = JSON.parse(
        readFileSync(join(assembly, `${ASSERTION_STACK}.template.json`), 'utf8'),
      ) as unknown;
      const passed = assertionResults(
        JSON.parse(readFileSync(outputsFile, 'utf8')),
        ASSERTION_STACK,
        declaredAssertionResults(template),
      );
      console.error(`    ${passed.length} assertions passed.`);
      status = 0;
    }
  } finally {
    if (options.clean) {
      console.error('6/6 Destroying both stacks.');
      const destroyed = await runCdk(destroyArgs(options, assembly), env);
      if (destroyed !== 0) {
        console.error(
          `cdk destroy failed (exit status ${destroyed}): delete the stacks ${ASSERTION_STACK}, then ${DEFAULT_RULE_NAME}, by hand.`,
        );
        status = 1;
      }
    } else {
      console.error(
        `6/6 --no-clean: the stacks ${ASSERTION_STACK} and ${DEFAULT_RULE_NAME} are kept.`,
      );
    }
    rmSync(assembly, { recursive: true, force: true });
    rmSync(dirname(outputsFile), { recursive: true, force: true });
  }
  return status;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'check':
      if (args.length > 0) throw new IntegUsageError('"check" takes no arguments.');
      return checkSnapshot();
    case 'update': {
      if (args.length > 0) throw new IntegUsageError('"update" takes no arguments.');
      // Always rewritten, so that a change to the assertions alone is recorded too.
      const fresh = await synth(offlineEnv());
      try {
        writeSnapshot(fresh, join(ROOT, SNAPSHOT_DIRECTORY));
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
      console.error(
        `Wrote ${SNAPSHOT_DIRECTORY} from a fresh synth: review its diff and commit it.`,
      );
      return 0;
    }
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
