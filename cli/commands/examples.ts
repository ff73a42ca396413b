import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateAccount } from '../../rule/evaluate';
import type { Command } from '../args';
import { UsageError } from '../errors';
import { EXIT, type ExitCode, type Io } from '../io';
import { PROJECT_ROOT } from '../project';
import { type ExampleResult, renderExamples } from '../render';
import { buildReport, formatJson } from '../report';
import { readSnapshot } from '../snapshot-file';

/** The example snapshots that ship with the project. */
export const EXAMPLES_DIRECTORY = join(PROJECT_ROOT, 'examples');

/**
 * `examples`: evaluates every snapshot (`*.json`) in a directory, in name
 * order. The verdicts are what the examples are there to show, so the exit
 * status is 0 whatever they are, and 2 only if a file cannot be evaluated.
 */
export async function examplesCommand(
  command: Extract<Command, { name: 'examples' }>,
  io: Io,
): Promise<ExitCode> {
  const directory = command.directory ?? EXAMPLES_DIRECTORY;
  const files = (await listDirectory(directory)).filter((file) => file.endsWith('.json')).sort();
  const results: ExampleResult[] = [];
  for (const file of files) {
    try {
      const state = await readSnapshot(join(directory, file));
      const verdict = evaluateAccount(state, command.parameters);
      results.push({
        file,
        report: buildReport(state, verdict, command.parameters, { type: 'snapshot', file }),
      });
    } catch (error) {
      results.push({ file, error: (error as Error).message });
    }
  }
  io.out(
    command.json
      ? formatJson(results.map((r) => ('error' in r ? r : { file: r.file, ...r.report })))
      : renderExamples(results),
  );
  return results.some((r) => 'error' in r) ? EXIT.error : EXIT.compliant;
}

async function listDirectory(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    throw new UsageError(
      `Cannot read the examples directory ${directory}: ${(error as Error).message}.`,
    );
  }
}
