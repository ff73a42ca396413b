import { z } from 'zod';
import {
  type AccountTrail,
  answerCloudTrail,
  CLOUDTRAIL_OPERATIONS,
  type CloudTrailOperation,
} from './cloudtrail';
import {
  type AccountConfig,
  answerConfigRead,
  CONFIG_READ_OPERATIONS,
  type ConfigReadOperation,
} from './config';
import { type AwsError, AwsFault, fault, validated } from './errors';
import { type AccountKey, answerKms, KMS_OPERATIONS, type KmsOperation } from './kms';
import { type AccountBucket, answerS3, S3_OPERATIONS, type S3Operation } from './s3';
import {
  answerSecurityHub,
  SECURITY_HUB_OPERATIONS,
  type SecurityFinding,
  type SecurityHubOperation,
} from './securityhub';

export type { AccountTrail, TrailEntry, TrailStatusWire, TrailTag } from './cloudtrail';
export { LOGGING, STOPPED } from './cloudtrail';
export type { AccountConfig, ConfigRuleWire, RemediationConfigurationWire } from './config';
export { deployedConfig } from './config';
export type { AwsError } from './errors';
export type { AccountKey } from './kms';
export type {
  AccountBucket,
  BucketGrant,
  BucketTag,
  LifecycleRule,
  ObjectLock,
  PublicAccessBlock,
  Versioning,
} from './s3';
export { canonicalUserId, LOG_DELIVERY_GROUP } from './s3';
export type { SecurityFinding } from './securityhub';
export { cloudTrail1Finding } from './securityhub';

/**
 * One AWS account as the rule and the remediation see it: its trails (as
 * CloudTrail answers from each Region: home trails, shadow copies of
 * multi-Region and organization trails, see `cloudtrail.ts`), the S3
 * buckets (its own and, since bucket names are global, other accounts') and
 * KMS keys there are (`s3.ts`, `kms.ts`, judged by their resource policies
 * with `policy.ts`), and the caller's identity. {@link answer} is the whole
 * model: a request (service, operation, Region, the API's input fields) in,
 * the API's output fields or an AWS error out, changing the plain state
 * object for a write, with no I/O. It is served to the code under test two
 * ways: over HTTP in each service's protocol (`serve-http.ts`, for the
 * bundled functions) and behind aws-sdk-client-mock (`serve-sdk-mock.ts`,
 * for unit tests).
 */

/** The account the model describes; buckets and keys default to none. */
export interface AwsAccount {
  accountId: string;
  trails: AccountTrail[];
  buckets?: AccountBucket[];
  keys?: AccountKey[];
  /** Its AWS Config rules and remediation configurations (the deployment the organization audit checks). */
  config?: AccountConfig;
  /**
   * The Security Hub findings this account sees: as the Security Hub
   * administrator, every member account's.
   */
  findings?: SecurityFinding[];
  /** AWS Config's latest evaluation results, as `GetComplianceDetailsByConfigRule` returns them on the wire. */
  evaluations?: ConfigEvaluationResult[];
}

/** One `EvaluationResult` on the wire (timestamps in epoch seconds), AWS Config API Reference. */
export interface ConfigEvaluationResult {
  EvaluationResultIdentifier: {
    EvaluationResultQualifier: {
      ConfigRuleName: string;
      ResourceType: string;
      ResourceId: string;
      EvaluationMode?: string;
    };
    OrderingTimestamp: number;
  };
  ComplianceType: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  ResultRecordedTime: number;
  ConfigRuleInvokedTime: number;
  Annotation?: string;
}

/** The account as the model keeps it, every list present. */
export type AccountState = Required<AwsAccount>;

/** A copy of `account` for the model to change, every list present. */
export function accountState(account: AwsAccount): AccountState {
  const copy = structuredClone(account);
  return {
    ...copy,
    buckets: copy.buckets ?? [],
    keys: copy.keys ?? [],
    config: copy.config ?? { rules: [], remediations: [] },
    findings: copy.findings ?? [],
    evaluations: copy.evaluations ?? [],
  };
}

export type Service = 'cloudtrail' | 's3' | 'kms' | 'sts' | 'config' | 'securityhub';

export type Operation =
  | CloudTrailOperation
  | 'PutEvaluations'
  | ConfigReadOperation
  | SecurityHubOperation
  | 'GetComplianceDetailsByConfigRule'
  | 'GetCallerIdentity'
  | KmsOperation
  | S3Operation;

/** One call: the signing Region and the API's input fields, as the SDK names them. */
export interface AwsRequest {
  service: Service;
  operation: Operation;
  region: string;
  input: Record<string, unknown>;
}

/** The API's output fields, or the error the service answers. */
export type AwsReply = { output: Record<string, unknown> } | { error: AwsError };

/** The role the caller runs as, for `GetCallerIdentity`. */
const CALLER_ROLE = 'cloudtrail-remediation';

/** The operations each service of the model answers. */
export const OPERATIONS: Record<Service, readonly Operation[]> = {
  cloudtrail: Object.values(CLOUDTRAIL_OPERATIONS),
  s3: S3_OPERATIONS,
  kms: Object.values(KMS_OPERATIONS),
  sts: ['GetCallerIdentity'],
  config: ['PutEvaluations', 'GetComplianceDetailsByConfigRule', ...CONFIG_READ_OPERATIONS],
  securityhub: SECURITY_HUB_OPERATIONS,
};

/** `PutEvaluations` request, with the API reference's constraints (custom rules). */
export const putEvaluationsSchema = z
  .object({
    Evaluations: z
      .array(
        z
          .object({
            ComplianceResourceType: z.string().min(1).max(256),
            ComplianceResourceId: z.string().min(1).max(768),
            ComplianceType: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
            Annotation: z.string().min(1).max(256).optional(),
            OrderingTimestamp: z.number(),
          })
          .strict(),
      )
      .max(100)
      .optional(),
    ResultToken: z.string().min(1),
    TestMode: z.boolean().optional(),
  })
  .strict();
export type PutEvaluationsRequest = z.infer<typeof putEvaluationsSchema>;

/**
 * What the account answers to one request, changing `account` for a write.
 * Timestamps in outputs are as on the wire (epoch seconds).
 */
export function answer(account: AccountState, request: AwsRequest): AwsReply {
  try {
    return { output: dispatch(account, request) };
  } catch (error) {
    if (error instanceof AwsFault) return { error: error.error };
    throw error;
  }
}

function dispatch(account: AccountState, request: AwsRequest): Record<string, unknown> {
  const { service, operation, region, input } = request;
  if (!OPERATIONS[service].includes(operation)) {
    throw fault('UnknownOperationException', `${service} has no operation ${operation}`);
  }
  switch (service) {
    case 'cloudtrail':
      return answerCloudTrail(operation as CloudTrailOperation, region, input, account);
    case 'kms':
      return answerKms(
        operation as KmsOperation,
        { region, accountId: account.accountId, body: input },
        account.keys,
      );
    case 's3':
      return answerS3(
        operation as S3Operation,
        { region, accountId: account.accountId, input },
        account.buckets,
      );
    case 'sts':
      return callerIdentity(account.accountId);
    case 'config':
      if (operation === 'GetComplianceDetailsByConfigRule') {
        return complianceDetails(account.evaluations, input);
      }
      if (operation !== 'PutEvaluations') {
        return answerConfigRead(operation as ConfigReadOperation, input, account.config);
      }
      validated(putEvaluationsSchema, input);
      return { FailedEvaluations: [] };
    case 'securityhub':
      return answerSecurityHub(operation as SecurityHubOperation, input, account.findings);
  }
}

/** `GetComplianceDetailsByConfigRule` request, with the API reference's constraints. */
const complianceDetailsSchema = z
  .object({
    ConfigRuleName: z.string().min(1).max(64),
    ComplianceTypes: z
      .array(z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']))
      .max(3)
      .optional(),
    Limit: z.number().int().min(0).max(100).optional(),
    NextToken: z.string().optional(),
  })
  .strict();

/** The rule's results, of the compliance types asked for, on one page. */
function complianceDetails(
  evaluations: readonly ConfigEvaluationResult[],
  input: Record<string, unknown>,
): Record<string, unknown> {
  const { ConfigRuleName, ComplianceTypes } = validated(complianceDetailsSchema, input);
  return {
    EvaluationResults: evaluations.filter(
      (e) =>
        e.EvaluationResultIdentifier.EvaluationResultQualifier.ConfigRuleName === ConfigRuleName &&
        (ComplianceTypes === undefined || ComplianceTypes.includes(e.ComplianceType)),
    ),
  };
}

/** `GetCallerIdentity`: the remediation's role, in this account. */
function callerIdentity(accountId: string): Record<string, unknown> {
  return {
    UserId: 'AROAEXAMPLEROLEID0001:remediation',
    Account: accountId,
    Arn: `arn:aws:sts::${accountId}:assumed-role/${CALLER_ROLE}/remediation`,
  };
}

/** Whether a request asks for a change: any operation but `Get*`, `Describe*`, `Head*`, `List*` (an unknown one counts). */
export function isWrite(request: { operation: string }): boolean {
  return !/^(Get|Describe|Head|List)/.test(request.operation);
}

/** Makes matching requests fail. */
export interface Fault {
  operation: Operation;
  /** Only requests signed for this Region. */
  region?: string;
  /** Only requests that name this trail (by name or ARN; `AddTags` by its ARN). */
  trail?: string;
  /** Only requests for this S3 bucket. */
  bucket?: string;
  error: AwsError;
  /** How many matching requests fail before they succeed again; every one if not given. */
  times?: number;
}

/**
 * The faults to inject, each counting down as it fires: `next(request)` is
 * the error the first matching fault raises, if any.
 */
export function faultPlan(faults: readonly Fault[]): {
  next(request: Pick<AwsRequest, 'operation' | 'region' | 'input'>): AwsError | undefined;
} {
  const entries = faults.map((f) => ({ fault: f, left: f.times ?? Number.POSITIVE_INFINITY }));
  return {
    next({ operation, region, input }) {
      const named = input.Name ?? input.TrailName ?? input.ResourceId;
      for (const entry of entries) {
        const { fault: f } = entry;
        if (entry.left <= 0 || f.operation !== operation) continue;
        if (f.region !== undefined && f.region !== region) continue;
        if (f.trail !== undefined && f.trail !== named) continue;
        if (f.bucket !== undefined && f.bucket !== input.Bucket) continue;
        entry.left -= 1;
        return f.error;
      }
      return undefined;
    },
  };
}
