import { spawn } from 'node:child_process';

/*
 * `npm run jest:all`: jest's two projects (`npm run jest`) and, at the same
 * time, the bundled functions' end-to-end tests under the Lambda runtime's
 * Node.js (`npm run e2e:node24`). The second run waits on child processes
 * and listeners much of its time, which the first fills. The first run's
 * output is shown as it comes; the second's is kept and shown when it ends,
 * so the two never interleave. The exit status is the first failure's.
 */

/** One npm script, and whether its output is held until it ends. */
interface Run {
  script: string;
  held: boolean;
}

export const RUNS: readonly Run[] = [
  { script: 'jest', held: false },
  { script: 'e2e:node24', held: true },
];

function run({ script, held }: Run): Promise<number> {
  return new Promise((resolveRun) => {
    const child = spawn('npm', ['run', '--silent', script], {
      stdio: held ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      // The second run's jest finds the command line built by the first (test/global-setup.ts).
      env: held ? { ...process.env, CLOUDTRAIL1_CLI_BUILT: '1' } : process.env,
    });
    const output: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error) => {
      console.error(`npm run ${script} did not start: ${error.message}`);
      resolveRun(1);
    });
    child.on('close', (code, signal) => {
      if (held) {
        process.stderr.write(`\n── npm run ${script} ──\n`);
        process.stderr.write(Buffer.concat(output));
      }
      resolveRun(code ?? (signal === null ? 1 : 128));
    });
  });
}

/** Runs every script at once; resolves to the first non-zero status, or 0. */
export async function main(): Promise<number> {
  const statuses = await Promise.all(RUNS.map(run));
  for (const [index, status] of statuses.entries()) {
    if (status !== 0)
      console.error(`npm run ${RUNS[index]?.script} failed (exit status ${status}).`);
  }
  return statuses.find((status) => status !== 0) ?? 0;
}

if (require.main === module) {
  main().then((status) => {
    process.exitCode = status;
  });
}
