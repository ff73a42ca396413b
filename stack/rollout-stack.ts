import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aws, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import { DEPLOYMENT_OPTION_SCHEMA, ROLLOUT_OPTION_SCHEMA } from './option-schema';
import type { DeploymentOptions } from './options';
import { OU_OR_ROOT, ROLLOUT_OPTIONS, type RolloutOptions } from './rollout-options';
import { acknowledgeWildcards, aggregatorStatements } from './statements';
import { optionValues, parameterName, TEMPLATE_PARAMETER_OPTIONS } from './template-parameters';

/** The CloudFormation parameter that takes the target OUs when no context option gives them. */
export const OU_PARAMETER = 'OrganizationalUnitIds';
/**
 * The CloudFormation parameter that takes the alarm topic when no context
 * option gives it: every account's alarms must notify someone, so the
 * rollout is not deployed without one.
 */
export const ALARM_TOPIC_PARAMETER = 'AlarmTopicArn';

/**
 * The member template's parameter values every stack instance gets: each
 * option that is set, explicitly, so that the StackSet shows what every
 * account runs with (an unset option keeps the template's empty default).
 * The retry window is no parameter: the template derives it from the attempts.
 */
export function stackSetParameters(
  options: DeploymentOptions,
): { parameterKey: string; parameterValue: string }[] {
  const values = optionValues(options);
  return TEMPLATE_PARAMETER_OPTIONS.filter((name) => values[name] !== '').map((name) => ({
    parameterKey: parameterName(name),
    parameterValue: values[name],
  }));
}

/**
 * The alarm topic for the stack instances of one Region: the given topic's
 * ARN with that Region in it, so that a central topic of the same name and
 * account in each Region hears its own Region's alarms.
 */
function topicInRegion(
  parameter: { parameterKey: string; parameterValue: string }[],
  literal: string | undefined,
  region: string,
): { parameterKey: string; parameterValue: string }[] | undefined {
  const arn = literal ?? parameter[0]?.parameterValue;
  if (arn === undefined) return undefined;
  const fields = Fn.split(':', arn, 6);
  return [
    {
      parameterKey: parameterName('alarmTopicArn'),
      parameterValue: Fn.join(':', [
        'arn',
        Fn.select(1, fields),
        'sns',
        region,
        Fn.select(4, fields),
        Fn.select(5, fields),
      ]),
    },
  ];
}

export interface RolloutStackProps extends StackProps {
  /** The rule's options: passed to every stack instance as parameter values. */
  options: DeploymentOptions;
  rollout: RolloutOptions;
  /** The member template, as `npm run synth:member` writes it. */
  memberTemplate: string;
}

/**
 * The organization rollout, deployed once with `cdk deploy` in the StackSets
 * delegated administrator account (or the management account with `callAs`
 * SELF): a service-managed StackSet of the member template, deployed to
 * every account of the target OUs in the target Regions, and to each account
 * that joins them later; optionally an organization-wide AWS Config
 * aggregator, so every account's verdict is seen in one place.
 */
export class CloudTrailRuleRolloutStack extends Stack {
  readonly stackSet: cloudformation.CfnStackSet;
  readonly aggregator?: config.CfnConfigurationAggregator;

  constructor(scope: Construct, id: string, props: RolloutStackProps) {
    super(scope, id, { analyticsReporting: false, ...props });
    const { rollout } = props;

    // StackSets read a template over 51,200 bytes from S3: the member template is a file asset
    // of this (bootstrapped) account; member accounts never see the bucket.
    const template = this.memberTemplateAsset(props.memberTemplate);
    const organizationalUnitIds =
      rollout.organizationalUnitIds ??
      new CfnParameter(this, OU_PARAMETER, {
        type: 'CommaDelimitedList',
        // Checked for each item of the list.
        allowedPattern: OU_OR_ROOT.source,
        constraintDescription: `must be ${ROLLOUT_OPTIONS.organizationalUnitIds.accepts}.`,
        description: ROLLOUT_OPTION_SCHEMA.organizationalUnitIds.parameter.description,
      }).valueAsList;

    const topic = this.alarmTopic(props.options);
    this.stackSet = new cloudformation.CfnStackSet(this, 'StackSet', {
      stackSetName: rollout.stackSetName,
      description: `AWS Config rule ${props.options.ruleName} (Security Hub CloudTrail.1) and its remediation, in every account of the target OUs.`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: rollout.callAs,
      autoDeployment: {
        enabled: true,
        retainStacksOnAccountRemoval: rollout.retainStacksOnAccountRemoval,
      },
      // The member template names its roles.
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // Free-form JSON in the L1, so written as CloudFormation spells it.
      managedExecution: { Active: true },
      operationPreferences: {
        failureTolerancePercentage: rollout.failureTolerancePercentage,
        maxConcurrentPercentage: rollout.maxConcurrentPercentage,
        regionConcurrencyType: rollout.regionConcurrencyType,
        concurrencyMode: rollout.concurrencyMode,
      },
      parameters: [...stackSetParameters(props.options), ...topic],
      stackInstancesGroup:
        rollout.regions === undefined
          ? [
              {
                deploymentTargets: { organizationalUnitIds },
                // One home Region by default: every Region's verdict is the same
                // (docs/organization-rollout.md, "One home Region is enough").
                regions: [Aws.REGION],
              },
            ]
          : rollout.regions.map((region) => ({
              deploymentTargets: { organizationalUnitIds },
              regions: [region],
              // An alarm notifies a topic of its own Region: the topic of that name there.
              parameterOverrides: topicInRegion(topic, props.options.alarmTopicArn, region),
            })),
      templateUrl: template.httpUrl,
    });

    new CfnOutput(this, 'StackSetName', {
      value: rollout.stackSetName,
      description: 'The StackSet that deploys the rule to the organization',
    });
    new CfnOutput(this, 'StackSetId', {
      value: this.stackSet.attrStackSetId,
      description: 'Its ID',
    });
    if (rollout.organizationAggregator) {
      this.aggregator = this.organizationAggregator(`${rollout.stackSetName}-organization`);
    }
  }

  /**
   * The alarm topic as a stack instance parameter, when no context option
   * gave it: a parameter of this stack with no default, so CloudFormation
   * refuses to deploy the rollout until one is given.
   */
  private alarmTopic(
    options: DeploymentOptions,
  ): { parameterKey: string; parameterValue: string }[] {
    if (options.alarmTopicArn !== undefined) return [];
    const entry = DEPLOYMENT_OPTION_SCHEMA.alarmTopicArn;
    const topic = new CfnParameter(this, ALARM_TOPIC_PARAMETER, {
      type: 'String',
      allowedPattern: entry.pattern,
      constraintDescription: `must be ${entry.accepts}.`,
      description:
        "The SNS topic, in the StackSet's Region, that every account's alarms notify: a central topic whose policy lets CloudWatch publish from the organization's accounts.",
    });
    return [{ parameterKey: parameterName('alarmTopicArn'), parameterValue: topic.valueAsString }];
  }

  private memberTemplateAsset(text: string): Asset {
    const dir = mkdtempSync(join(tmpdir(), 'cloudtrail1-rollout-'));
    try {
      const path = join(dir, 'member.template.json');
      writeFileSync(path, text);
      // The asset is staged (copied into the cloud assembly) here, so the file can go.
      return new Asset(this, 'MemberTemplate', { path });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * An AWS Config aggregator of every account and Region of the
   * organization. AWS Config accepts it only in the management account or a
   * Config delegated administrator (docs/organization-rollout.md).
   */
  private organizationAggregator(name: string): config.CfnConfigurationAggregator {
    const role = new iam.Role(this, 'AggregatorRole', {
      description: `Lets AWS Config list the organization's accounts for the ${name} aggregator.`,
      // Only AWS Config acting for this account: no other account's aggregator can use it.
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      }),
      inlinePolicies: {
        ReadOrganization: new iam.PolicyDocument({ statements: aggregatorStatements() }),
      },
    });
    acknowledgeWildcards(role, aggregatorStatements());
    const aggregator = new config.CfnConfigurationAggregator(this, 'OrganizationAggregator', {
      configurationAggregatorName: name,
      organizationAggregationSource: { roleArn: role.roleArn, allAwsRegions: true },
    });
    new CfnOutput(this, 'AggregatorName', {
      value: name,
      description: "The AWS Config aggregator that shows every account's verdict",
    });
    return aggregator;
  }
}
