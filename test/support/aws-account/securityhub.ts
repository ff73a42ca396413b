import { z } from 'zod';
import { fault } from './errors';

/*
 * Security Hub's GetFindings, as the organization audit calls it from the
 * Security Hub administrator account:
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html
 *
 * Findings are in the AWS Security Finding Format; a CloudTrail.1 finding is
 * about the account (`Resources[0].Type` AwsAccount), with
 * `Compliance.SecurityControlId` CloudTrail.1:
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
 *
 * The model filters on string fields with EQUALS (what the audit sends) and
 * pages with `MaxResults` (at most 100) and an opaque `NextToken`.
 */

/** A finding, as GetFindings returns it (timestamps are ISO 8601 strings in this format). */
export interface SecurityFinding {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  Region: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  FirstObservedAt: string;
  LastObservedAt: string;
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: string; Normalized: number; Original: string };
  Title: string;
  Description: string;
  Resources: { Type: string; Id: string; Partition: string; Region: string }[];
  Compliance: {
    Status: 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
    SecurityControlId: string;
    StatusReasons?: { ReasonCode: string; Description?: string }[];
    AssociatedStandards?: { StandardsId: string }[];
  };
  WorkflowState: string;
  Workflow: { Status: string };
  RecordState: 'ACTIVE' | 'ARCHIVED';
}

export const SECURITY_HUB_OPERATIONS = ['GetFindings'] as const;
export type SecurityHubOperation = (typeof SECURITY_HUB_OPERATIONS)[number];

const stringFilters = z
  .array(z.object({ Value: z.string(), Comparison: z.literal('EQUALS') }).strict())
  .max(20);
const getFindingsSchema = z
  .object({
    Filters: z
      .object({
        ComplianceSecurityControlId: stringFilters.optional(),
        RecordState: stringFilters.optional(),
        AwsAccountId: stringFilters.optional(),
      })
      .strict()
      .optional(),
    MaxResults: z.number().int().min(1).max(100).optional(),
    NextToken: z.string().optional(),
  })
  .strict();

/** The field each filter compares. */
const FILTERED: Record<string, (finding: SecurityFinding) => string> = {
  ComplianceSecurityControlId: (f) => f.Compliance.SecurityControlId,
  RecordState: (f) => f.RecordState,
  AwsAccountId: (f) => f.AwsAccountId,
};

/** What Security Hub answers to GetFindings over `findings`. */
export function answerSecurityHub(
  _operation: SecurityHubOperation,
  input: Record<string, unknown>,
  findings: readonly SecurityFinding[],
): Record<string, unknown> {
  const parsed = getFindingsSchema.safeParse(input);
  if (!parsed.success) {
    // Security Hub answers bad input with InvalidInputException, not the ValidationException of other services.
    const issue = parsed.error.issues[0];
    throw fault(
      'InvalidInputException',
      `Invalid parameter '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}`,
    );
  }
  const { Filters = {}, MaxResults = 100, NextToken } = parsed.data;
  const matching = findings.filter((finding) =>
    Object.entries(Filters).every(([field, filters]) =>
      (filters ?? []).some((filter) => FILTERED[field]?.(finding) === filter.Value),
    ),
  );
  const start = NextToken === undefined ? 0 : pageStart(NextToken);
  const page = matching.slice(start, start + MaxResults);
  const next = start + MaxResults < matching.length ? start + MaxResults : undefined;
  return {
    Findings: structuredClone(page),
    ...(next !== undefined
      ? { NextToken: Buffer.from(`findings:${next}`).toString('base64') }
      : {}),
  };
}

function pageStart(token: string): number {
  const match = /^findings:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (match === null) throw fault('InvalidInputException', 'Invalid NextToken');
  return Number(match[1]);
}

/**
 * A CloudTrail.1 finding for `accountId` in `region`, as the consolidated
 * control finding Security Hub writes; `status` its compliance status,
 * `updatedAt` when it was last updated.
 */
export function cloudTrail1Finding(
  accountId: string,
  status: SecurityFinding['Compliance']['Status'],
  options: { region?: string; updatedAt?: string; recordState?: 'ACTIVE' | 'ARCHIVED' } = {},
): SecurityFinding {
  const region = options.region ?? 'us-east-1';
  const updatedAt = options.updatedAt ?? '2026-12-06T08:00:00.000Z';
  return {
    SchemaVersion: '2018-10-08',
    Id: `arn:aws:securityhub:${region}:${accountId}:security-control/CloudTrail.1/finding/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f${accountId.slice(-1)}`,
    ProductArn: `arn:aws:securityhub:${region}::product/aws/securityhub`,
    ProductName: 'Security Hub',
    CompanyName: 'AWS',
    Region: region,
    GeneratorId: 'security-control/CloudTrail.1',
    AwsAccountId: accountId,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    FirstObservedAt: '2026-11-01T08:00:00.000Z',
    LastObservedAt: updatedAt,
    CreatedAt: '2026-11-01T08:00:00.000Z',
    UpdatedAt: updatedAt,
    Severity: { Label: 'HIGH', Normalized: 70, Original: 'HIGH' },
    Title:
      'CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events',
    Description:
      'This AWS control checks that there is at least one multi-region AWS CloudTrail trail includes read and write management events.',
    Resources: [
      { Type: 'AwsAccount', Id: `AWS::::Account:${accountId}`, Partition: 'aws', Region: region },
    ],
    Compliance: {
      Status: status,
      SecurityControlId: 'CloudTrail.1',
      AssociatedStandards: [
        { StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' },
      ],
    },
    WorkflowState: 'NEW',
    Workflow: { Status: 'NEW' },
    RecordState: options.recordState ?? 'ACTIVE',
  };
}
