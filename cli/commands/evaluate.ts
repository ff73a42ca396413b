import { evaluateAccount } from '../../rule/evaluate';
import { logVerdict } from '../../rule/log';
import type { Command } from '../args';
import type { ExitCode, Io } from '../io';
import { readLiveState } from '../live';
import { renderEvaluation } from '../render';
import { buildReport, exitCodeFor, formatJson, type ReportSource } from '../report';
import { MAX_SNAPSHOT_BYTES, readSnapshot } from '../snapshot-file';
import { formatRowsCsv, verdictRow } from '../verdict-row';

/**
 * `evaluate`: the rule's verdict for a snapshot or the live account. A live
 * read reads every trail fully, as `snapshot` does (the rule itself reads
 * only what its verdict needs): the verdict is the same, and the closest
 * trail's every gap is known, not only the first one found.
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
    state = await readLiveState(command.source.live);
  }
  const verdict = evaluateAccount(state, parameters);
  logVerdict(verdict);
  const report = buildReport(state, verdict, parameters, source);
  if (command.csv) io.out(formatRowsCsv([verdictRow({ id: state.accountId }, verdict)]));
  else io.out(command.json ? formatJson(report) : renderEvaluation(report));
  return exitCodeFor(report.compliance);
}
