/**
 * Every AWS call the remediation function can make, with the IAM action that
 * allows it and the resource it can be scoped to. The stack grants exactly
 * these actions, and a test checks that the code calls nothing else, so the
 * role and the code cannot drift apart.
 */

/**
 * The resource an action can be limited to:
 * - `anyTrail`: any trail ARN (reads, including organization trails of another account);
 * - `ownTrail`: trails of this account only (writes: another account's trail is never changed);
 * - `newBucket`: creating the log bucket (it has no owner yet to check);
 * - `bucket`: the log bucket, when it is this account's;
 * - `key`: the KMS key given for a new trail (reads);
 * - `keyPolicy`: changing that key's policy, granted only when a key is configured;
 * - `none`: the API has no resource-level permission.
 */
export type PermissionScope =
  | 'none'
  | 'anyTrail'
  | 'ownTrail'
  | 'newBucket'
  | 'bucket'
  | 'key'
  | 'keyPolicy';

export type RemediationService = 'cloudtrail' | 's3' | 'kms';

export interface RemediationPermission {
  service: RemediationService;
  /** The API operation, as the SDK's command is named without `Command`. */
  operation: string;
  /** The IAM action that allows it. */
  action: string;
  scope: PermissionScope;
  /** Whether it changes anything (dry runs never make these calls). */
  write: boolean;
}

export const REMEDIATION_PERMISSIONS: readonly RemediationPermission[] = [
  // Reading the account, as the rule does.
  read('cloudtrail', 'DescribeTrails', 'cloudtrail:DescribeTrails', 'none'),
  read('cloudtrail', 'GetTrailStatus', 'cloudtrail:GetTrailStatus', 'anyTrail'),
  read('cloudtrail', 'GetEventSelectors', 'cloudtrail:GetEventSelectors', 'anyTrail'),
  // Repairing or creating a trail of this account.
  write('cloudtrail', 'UpdateTrail', 'cloudtrail:UpdateTrail', 'ownTrail'),
  write('cloudtrail', 'PutEventSelectors', 'cloudtrail:PutEventSelectors', 'ownTrail'),
  write('cloudtrail', 'StartLogging', 'cloudtrail:StartLogging', 'ownTrail'),
  write('cloudtrail', 'CreateTrail', 'cloudtrail:CreateTrail', 'ownTrail'),
  // Checking the log bucket: HeadBucket is allowed by s3:ListBucket.
  read('s3', 'HeadBucket', 's3:ListBucket', 'bucket'),
  read('s3', 'GetBucketPolicy', 's3:GetBucketPolicy', 'bucket'),
  read('s3', 'GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock', 'bucket'),
  read('s3', 'GetBucketEncryption', 's3:GetEncryptionConfiguration', 'bucket'),
  // Creating or securing it. CreateBucket with ObjectOwnership also needs
  // s3:PutBucketOwnershipControls.
  write('s3', 'CreateBucket', 's3:CreateBucket', 'newBucket'),
  write('s3', 'CreateBucket', 's3:PutBucketOwnershipControls', 'newBucket'),
  write('s3', 'PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 'bucket'),
  write('s3', 'PutBucketEncryption', 's3:PutEncryptionConfiguration', 'bucket'),
  write('s3', 'PutBucketPolicy', 's3:PutBucketPolicy', 'bucket'),
  // The KMS key of a new trail: checked, and its policy merged when CloudTrail may not use it.
  read('kms', 'DescribeKey', 'kms:DescribeKey', 'key'),
  read('kms', 'GetKeyPolicy', 'kms:GetKeyPolicy', 'key'),
  write('kms', 'PutKeyPolicy', 'kms:PutKeyPolicy', 'keyPolicy'),
];

/** The IAM actions the remediation function needs, sorted and without repeats. */
export const REMEDIATION_ACTIONS: readonly string[] = [
  ...new Set(REMEDIATION_PERMISSIONS.map((p) => p.action)),
].sort();

/** The IAM actions for one scope, for one policy statement each. */
export function actionsFor(scope: PermissionScope): string[] {
  return [
    ...new Set(REMEDIATION_PERMISSIONS.filter((p) => p.scope === scope).map((p) => p.action)),
  ].sort();
}

/** The operations of a service the function may call, e.g. to check a call before it is made. */
export function operationsOf(service: RemediationService, options: { write?: boolean } = {}) {
  return [
    ...new Set(
      REMEDIATION_PERMISSIONS.filter(
        (p) => p.service === service && (options.write === undefined || p.write === options.write),
      ).map((p) => p.operation),
    ),
  ].sort();
}

function read(
  service: RemediationService,
  operation: string,
  action: string,
  scope: PermissionScope,
): RemediationPermission {
  return { service, operation, action, scope, write: false };
}

function write(
  service: RemediationService,
  operation: string,
  action: string,
  scope: PermissionScope,
): RemediationPermission {
  return { service, operation, action, scope, write: true };
}
