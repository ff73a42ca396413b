import type { ConfigRule, RemediationConfiguration } from '@aws-sdk/client-config-service';
import { compareDeployment, expectedDeployment } from '../../../cli/deployment';
import { type ControlFinding, compareWithSecurityHub } from '../../../cli/security-hub';
import { evaluateAccount } from '../../../rule/evaluate';
import { DEFAULT_PARAMETERS, parameterValues } from '../../../rule/parameters';
import type { AccountTrailState } from '../../../rule/state';
import { resourceNames } from '../../../stack/names';
import { deployedConfig } from '../../support/aws-account/model';
import {
  ACCOUNT,
  accountState,
  organizationTrail,
  readTrail,
  status,
  trail,
} from '../../support/fixtures';

/*
 * The two comparisons of the organization audit, as pure functions of what
 * was read: the deployed rule and remediation configuration against the
 * deployment's names (stack/names.ts) and the audit's parameters, and
 * Security Hub's CloudTrail.1 findings against our verdict.
 *
 * ConfigRule and RemediationConfiguration (the shapes compared):
 * https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigRule.html
 * https://docs.aws.amazon.com/config/latest/APIReference/API_RemediationConfiguration.html
 * CloudTrail.1 (read and write management events; sources are not checked):
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
 */

const PLACE = { accountId: ACCOUNT, region: 'us-east-1', partition: 'aws' };
const EXPECTED = expectedDeployment(DEFAULT_PARAMETERS);

function deployed(): { rule: ConfigRule; remediation: RemediationConfiguration } {
  const { rules, remediations } = deployedConfig(ACCOUNT);
  const [rule] = rules;
  const [remediation] = remediations;
  if (rule === undefined || remediation === undefined) throw new Error('no deployment');
  return { rule, remediation };
}

describe('whether a deployment is intact', () => {
  it('expects the names the deployment derives from the rule name', () => {
    const names = resourceNames('cloudtrail-1-multi-region-trail');

    expect(EXPECTED).toMatchObject({
      ruleName: names.ruleName,
      ruleFunctionName: names.ruleFunctionName,
      documentName: names.documentName,
    });
  });

  it('finds a default deployment INTACT', () => {
    const { rule, remediation } = deployed();

    expect(compareDeployment(EXPECTED, PLACE, rule, [remediation])).toEqual({
      status: 'INTACT',
      differences: [],
    });
  });

  it('finds CHANGED a rule that runs our function of another account', () => {
    const { rule, remediation } = deployed();
    const other = rule.Source?.SourceIdentifier?.replace(ACCOUNT, '444455556666');

    const check = compareDeployment(
      EXPECTED,
      PLACE,
      { ...rule, Source: { Owner: 'CUSTOM_LAMBDA', SourceIdentifier: other } },
      [remediation],
    );

    expect(check.status).toBe('CHANGED');
    expect(check.differences).toEqual([
      `the rule runs ${other}, not our function arn:aws:lambda:us-east-1:${ACCOUNT}:function:cloudtrail-1-multi-region-trail-rule`,
    ]);
  });

  it('finds CHANGED a managed rule put under our rule name', () => {
    const { rule, remediation } = deployed();

    const check = compareDeployment(
      EXPECTED,
      PLACE,
      { ...rule, Source: { Owner: 'AWS', SourceIdentifier: 'MULTI_REGION_CLOUD_TRAIL_ENABLED' } },
      [remediation],
    );

    expect(check.differences[0]).toMatch(
      /^the rule's source is AWS MULTI_REGION_CLOUD_TRAIL_ENABLED, not our function /,
    );
  });

  it('finds CHANGED a rule being deleted, and parameters the rule would refuse', () => {
    const { rule, remediation } = deployed();

    const check = compareDeployment(
      EXPECTED,
      PLACE,
      { ...rule, ConfigRuleState: 'DELETING', InputParameters: '{"readWriteType":"Some"}' },
      [remediation],
    );

    expect(check.differences).toEqual([
      'the rule is DELETING',
      expect.stringMatching(
        /^the rule's parameters are not ones the rule accepts: Rule parameter readWriteType has the value "Some"/,
      ),
    ]);
  });

  it('accepts the document by ARN, and finds a pinned document version CHANGED', () => {
    const { rule, remediation } = deployed();
    const byArn = {
      ...remediation,
      TargetId: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/cloudtrail-1-multi-region-trail-remediation`,
    };

    expect(compareDeployment(EXPECTED, PLACE, rule, [byArn]).status).toBe('INTACT');
    expect(
      compareDeployment(EXPECTED, PLACE, rule, [{ ...remediation, TargetVersion: '1' }])
        .differences,
    ).toEqual([
      'the remediation runs version 1 of the document; the deployment runs its default version',
    ]);
  });
});

describe('Security Hub beside our verdict', () => {
  const finding = (status: string, updatedAt = '2026-12-06T08:00:00.000Z'): ControlFinding => ({
    id: 'arn:aws:securityhub:us-east-1:111122223333:security-control/CloudTrail.1/finding/1',
    region: 'us-east-1',
    status,
    updatedAt,
    reasons: [],
  });
  const judged = (state: AccountTrailState, parameters = DEFAULT_PARAMETERS) => ({
    verdict: evaluateAccount(state, parameters),
    state,
    parameters,
  });

  it('agrees without a note when both pass', () => {
    const state = accountState([readTrail(trail())]);

    expect(compareWithSecurityHub([finding('PASSED')], judged(state))).toMatchObject({
      status: 'PASSED',
      note: null,
    });
  });

  it('says a trail is logging but not delivering when Security Hub passes what ours fails', () => {
    const t = trail();
    const undelivered = readTrail(t);
    undelivered.status = {
      response: { ...status(true), LatestDeliveryError: 'NoSuchBucket' },
    };
    const state = accountState([undelivered]);
    // Ours fails it on a bucket of the parameters' choosing, so that only delivery is left to explain.
    const parameters = parameterValues({ s3BucketName: 'central-trail-logs' });

    const view = compareWithSecurityHub([finding('PASSED')], judged(state, parameters));

    expect(view.note).toBe(
      "Security Hub PASSED and ours NON_COMPLIANT: trail management-events is logging but its last delivery failed (NoSuchBucket): Security Hub's check looks at logging, not delivery.",
    );
  });

  it('says our parameters add a requirement when that is all the trail fails', () => {
    const state = accountState([readTrail(trail())]);
    const parameters = parameterValues({ s3BucketName: 'central-trail-logs' });

    const view = compareWithSecurityHub([finding('PASSED')], judged(state, parameters));

    expect(view.note).toBe(
      'Security Hub PASSED and ours NON_COMPLIANT: trail management-events fails only what our parameters add (s3BucketName), which CloudTrail.1 does not require.',
    );
  });

  it('says ours trusts an organization trail whose selectors it cannot read', () => {
    const org = organizationTrail();
    const state = accountState([
      {
        trail: org,
        status: { response: status(true) },
        eventSelectors: {
          error: { name: 'AccessDeniedException', message: 'not authorized' },
        },
      },
    ]);

    const view = compareWithSecurityHub([finding('FAILED')], judged(state));

    expect(view.status).toBe('FAILED');
    expect(view.note).toMatch(
      /and ours COMPLIANT: ours passes organization trail org-trail on trust \(trustOrganizationTrails\)/,
    );
  });

  it('says no known cause when none of the known cases applies', () => {
    const state = accountState([readTrail(trail())]);

    expect(compareWithSecurityHub([finding('FAILED')], judged(state)).note).toMatch(
      /and ours COMPLIANT: no known cause/,
    );
  });

  it('counts a finding that is only NOT_AVAILABLE as no finding, and says so', () => {
    const state = accountState([readTrail(trail())]);
    const unavailable = { ...finding('NOT_AVAILABLE'), reasons: ['CONFIG_EVALUATIONS_EMPTY'] };

    const view = compareWithSecurityHub([unavailable], judged(state));

    expect(view.status).toBe('NO_FINDING');
    expect(view.note).toMatch(/only NOT_AVAILABLE in us-east-1 .*CONFIG_EVALUATIONS_EMPTY/);
  });

  it('compares nothing for an account without a verdict', () => {
    expect(compareWithSecurityHub([finding('FAILED')], undefined)).toMatchObject({
      status: 'FAILED',
      note: null,
    });
  });
});
