import { spawn } from 'node:child_process';

/*
 * `tsx scripts/test-concurrently.ts SCRIPT...`: runs the npm scripts at the
 * same time, as `npm test` does with `jest` and `e2e:node24` (`npm run
 * jest:all`) and with `synth` and `integ:snapshot` (`npm run synth:all`):
 * on two cores, one run's waits (child processes, listeners, file writes)
 * are filled by the other's work. The first script's output is shown as it
 * comes; each other's is kept and shown when it ends, so outputs never
 * interleave. The exit status is the first failure's.
 */

/** One npm script, and whether its output is held until it ends. */
interface Run {
  script: string;
  held: boolean;
}

function run({ script, held }: Run): Promise<number> {
  return new Promise((resolveRun) => {
    const child = spawn('npm', ['run', script], {
      stdio: held ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      // A held jest run finds the command line the first one builds (test/global-setup.ts).
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
export async function main(scripts: string[]): Promise<number> {
  if (scripts.length === 0) {
    console.error(
      'Usage: tsx scripts/test-concurrently.ts SCRIPT... (npm scripts to run at the same time)',
    );
    return 2;
  }
  const runs: Run[] = scripts.map((script, index) => ({ script, held: index > 0 }));
  const statuses = await Promise.all(runs.map(run));
  for (const [index, status] of statuses.entries()) {
    if (status !== 0)
      console.error(`npm run ${runs[index]?.script} failed (exit status ${status}).`);
  }
  return statuses.find((status) => status !== 0) ?? 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
}
