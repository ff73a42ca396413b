import { Aws, Fn, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  errorAlarmProps,
  type FunctionSettings,
  LOG_RETENTION_DAYS,
  missedRunsAlarmProps,
  throttleAlarmProps,
} from './definitions';
import type { FunctionCode } from './function-code';
import { ResourceGroup } from './resource-group';
import {
  type FunctionPlacement,
  isWhen,
  type Optional,
  optionalProperty,
  type Switch,
} from './settings';
import { acknowledgeWildcards, logsStatement, vpcStatements } from './statements';
import { acknowledgeUnsetOption, type GuardOption } from './validation';

export interface MonitoredFunctionProps {
  settings: FunctionSettings;
  code: FunctionCode;
  roleName: string;
  /** The role's permissions, besides writing the function's own logs. */
  statements: iam.PolicyStatement[];
  /** The role's inline policy name. */
  policyName: string;
  placement: FunctionPlacement;
  /**
   * Hours without a single invocation that raise an alarm, for a function
   * that must run every period; absent for one whose silence is normal.
   */
  missedRunHours?: number;
}

/**
 * A function with its own role, holding exactly the given statements plus
 * writing its own log group (kept a year, and kept when the stack goes), in
 * its VPC when one is given, with its reserved concurrency when one is
 * given, and with alarms on its errors, its throttles and, when it must run
 * every period, on periods it did not run. Its resources' IDs start with
 * the construct's.
 */
export class MonitoredFunction extends ResourceGroup {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MonitoredFunctionProps) {
    super(scope, id);
    const { settings, placement } = props;
    this.logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: LOG_RETENTION_DAYS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const kmsKeyId = optionalProperty(placement.logGroupKmsKeyArn, (arn) => arn);
    if (kmsKeyId !== undefined) {
      (this.logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = Token.asString(kmsKeyId);
    }
    acknowledgeUnlessSet(this.logGroup, 'logGroupKmsKeyArn', placement.logGroupKmsKeyArn);

    this.role = new iam.Role(this, `${id}Role`, {
      roleName: props.roleName,
      description: `Execution role of ${settings.functionName}.`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        [props.policyName]: new iam.PolicyDocument({
          statements: [...props.statements, logsStatement(this.logGroup.logGroupArn)],
        }),
      },
    });
    acknowledgeWildcards(this.role, props.statements);

    this.fn = props.code.createFunction(this, id, settings, this.role, this.logGroup);
    this.placeInVpc(id, placement);
    const reserved = optionalProperty(placement.reservedConcurrency, (n) => n);
    if (reserved !== undefined) {
      (this.fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions =
        Token.asNumber(reserved);
    }
    const topic = placement.alarmTopicArn;
    const alarms: [string, cloudwatch.CfnAlarmProps][] = [
      ['Errors', errorAlarmProps(settings, topic)],
      ['Throttles', throttleAlarmProps(settings, topic)],
    ];
    if (props.missedRunHours !== undefined) {
      alarms.push(['Invocations', missedRunsAlarmProps(settings, topic, props.missedRunHours)]);
    }
    for (const [kind, alarmProps] of alarms) {
      const alarm = new cloudwatch.CfnAlarm(this, `${id}${kind}Alarm`, alarmProps);
      alarm.node.addDependency(this.fn);
      acknowledgeUnlessSet(alarm, 'alarmTopicArn', topic);
    }
  }

  /**
   * A policy of its own for statements the role needs only in some
   * deployments: attached always, never, or when a template condition holds.
   */
  grantWhen(when: Switch, id: string, statements: iam.PolicyStatement[]): iam.Policy | undefined {
    if (when === false) return undefined;
    const policy = new iam.Policy(this, id, {
      document: new iam.PolicyDocument({ statements }),
      roles: [this.role],
    });
    acknowledgeWildcards(policy, statements);
    if (when !== true) (policy.node.defaultChild as iam.CfnPolicy).cfnOptions.condition = when;
    return policy;
  }

  /**
   * The function's VPC, when one is given, with the policy that lets Lambda
   * attach it. Lambda checks that policy when it creates the function, so
   * the function waits for it: by `DependsOn` when the VPC is certain; where
   * a condition decides, by a reference inside the VPC settings, because a
   * resource that depends on one whose condition is false is not created
   * either.
   */
  private placeInVpc(id: string, placement: FunctionPlacement): void {
    const { vpc } = placement;
    const inVpc: Switch = vpc === undefined ? false : isWhen(vpc) ? vpc.when : true;
    const policy = this.grantWhen(inVpc, `${id}VpcAccess`, vpcStatements(placement.vpcResources));
    if (policy !== undefined && inVpc === true) this.fn.node.addDependency(policy);
    const waitFor =
      policy !== undefined && inVpc !== true
        ? (policy.node.defaultChild as iam.CfnPolicy).ref
        : undefined;
    const vpcConfig = isWhen(vpc)
      ? Fn.conditionIf(
          vpc.when.logicalId,
          { SubnetIds: vpc.value.subnetIds(waitFor), SecurityGroupIds: vpc.value.securityGroupIds },
          Aws.NO_VALUE,
        )
      : vpc === undefined
        ? undefined
        : { subnetIds: vpc.subnetIds(), securityGroupIds: vpc.securityGroupIds };
    if (vpcConfig !== undefined)
      (this.fn.node.defaultChild as lambda.CfnFunction).vpcConfig = vpcConfig;
    acknowledgeUnlessSet(this.fn, 'subnetIds', vpc);
  }
}

/**
 * Acknowledges the Control Tower finding that an option's absence leaves on
 * a resource: when it is not set, or when a template parameter decides it.
 */
export function acknowledgeUnlessSet<T>(
  scope: Construct,
  option: GuardOption,
  value: Optional<T>,
): void {
  if (value === undefined) acknowledgeUnsetOption(scope, option, 'unset');
  else if (isWhen(value)) acknowledgeUnsetOption(scope, option, 'parameter');
}
