import {
  type ConfigRule,
  type ConfigServiceClient,
  DescribeConfigRulesCommand,
  DescribeRemediationConfigurationsCommand,
  type RemediationConfiguration,
} from '@aws-sdk/client-config-service';
import {
  PARAMETER_NAMES,
  type ParameterName,
  parseRuleParameters,
  type RuleParameters,
} from '../rule/parameters';
import {
  DEFAULT_RULE_NAME,
  defaultUndecidedWindowHours,
  RULE_NAME_PATTERN,
  resourceNames,
} from '../stack/names';
import { type CallSettings, readFailure } from './aws-errors';

/**
 * Whether the deployment in an account is the one we ship:
 *
 * - `INTACT`: the Config rule exists, runs our rule function of that
 *   account and Region, has the expected parameters, and its remediation
 *   configuration runs our document;
 * - `CHANGED`: the rule exists but one of those differs (each difference is
 *   named);
 * - `MISSING`: there is no Config rule of that name;
 * - `ERROR`: it could not be read (the row says why).
 */
export type DeploymentStatus = 'INTACT' | 'CHANGED' | 'MISSING' | 'ERROR';

export interface DeploymentCheck {
  status: DeploymentStatus;
  /** What differs (CHANGED), what is absent (MISSING), or why it could not be read (ERROR); empty when INTACT. */
  differences: string[];
}

/** What an intact deployment looks like in any account, before the account and Region are known. */
export interface ExpectedDeployment {
  ruleName: string;
  ruleFunctionName: string;
  documentName: string;
  /** The automation role's name pattern, with `${AWS::Region}` for the Region. */
  automationRoleNamePattern: string;
  /** The rule parameters the deployment sets: the audit's own (`--param`), defaults otherwise. */
  parameters: RuleParameters;
}

/**
 * The deployment an audit expects, from the names the deployment itself
 * derives from the rule name (`stack/names.ts`) and the parameters the audit
 * judges with. `ruleName` is the deployment's `ruleName` option.
 *
 * @example
 * expectedDeployment(DEFAULT_PARAMETERS).documentName // => 'cloudtrail-1-multi-region-trail-remediation'
 */
export function expectedDeployment(
  parameters: RuleParameters,
  ruleName: string = DEFAULT_RULE_NAME,
): ExpectedDeployment {
  const names = resourceNames(ruleName);
  return {
    ruleName: names.ruleName,
    ruleFunctionName: names.ruleFunctionName,
    documentName: names.documentName,
    automationRoleNamePattern: names.automationRoleNamePattern,
    parameters,
  };
}

/** Whether a rule name is one the deployment accepts (its `ruleName` option's pattern). */
export function isRuleName(name: string): boolean {
  return new RegExp(RULE_NAME_PATTERN).test(name);
}

/** Where the deployment is looked at: the account, its Region, and the partition of both. */
export interface DeploymentPlace {
  accountId: string;
  region: string;
  partition: string;
}

/**
 * Compares what `DescribeConfigRules` and `DescribeRemediationConfigurations`
 * returned for the rule name with the expected deployment. A pure function
 * of what was read.
 *
 * @example
 * compareDeployment(expected, place, undefined, []) // => { status: 'MISSING', differences: ['no Config rule cloudtrail-1-multi-region-trail in us-east-1'] }
 */
export function compareDeployment(
  expected: ExpectedDeployment,
  place: DeploymentPlace,
  rule: ConfigRule | undefined,
  remediations: readonly RemediationConfiguration[],
): DeploymentCheck {
  if (rule === undefined) {
    return {
      status: 'MISSING',
      differences: [`no Config rule ${expected.ruleName} in ${place.region}`],
    };
  }
  const differences = [
    ...ruleDifferences(expected, place, rule),
    ...remediationDifferences(expected, place, remediations),
  ];
  return { status: differences.length === 0 ? 'INTACT' : 'CHANGED', differences };
}

/** The rule function's ARN in the account and Region: what the rule's `SourceIdentifier` must be. */
export function ruleFunctionArn(expected: ExpectedDeployment, place: DeploymentPlace): string {
  return `arn:${place.partition}:lambda:${place.region}:${place.accountId}:function:${expected.ruleFunctionName}`;
}

function ruleDifferences(
  expected: ExpectedDeployment,
  place: DeploymentPlace,
  rule: ConfigRule,
): string[] {
  const differences: string[] = [];
  if (rule.ConfigRuleState !== undefined && rule.ConfigRuleState !== 'ACTIVE') {
    differences.push(`the rule is ${rule.ConfigRuleState}`);
  }
  const functionArn = ruleFunctionArn(expected, place);
  const source = rule.Source;
  if (source?.Owner !== 'CUSTOM_LAMBDA') {
    differences.push(
      `the rule's source is ${source?.Owner ?? 'not set'}${source?.SourceIdentifier !== undefined ? ` ${source.SourceIdentifier}` : ''}, not our function ${functionArn}`,
    );
  } else if (source.SourceIdentifier !== functionArn) {
    differences.push(
      `the rule runs ${source.SourceIdentifier ?? 'no function'}, not our function ${functionArn}`,
    );
  }
  // The deployment writes the undecided window out: when the audit sets none, the deployment's
  // default, twice the period the rule runs at, is what an intact rule holds.
  const parameters =
    expected.parameters.undecidedWindowHours === undefined
      ? {
          ...expected.parameters,
          undecidedWindowHours: defaultUndecidedWindowHours(
            rule.MaximumExecutionFrequency ?? 'TwentyFour_Hours',
          ),
        }
      : expected.parameters;
  differences.push(...parameterDifferences(parameters, rule.InputParameters));
  return differences;
}

/**
 * The parameters that differ, compared by meaning with the rule's own
 * parser (so `"TRUE"` and `"true"` are the same value), each as
 * `name is X, expected Y`. Parameters the rule itself would refuse are a
 * difference too.
 */
function parameterDifferences(expected: RuleParameters, inputParameters: string | undefined) {
  let deployed: RuleParameters;
  try {
    deployed = parseRuleParameters(inputParameters);
  } catch (error) {
    return [`the rule's parameters are not ones the rule accepts: ${(error as Error).message}`];
  }
  const shown = (value: unknown) => (value === undefined ? 'not set' : String(value));
  return PARAMETER_NAMES.flatMap((name: ParameterName) => {
    const [is, should] = [deployed[name], expected[name]];
    return is === should ? [] : [`parameter ${name} is ${shown(is)}, expected ${shown(should)}`];
  });
}

/** Where the Region goes in the role names' `Fn::Sub` patterns. */
const REGION_VARIABLE = ['$', '{AWS::Region}'].join('');

function remediationDifferences(
  expected: ExpectedDeployment,
  place: DeploymentPlace,
  remediations: readonly RemediationConfiguration[],
): string[] {
  const remediation = remediations.find((r) => r.ConfigRuleName === expected.ruleName);
  if (remediation === undefined) return ['the rule has no remediation configuration'];
  const differences: string[] = [];
  const documentArn = `arn:${place.partition}:ssm:${place.region}:${place.accountId}:document/${expected.documentName}`;
  const target = remediation.TargetId;
  if (
    remediation.TargetType !== 'SSM_DOCUMENT' ||
    (target !== expected.documentName && target !== documentArn)
  ) {
    differences.push(
      `the remediation runs ${remediation.TargetType ?? 'no target type'} ${target ?? 'with no target'}, not our document ${expected.documentName}`,
    );
  }
  if (remediation.TargetVersion !== undefined) {
    differences.push(
      `the remediation runs version ${remediation.TargetVersion} of the document; the deployment runs its default version`,
    );
  }
  const roleArn = `arn:${place.partition}:iam::${place.accountId}:role/${expected.automationRoleNamePattern.replace(REGION_VARIABLE, place.region)}`;
  const role = remediation.Parameters?.AutomationAssumeRole?.StaticValue?.Values;
  if (role?.length !== 1 || role[0] !== roleArn) {
    differences.push(
      `the remediation's AutomationAssumeRole is ${role === undefined ? 'not set' : role.join(', ')}, not our automation role ${roleArn}`,
    );
  }
  return differences;
}

/**
 * Reads the rule (`DescribeConfigRules` by name) and its remediation
 * configuration (`DescribeRemediationConfigurations`) through `client`,
 * which signs as the role assumed in the account, and compares them with
 * the expected deployment. A rule that does not exist is MISSING; a call
 * that fails otherwise is ERROR, with why.
 */
export async function readDeployment(
  client: ConfigServiceClient,
  expected: ExpectedDeployment,
  place: DeploymentPlace & { roleArn: string },
  settings: CallSettings,
): Promise<DeploymentCheck> {
  const hint = (action: string) => `Check that ${place.roleArn} may call config:${action}.`;
  let rule: ConfigRule | undefined;
  try {
    const { ConfigRules } = await client.send(
      new DescribeConfigRulesCommand({ ConfigRuleNames: [expected.ruleName] }),
    );
    rule = ConfigRules?.find((r) => r.ConfigRuleName === expected.ruleName);
  } catch (error) {
    if (!(error instanceof Error && error.name === 'NoSuchConfigRuleException')) {
      const failure = await readFailure(
        `Could not read the Config rule ${expected.ruleName} in ${place.region} (Config DescribeConfigRules) as ${place.roleArn}`,
        error,
        settings,
        hint('DescribeConfigRules'),
      );
      return { status: 'ERROR', differences: [failure.message] };
    }
  }
  if (rule === undefined) return compareDeployment(expected, place, undefined, []);
  let remediations: RemediationConfiguration[];
  try {
    const response = await client.send(
      new DescribeRemediationConfigurationsCommand({ ConfigRuleNames: [expected.ruleName] }),
    );
    remediations = response.RemediationConfigurations ?? [];
  } catch (error) {
    const failure = await readFailure(
      `Could not read the remediation configuration of ${expected.ruleName} in ${place.region} (Config DescribeRemediationConfigurations) as ${place.roleArn}`,
      error,
      settings,
      hint('DescribeRemediationConfigurations'),
    );
    return { status: 'ERROR', differences: [failure.message] };
  }
  return compareDeployment(expected, place, rule, remediations);
}
