import {
  ACCOUNT_ID_PATTERN,
  ACCOUNT_IDS_PATTERN,
  BUCKET_NAME_PATTERN,
  DAYS_PATTERN,
  KMS_KEY_ID_PATTERN,
  LOG_GROUP_ARN_PATTERN,
  orEmpty,
  ROLE_ARN_PATTERN,
  TAGS_PATTERN,
  TRAIL_NAME_PATTERN,
} from './input';

/**
 * The SSM Automation document that AWS Config runs to remediate a
 * NON_COMPLIANT account (docs/design.md, "Remediation"): it invokes the remediation function,
 * fails when the function fails, then asks Config to evaluate the rule again
 * so the console shows the new verdict.
 */

/** What the document needs to know about the deployment it belongs to. */
export interface DocumentTargets {
  /** Name or ARN of the remediation function. */
  remediationFunction: string;
  /** Name of the Config rule to re-evaluate after remediating. */
  ruleName: string;
}

/** Prefixes AWS reserves for its own documents; a custom document may not start with one. */
export const RESERVED_DOCUMENT_PREFIXES = [
  'AWS',
  'Amazon',
  'amzn',
  'AWSConfigRemediation',
] as const;

/** The name of the step that invokes the function; its `Payload` is the document's output. */
export const REMEDIATE_STEP = 'Remediate';
export const CHECK_STEP = 'CheckResult';
export const FAIL_STEP = 'FailWhenRemediationFailed';
export const REEVALUATE_STEP = 'ReevaluateRule';

/**
 * A field every result of the function has and no error of it has: the
 * check step tells a result from an error by it.
 */
export const RESULT_MARKER = '"compliantAfter"';

interface StringParameter {
  type: 'String';
  description: string;
  allowedPattern: string;
  default?: string;
}
interface BooleanParameter {
  type: 'Boolean';
  description: string;
  default: boolean;
}

export interface AutomationDocument {
  schemaVersion: '0.3';
  description: string;
  assumeRole: '{{ AutomationAssumeRole }}';
  parameters: Record<string, StringParameter | BooleanParameter>;
  mainSteps: Record<string, unknown>[];
  outputs: string[];
}

/**
 * The document's parameters. Every string has an `allowedPattern`, so a
 * value that could break out of the JSON payload never reaches the function.
 * Optional values default to `''`, which the function reads as "not given".
 */
export const DOCUMENT_PARAMETERS: AutomationDocument['parameters'] = {
  AutomationAssumeRole: {
    type: 'String',
    description:
      'The role Automation assumes to run this document (set by the remediation configuration).',
    allowedPattern: ROLE_ARN_PATTERN,
  },
  AccountId: {
    type: 'String',
    description:
      'The account to remediate. AWS Config passes the resource ID, which is the account ID; the function refuses to act on any other account.',
    allowedPattern: orEmpty(ACCOUNT_ID_PATTERN),
    default: '',
  },
  TrailName: {
    type: 'String',
    description:
      'Repair this trail of the account first; create it if it does not exist. Empty: the trail closest to passing, or a new one.',
    allowedPattern: orEmpty(TRAIL_NAME_PATTERN),
    default: '',
  },
  BucketName: {
    type: 'String',
    description:
      "The S3 bucket for a new trail. Empty: the rule's s3BucketName, else cloudtrail-logs-<account>-<Region>-<suffix> (the suffix from the deployment's stack ID), created if needed. The deployed role may use only the bucket it was deployed for.",
    allowedPattern: orEmpty(BUCKET_NAME_PATTERN),
    default: '',
  },
  KmsKeyId: {
    type: 'String',
    description:
      "A KMS key (ID, ARN or alias) to encrypt the log files of a new trail, and its bucket's default encryption. Empty: SSE-S3.",
    allowedPattern: orEmpty(KMS_KEY_ID_PATTERN),
    default: '',
  },
  AccessLogBucketName: {
    type: 'String',
    description:
      "Where a new log bucket's server access logs go: a bucket of this account in this Region (S3 delivers them nowhere else). Empty: a bucket the remediation creates beside the log bucket.",
    allowedPattern: orEmpty(BUCKET_NAME_PATTERN),
    default: '',
  },
  LogRetentionDays: {
    type: 'String',
    description: 'Days after which log files in a new log bucket expire. Empty: never.',
    allowedPattern: orEmpty(DAYS_PATTERN),
    default: '',
  },
  Tags: {
    type: 'String',
    description:
      'key=value pairs, separated by commas, for the trail and buckets the remediation creates, beside its own created-by tag.',
    allowedPattern: orEmpty(TAGS_PATTERN),
    default: '',
  },
  CloudWatchLogsLogGroupArn: {
    type: 'String',
    description:
      'A CloudWatch Logs log group a new (or hardened) trail also sends its events to. Needs CloudWatchLogsRoleArn.',
    allowedPattern: orEmpty(LOG_GROUP_ARN_PATTERN),
    default: '',
  },
  CloudWatchLogsRoleArn: {
    type: 'String',
    description: 'The role CloudTrail assumes to write to that log group.',
    allowedPattern: orEmpty(ROLE_ARN_PATTERN),
    default: '',
  },
  ObjectLockDays: {
    type: 'String',
    description:
      'Days of Object Lock GOVERNANCE retention on a new log bucket. Empty: no Object Lock.',
    allowedPattern: orEmpty(DAYS_PATTERN),
    default: '',
  },
  HardenRepairedTrail: {
    type: 'String',
    description:
      "true: also turn on a repaired trail's log file validation, the configured key and CloudWatch Logs, and Block Public Access and the TLS-only statement on its own bucket. Nothing is removed.",
    allowedPattern: '^(|true|false)$',
    default: '',
  },
  TrustedLogAccountIds: {
    type: 'String',
    description:
      'Accounts, besides this one, whose buckets and keys a repaired trail may deliver to (for example the log archive account), separated by commas.',
    allowedPattern: orEmpty(ACCOUNT_IDS_PATTERN),
    default: '',
  },
  DryRun: {
    type: 'Boolean',
    description: 'Return the plan (the exact API calls) without making any change.',
    default: false,
  },
};

/** The JSON the function receives, with the document's parameters substituted by Automation. */
export const PAYLOAD_TEMPLATE =
  '{"accountId":"{{ AccountId }}","trailName":"{{ TrailName }}","bucketName":"{{ BucketName }}","kmsKeyId":"{{ KmsKeyId }}","accessLogBucketName":"{{ AccessLogBucketName }}","logRetentionDays":"{{ LogRetentionDays }}","tags":"{{ Tags }}","cloudWatchLogsLogGroupArn":"{{ CloudWatchLogsLogGroupArn }}","cloudWatchLogsRoleArn":"{{ CloudWatchLogsRoleArn }}","objectLockDays":"{{ ObjectLockDays }}","hardenRepairedTrail":"{{ HardenRepairedTrail }}","trustedLogAccountIds":"{{ TrustedLogAccountIds }}","dryRun":{{ DryRun }}}';

/** How long the step that invokes the remediation function may run (the function's own timeout is shorter). */
export const REMEDIATE_STEP_TIMEOUT_SECONDS = 300;
/** How long a single API call step may run: one quick call, never near this. */
export const API_STEP_TIMEOUT_SECONDS = 60;

/** Actions that end at once, with no call to wait for: they need no timeout. */
const INSTANT_ACTIONS: ReadonlySet<string> = new Set(['aws:branch']);

/**
 * The longest one run of the document can take: the sum of its steps'
 * timeouts (every step runs at most once, so this bounds any path through
 * it). A remediation configuration's retry window must cover this many
 * seconds for each automatic attempt, or AWS Config never records a
 * remediation exception and retries a failing account forever. Throws when
 * a step that waits on something has no timeout, since then no bound exists.
 */
export function documentWorstCaseSeconds(document: AutomationDocument): number {
  let total = 0;
  for (const step of document.mainSteps) {
    const timeout = step.timeoutSeconds;
    if (typeof timeout === 'number') total += timeout;
    else if (!INSTANT_ACTIONS.has(String(step.action))) {
      throw new Error(
        `Document step ${String(step.name)} has no timeoutSeconds, so a run has no bound`,
      );
    }
  }
  return total;
}

/** Builds the document for one deployment. */
export function remediationDocument(targets: DocumentTargets): AutomationDocument {
  return {
    schemaVersion: '0.3',
    description:
      'Makes the account pass Security Hub control CloudTrail.1 with the smallest change that loses nothing: repairs the trail closest to passing (multi-Region, logging, read and write management events from every source, every data event selector kept), or creates a hardened log bucket and a multi-Region trail that pass the free Security Hub controls on trails and buckets. Its output lists the Security Hub controls on what it created or changed. Fails with the reason unless a fresh evaluation says COMPLIANT.',
    assumeRole: '{{ AutomationAssumeRole }}',
    parameters: DOCUMENT_PARAMETERS,
    mainSteps: [
      {
        name: REMEDIATE_STEP,
        description: 'Plan, apply and verify the change. The function throws on any failure.',
        action: 'aws:invokeLambdaFunction',
        onFailure: 'Abort',
        isCritical: true,
        timeoutSeconds: REMEDIATE_STEP_TIMEOUT_SECONDS,
        maxAttempts: 1,
        inputs: {
          FunctionName: targets.remediationFunction,
          InvocationType: 'RequestResponse',
          Payload: PAYLOAD_TEMPLATE,
        },
      },
      {
        name: CHECK_STEP,
        description:
          'Go on only when the function returned its result. A function error comes back as a payload with errorType and errorMessage instead, and must fail the automation whether or not the invoke step already failed on it.',
        action: 'aws:branch',
        inputs: {
          Choices: [
            {
              NextStep: REEVALUATE_STEP,
              Variable: `{{ ${REMEDIATE_STEP}.Payload }}`,
              Contains: RESULT_MARKER,
            },
          ],
          Default: FAIL_STEP,
        },
      },
      {
        name: FAIL_STEP,
        description:
          "Fails the automation: the remediation function failed. Its errorType and errorMessage are in the Remediate step's Payload output. (This assertion can never hold; it needs no permission.)",
        action: 'aws:assertAwsResourceProperty',
        onFailure: 'Abort',
        isCritical: true,
        isEnd: true,
        timeoutSeconds: API_STEP_TIMEOUT_SECONDS,
        inputs: {
          Service: 'sts',
          Api: 'GetCallerIdentity',
          PropertySelector: '$.Account',
          DesiredValues: ['the remediation function failed: see the Remediate step output'],
        },
      },
      {
        name: REEVALUATE_STEP,
        description:
          'Ask AWS Config to evaluate the rule again so the console shows the new verdict. Its failure (for example a throttle) does not fail the remediation.',
        action: 'aws:executeAwsApi',
        onFailure: 'Continue',
        isCritical: false,
        isEnd: true,
        timeoutSeconds: API_STEP_TIMEOUT_SECONDS,
        inputs: {
          Service: 'config',
          Api: 'StartConfigRulesEvaluation',
          ConfigRuleNames: [targets.ruleName],
        },
      },
    ],
    outputs: [`${REMEDIATE_STEP}.Payload`],
  };
}

/** Throws when a document name starts with a prefix AWS reserves. */
export function assertDocumentName(name: string): void {
  const reserved = RESERVED_DOCUMENT_PREFIXES.find((p) =>
    name.toLowerCase().startsWith(p.toLowerCase()),
  );
  if (reserved !== undefined) {
    throw new Error(
      `SSM document name "${name}" starts with "${reserved}", a prefix AWS reserves: choose a name that does not start with ${RESERVED_DOCUMENT_PREFIXES.join(', ')}`,
    );
  }
  if (!/^[A-Za-z0-9_.-]{3,128}$/.test(name)) {
    throw new Error(
      `SSM document name "${name}" is not valid: use 3–128 letters, digits, "_", "-" or "."`,
    );
  }
}
