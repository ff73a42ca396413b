import { Aws, type CfnResource, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeUnlessSet } from './monitored-function';
import { resourceNames } from './names';
import { ResourceGroup } from './resource-group';
import {
  type CreatedTrailResources,
  type DeploymentSettings,
  includeWhen,
  optionalProperty,
  orElse,
  type Switch,
  trailLogGroupArn,
  trailLogGroupName,
  whenOn,
} from './settings';
import {
  acknowledgeWildcards,
  CLOUDTRAIL_PRINCIPAL,
  trailKeyStatements,
  trailLogGroupKeyStatement,
  trailLogsStatements,
  trailLogsTrustConditions,
} from './statements';
import { acknowledgeParameterValue } from './validation';

export interface TrailResourcesProps {
  settings: DeploymentSettings;
}

/**
 * What the deployment creates for the trails the remediation creates or
 * hardens, each only when its option asks: the KMS key their log files are
 * encrypted with (`trailKey=create`), with its alias; and the CloudWatch
 * Logs log group their events also go to, with the role CloudTrail assumes
 * to write there (`cloudWatchLogs`). The key and the log group are kept
 * when the stack is deleted: the trails go on using them, and the logs are
 * evidence.
 */
export class TrailResources extends ResourceGroup {
  readonly key?: kms.CfnKey;
  readonly logGroup?: logs.LogGroup;
  readonly role?: iam.Role;

  constructor(scope: Construct, id: string, props: TrailResourcesProps) {
    super(scope, id);
    const { settings } = props;
    const trail = settings.trailResources;
    const names = resourceNames(settings.ruleName);
    const suffix = settings.logBucketSuffix;

    if (trail.key !== false) {
      this.key = new kms.CfnKey(this, 'TrailEncryptionKey', {
        description: `Encrypts the log files of the trails that the remediation of AWS Config rule ${names.ruleName} creates (Security Hub CloudTrail.2).`,
        enableKeyRotation: true,
        keyPolicy: {
          Version: '2012-10-17',
          Statement: [
            ...trailKeyStatements(trail.newTrailName),
            ...includeWhen(
              trail.logGroupUsesTrailKey,
              [trailLogGroupKeyStatement(trailLogGroupArn(suffix))],
              (statement) => statement,
            ),
          ],
        },
      });
      this.key.applyRemovalPolicy(RemovalPolicy.RETAIN);
      onlyWhen(this.key, trail.key);
      const alias = new kms.CfnAlias(this, 'TrailEncryptionKeyAlias', {
        aliasName: names.trailKeyAliasName,
        targetKeyId: this.key.attrArn,
      });
      onlyWhen(alias, trail.key);
    }

    if (trail.cloudWatchLogs !== false) {
      this.logGroup = new logs.LogGroup(this, 'TrailLogGroup', {
        logGroupName: trailLogGroupName(suffix),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const cfnLogGroup = this.logGroup.node.defaultChild as logs.CfnLogGroup;
      cfnLogGroup.retentionInDays = trail.logRetentionDays;
      if (Token.isUnresolved(trail.logRetentionDays)) {
        acknowledgeParameterValue(cfnLogGroup, 'cloudWatchLogsRetentionDays');
      }
      // The log groups' key when one is given, else the trails' key when the deployment creates it.
      const key = orElse(
        trail.logGroupKmsKeyArn,
        this.key === undefined ? undefined : whenOn(trail.key, this.key.attrArn),
      );
      const kmsKeyId = optionalProperty(key, (arn) => arn);
      if (kmsKeyId !== undefined) cfnLogGroup.kmsKeyId = Token.asString(kmsKeyId);
      acknowledgeUnlessSet(this.logGroup, 'logGroupKmsKeyArn', key);
      onlyWhen(cfnLogGroup, trail.cloudWatchLogs);

      // By the log group's name (a Ref): the role waits for the log group, and the ARN reads plainly.
      const statements = trailLogsStatements(
        `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${this.logGroup.logGroupName}:log-stream:*`,
      );
      this.role = new iam.Role(this, 'TrailLogsRole', {
        roleName: settings.roleNames.trailLogs,
        description: `Assumed by CloudTrail to write the events of this account's trails in this Region to the log group of ${names.ruleName}.`,
        assumedBy: new iam.ServicePrincipal(CLOUDTRAIL_PRINCIPAL).withConditions(
          trailLogsTrustConditions(),
        ),
        inlinePolicies: {
          WriteTrailEvents: new iam.PolicyDocument({ statements }),
        },
      });
      acknowledgeWildcards(this.role, statements);
      onlyWhen(this.role.node.defaultChild as CfnResource, trail.cloudWatchLogs);
    }
  }

  /** The ARNs the remediation is given. */
  get arns(): CreatedTrailResources {
    return {
      keyArn: this.key?.attrArn,
      logGroupArn: this.logGroup?.logGroupArn,
      roleArn: this.role?.roleArn,
    };
  }
}

/** A resource created only when a template condition holds (or always, when the switch is on). */
function onlyWhen(resource: CfnResource, on: Switch): void {
  if (typeof on !== 'boolean') resource.cfnOptions.condition = on;
}
