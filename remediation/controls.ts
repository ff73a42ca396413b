/**
 * The Security Hub controls on what the remediation creates or changes
 * (docs/security-hub.md): a pure forecast over the planned end state of
 * each trail, bucket and key, one small entry per control, each judged as
 * the AWS Config rule behind the control judges it. The plan forecasts
 * from what it will leave; the verification judges what it reads back, with
 * the same entries, so a wrong forecast shows up.
 */

/** A trail as the plan leaves it, or as it was read back. */
export interface TrailEndState {
  kind: 'trail';
  arn: string;
  /** Whether the remediation creates it (else it repairs it). */
  created: boolean;
  logFileValidation: boolean;
  kmsKeyId: string | undefined;
  cloudWatchLogsLogGroupArn: string | undefined;
  /** Its tags; `undefined` when they were not read (a snapshot). */
  tags: Record<string, string> | undefined;
}

/** A bucket as the plan leaves it, or as it was read back. */
export interface BucketEndState {
  kind: 'bucket';
  arn: string;
  /** The trail's log bucket, or the bucket that receives its server access logs. */
  purpose: 'trail-logs' | 'access-logs';
  /**
   * The trail that delivers to it, for a log bucket: the Config rules behind
   * CloudTrail.6 and CloudTrail.7 judge the bucket and report on the trail.
   */
  trailArn?: string | undefined;
  created: boolean;
  /**
   * The bucket of a repaired trail, which `hardenRepairedTrail` gives only
   * Block Public Access and the TLS-only statement: no option of the
   * remediation changes anything else of it.
   */
  repaired?: boolean | undefined;
  /** All four Block Public Access settings on, at the bucket. */
  publicAccessBlocked: boolean;
  /** Allow statements that make the policy public, in words. */
  publicStatements: string[];
  /** ACL grants to everyone or every AWS account (public, as S3 judges an ACL), in words. */
  publicAclGrants: string[];
  /** Whether the policy denies every request made without TLS. */
  tlsOnly: boolean;
  /** Allow statements that give another account one of the actions S3.6 lists, in words. */
  crossAccountGrants: string[];
  objectOwnership: string | undefined;
  /** The default encryption's algorithm (`AES256`, `aws:kms`, `aws:kms:dsse`), if any. */
  encryption: string | undefined;
  versioning: boolean;
  mfaDelete: boolean;
  /** Whether an enabled lifecycle rule exists. */
  lifecycle: boolean;
  /** Where its server access logs go, if anywhere. */
  loggingTarget: string | undefined;
  objectLock: boolean;
  tags: Record<string, string>;
}

/** A KMS key the trail encrypts with. */
export interface KeyEndState {
  kind: 'key';
  arn: string;
  rotation: boolean;
}

export type ResourceEndState = TrailEndState | BucketEndState | KeyEndState;

/** One control's verdict on one resource, as `remediate --json` and the SSM document give it. */
export interface ControlForecast {
  controlId: string;
  resource: string;
  /**
   * `NO_FINDING` where Security Hub makes none for such a resource (S3.20
   * on a bucket with a lifecycle configuration).
   */
  status: 'PASSED' | 'FAILED' | 'NO_FINDING';
  /** The option that makes it pass, when it fails and one does. */
  passWith?: string;
  /** Why it fails by design, when no option makes it pass. */
  note?: string;
}

interface Judgement {
  passed: boolean;
  /** Security Hub makes no finding for this resource. */
  noFinding?: boolean;
  passWith?: string;
  note?: string;
}

/** One Security Hub control: the Config rule behind it, and how that rule judges a resource. */
export interface Control<R extends ResourceEndState> {
  controlId: string;
  /** The AWS Config rule Security Hub evaluates it with. */
  configRule: string;
  /** That rule's page. */
  page: string;
  appliesTo: R['kind'];
  /** Only the trail's log bucket, for the CloudTrail controls on it, reported on the trail. */
  logBucketOnly?: boolean;
  judge: (resource: R) => Judgement;
}

const RULES = 'https://docs.aws.amazon.com/config/latest/developerguide';
const CONTROLS_PAGE = 'https://docs.aws.amazon.com/securityhub/latest/userguide';

const pass = (passed: boolean, passWith?: string): Judgement =>
  passed || passWith === undefined ? { passed } : { passed, passWith };

/** Tags Security Hub counts: any but the `aws:` ones AWS adds itself. */
function userTagged(tags: Record<string, string> | undefined): boolean {
  return Object.keys(tags ?? {}).some((k) => !/^aws:/i.test(k));
}

/** Whether Block Public Access, or the bucket's policy and ACL, keep it from the public. */
function notPublic(b: BucketEndState): boolean {
  return (
    b.publicAccessBlocked || (b.publicStatements.length === 0 && b.publicAclGrants.length === 0)
  );
}

/**
 * What passes a control the remediation sets on a trail: the option on a
 * trail it creates, the option with `hardenRepairedTrail` on one it repairs.
 */
function trailOption(t: TrailEndState, option: string): string {
  return t.created ? option : `${option} with hardenRepairedTrail`;
}

/** Why no option passes a control on a repaired trail's bucket. */
const REPAIRED_BUCKET =
  "the remediation changes only Block Public Access and the TLS-only statement of a repaired trail's bucket (with hardenRepairedTrail): set this by hand";

/** Why hardening leaves a public bucket's access alone. */
const PUBLIC_BUCKET =
  'the bucket is public by its policy or ACL, and the remediation leaves who can read it to a person';

/** The option that passes a control on a bucket, or, on a repaired trail's bucket, why none does. */
function bucketOption(b: BucketEndState, passed: boolean, option: string): Judgement {
  if (passed) return { passed };
  return b.repaired === true ? { passed, note: REPAIRED_BUCKET } : { passed, passWith: option };
}

/** What passes S3.5 and S3.8, which `hardenRepairedTrail` sets on a repaired trail's own bucket. */
function hardened(b: BucketEndState, passed: boolean): Judgement {
  if (passed || b.repaired !== true) return { passed };
  return b.publicStatements.length > 0 || b.publicAclGrants.length > 0
    ? { passed, note: PUBLIC_BUCKET }
    : { passed, passWith: 'hardenRepairedTrail' };
}

function trail(control: Omit<Control<TrailEndState>, 'appliesTo'>): Control<TrailEndState> {
  return { ...control, appliesTo: 'trail' };
}
function bucket(control: Omit<Control<BucketEndState>, 'appliesTo'>): Control<BucketEndState> {
  return { ...control, appliesTo: 'bucket' };
}

/** A control on any kind of resource. */
export type AnyControl = Control<TrailEndState> | Control<BucketEndState> | Control<KeyEndState>;

/** Every control the forecast judges, in the order it lists them. */
export const CONTROLS: readonly AnyControl[] = [
  trail({
    controlId: 'CloudTrail.2',
    configRule: 'cloud-trail-encryption-enabled',
    page: `${RULES}/cloud-trail-encryption-enabled.html`,
    judge: (t) => pass(t.kmsKeyId !== undefined, trailOption(t, 'kmsKeyId')),
  }),
  trail({
    controlId: 'CloudTrail.4',
    configRule: 'cloud-trail-log-file-validation-enabled',
    page: `${RULES}/cloud-trail-log-file-validation-enabled.html`,
    judge: (t) => pass(t.logFileValidation, t.created ? undefined : 'hardenRepairedTrail'),
  }),
  trail({
    controlId: 'CloudTrail.5',
    configRule: 'cloud-trail-cloud-watch-logs-enabled',
    page: `${RULES}/cloud-trail-cloud-watch-logs-enabled.html`,
    judge: (t) => pass(t.cloudWatchLogsLogGroupArn !== undefined, trailOption(t, 'cloudWatchLogs')),
  }),
  trail({
    controlId: 'CloudTrail.9',
    configRule: 'tagged-cloudtrail-trail',
    page: `${CONTROLS_PAGE}/cloudtrail-controls.html#cloudtrail-9`,
    judge: (t) => pass(userTagged(t.tags), trailOption(t, 'tags')),
  }),
  bucket({
    controlId: 'CloudTrail.6',
    configRule: 'cloudtrail-s3-bucket-public-access-prohibited',
    page: `${CONTROLS_PAGE}/cloudtrail-controls.html#cloudtrail-6`,
    logBucketOnly: true,
    // Not publicly accessible: all four Block Public Access settings (S3 then ignores public ACLs
    // and restricts a public policy to the account), or no public statement or ACL grant.
    judge: (b) => pass(notPublic(b)),
  }),
  bucket({
    controlId: 'CloudTrail.7',
    configRule: 'cloudtrail-s3-bucket-access-logging',
    page: `${CONTROLS_PAGE}/cloudtrail-controls.html#cloudtrail-7`,
    logBucketOnly: true,
    judge: (b) => bucketOption(b, b.loggingTarget !== undefined, 'accessLogBucketName'),
  }),
  bucket({
    controlId: 'S3.2',
    configRule: 's3-bucket-public-read-prohibited',
    page: `${RULES}/s3-bucket-public-read-prohibited.html`,
    judge: (b) => pass(notPublic(b)),
  }),
  bucket({
    controlId: 'S3.3',
    configRule: 's3-bucket-public-write-prohibited',
    page: `${RULES}/s3-bucket-public-write-prohibited.html`,
    judge: (b) => pass(notPublic(b)),
  }),
  bucket({
    controlId: 'S3.5',
    configRule: 's3-bucket-ssl-requests-only',
    page: `${RULES}/s3-bucket-ssl-requests-only.html`,
    judge: (b) => hardened(b, b.tlsOnly),
  }),
  bucket({
    controlId: 'S3.6',
    configRule: 's3-bucket-blacklisted-actions-prohibited',
    page: `${RULES}/s3-bucket-blacklisted-actions-prohibited.html`,
    judge: (b) => pass(b.crossAccountGrants.length === 0),
  }),
  bucket({
    controlId: 'S3.8',
    configRule: 's3-bucket-level-public-access-prohibited',
    page: `${RULES}/s3-bucket-level-public-access-prohibited.html`,
    judge: (b) => hardened(b, b.publicAccessBlocked),
  }),
  bucket({
    controlId: 'S3.9',
    configRule: 's3-bucket-logging-enabled',
    page: `${RULES}/s3-bucket-logging-enabled.html`,
    judge: (b) =>
      b.loggingTarget === undefined && b.purpose === 'access-logs'
        ? {
            passed: false,
            note: 'the bucket that receives server access logs does not log itself: S3 advises against a target that logs to itself, and a third bucket would only move the finding',
          }
        : bucketOption(b, b.loggingTarget !== undefined, 'accessLogBucketName'),
  }),
  bucket({
    controlId: 'S3.12',
    configRule: 's3-bucket-acl-prohibited',
    page: `${RULES}/s3-bucket-acl-prohibited.html`,
    judge: (b) =>
      b.objectOwnership === 'BucketOwnerEnforced' || b.repaired !== true
        ? pass(b.objectOwnership === 'BucketOwnerEnforced')
        : { passed: false, note: REPAIRED_BUCKET },
  }),
  bucket({
    controlId: 'S3.13',
    configRule: 's3-lifecycle-policy-check',
    page: `${RULES}/s3-lifecycle-policy-check.html`,
    judge: (b) =>
      b.lifecycle || b.repaired !== true
        ? pass(b.lifecycle)
        : { passed: false, note: REPAIRED_BUCKET },
  }),
  bucket({
    controlId: 'S3.14',
    configRule: 's3-bucket-versioning-enabled',
    page: `${RULES}/s3-bucket-versioning-enabled.html`,
    judge: (b) =>
      b.versioning || b.repaired !== true
        ? pass(b.versioning)
        : { passed: false, note: REPAIRED_BUCKET },
  }),
  bucket({
    controlId: 'S3.15',
    configRule: 's3-bucket-default-lock-enabled',
    page: `${RULES}/s3-bucket-default-lock-enabled.html`,
    judge: (b) =>
      b.objectLock
        ? { passed: true }
        : b.purpose === 'access-logs'
          ? {
              passed: false,
              note: 'S3 refuses server access logs into a bucket with an Object Lock default retention',
            }
          : b.created
            ? pass(false, 'objectLockDays')
            : {
                passed: false,
                note: 'the remediation turns Object Lock on only for a log bucket it creates: on an existing bucket it could never be turned off again',
              },
  }),
  bucket({
    controlId: 'S3.17',
    configRule: 's3-default-encryption-kms',
    page: `${RULES}/s3-default-encryption-kms.html`,
    judge: (b) =>
      b.encryption === 'aws:kms' || b.encryption === 'aws:kms:dsse'
        ? { passed: true }
        : b.purpose === 'access-logs'
          ? {
              passed: false,
              note: 'S3 delivers server access logs only to a bucket whose default encryption is SSE-S3',
            }
          : bucketOption(b, false, 'kmsKeyId'),
  }),
  bucket({
    controlId: 'S3.20',
    configRule: 's3-bucket-mfa-delete-enabled',
    page: `${RULES}/s3-bucket-mfa-delete-enabled.html`,
    // MFA delete cannot coexist with a lifecycle configuration (only the root
    // user can turn it on), and the control makes no finding for a bucket
    // that has one.
    judge: (b) =>
      b.mfaDelete
        ? { passed: true }
        : b.lifecycle
          ? { passed: true, noFinding: true }
          : pass(false),
  }),
  {
    controlId: 'KMS.4',
    configRule: 'cmk-backing-key-rotation-enabled',
    page: `${RULES}/cmk-backing-key-rotation-enabled.html`,
    appliesTo: 'key',
    judge: (k: KeyEndState) => pass(k.rotation, 'trailKey=create'),
  } satisfies Control<KeyEndState>,
];

/**
 * The forecast: each control of {@link CONTROLS} on each resource it applies
 * to, PASSED or FAILED, with the option that would make a failure pass.
 *
 * @example
 * securityHubControls([{ kind: 'key', arn: keyArn, rotation: false }])
 * // => [{ controlId: 'KMS.4', resource: keyArn, status: 'FAILED', passWith: 'trailKey=create' }]
 */
export function securityHubControls(resources: readonly ResourceEndState[]): ControlForecast[] {
  return resources.flatMap((resource) =>
    CONTROLS.filter(
      (c) =>
        c.appliesTo === resource.kind &&
        !(
          c.logBucketOnly === true &&
          resource.kind === 'bucket' &&
          resource.purpose !== 'trail-logs'
        ),
    ).map((control) => {
      // Filtered to the controls on this kind of resource just above.
      const judge = control.judge as (r: ResourceEndState) => Judgement;
      const { passed, passWith, note, noFinding } = judge(resource);
      const reported =
        control.logBucketOnly === true && resource.kind === 'bucket' && resource.trailArn
          ? resource.trailArn
          : resource.arn;
      return {
        controlId: control.controlId,
        resource: reported,
        status: noFinding === true ? 'NO_FINDING' : passed ? 'PASSED' : 'FAILED',
        ...(passed || passWith === undefined ? {} : { passWith }),
        ...(passed || note === undefined ? {} : { note }),
      } satisfies ControlForecast;
    }),
  );
}
