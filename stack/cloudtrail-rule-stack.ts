import { join } from 'node:path';
import {
  Aws,
  type CfnCondition,
  CfnOutput,
  CfnResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
  Tokenization,
  Validations,
} from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { assertLocalEsbuild, assetBundling, inlineBundle, PROJECT_ROOT } from './bundle';
import {
  AUTOMATION_PRINCIPAL,
  automationRoleStatements,
  automationTrustConditions,
  configInvokePermissionProperties,
  configRuleProperties,
  documentProperties,
  errorAlarmProperties,
  type FunctionSettings,
  type Intrinsics,
  keyPolicyStatements,
  LAMBDA_ARCHITECTURE,
  LAMBDA_RUNTIME,
  LOG_RETENTION_DAYS,
  logsStatement,
  type PolicyStatementJson,
  remediationConfigurationProperties,
  remediationFunctionSettings,
  remediationFunctionStatements,
  ruleFunctionSettings,
  ruleFunctionStatements,
  TEMPLATE_INTRINSICS,
  vpcStatements,
} from './definitions';
import { memberTemplateOptions } from './member-parameters';
import { resourceNames } from './names';
import type { DeploymentOptions } from './options';
import {
  type CfnValue,
  type FunctionPlacement,
  literalTemplateOptions,
  type OptionalValue,
  optionalProperty,
  type Switch,
} from './template-options';
import { acknowledgeUnsetOption, type GuardOption } from './validation';

/**
 * `Fn::Sub` of a pattern that may hold CDK tokens (the member template's
 * rule name is a parameter reference): each token becomes a variable of the
 * `Fn::Sub`, since CloudFormation takes no function inside its pattern.
 */
function sub(pattern: string): string {
  const fragments = Tokenization.reverseString(pattern);
  if (fragments.tokens.length === 0) return Fn.sub(pattern);
  const variables: Record<string, string> = {};
  const body = fragments
    .mapTokens({
      mapToken: (token) => {
        const name = `Value${Object.keys(variables).length}`;
        variables[name] = Token.asString(token);
        return `\${${name}}`;
      },
    })
    .join({ join: (left, right) => `${left}${right}` });
  return Fn.sub(body, variables);
}

/** Intrinsics as CDK tokens: the template gets the same `Fn::Sub`/`Ref` a plain template has. */
const CDK_INTRINSICS: Intrinsics = { sub, accountId: Aws.ACCOUNT_ID };

/**
 * Where the stack is deployed from. `account`: `cdk deploy` into a
 * bootstrapped account, options as literal values, functions as CDK assets
 * with the AWS SDK inside. `member`: a self-contained template for
 * StackSets, options as CloudFormation parameters, functions inline.
 */
export type StackVariant = 'account' | 'member';

export interface CloudTrailRuleStackProps extends StackProps {
  options: DeploymentOptions;
  /** Default `account`. */
  variant?: StackVariant;
}

/**
 * One account and Region's deployment of the CloudTrail.1 rule (docs/design.md, "Deployment"):
 * the rule function and its Config rule, the remediation function, its SSM
 * document, the automation role, and the remediation configuration. Every
 * property comes from `definitions.ts`; this class only wires them together.
 */
export class CloudTrailRuleStack extends Stack {
  readonly ruleFunction: lambda.IFunction;
  readonly remediationFunction: lambda.IFunction;
  readonly automationRole: iam.IRole;
  readonly rule: CfnResource;
  readonly document: ssm.CfnDocument;
  readonly remediation: config.CfnRemediationConfiguration;

  constructor(scope: Construct, id: string, props: CloudTrailRuleStackProps) {
    // No AWS::CDK::Metadata resource: the template holds exactly the deployment.
    super(scope, id, { analyticsReporting: false, ...props });
    const variant = props.variant ?? 'account';
    const values =
      variant === 'member'
        ? memberTemplateOptions(this, props.options)
        : literalTemplateOptions(props.options);
    const names = resourceNames(values.ruleName);
    const rulePart = this.function(
      variant,
      'Rule',
      ruleFunctionSettings(names),
      names.ruleRoleNamePattern,
      ruleFunctionStatements,
      values.functions,
    );
    const remediationPart = this.function(
      variant,
      'Remediation',
      remediationFunctionSettings(values),
      names.remediationRoleNamePattern,
      (cfn) => remediationFunctionStatements(values, cfn),
      values.functions,
    );
    this.ruleFunction = rulePart.fn;
    this.remediationFunction = remediationPart.fn;
    this.grantWhen(
      values.grantKeyPolicy,
      'RemediationFunctionKeyPolicyGrant',
      remediationPart.fn.role as iam.Role,
      (cfn) => keyPolicyStatements(values, cfn),
    );

    const invoke = new CfnResource(this, 'ConfigInvokesRuleFunction', {
      type: 'AWS::Lambda::Permission',
      properties: configInvokePermissionProperties(rulePart.fn.functionArn, CDK_INTRINSICS),
    });

    this.rule = new CfnResource(this, 'ConfigRule', {
      type: 'AWS::Config::ConfigRule',
      properties: configRuleProperties(values, {
        ruleFunctionArn: rulePart.fn.functionArn,
        inputParameters: values.inputParameters,
      }),
    });
    // Config checks that it may invoke the function when the rule is created.
    this.rule.node.addDependency(invoke);

    this.document = new ssm.CfnDocument(
      this,
      'RemediationDocument',
      l1Props<ssm.CfnDocumentProps>(documentProperties(values)),
    );

    const automationRole = new iam.Role(this, 'AutomationRole', {
      roleName: sub(names.automationRoleNamePattern),
      description: `Assumed by SSM Automation to run ${names.documentName}: invokes the remediation function and re-evaluates ${names.ruleName}.`,
      assumedBy: new iam.ServicePrincipal(AUTOMATION_PRINCIPAL).withConditions(
        automationTrustConditions(CDK_INTRINSICS),
      ),
      inlinePolicies: {
        Remediate: policyDocument(
          automationRoleStatements({
            remediationFunctionArn: remediationPart.fn.functionArn,
            ruleArn: this.rule.getAtt('Arn').toString(),
          }),
        ),
      },
    });
    this.automationRole = automationRole;

    this.remediation = new config.CfnRemediationConfiguration(
      this,
      'RemediationConfiguration',
      l1Props<config.CfnRemediationConfigurationProps>(
        remediationConfigurationProperties(values, { automationRoleArn: automationRole.roleArn }),
      ),
    );
    this.remediation.node.addDependency(this.rule);
    this.remediation.node.addDependency(this.document);

    this.outputs({
      ConfigRuleName: [this.rule.ref, 'The AWS Config rule'],
      RuleFunctionArn: [rulePart.fn.functionArn, "The rule's Lambda function"],
      RemediationFunctionArn: [remediationPart.fn.functionArn, "The remediation's Lambda function"],
      RemediationDocumentName: [
        this.document.ref,
        'The SSM Automation document the remediation runs',
      ],
      AutomationRoleArn: [automationRole.roleArn, 'The role SSM Automation assumes to remediate'],
      RuleLogGroupName: [rulePart.logGroup.logGroupName, "The rule function's logs"],
      RemediationLogGroupName: [
        remediationPart.logGroup.logGroupName,
        "The remediation function's logs",
      ],
    });
  }

  /**
   * A function with its own role, holding exactly the given statements plus
   * writing its own log group. For `cdk deploy`, bundled by local esbuild
   * (never Docker) into an asset: minified, with source maps, the AWS SDK
   * inside at the lock file's versions. In the member template, the same
   * bundle inline, with the runtime's AWS SDK.
   */
  private function(
    variant: StackVariant,
    id: 'Rule' | 'Remediation',
    settings: FunctionSettings,
    roleNamePattern: string,
    statements: (cfn: Intrinsics) => PolicyStatementJson[],
    placement: FunctionPlacement,
  ): { fn: lambda.Function; logGroup: logs.LogGroup } {
    const logGroup = new logs.LogGroup(this, `${id}FunctionLogs`, {
      retention: LOG_RETENTION_DAYS as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    setOptional(logGroup, 'KmsKeyId', placement.logGroupKmsKeyArn);
    acknowledgeUnlessSet(logGroup, 'logGroupKmsKeyArn', placement.logGroupKmsKeyArn);
    const role = new iam.Role(this, `${id}FunctionRole`, {
      roleName: sub(roleNamePattern),
      description: `Execution role of ${settings.functionName}.`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        [id]: policyDocument([...statements(CDK_INTRINSICS), logsStatement(logGroup.logGroupArn)]),
      },
    });
    acknowledgeWildcards(role, statements(TEMPLATE_INTRINSICS));

    const common = {
      functionName: settings.functionName,
      description: settings.description,
      handler: 'index.handler',
      runtime: runtime(),
      architecture: ARCHITECTURES[LAMBDA_ARCHITECTURE],
      memorySize: settings.memorySize,
      timeout: Duration.seconds(settings.timeoutSeconds),
      role,
      logGroup,
    };
    if (variant === 'member') {
      const fn = new lambda.Function(this, `${id}Function`, {
        ...common,
        code: lambda.Code.fromInline(inlineBundle(settings.entry)),
        environment: settings.environment,
      });
      this.placeFunction(id, fn, role, settings, placement);
      return { fn, logGroup };
    }
    assertLocalEsbuild();
    const fn = new NodejsFunction(this, `${id}Function`, {
      ...common,
      entry: join(PROJECT_ROOT, settings.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        ...settings.environment,
        // Stack traces in the logs point at the TypeScript sources.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: assetBundling(),
    });
    this.placeFunction(id, fn, role, settings, placement);
    return { fn, logGroup };
  }

  /**
   * The function's VPC, when one is given, with the policy that lets Lambda
   * attach it, and the alarm on its errors. Lambda checks that policy when
   * it creates the function, so the function waits for it: by `DependsOn`
   * when the VPC is certain; in the member template, where a condition
   * decides, by a reference inside the VPC settings, because a resource
   * that depends on one whose condition is false is not created either.
   */
  private placeFunction(
    id: string,
    fn: lambda.Function,
    role: iam.Role,
    settings: FunctionSettings,
    placement: FunctionPlacement,
  ): void {
    const policy = this.grantWhen(placement.inVpc, `${id}FunctionVpcAccess`, role, (cfn) =>
      vpcStatements(placement.vpcResources(cfn), cfn),
    );
    if (policy !== undefined && placement.inVpc === true) fn.node.addDependency(policy);
    const waitFor =
      policy !== undefined && placement.inVpc !== true
        ? { Ref: this.getLogicalId(policy.node.defaultChild as iam.CfnPolicy) }
        : undefined;
    setOptional(fn, 'VpcConfig', placement.vpcConfig(waitFor));
    acknowledgeUnlessSet(fn, 'subnetIds', placement.vpcConfig());
    const alarm = new CfnResource(this, `${id}FunctionErrorsAlarm`, {
      type: 'AWS::CloudWatch::Alarm',
      properties: errorAlarmProperties(settings, placement.alarmTopicArn),
    });
    alarm.node.addDependency(fn);
    acknowledgeUnlessSet(alarm, 'alarmTopicArn', placement.alarmTopicArn);
  }

  /**
   * A policy of its own for statements a role needs only in some
   * deployments: attached always, never, or (in the member template) when a
   * template condition holds.
   */
  private grantWhen(
    when: Switch,
    id: string,
    role: iam.Role,
    statements: (cfn: Intrinsics) => PolicyStatementJson[],
  ): iam.Policy | undefined {
    if (when === false) return undefined;
    const policy = new iam.Policy(this, id, {
      document: policyDocument(statements(CDK_INTRINSICS)),
      roles: [role],
    });
    acknowledgeWildcards(policy, statements(TEMPLATE_INTRINSICS));
    if (when !== true) {
      (policy.node.defaultChild as iam.CfnPolicy).cfnOptions.condition = this.node.findChild(
        when.condition,
      ) as CfnCondition;
    }
    return policy;
  }

  private outputs(values: Record<string, [string, string]>): void {
    for (const [id, [value, description]] of Object.entries(values)) {
      new CfnOutput(this, id, { value, description });
    }
  }
}

const ARCHITECTURES = {
  arm64: lambda.Architecture.ARM_64,
  x86_64: lambda.Architecture.X86_64,
} as const;

function runtime(): lambda.Runtime {
  const found = lambda.Runtime.ALL.find((r) => r.name === LAMBDA_RUNTIME);
  if (found === undefined)
    throw new Error(`aws-cdk-lib does not know the runtime ${LAMBDA_RUNTIME}`);
  return found;
}

function policyDocument(statements: PolicyStatementJson[]): iam.PolicyDocument {
  // An intrinsic resource (a member template's Fn::If) enters the CDK as a token.
  const resource = (r: CfnValue) => (typeof r === 'string' ? r : Token.asString(r));
  return new iam.PolicyDocument({
    statements: statements.map((s) =>
      iam.PolicyStatement.fromJson({
        ...s,
        Resource: Array.isArray(s.Resource) ? s.Resource.map(resource) : resource(s.Resource),
      }),
    ),
  });
}

/**
 * Acknowledges the Control Tower finding that an option's absence leaves on
 * a resource: when it is not set, or when a template parameter decides it.
 */
function acknowledgeUnlessSet(scope: Construct, option: GuardOption, value: OptionalValue): void {
  if (value === undefined) acknowledgeUnsetOption(scope, option, 'unset');
  else if (typeof value === 'object' && 'when' in value) {
    acknowledgeUnsetOption(scope, option, 'parameter');
  }
}

/** Sets an optional CloudFormation property of a construct's resource: left out, always, or by a condition. */
function setOptional(construct: Construct, property: string, value: OptionalValue): void {
  const written = optionalProperty(value, (v) => v);
  if (written === undefined) return;
  (construct.node.defaultChild as CfnResource).addPropertyOverride(property, written);
}

/**
 * Acknowledges cdk-nag's wildcard finding (AwsSolutions-IAM5) for each
 * statement whose resource has a `*`, with the reason that statement gives.
 */
function acknowledgeWildcards(
  scope: iam.Role | iam.Policy,
  statements: PolicyStatementJson[],
): void {
  for (const statement of statements) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources.map(nagResource)) {
      if (!resource.includes('*')) continue;
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: WILDCARD_REASONS[statement.Sid] ?? missingReason(statement.Sid),
      });
    }
  }
}

function missingReason(sid: string): never {
  throw new Error(`Statement ${sid} has a wildcard resource but no acknowledged reason`);
}

/**
 * A resource as cdk-nag names it in a finding (its flattenCfnReference):
 * `${X}` of an `Fn::Sub` becomes `<X>`, `Fn::Join` is joined, references are
 * `<Name>` or `<Name.Attribute>`, anything else is its JSON.
 */
export function nagResource(resource: unknown): string {
  if (resource === undefined) return '';
  if (typeof resource === 'string') return resource.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = resource as Record<string, unknown>;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(nagResource).join(join[0]);
  if (node['Fn::Sub'] !== undefined) return nagResource(node['Fn::Sub']);
  const getAtt = node['Fn::GetAtt'] as [unknown, unknown] | undefined;
  if (getAtt !== undefined) return `<${nagResource(getAtt[0])}.${nagResource(getAtt[1])}>`;
  if (node['Fn::ImportValue'] !== undefined) return nagResource(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${nagResource(node.Ref)}>`;
  return JSON.stringify(resource);
}

/** Why each statement's wildcard resource is the narrowest one that works. */
export const WILDCARD_REASONS: Record<string, string> = {
  ListTrailsAndReport:
    'cloudtrail:DescribeTrails and config:PutEvaluations support no resource-level permissions (Service Authorization Reference), so they can only be granted on "*"; the statement holds nothing else.',
  ListTrails:
    'cloudtrail:DescribeTrails supports no resource-level permissions (Service Authorization Reference), so it can only be granted on "*"; the statement holds nothing else.',
  ReadAnyTrail:
    'GetTrailStatus and GetEventSelectors are read-only and called by trail ARN on shadow trails homed in other Regions and on organization trails owned by the management account, neither known at deploy time; the ARN is limited to CloudTrail trails.',
  ChangeOwnTrails:
    "The remediation repairs whichever trail of this account is closest to passing (in its home Region) or creates one named at run time, so the trail is not known at deploy time; the account ID in the ARN keeps writes off every other account's trail, organization trails included.",
  CreateFunctionNetworkInterfaces:
    'Lambda names the network interfaces it creates for the function at run time; the ARN is limited to network interfaces of this account and Region, and the statement to the subnets and security groups given (in the member template, which cannot turn a list of IDs into ARNs, those of this account and Region).',
  ManageFunctionNetworkInterfaces:
    "Lambda names the network interfaces it creates for the function at run time, and the Lambda developer guide warns that DeleteNetworkInterface limited to fewer interfaces can cut the function off from its VPC; the ARN is limited to this account's network interfaces in this Region.",
  DescribeNetwork:
    'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions (Service Authorization Reference), so they can only be granted on "*"; both only read.',
  CheckNewTrailKey:
    'No KMS key ARN is configured (none, or an alias: KMS authorizes key actions on key ARNs, never on aliases), and a person may pass KmsKeyId when running the document; the actions only read a key and its policy, and the ARN is limited to keys of one account in one Region.',
  GrantNewTrailKey:
    'Granted only when kmsKeyId is configured. KMS authorizes key actions on key ARNs, never on aliases, so for an alias (or, in the member template, any KmsKeyId) the ARN is limited to keys of the account and Region the key is in; the code only merges the CloudTrail statement into the key policy, never removes one.',
};

/**
 * CloudFormation properties (as `definitions.ts` gives them, shared with the
 * conformance pack) as the props of the typed L1 class: only the top-level
 * names change case; free-form values such as the document's `Content` and
 * the remediation `Parameters` are passed through as written.
 */
function l1Props<T>(properties: Record<string, unknown>): T {
  return Object.fromEntries(
    Object.entries(properties).map(([name, value]) => [
      name.charAt(0).toLowerCase() + name.slice(1),
      value,
    ]),
  ) as T;
}
