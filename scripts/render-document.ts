import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { assertDocumentName, remediationDocument } from '../remediation/document';
import { resourceNames } from '../stack/names';
import { DEFAULT_RULE_NAME } from '../stack/options';

/**
 * Writes the remediation's SSM Automation document as JSON, for a person to
 * read or to create by hand (`aws ssm create-document --document-type
 * Automation --document-format JSON`). The stack builds the same document
 * from the same function.
 *
 * Usage: npm run document -- [--rule-name NAME] [--out FILE]
 */
const { values } = parseArgs({
  options: {
    'rule-name': { type: 'string', default: DEFAULT_RULE_NAME },
    out: { type: 'string', default: 'dist/remediation-document.json' },
  },
});
const names = resourceNames(values['rule-name']);
assertDocumentName(names.documentName);
const document = remediationDocument({
  remediationFunction: names.remediationFunctionName,
  ruleName: names.ruleName,
});
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(
  `Wrote ${values.out}: SSM document "${names.documentName}" invoking ${names.remediationFunctionName}, re-evaluating ${names.ruleName}\n`,
);
