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
 * - `newBucket`: creating the log bucket and the access-log bucket (they have no owner yet to check);
 * - `bucket`: those two buckets, when they are this account's;
 * - `trailBucket`: whose is the bucket a trail delivers to (or the access-log
 *   bucket given): any bucket of this account or a trusted log account;
 * - `trailBucketAccess`: who else a bucket of this account that a trail
 *   delivers to lets in (its policy, ACL and ownership controls), read
 *   before that trail is repaired;
 * - `repairedTrailBucket`: hardening the bucket of a repaired trail, any of
 *   this account's, granted only when `hardenRepairedTrail` is configured;
 * - `key`: the KMS key given for a new trail (reads);
 * - `keyPolicy`: changing that key's policy, granted only when a key is configured;
 * - `cloudWatchLogsRole`: passing the one role CloudTrail assumes to write to
 *   CloudWatch Logs, granted only when CloudWatch Logs is configured;
 * - `none`: the API has no resource-level permission.
 */
export type PermissionScope =
  | 'none'
  | 'anyTrail'
  | 'ownTrail'
  | 'newBucket'
  | 'bucket'
  | 'trailBucket'
  | 'trailBucketAccess'
  | 'repairedTrailBucket'
  | 'key'
  | 'keyPolicy'
  | 'cloudWatchLogsRole';

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
  // CreateTrail with TagsList also needs cloudtrail:AddTags.
  write('cloudtrail', 'CreateTrail', 'cloudtrail:AddTags', 'ownTrail'),
  write('cloudtrail', 'AddTags', 'cloudtrail:AddTags', 'ownTrail'),
  read('cloudtrail', 'ListTags', 'cloudtrail:ListTags', 'ownTrail'),
  // Whose bucket a trail delivers to: HeadBucket is allowed by s3:ListBucket.
  read('s3', 'HeadBucket', 's3:ListBucket', 'trailBucket'),
  // Who else a bucket of this account that a trail delivers to lets in, before it is repaired.
  read('s3', 'GetBucketPolicy', 's3:GetBucketPolicy', 'trailBucketAccess'),
  read('s3', 'GetBucketOwnershipControls', 's3:GetBucketOwnershipControls', 'trailBucketAccess'),
  read('s3', 'GetBucketAcl', 's3:GetBucketAcl', 'trailBucketAccess'),
  // Checking the log bucket and the access-log bucket.
  read('s3', 'HeadBucket', 's3:ListBucket', 'bucket'),
  ...bucketReads('bucket'),
  // Creating or securing them. CreateBucket with ObjectOwnership also needs
  // s3:PutBucketOwnershipControls, and with ObjectLockEnabledForBucket
  // s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning.
  write('s3', 'CreateBucket', 's3:CreateBucket', 'newBucket'),
  write('s3', 'CreateBucket', 's3:PutBucketOwnershipControls', 'newBucket'),
  write('s3', 'CreateBucket', 's3:PutBucketObjectLockConfiguration', 'newBucket'),
  write('s3', 'CreateBucket', 's3:PutBucketVersioning', 'newBucket'),
  write('s3', 'PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 'bucket'),
  write('s3', 'PutBucketEncryption', 's3:PutEncryptionConfiguration', 'bucket'),
  write('s3', 'PutBucketVersioning', 's3:PutBucketVersioning', 'bucket'),
  write('s3', 'PutObjectLockConfiguration', 's3:PutBucketObjectLockConfiguration', 'bucket'),
  write('s3', 'PutBucketLifecycleConfiguration', 's3:PutLifecycleConfiguration', 'bucket'),
  write('s3', 'PutBucketTagging', 's3:PutBucketTagging', 'bucket'),
  write('s3', 'PutBucketLogging', 's3:PutBucketLogging', 'bucket'),
  write('s3', 'PutBucketPolicy', 's3:PutBucketPolicy', 'bucket'),
  // Hardening a repaired trail's own bucket: Block Public Access and the TLS-only statement.
  ...bucketReads('repairedTrailBucket'),
  write('s3', 'PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock', 'repairedTrailBucket'),
  write('s3', 'PutBucketPolicy', 's3:PutBucketPolicy', 'repairedTrailBucket'),
  // The KMS key of a new trail: checked, and its policy merged when CloudTrail may not use it.
  read('kms', 'DescribeKey', 'kms:DescribeKey', 'key'),
  read('kms', 'GetKeyPolicy', 'kms:GetKeyPolicy', 'key'),
  read('kms', 'GetKeyRotationStatus', 'kms:GetKeyRotationStatus', 'key'),
  write('kms', 'PutKeyPolicy', 'kms:PutKeyPolicy', 'keyPolicy'),
  // A trail that sends to CloudWatch Logs: CreateTrail/UpdateTrail pass the role to CloudTrail.
  write('cloudtrail', 'CreateTrail', 'iam:PassRole', 'cloudWatchLogsRole'),
  write('cloudtrail', 'UpdateTrail', 'iam:PassRole', 'cloudWatchLogsRole'),
];

/** Every read of a bucket's settings that the Security Hub controls judge. */
function bucketReads(scope: PermissionScope): RemediationPermission[] {
  return [
    read('s3', 'GetBucketPolicy', 's3:GetBucketPolicy', scope),
    read('s3', 'GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock', scope),
    read('s3', 'GetBucketEncryption', 's3:GetEncryptionConfiguration', scope),
    read('s3', 'GetBucketVersioning', 's3:GetBucketVersioning', scope),
    read('s3', 'GetBucketLifecycleConfiguration', 's3:GetLifecycleConfiguration', scope),
    read('s3', 'GetBucketLogging', 's3:GetBucketLogging', scope),
    read('s3', 'GetBucketTagging', 's3:GetBucketTagging', scope),
    read('s3', 'GetObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration', scope),
    read('s3', 'GetBucketOwnershipControls', 's3:GetBucketOwnershipControls', scope),
    read('s3', 'GetBucketAcl', 's3:GetBucketAcl', scope),
  ];
}

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
