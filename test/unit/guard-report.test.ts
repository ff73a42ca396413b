import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import { sameReport } from '../support/guard-report';

/*
 * The tests keep Control Tower's report for a set of templates and give it
 * to later synths of the same text, with their own paths.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-guard-report-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a template's text to a synth directory of its own; gives its path. */
function template(synth: string, name: string, text: string): string {
  const path = join(dir, synth, name);
  mkdirSync(join(dir, synth), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A report of one finding on `logicalId` in each template given. */
function reportOn(paths: string[], logicalId: string): PolicyValidationPluginReportBeta1 {
  return {
    success: false,
    violations: [
      {
        ruleName: 'cloudwatch_log_group_encrypted_check',
        description: 'log groups encrypted',
        violatingResources: paths.map((templatePath) => ({
          resourceLogicalId: logicalId,
          templatePath,
          locations: ['/Resources/Logs'],
        })),
      },
    ],
  };
}

/** A cache in a map, as the run cache keeps entries (a copy through JSON). */
function mapCache() {
  const entries = new Map<string, string>();
  return (key: unknown, build: () => PolicyValidationPluginReportBeta1) => {
    const name = JSON.stringify(key);
    if (!entries.has(name)) entries.set(name, JSON.stringify(build()));
    return JSON.parse(entries.get(name) ?? '') as PolicyValidationPluginReportBeta1;
  };
}

describe('a kept Control Tower report', () => {
  it('is built once for the same text, and names each later synth’s own paths', () => {
    const cache = mapCache();
    const first = [
      template('a', 'Stack.template.json', '{"one":1}'),
      template('a', 'Member.template.json', '{"two":2}'),
    ];
    const second = [
      template('b', 'Stack.template.json', '{"one":1}'),
      template('b', 'Member.template.json', '{"two":2}'),
    ];
    const validate = jest.fn((paths: string[]) => reportOn(paths, 'Logs'));

    const one = sameReport(first, cache, () => validate(first));
    const two = sameReport(second, cache, () => validate(second));

    expect(validate).toHaveBeenCalledTimes(1);
    expect(one).toEqual(reportOn(first, 'Logs'));
    expect(two).toEqual(reportOn(second, 'Logs'));
  });

  it('is built again when any template’s text differs, or the templates come in another order', () => {
    const cache = mapCache();
    const first = [
      template('a', 'Stack.template.json', '{"one":1}'),
      template('a', 'Member.template.json', '{"two":2}'),
    ];
    const changed = [
      template('b', 'Stack.template.json', '{"one":1}'),
      template('b', 'Member.template.json', '{"two":3}'),
    ];
    const validate = jest.fn((paths: string[]) => reportOn(paths, 'Logs'));

    sameReport(first, cache, () => validate(first));
    sameReport(changed, cache, () => validate(changed));
    sameReport([...first].reverse(), cache, () => validate([...first].reverse()));

    expect(validate).toHaveBeenCalledTimes(3);
  });

  it('refuses a report that names a template it was not given', () => {
    const paths = [template('a', 'Stack.template.json', '{}')];

    expect(() =>
      sameReport(paths, mapCache(), () => reportOn([join(dir, 'elsewhere.json')], 'Logs')),
    ).toThrow(/names .*elsewhere\.json, which was not validated/);
  });
});
