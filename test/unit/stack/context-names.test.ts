import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextProvider } from 'aws-cdk-lib/cloud-assembly-schema';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { main as conformancePack } from '../../../scripts/conformance-pack';
import { main as serviceControlPolicy } from '../../../scripts/service-control-policy';
import { cdkJsonContext } from '../../../stack/build-app';
import {
  closestOptionName,
  isCdkContextName,
  KNOWN_OPTION_NAMES,
  rejectUnknownContextNames,
} from '../../../stack/context-names';
import { memberTemplate } from '../../../stack/member-template';
import { DEPLOYMENT_OPTION_SCHEMA, ROLLOUT_OPTION_SCHEMA } from '../../../stack/option-schema';
import { InvalidOptionError, parseOptions } from '../../../stack/options';
import { parseRolloutOptions } from '../../../stack/rollout-options';
import { synthApp } from '../../support/synth-app';

/*
 * A context name that is neither an option nor the CDK's own is refused
 * wherever options are read, naming it and the closest option: CDK context
 * is one flat namespace, and a misspelled option would otherwise leave the
 * option at its default without a word.
 */

const OPTION_NAMES = [
  ...Object.keys(DEPLOYMENT_OPTION_SCHEMA),
  ...Object.keys(ROLLOUT_OPTION_SCHEMA),
];

/** The slips a typist makes in a name: a letter dropped, two neighbours swapped, a letter doubled. */
function misspellings(name: string): string[] {
  const middle = Math.floor(name.length / 2);
  const dropped = name.slice(0, middle) + name.slice(middle + 1);
  const swapped =
    name.slice(0, middle - 1) +
    (name[middle] ?? '') +
    (name[middle - 1] ?? '') +
    name.slice(middle + 1);
  const doubled = name.slice(0, middle) + (name[middle] ?? '') + name.slice(middle);
  return [dropped, swapped, doubled].filter((slip) => slip !== name);
}

const MISSPELLED = OPTION_NAMES.flatMap((name) =>
  misspellings(name).map((slip): [string, string] => [slip, name]),
);

/** The message for a misspelled name, as every reader of options gives it. */
const refusal = (slip: string, meant: string) =>
  `Context option "${slip}" is not an option: did you mean ${meant}?`;

describe('the known option names', () => {
  it('are every entry of the option schema, the deployment’s and the rollout’s', () => {
    expect([...KNOWN_OPTION_NAMES].sort()).toEqual([...OPTION_NAMES].sort());
    expect(KNOWN_OPTION_NAMES).toContain('automaticRemediation');
    expect(KNOWN_OPTION_NAMES).toContain('stackSetName');
  });
});

describe('a misspelled option name', () => {
  it('is generated for every option, and no slip is another option', () => {
    expect(new Set(MISSPELLED.map(([, meant]) => meant))).toEqual(new Set(OPTION_NAMES));
    for (const [slip] of MISSPELLED) expect(OPTION_NAMES).not.toContain(slip);
  });

  it.each(MISSPELLED)(
    '"%s" is refused by the deployment’s reader, suggesting %s',
    (slip, meant) => {
      expect(() => parseOptions(() => undefined, [slip])).toThrow(refusal(slip, meant));
    },
  );

  it.each(MISSPELLED)('"%s" is refused by the rollout’s reader, suggesting %s', (slip, meant) => {
    expect(() => parseRolloutOptions(() => undefined, 'rule', [slip])).toThrow(
      refusal(slip, meant),
    );
  });

  it('is refused when only the case differs, saying that names are case-sensitive', () => {
    expect(() => rejectUnknownContextNames(['Regions'])).toThrow(
      'Context option "Regions" is not an option (names are case-sensitive): did you mean regions?',
    );
  });

  it('is refused with the closest option even when it is far from all of them', () => {
    expect(closestOptionName('x')).toEqual(expect.any(String));
    expect(() => rejectUnknownContextNames(['x'])).toThrow(InvalidOptionError);
    expect(() => rejectUnknownContextNames(['x'])).toThrow(/did you mean \w+\?/);
  });
});

describe('the CDK’s own context names', () => {
  it('pass: every name in cdk.json', () => {
    const names = Object.keys(cdkJsonContext());
    expect(names.length).toBeGreaterThan(50);
    expect(() => rejectUnknownContextNames(names)).not.toThrow();
  });

  it('pass: every feature flag aws-cdk-lib knows, current or expired', () => {
    const flags = [
      ...Object.keys(cxapi.FLAGS),
      ...cxapi.CURRENT_VERSION_EXPIRED_FLAGS,
      ...Object.keys(cxapi.NEW_PROJECT_DEFAULT_CONTEXT),
    ];
    for (const flag of flags) expect(isCdkContextName(flag)).toBe(true);
  });

  it('pass: a feature flag of a newer aws-cdk-lib, by its scope', () => {
    expect(isCdkContextName('@aws-cdk/aws-lambda:aFlagNotYetKnown')).toBe(true);
    expect(isCdkContextName('@aws-cdk-containers/ecs-service-extensions:another')).toBe(true);
  });

  // What the CDK CLI (aws-cdk 2.1148) adds to the app's context on every synth, seen in an app's
  // getAllContext(), and the switches cx-api exports.
  it.each([
    cxapi.PATH_METADATA_ENABLE_CONTEXT,
    cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT,
    cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT,
    cxapi.BUNDLING_STACKS,
    cxapi.DISABLE_METADATA_STACK_TRACE,
    cxapi.DISABLE_CREATION_STACK_TRACES,
    cxapi.DISABLE_ASSET_STAGING_CONTEXT,
    'aws:cdk:enable-path-metadata',
    'aws:cdk:version-reporting',
  ])('pass: the toolkit’s switch %s', (name) => {
    expect(isCdkContextName(name)).toBe(true);
  });

  it('pass: cached lookups of every context provider, as cdk.context.json holds them', () => {
    for (const provider of Object.values(ContextProvider)) {
      expect(isCdkContextName(`${provider}:account=111122223333:region=eu-west-1`)).toBe(true);
    }
    expect(isCdkContextName('availability-zones:account=111122223333:region=eu-west-1')).toBe(true);
  });

  it('pass: the CLI’s own settings in cdk.json (cdk acknowledge, cdk cli-telemetry, cdk migrate)', () => {
    for (const name of ['acknowledged-issue-numbers', 'cli-telemetry', 'cdk-migrate']) {
      expect(isCdkContextName(name)).toBe(true);
    }
  });

  it('never include an option’s misspelling', () => {
    for (const [slip] of MISSPELLED) expect(isCdkContextName(slip)).toBe(false);
    expect(isCdkContextName('aws:ruleName')).toBe(false);
  });
});

describe('every reader of options refuses a misspelled name', () => {
  let error: jest.SpyInstance;
  let log: jest.SpyInstance;
  beforeEach(() => {
    error = jest.spyOn(console, 'error').mockImplementation(() => {});
    log = jest.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => {
    error.mockRestore();
    log.mockRestore();
  });

  it('the CDK app (cdk synth and deploy, every stack), before building anything', () => {
    expect(() => synthApp({ automaticRemediaton: 'true' })).toThrow(
      refusal('automaticRemediaton', 'automaticRemediation'),
    );
    expect(() => synthApp({ stackSetNmae: 'x' })).toThrow(refusal('stackSetNmae', 'stackSetName'));
  });

  it('the member template (npm run synth:member)', () => {
    expect(() => memberTemplate({ ...cdkJsonContext(), ruleNmae: 'x' })).toThrow(
      refusal('ruleNmae', 'ruleName'),
    );
  });

  it('the conformance pack (npm run conformance-pack), which then writes nothing', () => {
    const args = ['--account', '111122223333', '--region', 'eu-west-1', '-c', 'ruleNmae=x'];
    const out = join(tmpdir(), `cloudtrail1-pack-refused-${process.pid}.yaml`);
    expect(conformancePack([...args, '--out', out])).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(error).toHaveBeenCalledWith(expect.stringContaining(refusal('ruleNmae', 'ruleName')));
    expect(log).not.toHaveBeenCalled();
  });

  it('the service control policy (npm run scp), which then writes nothing', () => {
    const out = join(tmpdir(), `cloudtrail1-scp-refused-${process.pid}.json`);
    expect(serviceControlPolicy(['-c', 'ruleNmae=x', '--out', out])).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(error).toHaveBeenCalledWith(expect.stringContaining(refusal('ruleNmae', 'ruleName')));
    expect(log).not.toHaveBeenCalled();
  });
});
