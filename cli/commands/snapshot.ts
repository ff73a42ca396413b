import type { Command } from '../args';
import { EXIT, type ExitCode, type Io } from '../io';
import { readLiveState } from '../live';
import { formatSnapshot, writeSnapshot } from '../snapshot-file';
import { plural } from '../table';

/**
 * `snapshot`: reads the live account fully (every trail's status and
 * selectors, whatever the verdict needs) and writes the state as JSON, so it
 * can be evaluated later, offline, with any parameters. `--out` refuses an
 * existing file unless `--force`, and a symbolic link always. The account is
 * read before the file is written, so a refused path costs a read.
 */
export async function snapshotCommand(
  command: Extract<Command, { name: 'snapshot' }>,
  io: Io,
): Promise<ExitCode> {
  const state = await readLiveState(command.live);
  if (command.out === undefined) {
    io.out(formatSnapshot(state));
  } else {
    await writeSnapshot(command.out, state, { force: command.force });
    io.out(
      `Wrote the trail state of account ${state.accountId} as seen from ${state.region} ` +
        `(${plural(state.trails.length, 'trail')}) to ${command.out}.\n`,
    );
  }
  return EXIT.compliant;
}
