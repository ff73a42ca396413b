import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import {
  Aws,
  CfnOutput,
  CfnResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  AUTOMATION_PRINCIPAL,
  automationRoleStatements,
  automationTrustConditions,
  type CfnValue,
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
import { resourceNames } from './names';
import { type DeploymentOptions, ruleInputParameters } from './options';

/** The project root: entries, the lock file and esbuild are found from here. */
const PROJECT_ROOT = resolve(__dirname, '..');

/**
 * NodejsFunction falls back to bundling in Docker when it cannot find
 * esbuild; this deployment never does: it stops the synth instead.
 */
function assertLocalEsbuild(): void {
  try {
    createRequire(join(PROJECT_ROOT, 'package.json')).resolve('esbuild');
  } catch {
    throw new Error(
      'esbuild is not installed in this project: run "npm ci". The functions are bundled with local esbuild, never in Docker.',
    );
  }
}

/** Intrinsics as CDK tokens: the template gets the same `Fn::Sub`/`Ref` a plain template has. */
const CDK_INTRINSICS: Intrinsics = {
  sub: (pattern) => Fn.sub(pattern),
  accountId: Aws.ACCOUNT_ID,
};

export interface CloudTrailRuleStackProps extends StackProps {
  options: DeploymentOptions;
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
    const { options } = props;
    const names = resourceNames(options.ruleName);
    const rulePart = this.function('Rule', ruleFunctionSettings(names), ruleFunctionStatements);
    const remediationPart = this.function(
      'Remediation',
      remediationFunctionSettings(options),
      (cfn) => remediationFunctionStatements(options, cfn),
    );
    this.ruleFunction = rulePart.fn;
    this.remediationFunction = remediationPart.fn;

    const invoke = new CfnResource(this, 'ConfigInvokesRuleFunction', {
      type: 'AWS::Lambda::Permission',
      properties: configInvokePermissionProperties(rulePart.fn.functionArn, CDK_INTRINSICS),
    });

    this.rule = new CfnResource(this, 'ConfigRule', {
      type: 'AWS::Config::ConfigRule',
      properties: configRuleProperties(options, {
        ruleFunctionArn: rulePart.fn.functionArn,
        inputParameters: ruleInputParameters(options.ruleParameters),
      }),
    });
    // Config checks that it may invoke the function when the rule is created.
    this.rule.node.addDependency(invoke);

    this.document = new ssm.CfnDocument(
      this,
      'RemediationDocument',
      l1Props<ssm.CfnDocumentProps>(documentProperties(options)),
    );

    const automationRole = new iam.Role(this, 'AutomationRole', {
      roleName: Fn.sub(names.automationRoleNamePattern),
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
        remediationConfigurationProperties(options, { automationRoleArn: automationRole.roleArn }),
      ),
    );
    this.remediation.node.addDependency(this.rule);
    this.remediation.node.addDependency(this.document);

    this.outputs({
      RuleName: [this.rule.ref, 'The AWS Config rule'],
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
   * A function bundled by local esbuild (never Docker): minified, with
   * source maps, the AWS SDK inside at the lock file's versions; its own
   * role holding exactly the given statements plus writing its own log group.
   */
  private function(
    id: 'Rule' | 'Remediation',
    settings: FunctionSettings,
    statements: (cfn: Intrinsics) => PolicyStatementJson[],
  ): { fn: lambda.Function; logGroup: logs.LogGroup } {
    const logGroup = new logs.LogGroup(this, `${id}FunctionLogs`, {
      retention: LOG_RETENTION_DAYS as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, `${id}FunctionRole`, {
      description: `Execution role of ${settings.functionName}.`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        [id]: policyDocument([...statements(CDK_INTRINSICS), logsStatement(logGroup.logGroupArn)]),
      },
    });
    acknowledgeWildcards(role, statements(TEMPLATE_INTRINSICS));

    assertLocalEsbuild();
    const fn = new NodejsFunction(this, `${id}Function`, {
      functionName: settings.functionName,
      description: settings.description,
      entry: join(PROJECT_ROOT, settings.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: runtime(),
      architecture: ARCHITECTURES[LAMBDA_ARCHITECTURE],
      memorySize: settings.memorySize,
      timeout: Duration.seconds(settings.timeoutSeconds),
      role,
      logGroup,
      environment: {
        ...settings.environment,
        // Stack traces in the logs point at the TypeScript sources.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        format: OutputFormat.CJS,
        target: 'node24',
        // Bundle the AWS SDK at the versions the lock file pins, instead of the runtime's.
        externalModules: [],
      },
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
    statements: statements.map((s) => iam.PolicyStatement.fromJson(s)),
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

/** A resource as cdk-nag names it in a finding: `${X}` of an `Fn::Sub` becomes `<X>`. */
export function nagResource(resource: CfnValue): string {
  const text =
    typeof resource === 'string'
      ? resource
      : typeof resource['Fn::Sub'] === 'string'
        ? resource['Fn::Sub']
        : JSON.stringify(resource);
  return text.replace(/\$\{/g, '<').replace(/\}/g, '>');
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
