import { CfnElement, Stack } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';
import { Deployment } from './deployment';
import { InvalidOptionError } from './errors';
import { FunctionCode } from './function-code';
import type { EntryValue } from './option-entry';
import type { DEPLOYMENT_OPTION_SCHEMA, OptionName } from './option-schema';
import { type DeploymentOptions, OPTION_NAMES, parseOptions } from './options';
import { GroupedStack, logicalIdOf, ResourceGroup } from './resource-group';
import { literalSettings } from './settings';

/**
 * The props of {@link CloudTrailOneRule}: every deployment option of
 * stack/option-schema.ts, by the same name and with the same values as
 * `cdk deploy -c name=value` takes (a list as an array of strings), each
 * optional, with the same default. They are typed from the schema, so an
 * option added there is a prop here; the package's type declarations
 * document each one with its default and what it accepts
 * (scripts/build-lib.ts writes them from the schema).
 */
export type CloudTrailOneRuleProps = {
  readonly [K in OptionName]?: EntryValue<(typeof DEPLOYMENT_OPTION_SCHEMA)[K]>;
};

/**
 * The CloudTrail.1 rule with its remediation, in one account and Region, as
 * a construct for a CDK app of one's own: exactly what the project's
 * `CloudTrailRule` stack holds (the stack is this construct alone): the
 * {@link Deployment}'s rule, remediation and outputs, with the functions'
 * code prebuilt in the package.
 *
 * Its props are checked by the stack's own parser: a value it does not
 * accept, or a name that is no option, throws an `InvalidOptionError` that
 * names the prop and what it accepts, before anything is added to the
 * stack.
 *
 * Its resources' logical IDs are the construct's ID (and those of the
 * scopes between it and the stack) followed by the logical IDs the
 * project's own stack gives them, whatever the stack's own scheme: they
 * change only when CHANGELOG.md says so, since a changed logical ID makes
 * CloudFormation replace the resource.
 *
 * @example
 * new CloudTrailOneRule(this, 'CloudTrailOne', {
 *   maximumExecutionFrequency: 'Six_Hours',
 *   automaticRemediation: true,
 *   trustedLogAccountIds: ['444455556666'],
 * });
 */
export class CloudTrailOneRule extends Deployment {
  /** The options the props gave, with every default filled in. */
  readonly options: DeploymentOptions;

  constructor(scope: Construct, id: string, props: CloudTrailOneRuleProps = {}) {
    const options = parseProps(props);
    super(scope, id, { settings: literalSettings(options), code: FunctionCode.asset() });
    this.options = options;
    keepLogicalIds(this);
  }
}

/** The props that give these options (each option's value, the rule parameters among them). */
export function propsOf(options: DeploymentOptions): CloudTrailOneRuleProps {
  const { ruleParameters, ...others } = options;
  return Object.fromEntries(
    Object.entries({ ...others, ...ruleParameters }).filter(([, value]) => value !== undefined),
  ) as CloudTrailOneRuleProps;
}

/** The props read as `-c` options are: by the stack's own parser. */
export function parseProps(props: CloudTrailOneRuleProps): DeploymentOptions {
  const given = Object.keys(props);
  const unknown = given.find((name) => !(OPTION_NAMES as string[]).includes(name));
  if (unknown !== undefined) {
    throw new InvalidOptionError(
      `CloudTrailOneRule has no prop ${JSON.stringify(unknown)}${closest(unknown)}. Its props are the deployment options: ${OPTION_NAMES.join(', ')}.`,
    );
  }
  const values = props as Record<string, unknown>;
  try {
    return parseOptions((name) => values[name], given);
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    throw new InvalidOptionError(
      `CloudTrailOneRule props (the options -c takes, by the same names): ${error.message}`,
    );
  }
}

/** ": did you mean X?" for the option that differs least from a given name. */
function closest(name: string): string {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j] ?? 0;
        const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
        row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + cost);
        previous = current;
      }
    }
    return row[b.length] ?? 0;
  };
  const [best] = [...OPTION_NAMES].sort((a, b) => distance(name, a) - distance(name, b));
  return best !== undefined && distance(name, best) <= 3 ? ` (did you mean ${best}?)` : '';
}

/**
 * In a stack of the project's own (a {@link GroupedStack}) the stack gives
 * the logical IDs. In any other stack, each resource of the construct gets
 * the ID the project's stack gives it, after the IDs of the construct and
 * of the scopes above it, so regrouping the code, which changes construct
 * paths, never replaces a resource a consumer deployed.
 */
function keepLogicalIds(construct: CloudTrailOneRule): void {
  const stack = Stack.of(construct);
  if (stack instanceof GroupedStack) return;
  const prefix = scopesBetween(stack, construct)
    .map((scope) => scope.node.id.replace(/[^A-Za-z0-9]/g, ''))
    .join('');
  for (const element of construct.node.findAll()) {
    if (!CfnElement.isCfnElement(element) || Stack.of(element) !== stack) continue;
    const below = scopesBetween(construct, element)
      .filter((scope) => !(scope instanceof ResourceGroup))
      .map((scope) => scope.node.id);
    element.overrideLogicalId(`${prefix}${logicalIdOf(below)}`);
  }
}

/** The scopes from just below `top` down to `construct`, both included when they differ. */
function scopesBetween(top: IConstruct, construct: IConstruct): IConstruct[] {
  const scopes = construct.node.scopes;
  return scopes.slice(scopes.indexOf(top) + 1);
}
