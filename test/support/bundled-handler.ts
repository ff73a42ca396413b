import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { assetBundle, inlineBundle } from '../../stack/bundle';
import { FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY } from './aws-account/serve-http';

/**
 * A Lambda handler as it ships, run the way Lambda runs it: the bundle the
 * deployment builds (`stack/bundle.ts`), invoked once per fresh `node`
 * process with only the standard SDK environment variables, every
 * connection outside 127.0.0.1 refused. The rule's and the remediation's
 * end-to-end tests both run through it.
 *
 * `E2E_NODE` names the `node` binary the bundles run under (by default the
 * one running the tests), and `E2E_NODE_MAJOR` the major version it must
 * be; `npm run e2e:node24` sets both to the Lambda runtime's Node.js.
 */

export { REMEDIATION_ENTRY, RULE_ENTRY } from '../../stack/bundle';

/**
 * What is deployed: `asset`, the single-account stack's bundle (the AWS SDK
 * inside, a source map, `NODE_OPTIONS=--enable-source-maps` as the stack
 * sets it); `inline`, the member template's inline code (the AWS SDK from
 * the runtime).
 */
export type BundleShape = 'asset' | 'inline';
export const BUNDLE_SHAPES: readonly BundleShape[] = ['asset', 'inline'];

/** The `node` the bundles run under, and the major version it must report. */
export function e2eNode(env: NodeJS.ProcessEnv = process.env): { path: string; major: number } {
  const path = env.E2E_NODE ?? '';
  const major = env.E2E_NODE_MAJOR ?? '';
  if (path === '' && major === '') {
    return { path: process.execPath, major: majorOf(process.versions.node) };
  }
  if (path === '' || !/^[1-9][0-9]*$/.test(major)) {
    throw new Error(
      `E2E_NODE (${JSON.stringify(path)}) and E2E_NODE_MAJOR (${JSON.stringify(major)}) go together: set E2E_NODE to a node binary and E2E_NODE_MAJOR to its major version (as "npm run e2e:node24" does), or neither.`,
    );
  }
  return { path, major: Number(major) };
}

/** `24` for `24.11.1`. */
export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

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
const node = process.versions.node;
const done = (message) => process.send({ node, ...message }, () => process.disconnect());
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
const messageSchema = z.intersection(z.object({ node: z.string() }), outcomeSchema);

export interface Invocation {
  /** What the handler returned or threw; `undefined` when the process died first. */
  outcome: Outcome | undefined;
  exitCode: number | null;
  /** The process's stdout and stderr (the structured logs), for failure messages. */
  output: string;
  /** Wall-clock milliseconds, process start to exit. */
  ms: number;
  /** `process.versions.node` of the process that ran the handler; `undefined` when it died first. */
  node: string | undefined;
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
 * Bundles a handler's entry point as the deployment does, in the given
 * shape, into a temporary directory with the runner beside it; or, given
 * `{ inline }`, takes a template's inline `ZipFile` code as it is. Inline
 * code loads the AWS SDK the way the Lambda runtime provides it
 * (`NODE_PATH`).
 */
export async function bundleHandler(
  entry: string | { inline: string },
  shape: BundleShape = 'asset',
): Promise<BundledHandler> {
  const workDir = await mkdtemp(join(tmpdir(), 'cloudtrail1-e2e-'));
  const runner = join(workDir, 'run.cjs');
  let bundle = join(workDir, 'index.js');
  let runtime: NodeJS.ProcessEnv;
  if (typeof entry === 'string' && shape === 'asset') {
    bundle = await assetBundle(entry, workDir);
    runtime = { NODE_OPTIONS: '--enable-source-maps' };
  } else {
    await writeFile(bundle, typeof entry === 'string' ? inlineBundle(entry) : entry.inline);
    runtime = { NODE_PATH: RUNTIME_MODULES };
  }
  await writeFile(runner, RUNNER);
  const node = e2eNode();

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
        ...runtime,
        ...options.env,
      };
      const started = performance.now();
      return new Promise((resolvePromise, reject) => {
        const child = spawn(node.path, [runner, bundle, JSON.stringify(event)], {
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        let output = '';
        let outcome: Outcome | undefined;
        let version: string | undefined;
        const collect = (chunk: Buffer) => {
          output += chunk.toString('utf8');
        };
        child.stdout?.on('data', collect);
        child.stderr?.on('data', collect);
        child.on('message', (message) => {
          const { node: reported, ...rest } = messageSchema.parse(message);
          version = reported;
          outcome = outcomeSchema.parse(rest);
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
        child.on('error', reject);
        child.on('close', (exitCode) => {
          clearTimeout(timer);
          if (version !== undefined && majorOf(version) !== node.major) {
            reject(
              new Error(
                `The handler ran under Node.js ${version} (${node.path}), not Node.js ${node.major}: check E2E_NODE and E2E_NODE_MAJOR.`,
              ),
            );
            return;
          }
          resolvePromise({
            outcome,
            exitCode,
            output,
            ms: Math.round(performance.now() - started),
            node: version,
          });
        });
      });
    },
    dispose: () => rm(workDir, { recursive: true, force: true }),
  };
}
