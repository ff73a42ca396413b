import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { bundleRule } from '../../bench/bundle';
import { FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY } from './fake-aws';

/**
 * A Lambda handler as it ships, run the way Lambda runs it: one minified
 * esbuild bundle (`bench/bundle.ts`, the build the benchmark measures),
 * invoked once per fresh `node` process with only the standard SDK
 * environment variables, every connection outside 127.0.0.1 refused. The
 * rule's and the remediation's end-to-end tests both run through it.
 */

export { REMEDIATION_ENTRY, RULE_ENTRY } from '../../bench/bundle';

/**
 * Runs in the child process: refuses any connection that is not to
 * 127.0.0.1, loads the bundle, invokes its `handler` once with the event in
 * argv and sends back (over IPC, since the logger owns stdout) what it
 * returned or the name and message of what it threw.
 */
const RUNNER = `'use strict';
const net = require('node:net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (options.host !== '127.0.0.1') {
    const message = 'blocked a connection to ' + String(options.host) + ':' + String(options.port) + ': only 127.0.0.1 may be used';
    process.stderr.write(message + '\\n');
    process.exitCode = 3;
    throw new Error(message);
  }
  return connect.apply(this, args);
};
const { handler } = require(process.argv[2]);
const done = (message) => process.send(message, () => process.disconnect());
handler(JSON.parse(process.argv[3])).then(
  (result) => done({ ok: true, result }),
  (error) => done({ ok: false, error: { name: String(error && error.name), message: String(error && error.message) } }),
);
`;

const outcomeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ name: z.string(), message: z.string() }) }),
]);
export type Outcome = z.infer<typeof outcomeSchema>;

export interface Invocation {
  /** What the handler returned or threw; `undefined` when the process died first. */
  outcome: Outcome | undefined;
  exitCode: number | null;
  /** The process's stdout and stderr (the structured logs), for failure messages. */
  output: string;
  /** Wall-clock milliseconds, process start to exit. */
  ms: number;
}

export interface InvokeOptions {
  /** `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** `AWS_REGION`, the Region the function runs in. */
  region: string;
  /** `AWS_MAX_ATTEMPTS` (default 2: failures show fast). */
  maxAttempts?: number;
  /** More environment variables, such as `RULE_PARAMETERS`. */
  env?: Record<string, string>;
  /** Kills the process after this long (default 20 s). */
  timeoutMs?: number;
}

export interface BundledHandler {
  /** Invokes the handler once in a fresh `node` process, as Lambda would on a cold start. */
  invoke(event: unknown, options: InvokeOptions): Promise<Invocation>;
  dispose(): Promise<void>;
}

/** Where the Lambda runtime's own AWS SDK is found: this project's copy stands in for it. */
const RUNTIME_MODULES = join(__dirname, '..', '..', 'node_modules');

/**
 * Bundles a handler's entry point into a temporary directory, with the
 * runner beside it; or, given `{ inline }`, takes a template's inline
 * `ZipFile` code as it is, and lets it load the AWS SDK the way the Lambda
 * runtime provides it (`NODE_PATH`).
 */
export async function bundleHandler(entry: string | { inline: string }): Promise<BundledHandler> {
  const workDir = await mkdtemp(join(tmpdir(), 'cloudtrail1-e2e-'));
  const bundle = join(workDir, 'handler.js');
  const runner = join(workDir, 'run.cjs');
  await Promise.all([
    typeof entry === 'string' ? bundleRule(bundle, entry) : writeFile(bundle, entry.inline),
    writeFile(runner, RUNNER),
  ]);
  const runtimeSdk: NodeJS.ProcessEnv =
    typeof entry === 'string' ? {} : { NODE_PATH: RUNTIME_MODULES };

  return {
    invoke(event, options) {
      const env: NodeJS.ProcessEnv = {
        AWS_ENDPOINT_URL: options.endpoint,
        AWS_REGION: options.region,
        AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: FAKE_SECRET_ACCESS_KEY,
        AWS_MAX_ATTEMPTS: String(options.maxAttempts ?? 2),
        // Nothing from the machine running the tests: no shared config, no instance metadata.
        AWS_CONFIG_FILE: join(workDir, 'absent-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'absent-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        HOME: workDir,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...runtimeSdk,
        ...options.env,
      };
      const started = performance.now();
      return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, [runner, bundle, JSON.stringify(event)], {
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        let output = '';
        let outcome: Outcome | undefined;
        const collect = (chunk: Buffer) => {
          output += chunk.toString('utf8');
        };
        child.stdout?.on('data', collect);
        child.stderr?.on('data', collect);
        child.on('message', (message) => {
          outcome = outcomeSchema.parse(message);
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
        child.on('error', reject);
        child.on('close', (exitCode) => {
          clearTimeout(timer);
          resolvePromise({
            outcome,
            exitCode,
            output,
            ms: Math.round(performance.now() - started),
          });
        });
      });
    },
    dispose: () => rm(workDir, { recursive: true, force: true }),
  };
}
