import Ajv from 'ajv';
import ssmSchema from 'aws-ssm-document-language-service/dist/schema.json';
import {
  API_STEP_TIMEOUT_SECONDS,
  assertDocumentName,
  CHECK_STEP,
  DOCUMENT_PARAMETERS,
  documentWorstCaseSeconds,
  FAIL_STEP,
  PAYLOAD_TEMPLATE,
  REEVALUATE_STEP,
  REMEDIATE_STEP,
  REMEDIATE_STEP_TIMEOUT_SECONDS,
  RESULT_MARKER,
  remediationDocument,
} from '../../../remediation/document';
import { RemediationStepError } from '../../../remediation/errors';
import { REMEDIATION_INPUT_FIELDS, remediationInputSchema } from '../../../remediation/input';
import type { RemediationResult } from '../../../remediation/remediate';

const document = remediationDocument({
  remediationFunction: 'arn:aws:lambda:us-east-1:111122223333:function:cloudtrail-1-remediation',
  ruleName: 'cloudtrail-1-multi-region-trail',
});

/** What SSM does with the payload: each {{ Parameter }} replaced by its value. */
function render(values: Record<string, string | boolean>): string {
  return PAYLOAD_TEMPLATE.replace(/\{\{ (\w+) \}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${name}`);
    return String(value);
  });
}

function accepts(parameter: string, value: string): boolean {
  const definition = DOCUMENT_PARAMETERS[parameter];
  if (definition?.type !== 'String') throw new Error(`${parameter} is not a String parameter`);
  return new RegExp(definition.allowedPattern).test(value);
}

const DEFAULTS = {
  AccountId: '',
  TrailName: '',
  BucketName: '',
  KmsKeyId: '',
  AccessLogBucketName: '',
  LogRetentionDays: '',
  Tags: '',
  CloudWatchLogsLogGroupArn: '',
  CloudWatchLogsRoleArn: '',
  ObjectLockDays: '',
  HardenRepairedTrail: '',
  TrustedLogAccountIds: '',
  DryRun: false,
};

/** The document's string parameters that reach the function's payload. */
const PAYLOAD_STRINGS = Object.keys(DEFAULTS).filter((name) => name !== 'DryRun');

describe('SSM Automation document', () => {
  it('is valid against the SSM document JSON schema', () => {
    const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }).compile(
      ssmSchema,
    );

    const valid = validate(document);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail: a document without mainSteps is rejected', () => {
    const validate = new Ajv({ strict: false, unicodeRegExp: false }).compile(ssmSchema);
    const { mainSteps: _, ...broken } = document;

    expect(validate(broken)).toBe(false);
  });

  it('is schemaVersion 0.3 and assumes the AutomationAssumeRole', () => {
    expect(document.schemaVersion).toBe('0.3');
    expect(document.assumeRole).toBe('{{ AutomationAssumeRole }}');
    expect(DOCUMENT_PARAMETERS.AutomationAssumeRole).not.toHaveProperty('default');
  });

  it('guards every parameter with an allowedPattern or a non-string type', () => {
    const unguarded = Object.entries(DOCUMENT_PARAMETERS).filter(
      ([, p]) => p.type === 'String' && !('allowedPattern' in p && p.allowedPattern.length > 0),
    );

    expect(unguarded).toEqual([]);
    expect(DOCUMENT_PARAMETERS.DryRun?.type).toBe('Boolean');
  });

  it('keeps values that would break out of the JSON payload away from the function', () => {
    for (const parameter of PAYLOAD_STRINGS) {
      expect(accepts(parameter, 'x","dryRun":false,"y":"')).toBe(false);
      expect(accepts(parameter, 'a\\"b')).toBe(false);
      expect(accepts(parameter, '{{ AutomationAssumeRole }}')).toBe(false);
    }
    expect(accepts('AutomationAssumeRole', 'arn:aws:iam::111122223333:role/"x')).toBe(false);
  });

  it('accepts the values people give', () => {
    expect(accepts('AccountId', '111122223333')).toBe(true);
    expect(accepts('TrailName', 'security-audit')).toBe(true);
    expect(accepts('BucketName', 'cloudtrail-logs-111122223333-us-east-1')).toBe(true);
    expect(accepts('KmsKeyId', 'alias/cloudtrail')).toBe(true);
    expect(
      accepts(
        'KmsKeyId',
        'arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-aaaa-bbbb-cccc-111122223333',
      ),
    ).toBe(true);
    expect(
      accepts('AutomationAssumeRole', 'arn:aws:iam::111122223333:role/cloudtrail-1-automation'),
    ).toBe(true);
  });

  it('passes the function exactly the fields its input schema accepts, with defaults it accepts', () => {
    const payload = JSON.parse(render(DEFAULTS)) as Record<string, unknown>;

    expect(Object.keys(payload).sort()).toEqual([...REMEDIATION_INPUT_FIELDS].sort());
    expect(remediationInputSchema.parse(payload)).toEqual({
      dryRun: false,
      hardenRepairedTrail: false,
    });
  });

  it('passes given values through to the function unchanged', () => {
    const values = {
      AccountId: '111122223333',
      TrailName: 'security-audit',
      BucketName: 'audit-logs',
      KmsKeyId: 'alias/cloudtrail',
      AccessLogBucketName: 'access-logs-111122223333',
      LogRetentionDays: '2557',
      Tags: 'team=security,cost-center=1234',
      CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail:*',
      CloudWatchLogsRoleArn: 'arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch-logs',
      ObjectLockDays: '365',
      HardenRepairedTrail: 'true',
      TrustedLogAccountIds: '444455556666,555566667777',
      DryRun: true,
    };

    expect(remediationInputSchema.parse(JSON.parse(render(values)))).toEqual({
      accountId: '111122223333',
      trailName: 'security-audit',
      bucketName: 'audit-logs',
      kmsKeyId: 'alias/cloudtrail',
      accessLogBucketName: 'access-logs-111122223333',
      logRetentionDays: 2557,
      tags: { team: 'security', 'cost-center': '1234' },
      cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail:*',
      cloudWatchLogsRoleArn: 'arn:aws:iam::111122223333:role/cloudtrail-to-cloudwatch-logs',
      objectLockDays: 365,
      hardenRepairedTrail: true,
      trustedLogAccountIds: ['444455556666', '555566667777'],
      dryRun: true,
    });
  });

  it('invokes the function, then fails the automation unless it returned a result, then re-evaluates the rule', () => {
    const steps = document.mainSteps.map((step) => [step.name, step.action]);

    expect(steps).toEqual([
      [REMEDIATE_STEP, 'aws:invokeLambdaFunction'],
      [CHECK_STEP, 'aws:branch'],
      [FAIL_STEP, 'aws:assertAwsResourceProperty'],
      [REEVALUATE_STEP, 'aws:executeAwsApi'],
    ]);
    expect(document.mainSteps[0]).toMatchObject({
      onFailure: 'Abort',
      isCritical: true,
      inputs: {
        FunctionName: 'arn:aws:lambda:us-east-1:111122223333:function:cloudtrail-1-remediation',
      },
    });
    expect(document.mainSteps[1]?.inputs).toEqual({
      Choices: [
        {
          NextStep: REEVALUATE_STEP,
          Variable: `{{ ${REMEDIATE_STEP}.Payload }}`,
          Contains: RESULT_MARKER,
        },
      ],
      Default: FAIL_STEP,
    });
    expect(document.mainSteps[2]).toMatchObject({ onFailure: 'Abort', isEnd: true });
    expect(document.mainSteps[3]).toMatchObject({
      inputs: {
        Service: 'config',
        Api: 'StartConfigRulesEvaluation',
        ConfigRuleNames: ['cloudtrail-1-multi-region-trail'],
      },
      onFailure: 'Continue',
      isCritical: false,
    });
    expect(document.outputs).toEqual([`${REMEDIATE_STEP}.Payload`]);
  });

  it("tells the function's results from its errors by the check step's marker", () => {
    const result: RemediationResult = {
      dryRun: true,
      accountId: '111122223333',
      compliantBefore: false,
      actions: [],
      compliantAfter: null,
      trailArn: null,
      verdict: 'NON_COMPLIANT: logging is stopped',
      securityHubControls: [],
      resources: [],
    };
    const error = new RemediationStepError(
      'Step 2 of 3, cloudtrail:PutEventSelectors (us-east-1), failed',
    );
    // What Lambda returns as the payload when a Node.js handler throws.
    const errorPayload = { errorType: error.name, errorMessage: error.message, trace: [] };

    expect(JSON.stringify(result)).toContain(RESULT_MARKER);
    expect(JSON.stringify(errorPayload)).not.toContain(RESULT_MARKER);
  });

  it('is well under the 64 KB SSM document limit', () => {
    expect(Buffer.byteLength(JSON.stringify(document))).toBeLessThan(64 * 1024);
  });

  it('refuses a document name with a prefix AWS reserves', () => {
    for (const name of ['AWS-Remediate', 'AmazonTrail', 'AWSConfigRemediation-Trail', 'amzn-x']) {
      expect(() => assertDocumentName(name)).toThrow(/reserves/);
    }
    expect(() => assertDocumentName('cloudtrail-1-remediation')).not.toThrow();
  });

  // A step without timeoutSeconds may wait as long as Automation lets it; the
  // retry window of automatic remediation is derived from these bounds.
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html (common properties: timeoutSeconds)
  it('bounds every step that waits on a call with a timeout', () => {
    const unbounded = document.mainSteps.filter(
      (step) => step.action !== 'aws:branch' && typeof step.timeoutSeconds !== 'number',
    );

    expect(unbounded.map((step) => step.name)).toEqual([]);
  });

  it('runs at worst for the sum of its step timeouts', () => {
    expect(documentWorstCaseSeconds(document)).toBe(
      REMEDIATE_STEP_TIMEOUT_SECONDS + 2 * API_STEP_TIMEOUT_SECONDS,
    );
  });

  it('has no worst case when a step that waits has no timeout', () => {
    const unbounded = {
      ...document,
      mainSteps: document.mainSteps.map(({ timeoutSeconds: _, ...step }) => step),
    };

    expect(() => documentWorstCaseSeconds(unbounded)).toThrow(
      `Document step ${REMEDIATE_STEP} has no timeoutSeconds`,
    );
  });
});
