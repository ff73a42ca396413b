import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { MAX_ACCOUNTS_FILE_BYTES } from '../cli/accounts-file';
import { MAX_SNAPSHOT_BYTES } from '../cli/snapshot-file';
import { CALL_TIMEOUTS } from '../rule/clients';
import { cdkJsonContext } from '../stack/build-app';
import { assetBundle, REMEDIATION_ENTRY, RULE_ENTRY } from '../stack/bundle';
import { conformancePackYaml, MAX_TEMPLATE_BYTES } from '../stack/conformance-pack';
import {
  type FunctionSettings,
  remediationFunctionSettings,
  ruleFunctionSettings,
} from '../stack/definitions';
import { memberTemplate, memberTemplateText, TEMPLATE_LIMITS } from '../stack/member-template';
import { resourceNames } from '../stack/names';
import { OPTION_NAMES, parseOptions } from '../stack/options';
import { parseRolloutOptions } from '../stack/rollout-options';
import {
  guardRailPolicies,
  MAX_POLICY_CHARACTERS,
  policyCharacters,
} from '../stack/service-control-policy';
import { literalSettings } from '../stack/settings';
import { TEMPLATE_PARAMETER_OPTIONS } from '../stack/template-parameters';

/*
 * `npm run docs:figures`: every size, count and limit the docs state, taken
 * from what the code builds (the member template, the bundles, the pack, the
 * service control policy, the integ snapshot) or declares (its limits), and
 * written into the docs' marked spans:
 *
 *   <!-- figure:member-template -->329 KiB<!-- /figure -->
 *
 * `npm run docs:figures -- --check` changes nothing and exits 1 when a span
 * differs; test/unit/docs-figures.test.ts does the same check in the suite.
 * Sizes are given to the precision the docs use (whole KiB, a tenth of a
 * MiB), so a span changes only when that figure does.
 */

const ROOT = resolve(__dirname, '..');

/** The Markdown files that may hold figures: the README and every page of docs/. */
export function figureFiles(): string[] {
  const docs = join(ROOT, 'docs');
  return [
    join(ROOT, 'README.md'),
    ...readdirSync(docs)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => join(docs, name)),
  ];
}

/** A marked span: `<!-- figure:NAME -->TEXT<!-- /figure -->`, on one line. */
export const SPAN = /<!-- figure:([a-z0-9-]+) -->(.*?)<!-- \/figure -->/g;

/** What the figures are measured on. */
export interface Artifacts {
  /** The member template for cdk.json's context, as `npm run synth:member` writes it. */
  memberTemplate: Record<string, unknown>;
  /** The single-account stack's assets (`stack/bundle.ts`'s `assetBundle`): bytes of index.js and index.js.map. */
  assets: Record<'rule' | 'remediation', { code: number; map: number }>;
  /** The conformance pack for one account, as `npm run conformance-pack` writes it. */
  packYaml: string;
}

/** The pack target of the figure: any account and Region give the same size to the byte but for their own digits. */
const PACK_TARGET = {
  accountId: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  organization: false,
} as const;

/** Builds what the figures are measured on, for cdk.json's context. */
export async function buildArtifacts(
  template: Record<string, unknown> = memberTemplate(cdkJsonContext(), { validate: false }),
): Promise<Artifacts> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-figures-'));
  try {
    const asset = async (entry: string, name: string) => {
      const out = join(dir, name);
      const code = await assetBundle(entry, out);
      return { code: statSync(code).size, map: statSync(`${code}.map`).size };
    };
    const context = cdkJsonContext();
    const options = parseOptions((name) => context[name], Object.keys(context));
    return {
      memberTemplate: template,
      assets: {
        rule: await asset(RULE_ENTRY, 'rule'),
        remediation: await asset(REMEDIATION_ENTRY, 'remediation'),
      },
      packYaml: conformancePackYaml(options, PACK_TARGET),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const KIB = 1024;
const MIB = 1024 * 1024;
const number = (n: number) => n.toLocaleString('en-US');
/** `329 KiB`: whole KiB. */
export const kib = (bytes: number) => `${number(Math.round(bytes / KIB))} KiB`;
/** `1.4 MiB`: a tenth of a MiB. */
export const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

type ZipFunction = {
  Type: string;
  Properties: { Code?: { ZipFile?: string }; FunctionName?: unknown };
};

/** The member template's inline code of the function whose name ends in `-<suffix>`. */
function inlineCode(template: Record<string, unknown>, suffix: string): string {
  const found = Object.values(template.Resources as Record<string, ZipFunction>).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      JSON.stringify(r.Properties.FunctionName).includes(`"-${suffix}"`),
  );
  const code = found?.Properties.Code?.ZipFile;
  if (code === undefined) throw new Error(`The member template has no inline ${suffix} function`);
  return code;
}

/** The number of resources of a template in the acceptance test's snapshot. */
function snapshotResources(file: string): number {
  const path = join(ROOT, 'integ', 'integ.cloudtrail-rule.ts.snapshot', file);
  const template = JSON.parse(readFileSync(path, 'utf8')) as { Resources: object };
  return Object.keys(template.Resources).length;
}

/** The example policies, for cdk.json's context, as `npm run scp` reads it. */
function defaultPolicies() {
  const context = cdkJsonContext();
  const lookup = (name: string) => context[name];
  const { ruleName } = parseOptions(lookup, Object.keys(context));
  const { stackSetName } = parseRolloutOptions(lookup, ruleName, Object.keys(context));
  return guardRailPolicies({ ruleName, stackSetName });
}

/** The `index`th of the guard-rail policies. */
function nth(policies: ReturnType<typeof guardRailPolicies>, index: number) {
  const policy = policies[index]?.policy;
  if (policy === undefined) throw new Error(`No guard-rail policy ${index}`);
  return policy;
}

/** A function's memory and timeout, as the docs write them: `256 MB, 120 s`. */
const sizing = (settings: FunctionSettings) =>
  `${number(settings.memorySize)} MB, ${number(settings.timeoutSeconds)} s`;

/** The default options, from cdk.json's context. */
function defaultOptions() {
  const context = cdkJsonContext();
  return parseOptions((name) => context[name], Object.keys(context));
}

/** Every figure the docs may state, by name, as the docs write it. */
export function figures(artifacts: Artifacts): Record<string, string> {
  const template = artifacts.memberTemplate;
  const rule = inlineCode(template, 'rule');
  const remediation = inlineCode(template, 'remediation');
  const { assets } = artifacts;
  const withoutParameter = OPTION_NAMES.filter(
    (name) => !(TEMPLATE_PARAMETER_OPTIONS as readonly string[]).includes(name),
  );
  return {
    'member-template': kib(Buffer.byteLength(memberTemplateText(template))),
    'member-template-code': kib(Buffer.byteLength(rule) + Buffer.byteLength(remediation)),
    'inline-rule': kib(Buffer.byteLength(rule)),
    'inline-remediation': kib(Buffer.byteLength(remediation)),
    'asset-rule': kib(assets.rule.code),
    'asset-remediation': kib(assets.remediation.code),
    'asset-rule-map': mib(assets.rule.map),
    'asset-remediation-map': mib(assets.remediation.map),
    'assets-together': mib(assets.rule.code + assets.remediation.code),
    'conformance-pack': kib(Buffer.byteLength(artifacts.packYaml)),
    'template-body-limit': `${number(TEMPLATE_LIMITS.bodyBytes)} bytes`,
    'pack-limit': `${number(MAX_TEMPLATE_BYTES)} bytes`,
    'template-url-limit': `${number(TEMPLATE_LIMITS.urlBytes)} bytes`,
    'template-resources-limit': number(TEMPLATE_LIMITS.resources),
    'template-parameters-limit': number(TEMPLATE_LIMITS.parameters),
    'template-outputs-limit': number(TEMPLATE_LIMITS.outputs),
    'scp-characters': number(policyCharacters(nth(defaultPolicies(), 0))),
    'scp-resources-characters': number(policyCharacters(nth(defaultPolicies(), 1))),
    // The longest names the options accept: a 36-character rule name, a 128-character StackSet
    // name and a 250-character alias; the longer of the two policies.
    'scp-longest-characters': number(
      Math.max(
        ...guardRailPolicies({
          ruleName: 'r'.repeat(36),
          stackSetName: 's'.repeat(128),
          kmsKeyId: `arn:aws:kms:ap-southeast-2:111122223333:alias/${'k'.repeat(250)}`,
        }).map(({ policy }) => policyCharacters(policy)),
      ),
    ),
    'scp-limit': number(MAX_POLICY_CHARACTERS),
    'options-without-parameter': withoutParameter.map((name) => `\`${name}\``).join(', '),
    'stack-resources': number(snapshotResources('CloudTrailRule.template.json')),
    'assertion-stack-resources': number(
      snapshotResources('CloudTrailRuleIntegAssertions.template.json'),
    ),
    'rule-function': sizing(ruleFunctionSettings(resourceNames(defaultOptions().ruleName))),
    'remediation-function': sizing(remediationFunctionSettings(literalSettings(defaultOptions()))),
    'snapshot-cap': `${number(MAX_SNAPSHOT_BYTES / MIB)} MiB`,
    'accounts-cap': `${number(MAX_ACCOUNTS_FILE_BYTES / MIB)} MiB`,
    'connect-timeout': `${number(CALL_TIMEOUTS.connectionMs)} ms`,
    'request-timeout': `${number(CALL_TIMEOUTS.requestMs)} ms`,
  };
}

/** A span whose text is not its figure's, or names no figure. */
export interface FigureMismatch {
  file: string;
  line: number;
  name: string;
  written: string;
  /** `undefined` when no figure has that name. */
  expected: string | undefined;
}

/** The text with every span's figure rewritten, and the spans that differed. */
export function rewrite(
  text: string,
  values: Record<string, string>,
  file = '',
): { text: string; mismatches: FigureMismatch[] } {
  const mismatches: FigureMismatch[] = [];
  const rewritten = text.replace(SPAN, (span, name: string, written: string, offset: number) => {
    const expected = values[name];
    if (expected === written) return span;
    const line = text.slice(0, offset).split('\n').length;
    mismatches.push({ file, line, name, written, expected });
    return expected === undefined ? span : `<!-- figure:${name} -->${expected}<!-- /figure -->`;
  });
  return { text: rewritten, mismatches };
}

/** The names of the figures a text's spans use. */
export function spanNames(text: string): string[] {
  return [...text.matchAll(SPAN)].map((match) => match[1] ?? '');
}

/** Runs the command; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--check');
  if (args.includes('--help') || args.includes('-h') || unknown.length > 0) {
    const usage =
      'Usage: npm run docs:figures [-- --check]\nRewrites the figures in the marked spans of README.md and docs/*.md from what the code builds; --check changes nothing and exits 1 when one differs.';
    if (unknown.some((arg) => arg !== '--help' && arg !== '-h')) {
      console.error(`Unknown argument ${unknown[0]}.\n${usage}`);
      return 2;
    }
    console.log(usage);
    return 0;
  }
  const check = args.includes('--check');
  const values = figures(await buildArtifacts());
  let problems = 0;
  for (const file of figureFiles()) {
    const text = readFileSync(file, 'utf8');
    const result = rewrite(text, values, relative(process.cwd(), file));
    for (const m of result.mismatches) {
      const where = `${m.file}:${m.line}`;
      if (m.expected === undefined) {
        console.error(
          `${where}: no figure is named ${m.name}; the names are in scripts/doc-figures.ts.`,
        );
        problems += 1;
      } else if (check) {
        console.error(`${where}: ${m.name} is ${m.expected}, the docs say ${m.written}.`);
        problems += 1;
      } else {
        console.log(`${where}: ${m.name} ${m.written} → ${m.expected}`);
      }
    }
    if (!check && result.text !== text) writeFileSync(file, result.text);
  }
  if (problems > 0 && check) console.error('Run "npm run docs:figures" to rewrite them.');
  return problems > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
