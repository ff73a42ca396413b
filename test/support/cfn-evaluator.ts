// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are CloudFormation Fn::Sub variables.

/*
 * A small model of what CloudFormation does with a template at deploy time:
 * it accepts or rejects the parameter values, evaluates the conditions and
 * rules, drops the resources and outputs whose condition is false, and
 * resolves the intrinsic functions it can resolve before any resource exists.
 * What only exists once resources do (a `Ref` or `Fn::GetAtt` to a resource)
 * stays symbolic. Tests compare two templates by what they deploy, not by how
 * they are written.
 *
 * The model covers what the templates here use. Anything else (SSM parameter
 * types, Fn::GetAZs, ...) fails loudly with
 * UnsupportedFeatureError rather than being guessed at.
 */

/** The account the stack deploys to, as the pseudo parameters see it. */
export interface Pseudo {
  accountId: string;
  region: string;
  partition: string;
  /** `AWS::URLSuffix`; `amazonaws.com` unless given. */
  urlSuffix?: string;
}

/** The default deployment target of the model. */
export const PSEUDO: Pseudo = { accountId: '111111111111', region: 'us-east-1', partition: 'aws' };

/** `AWS::StackName` in every deployment of the model. */
const STACK_NAME = 'test-stack';
/** The UUID that ends `AWS::StackId` in every deployment of the model. */
export const STACK_UUID = '3f9c04ab-5d1e-4c7b-9a2f-0e8d6b4c2a11';

/** CloudFormation refused a parameter value, or a rule's assertion failed: nothing deploys. */
export class ParameterRejectedError extends Error {
  override readonly name = 'ParameterRejectedError';
}

/** CloudFormation would fail the deployment (a bad reference, Fn::Select out of range, ...). */
export class DeploymentFailedError extends Error {
  override readonly name = 'DeploymentFailedError';
}

/** The template uses something this model does not implement; the test cannot trust it. */
export class UnsupportedFeatureError extends Error {
  override readonly name = 'UnsupportedFeatureError';
}

/** A resource as deployed: its properties resolved, its resource references still symbolic. */
export interface DeployedResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: unknown;
  DeletionPolicy?: unknown;
}

/** What a template means once deployed. */
export interface DeployedTemplate {
  /** The accepted value of every parameter, as given (a list parameter as its raw text). */
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  /** The resources whose condition holds. */
  resources: Record<string, DeployedResource>;
  /** The resolved `Value` of every output whose condition holds. */
  outputs: Record<string, unknown>;
}

/** What `{ Ref: 'AWS::NoValue' }` resolves to: the enclosing property or element disappears. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

type ParameterValue = string | string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The single key and its argument, when `value` is an object with exactly one key. */
function soleEntry(value: unknown): [string, unknown] | undefined {
  if (!isRecord(value)) return undefined;
  const entries = Object.entries(value);
  return entries.length === 1 ? entries[0] : undefined;
}

/** A top-level template section (`Parameters`, `Resources`, ...); absent means empty. */
function section(template: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = template[key];
  if (value === undefined) return {};
  if (!isRecord(value)) throw new DeploymentFailedError(`Template section ${key} is not an object`);
  return value;
}

/** The arguments of an intrinsic function that takes exactly `count` of them. */
function args(name: string, value: unknown, count: number): unknown[] {
  if (!Array.isArray(value) || value.length !== count) {
    throw new DeploymentFailedError(`${name} takes a list of ${count} arguments`);
  }
  return value;
}

/** A string argument, or a failed deployment naming what it is for. */
function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new DeploymentFailedError(`${what} must be a string`);
  return value;
}

/** A template scalar (`Default: 5`) as the string CloudFormation sees. */
function scalarText(value: unknown, what: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new DeploymentFailedError(`${what} must be a string`);
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Accepts or rejects one parameter value as CloudFormation does. Constraints on a
 * list parameter apply to each member; the lengths apply to the value as given.
 */
function accept(name: string, spec: Record<string, unknown>, value: string): ParameterValue {
  const reject = (detail: string): never => {
    const why = spec.ConstraintDescription;
    throw new ParameterRejectedError(
      `Parameter ${name} ${detail}${typeof why === 'string' ? `: ${why}` : ''}`,
    );
  };
  const type = typeof spec.Type === 'string' ? spec.Type : 'String';
  const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
  // CloudFormation trims the spaces around each member of a list.
  const members = isList ? value.split(',').map((member) => member.trim()) : [value];

  if (spec.MinLength !== undefined && value.length < Number(spec.MinLength)) {
    reject(`is shorter than MinLength ${String(spec.MinLength)}`);
  }
  if (spec.MaxLength !== undefined && value.length > Number(spec.MaxLength)) {
    reject(`is longer than MaxLength ${String(spec.MaxLength)}`);
  }
  for (const member of members) {
    if (Array.isArray(spec.AllowedValues)) {
      const allowed = spec.AllowedValues.map((v) => scalarText(v, `${name} AllowedValues`));
      if (!allowed.includes(member)) reject(`must be one of AllowedValues`);
    }
    if (typeof spec.AllowedPattern === 'string') {
      // The whole value must match, whether or not the pattern is anchored itself.
      if (!new RegExp(`^(?:${spec.AllowedPattern})$`).test(member)) {
        reject(`must match pattern ${spec.AllowedPattern}`);
      }
    }
    if (type === 'Number' || type === 'List<Number>') {
      if (!NUMBER.test(member)) reject(`must be a number`);
      if (spec.MinValue !== undefined && Number(member) < Number(spec.MinValue)) {
        reject(`is below MinValue ${String(spec.MinValue)}`);
      }
      if (spec.MaxValue !== undefined && Number(member) > Number(spec.MaxValue)) {
        reject(`is above MaxValue ${String(spec.MaxValue)}`);
      }
    }
  }
  return isList ? members : value;
}

/** The value of every declared parameter: the given one, else the Default. */
function acceptParameters(
  declared: Record<string, unknown>,
  given: Record<string, string>,
): { raw: Record<string, string>; values: Map<string, ParameterValue> } {
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) {
      throw new ParameterRejectedError(`Parameters: [${name}] do not exist in the template`);
    }
  }
  const raw: Record<string, string> = {};
  const values = new Map<string, ParameterValue>();
  for (const [name, spec] of Object.entries(declared)) {
    if (!isRecord(spec)) throw new DeploymentFailedError(`Parameter ${name} is not an object`);
    if (typeof spec.Type === 'string' && spec.Type.startsWith('AWS::SSM::Parameter::Value<')) {
      throw new UnsupportedFeatureError(
        `Parameter ${name}: type ${spec.Type} (an SSM parameter) is not supported by this model`,
      );
    }
    const value = Object.hasOwn(given, name)
      ? given[name]
      : scalarText(spec.Default, `Parameter ${name} Default`);
    if (value === undefined) throw new ParameterRejectedError(`Parameter ${name} has no value`);
    raw[name] = value;
    values.set(name, accept(name, spec, value));
  }
  return { raw, values };
}

/** Equality as Fn::Equals sees it: `5` and `'5'` are the same value. */
function same(a: unknown, b: unknown): boolean {
  const normal = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

/** Resolves values and conditions against the accepted parameters of one deployment. */
class Resolver {
  /** Every declared resource: `true` when it deploys, `false` when its condition dropped it. */
  readonly resources = new Map<string, boolean>();
  private readonly decided = new Map<string, boolean>();
  private readonly deciding = new Set<string>();
  private readonly pseudo: Record<string, string>;

  constructor(
    private readonly parameters: Map<string, ParameterValue>,
    private readonly conditions: Record<string, unknown>,
    pseudo: Pseudo,
    private readonly mappings: Record<string, unknown> = {},
  ) {
    this.pseudo = {
      'AWS::AccountId': pseudo.accountId,
      'AWS::Region': pseudo.region,
      'AWS::Partition': pseudo.partition,
      'AWS::URLSuffix': pseudo.urlSuffix ?? 'amazonaws.com',
      'AWS::StackName': STACK_NAME,
      'AWS::StackId': `arn:${pseudo.partition}:cloudformation:${pseudo.region}:${pseudo.accountId}:stack/${STACK_NAME}/${STACK_UUID}`,
    };
  }

  /** The value of a named condition, evaluated once. */
  condition(name: string): boolean {
    const known = this.decided.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.conditions, name)) {
      throw new DeploymentFailedError(`Condition ${name} is not declared`);
    }
    if (this.deciding.has(name)) throw new DeploymentFailedError(`Condition ${name} is circular`);
    this.deciding.add(name);
    const value = this.test(this.conditions[name]);
    this.deciding.delete(name);
    this.decided.set(name, value);
    return value;
  }

  /** Evaluates a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
  test(expression: unknown): boolean {
    const entry = soleEntry(expression);
    if (entry === undefined) {
      throw new DeploymentFailedError(`Not a condition: ${JSON.stringify(expression)}`);
    }
    const [fn, argument] = entry;
    switch (fn) {
      case 'Condition':
        return this.condition(text(argument, 'Condition'));
      case 'Fn::Equals': {
        const [a, b] = args(fn, argument, 2).map((v) => this.concrete(v, fn));
        return same(a, b);
      }
      case 'Fn::Not':
        return !this.test(args(fn, argument, 1)[0]);
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(argument) || argument.length < 2 || argument.length > 10) {
          throw new DeploymentFailedError(`${fn} takes 2 to 10 conditions`);
        }
        const values = argument.map((c: unknown) => this.test(c));
        return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      default:
        throw new UnsupportedFeatureError(`unsupported condition function ${fn}`);
    }
  }

  /**
   * Resolves a template value. Returns NO_VALUE when it is `AWS::NoValue`; objects and
   * lists drop their members that are.
   */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item)).filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const entry = soleEntry(value);
    if (entry !== undefined && (entry[0] === 'Ref' || entry[0].startsWith('Fn::'))) {
      return this.call(entry[0], entry[1]);
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const result = this.resolve(member);
      if (result !== NO_VALUE) resolved[key] = result;
    }
    return resolved;
  }

  private call(fn: string, argument: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(text(argument, 'Ref'));
      case 'Fn::GetAtt': {
        const target = typeof argument === 'string' ? argument.split('.')[0] : undefined;
        this.resource(text(target ?? args(fn, argument, 2)[0], 'Fn::GetAtt resource'));
        return { [fn]: argument };
      }
      case 'Fn::Sub':
        return this.sub(argument);
      case 'Fn::Join': {
        const [delimiter, list] = args(fn, argument, 2);
        const items = this.resolve(list);
        if (Array.isArray(items) && items.every((item) => typeof item === 'string')) {
          return items.join(text(delimiter, 'Fn::Join delimiter'));
        }
        return { [fn]: [delimiter, items] };
      }
      case 'Fn::If': {
        const [name, ifTrue, ifFalse] = args(fn, argument, 3);
        return this.resolve(this.condition(text(name, 'Fn::If condition')) ? ifTrue : ifFalse);
      }
      case 'Fn::Select': {
        const [rawIndex, rawList] = args(fn, argument, 2);
        const index = this.concrete(rawIndex, fn);
        const position = Number(index);
        // The list must be known now; its members may still be references to resources.
        const list = this.resolve(rawList);
        if (!Array.isArray(list)) throw new UnsupportedFeatureError(`${fn} needs a concrete list`);
        if (!NUMBER.test(String(index)) || !Number.isInteger(position)) {
          throw new DeploymentFailedError(`${fn} index ${String(index)} is not an integer`);
        }
        if (position < 0 || position >= list.length) {
          throw new DeploymentFailedError(
            `${fn} index ${position} is out of range for a list of ${list.length}`,
          );
        }
        return list[position];
      }
      case 'Fn::FindInMap': {
        // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap.html
        const [map, top, second] = args(fn, argument, 3).map((v) => String(this.concrete(v, fn)));
        const entry = (holder: unknown, key: string, what: string): unknown => {
          const value = isRecord(holder) ? holder[key] : undefined;
          if (value === undefined) {
            throw new DeploymentFailedError(`${fn}: ${what} ${key} is not in the mapping`);
          }
          return value;
        };
        return entry(
          entry(entry(this.mappings, String(map), 'mapping'), String(top), 'key'),
          String(second),
          'second-level key',
        );
      }
      case 'Fn::Split': {
        const [delimiter, source] = args(fn, argument, 2).map((v) => this.concrete(v, fn));
        if (typeof source !== 'string') {
          throw new UnsupportedFeatureError(`${fn} needs a concrete string`);
        }
        return source.split(text(delimiter, 'Fn::Split delimiter'));
      }
      default:
        throw new UnsupportedFeatureError(`unsupported intrinsic ${fn}`);
    }
  }

  /** A resolved value that is known now: not `AWS::NoValue`, not a reference to a resource. */
  private concrete(value: unknown, fn: string): unknown {
    const resolved = this.resolve(value);
    const known = (v: unknown): boolean =>
      typeof v === 'string' ||
      typeof v === 'number' ||
      typeof v === 'boolean' ||
      (Array.isArray(v) && v.every(known));
    if (!known(resolved)) {
      const shown = resolved === NO_VALUE ? 'AWS::NoValue' : JSON.stringify(resolved);
      throw new UnsupportedFeatureError(`${fn} needs concrete values, got ${shown}`);
    }
    return resolved;
  }

  /** `{ Ref: name }`: a parameter, a pseudo parameter, or a resource (left symbolic). */
  private ref(name: string): unknown {
    const parameter = this.parameters.get(name);
    if (parameter !== undefined) return Array.isArray(parameter) ? [...parameter] : parameter;
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo = this.pseudo[name];
    if (pseudo !== undefined) return pseudo;
    if (name.startsWith('AWS::')) {
      throw new UnsupportedFeatureError(`unsupported pseudo parameter ${name}`);
    }
    this.resource(name);
    return { Ref: name };
  }

  /** Checks that a referenced resource deploys: a reference to anything else fails. */
  private resource(id: string): void {
    const deployed = this.resources.get(id);
    if (deployed === undefined) {
      throw new DeploymentFailedError(`Unresolved reference ${id}: no such parameter or resource`);
    }
    if (!deployed) {
      throw new DeploymentFailedError(
        `Unresolved resource dependencies [${id}]: its condition is false`,
      );
    }
  }

  /** Fn::Sub: the variable map first, then parameters and pseudo parameters. */
  private sub(argument: unknown): string {
    let body: string;
    let variables: Record<string, unknown> = {};
    if (typeof argument === 'string') {
      body = argument;
    } else {
      const [first, second] = args('Fn::Sub', argument, 2);
      body = text(first, 'Fn::Sub template');
      if (!isRecord(second)) throw new DeploymentFailedError('Fn::Sub variables must be an object');
      variables = second;
    }
    const values = new Map(Object.entries(variables).map(([k, v]) => [k, this.resolve(v)]));
    return body.replace(/\$\{([^}]*)\}/g, (whole: string, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const value = values.has(name) ? values.get(name) : this.subVariable(name);
      return typeof value === 'string' ? value : whole;
    });
  }

  /** A `${name}` not in the variable map: a parameter, a pseudo parameter, or `Res`/`Res.Attr`. */
  private subVariable(name: string): unknown {
    if (this.parameters.has(name) || name.startsWith('AWS::')) return this.ref(name);
    this.resource(name.split('.')[0] ?? name);
    return undefined;
  }
}

/** Runs the parameter rules: an assertion that fails rejects the deployment. */
function checkRules(rules: Record<string, unknown>, resolver: Resolver): void {
  for (const [name, rule] of Object.entries(rules)) {
    if (!isRecord(rule)) throw new DeploymentFailedError(`Rule ${name} is not an object`);
    if (rule.RuleCondition !== undefined && !resolver.test(rule.RuleCondition)) continue;
    if (!Array.isArray(rule.Assertions)) {
      throw new DeploymentFailedError(`Rule ${name} has no Assertions list`);
    }
    for (const assertion of rule.Assertions) {
      if (!isRecord(assertion)) throw new DeploymentFailedError(`Rule ${name} has a bad assertion`);
      if (!resolver.test(assertion.Assert)) {
        const description = assertion.AssertDescription;
        throw new ParameterRejectedError(
          typeof description === 'string' ? description : `Rule ${name} failed`,
        );
      }
    }
  }
}

/** Whether an entry with an optional `Condition` key deploys. */
function holds(entry: Record<string, unknown>, resolver: Resolver): boolean {
  return entry.Condition === undefined || resolver.condition(text(entry.Condition, 'Condition'));
}

/**
 * Deploys a template in the model: the parameters CloudFormation would accept, the
 * conditions, and the resources and outputs that would exist with their properties
 * resolved. Throws ParameterRejectedError where CloudFormation refuses the values,
 * DeploymentFailedError where the deployment would fail, UnsupportedFeatureError
 * where the model cannot say.
 */
export function deploy(
  template: Record<string, unknown>,
  given: Record<string, string> = {},
  pseudo: Pseudo = PSEUDO,
): DeployedTemplate {
  const { raw, values } = acceptParameters(section(template, 'Parameters'), given);
  const declaredConditions = section(template, 'Conditions');
  const resolver = new Resolver(values, declaredConditions, pseudo, section(template, 'Mappings'));

  const conditions: Record<string, boolean> = {};
  for (const name of Object.keys(declaredConditions)) conditions[name] = resolver.condition(name);

  checkRules(section(template, 'Rules'), resolver);

  const declaredResources = section(template, 'Resources');
  for (const [id, declaration] of Object.entries(declaredResources)) {
    if (!isRecord(declaration)) throw new DeploymentFailedError(`Resource ${id} is not an object`);
    resolver.resources.set(id, holds(declaration, resolver));
  }

  const resources: Record<string, DeployedResource> = {};
  for (const [id, declaration] of Object.entries(declaredResources)) {
    if (!isRecord(declaration) || !resolver.resources.get(id)) continue;
    const properties = resolver.resolve(declaration.Properties ?? {});
    if (properties !== NO_VALUE && !isRecord(properties)) {
      throw new DeploymentFailedError(`Resource ${id} Properties is not an object`);
    }
    resources[id] = {
      Type: text(declaration.Type, `Resource ${id} Type`),
      Properties: properties === NO_VALUE ? {} : properties,
      ...(declaration.DependsOn === undefined ? {} : { DependsOn: declaration.DependsOn }),
      ...(declaration.DeletionPolicy === undefined
        ? {}
        : { DeletionPolicy: declaration.DeletionPolicy }),
    };
  }

  const outputs: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(section(template, 'Outputs'))) {
    if (!isRecord(declaration)) throw new DeploymentFailedError(`Output ${name} is not an object`);
    if (!holds(declaration, resolver)) continue;
    const value = resolver.resolve(declaration.Value);
    if (value === NO_VALUE || value === undefined) {
      throw new DeploymentFailedError(`Output ${name} has no Value`);
    }
    outputs[name] = value;
  }

  return { parameters: raw, conditions, resources, outputs };
}
