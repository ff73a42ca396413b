import { readAccountsFile } from '../accounts-file';
import type { EvaluateOrganizationCommand } from '../args';
import { expectedDeployment } from '../deployment';
import type { ExitCode, Io } from '../io';
import { evaluateOrganization } from '../organization';
import { progressBar } from '../progress';
import { formatJson } from '../report';
import {
  exitCodeForRows,
  formatRowsCsv,
  formatRowsTable,
  organizationJson,
  resultRow,
} from '../verdict-row';

/**
 * `evaluate --organization` / `evaluate --accounts FILE`: the rule's verdict
 * for every account, one row each, with whether its deployment is intact
 * (and Security Hub's own status with `--security-hub`), then how many have
 * each. Exit status 2 if any account is ERROR or its deployment is not
 * INTACT, else 1 if any is NON_COMPLIANT, else 0.
 * A progress bar goes to stderr only when stderr is a terminal.
 */
export async function evaluateOrganizationCommand(
  command: EvaluateOrganizationCommand,
  io: Io,
): Promise<ExitCode> {
  const accounts =
    'file' in command.accounts ? await readAccountsFile(command.accounts.file) : undefined;
  const { status } = io;
  let result: Awaited<ReturnType<typeof evaluateOrganization>>;
  try {
    result = await evaluateOrganization({
      live: command.live,
      ...(accounts !== undefined ? { accounts } : {}),
      roleName: command.roleName,
      ...(command.externalId !== undefined ? { externalId: command.externalId } : {}),
      concurrency: command.concurrency,
      parameters: command.parameters,
      deployment: expectedDeployment(command.parameters, command.ruleName),
      securityHub: command.securityHub,
      ...(status !== undefined
        ? { onProgress: (done: number, total: number) => status(progressBar(done, total)) }
        : {}),
    });
  } finally {
    status?.('');
  }
  const rows = result.results.map(resultRow);
  if (command.format === 'json') {
    io.out(formatJson(organizationJson(result.region, result.results)));
  } else if (command.format === 'csv') {
    io.out(formatRowsCsv(rows));
  } else {
    io.out(formatRowsTable(rows));
  }
  return exitCodeForRows(rows);
}
