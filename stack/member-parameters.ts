// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are CloudFormation Fn::Sub variables.
import {
  CfnCondition,
  CfnMapping,
  CfnParameter,
  CfnRule,
  Fn,
  type ICfnConditionExpression,
  type Stack,
} from 'aws-cdk-lib';
import { defaultBucketName } from '../remediation/input';
import type { DeploymentOptions } from './options';
import { type CfnValue, EC2_HERE, type TemplateOptions } from './template-options';
import {
  hasValueCondition,
  inputParametersFromTemplate,
  isSetExpression,
  isTrueExpression,
  OPTIONAL_OPTIONS,
  optionalFromTemplate,
  optionValues,
  parameterDeclaration,
  parameterName,
  RETRY_WINDOW_MAPPING,
  retryWindowMapping,
  ruleParametersJsonPattern,
  switchCondition,
  switchFromTemplate,
  TEMPLATE_PARAMETER_OPTIONS,
  type TemplateParameterOption,
} from './template-parameters';

/**
 * Declares every deployment option as a parameter of the member template
 * (defaulting to the given options' values) with the conditions they
 * decide, and returns the options as references to them. A rule in the
 * template refuses a BucketName that differs from S3BucketName, as the
 * stack's option parser does.
 */
export function memberTemplateOptions(stack: Stack, options: DeploymentOptions): TemplateOptions {
  const values = optionValues(options);
  const parameters = {} as Record<TemplateParameterOption, CfnParameter>;
  for (const option of TEMPLATE_PARAMETER_OPTIONS) {
    const { Type, Default, Description, ...constraints } = parameterDeclaration(
      option,
      values[option],
    );
    parameters[option] = new CfnParameter(stack, parameterName(option), {
      type: Type,
      default: Default,
      description: Description,
      allowedValues: constraints.AllowedValues,
      allowedPattern: constraints.AllowedPattern,
      constraintDescription: constraints.ConstraintDescription,
      minValue: constraints.MinValue,
      maxValue: constraints.MaxValue,
    });
  }
  new CfnMapping(stack, RETRY_WINDOW_MAPPING, { mapping: retryWindowMapping(options) });
  for (const option of OPTIONAL_OPTIONS) {
    // SubnetIds decides the VPC for both; the template rule keeps the two set together.
    if (option === 'securityGroupIds') continue;
    condition(stack, hasValueCondition(option), isSetExpression(option));
  }
  condition(
    stack,
    switchCondition('triggerOnTrailChange'),
    isTrueExpression('triggerOnTrailChange'),
  );
  new CfnRule(stack, 'BucketNameIsS3BucketName', {
    ruleCondition: Fn.conditionAnd(
      Fn.conditionNot(Fn.conditionEquals(parameters.bucketName.valueAsString, '')),
      Fn.conditionNot(Fn.conditionEquals(parameters.s3BucketName.valueAsString, '')),
    ),
    assertions: [
      {
        assert: Fn.conditionEquals(
          parameters.bucketName.valueAsString,
          parameters.s3BucketName.valueAsString,
        ),
        assertDescription:
          'BucketName and S3BucketName differ: a trail the remediation creates in BucketName would still fail the rule. Set only S3BucketName (the remediation then uses it), or give both the same value.',
      },
    ],
  });
  const empty = (parameter: CfnParameter) => Fn.conditionEquals(parameter.valueAsString, '');
  new CfnRule(stack, 'SubnetIdsWithSecurityGroupIds', {
    assertions: [
      {
        assert: Fn.conditionOr(
          Fn.conditionAnd(empty(parameters.subnetIds), empty(parameters.securityGroupIds)),
          Fn.conditionAnd(
            Fn.conditionNot(empty(parameters.subnetIds)),
            Fn.conditionNot(empty(parameters.securityGroupIds)),
          ),
        ),
        assertDescription:
          'SubnetIds and SecurityGroupIds go together: a function in a VPC needs both. Set both, or neither to keep the functions outside any VPC.',
      },
    ],
  });

  const bucketArn = (bucket: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` });
  return {
    ruleName: parameters.ruleName.valueAsString,
    maximumExecutionFrequency: ref(parameters.maximumExecutionFrequency),
    triggerOnTrailChange: switchFromTemplate('triggerOnTrailChange'),
    inputParameters: inputParametersFromTemplate(),
    ruleParametersJson: Fn.sub(ruleParametersJsonPattern()),
    // A Boolean property takes the parameter's "true" or "false" as it is.
    automaticRemediation: ref(parameters.automaticRemediation),
    maximumAutomaticAttempts: ref(parameters.maximumAutomaticAttempts),
    retryAttemptSeconds: {
      'Fn::FindInMap': [RETRY_WINDOW_MAPPING, ref(parameters.maximumAutomaticAttempts), 'Seconds'],
    },
    remediationStatics: {
      TrailName: optionalFromTemplate('trailName'),
      BucketName: optionalFromTemplate('bucketName'),
      KmsKeyId: optionalFromTemplate('kmsKeyId'),
    },
    bucketResource: () => ({
      'Fn::If': [
        hasValueCondition('bucketName'),
        bucketArn(`\${${parameterName('bucketName')}}`),
        {
          'Fn::If': [
            hasValueCondition('s3BucketName'),
            bucketArn(`\${${parameterName('s3BucketName')}}`),
            bucketArn(defaultBucketName('${AWS::AccountId}', '${AWS::Region}')),
          ],
        },
      ],
    }),
    keyResource: () => keysOfKeyAccountAndRegion(),
    grantKeyPolicy: { condition: hasValueCondition('kmsKeyId') },
    configuredKmsKeyId: parameters.kmsKeyId.valueAsString,
    functions: {
      logGroupKmsKeyArn: optionalFromTemplate('logGroupKmsKeyArn'),
      vpcConfig: (waitFor) => {
        const subnetIds = { Ref: parameterName('subnetIds') };
        return {
          when: hasValueCondition('subnetIds'),
          value: {
            // The first of [the subnet IDs, what to wait for] is the subnet IDs.
            SubnetIds: {
              'Fn::Split': [
                ',',
                waitFor === undefined ? subnetIds : { 'Fn::Select': [0, [subnetIds, waitFor]] },
              ],
            },
            SecurityGroupIds: { 'Fn::Split': [',', { Ref: parameterName('securityGroupIds') }] },
          },
        };
      },
      inVpc: { condition: hasValueCondition('subnetIds') },
      // Template conditions cannot turn a list of IDs into ARNs: any subnet and
      // security group of this account and Region.
      vpcResources: (cfn) => [
        cfn.sub(`${EC2_HERE}:subnet/*`),
        cfn.sub(`${EC2_HERE}:security-group/*`),
      ],
      alarmTopicArn: optionalFromTemplate('alarmTopicArn'),
    },
  };
}

/** A condition whose expression is written as plain template data (shared with the conformance pack). */
function condition(stack: Stack, id: string, expression: CfnValue): void {
  const written: ICfnConditionExpression = {
    creationStack: [],
    resolve: () => expression,
    toString: () => JSON.stringify(expression),
  };
  new CfnCondition(stack, id, { expression: written });
}

function ref(parameter: CfnParameter): CfnValue {
  return { Ref: parameter.logicalId };
}

/**
 * The key statement's resource in the member template: any key of the
 * account and Region the KmsKeyId parameter's ARN names, or of this account
 * and Region when it is an alias name, a key ID or empty. A template cannot
 * tell those forms apart with conditions (they take no string functions), so
 * the ARN's fields are read with `Fn::Split` on a value padded with this
 * account and Region: `arn:aws:kms:eu-west-1:111122223333:alias/x` gives
 * eu-west-1 and 111122223333; `alias/x` gives this Region and account.
 */
function keysOfKeyAccountAndRegion(): CfnValue {
  const fields = {
    'Fn::Split': [
      ':',
      {
        'Fn::Join': [
          ':',
          [
            { Ref: parameterName('kmsKeyId') },
            'aws',
            'kms',
            { Ref: 'AWS::Region' },
            { Ref: 'AWS::AccountId' },
          ],
        ],
      },
    ],
  };
  return {
    'Fn::Sub': [
      'arn:${AWS::Partition}:kms:${KeyRegion}:${KeyAccount}:key/*',
      {
        KeyRegion: { 'Fn::Select': [3, fields] },
        KeyAccount: { 'Fn::Select': [4, fields] },
      },
    ],
  };
}
