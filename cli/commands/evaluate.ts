import { evaluateAccount, readsNeeded } from '../../rule/evaluate';
import { logVerdict } from '../../rule/log';
import type { Command } from '../args';
import type { ExitCode, Io } from '../io';
import { readLiveState } from '../live';
import { renderEvaluation } from '../render';
import { buildReport, exitCodeFor, formatJson, type ReportSource } from '../report';
import { MAX_SNAPSHOT_BYTES, readSnapshot } from '../snapshot-file';

/**
 * `evaluate`: the rule's verdict for a snapshot or the live account. A live
 * read makes only the calls the verdict needs, exactly as the rule does.
 */
export async function evaluateCommand(
  command: Extract<Command, { name: 'evaluate' }>,
  io: Io,
): Promise<ExitCode> {
  const { parameters } = command;
  let source: ReportSource;
  let state: Awaited<ReturnType<typeof readSnapshot>>;
  if ('snapshot' in command.source) {
    source = { type: 'snapshot', file: command.source.snapshot };
    state = await readSnapshot(command.source.snapshot, MAX_SNAPSHOT_BYTES, io.stdin);
  } else {
    source = { type: 'live', profile: command.source.live.profile ?? null };
    state = await readLiveState(command.source.live, (trail) => readsNeeded(trail, parameters));
  }
  const verdict = evaluateAccount(state, parameters);
  logVerdict(verdict);
  const report = buildReport(state, verdict, parameters, source);
  io.out(command.json ? formatJson(report) : renderEvaluation(report));
  return exitCodeFor(report.compliance);
}
