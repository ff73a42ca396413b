import { readFileSync, writeFileSync } from 'node:fs';
import { defaultText, type OptionEntry } from '../stack/option-entry';
import { DEPLOYMENT_OPTION_SCHEMA } from '../stack/option-schema';

/*
 * The construct's props are typed from the option schema
 * (stack/cloudtrail-one-rule.ts), so an option added there is a prop at
 * once. A mapped type carries no documentation, though: the package's
 * declaration of the props is this interface instead, written from the
 * same entries, each prop with what it does, what it accepts and its
 * default. A test checks that it is the same type as the mapped one.
 */

/** The TypeScript type of an option's value as a prop. */
function valueType(entry: OptionEntry): string {
  switch (entry.kind) {
    case 'choice':
      return entry.values.map((value) => `'${value}'`).join(' | ');
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'list':
      return 'string[]';
    case 'text':
      return 'string';
  }
}

/** One line of a doc comment, with nothing that would end the comment. */
function docLine(text: string): string {
  return text.replaceAll('*/', '*\\/');
}

/** The props interface, documented, as TypeScript declaration text. */
export function propsInterface(
  schema: Record<string, OptionEntry> = DEPLOYMENT_OPTION_SCHEMA,
): string {
  const lines = [
    '/**',
    ' * The props of {@link CloudTrailOneRule}: the deployment options, by the',
    ' * names and with the values `cdk deploy -c name=value` takes (a list as',
    ' * an array of strings). Each is optional and has the default it has there.',
    ' */',
    'export interface CloudTrailOneRuleProps {',
  ];
  for (const [name, entry] of Object.entries(schema)) {
    const about = entry.parameter?.description;
    lines.push('  /**');
    if (about !== undefined) lines.push(`   * ${docLine(about)}`);
    lines.push(`   * Accepts: ${docLine(entry.accepts)}.`);
    lines.push(`   * @example ${docLine(JSON.stringify(exampleValue(entry)))}`);
    lines.push(`   * @default ${docLine(defaultText(entry))}`);
    lines.push('   */');
    lines.push(`  readonly ${name}?: ${valueType(entry)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** The entry's example (as `-c` text) as a prop's value. */
function exampleValue(entry: OptionEntry): unknown {
  if (entry.kind === 'boolean') return entry.example === 'true';
  if (entry.kind === 'number') return Number(entry.example);
  if (entry.kind === 'list') return entry.example.split(',');
  return entry.example;
}

const MAPPED_PROPS = /export type CloudTrailOneRuleProps = \{[\s\S]*?\n\};/;

/** Replaces the mapped props type of the emitted declaration file with {@link propsInterface}. */
export function writePropsDeclaration(file: string): void {
  const text = readFileSync(file, 'utf8');
  if (!MAPPED_PROPS.test(text)) {
    throw new Error(
      `${file} has no CloudTrailOneRuleProps mapped type to replace: scripts/props-declaration.ts must follow stack/cloudtrail-one-rule.ts.`,
    );
  }
  writeFileSync(file, text.replace(MAPPED_PROPS, propsInterface()));
}
