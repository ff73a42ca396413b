import { join } from 'node:path';
import {
  Aws,
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
  type FunctionSettings,
  type Intrinsics,
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
} from './definitions';
import { memberTemplateOptions } from './member-parameters';
import { resourceNames } from './names';
import type { DeploymentOptions } from './options';
import { literalTemplateOptions } from './template-options';

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
 * One account and Region's deployment of the CloudTrail.1 rule (DESIGN §6):
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
    );
    const remediationPart = this.function(
      variant,
      'Remediation',
      remediationFunctionSettings(values),
      names.remediationRoleNamePattern,
      (cfn) => remediationFunctionStatements(values, cfn),
    );
    this.ruleFunction = rulePart.fn;
    this.remediationFunction = remediationPart.fn;

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
  ): { fn: lambda.Function; logGroup: logs.LogGroup } {
    const logGroup = new logs.LogGroup(this, `${id}FunctionLogs`, {
      retention: LOG_RETENTION_DAYS as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
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
    return { fn, logGroup };
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
  return new iam.PolicyDocument({
    statements: statements.map((s) =>
      // An intrinsic resource (a member template's Fn::If) enters the CDK as a token.
      iam.PolicyStatement.fromJson({
        ...s,
        Resource: typeof s.Resource === 'string' ? s.Resource : Token.asString(s.Resource),
      }),
    ),
  });
}

/**
 * Acknowledges cdk-nag's wildcard finding (AwsSolutions-IAM5) for each
 * statement whose resource has a `*`, with the reason that statement gives.
 */
function acknowledgeWildcards(role: iam.Role, statements: PolicyStatementJson[]): void {
  for (const statement of statements) {
    const resource = nagResource(statement.Resource);
    if (!resource.includes('*')) continue;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason: WILDCARD_REASONS[statement.Sid] ?? missingReason(statement.Sid),
    });
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
  CheckOrGrantNewTrailKey:
    'No KMS key ARN is configured (none, or an alias: KMS authorizes key actions on key ARNs, never on aliases), and a person may pass KmsKeyId when running the document; the ARN is limited to keys of one account in one Region, and the code only merges the CloudTrail statement into a key policy, never removes one.',
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
