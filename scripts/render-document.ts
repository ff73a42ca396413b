import { parseArgs } from 'node:util';
import { assertDocumentName, remediationDocument } from '../remediation/document';
import { resourceNames } from '../stack/names';
import { DEFAULT_RULE_NAME } from '../stack/options';
import { outputPath, writeOutput } from './output-file';

/*
 * Writes the remediation's SSM Automation document as JSON, for a person to
 * read or to create by hand (`aws ssm create-document --document-type
 * Automation --document-format JSON`). The stack builds the same document
 * from the same function. Like the other scripts: an existing file is
 * replaced only with --force, and no directory is created.
 */

const DEFAULT_OUT = 'dist/remediation-document.json';

const USAGE = [
  'Usage: npm run document -- [--rule-name NAME] [--out FILE] [--force]',
  `  --rule-name NAME  the rule name the stack was deployed with (default ${DEFAULT_RULE_NAME})`,
  `  --out FILE        where to write the document (default ${DEFAULT_OUT}); its directory must exist`,
  '  --force           replace FILE if it exists',
  '  --help            this help',
].join('\n');

/** Runs the command; returns the exit status. */
export function main(args: string[]): number {
  let values: { 'rule-name': string; out?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'rule-name': { type: 'string', default: DEFAULT_RULE_NAME },
        out: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const names = resourceNames(values['rule-name']);
  try {
    assertDocumentName(names.documentName);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const document = remediationDocument({
    remediationFunction: names.remediationFunctionName,
    ruleName: names.ruleName,
  });
  const out = outputPath(values.out, DEFAULT_OUT);
  const problem = writeOutput(out, `${JSON.stringify(document, null, 2)}\n`, values.force === true);
  if (problem !== undefined) {
    console.error(problem);
    return 2;
  }
  console.log(
    `Wrote ${out.shown}: SSM document "${names.documentName}" invoking ${names.remediationFunctionName}, re-evaluating ${names.ruleName}`,
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
