import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { cdkJsonContext } from '../../../stack/build-app';
import { memberTemplate } from '../../../stack/member-template';

/*
 * The landing-zone examples of docs/landing-zones.md, each a file under
 * examples/landing-zones/, deploy the member template with parameters. Each
 * parameter an example sets must be one of the member template's, with a
 * value its declaration accepts, and every parameter the template requires
 * (one without a default) must be set: a misspelt or stale name would fail
 * only when the StackSet is created, in someone else's pipeline.
 */

const EXAMPLES = resolve(__dirname, '../../../examples/landing-zones');

interface Declaration {
  Type: string;
  Default?: string;
  AllowedValues?: string[];
  AllowedPattern?: string;
  MinValue?: number;
  MaxValue?: number;
}

type Parameters = Record<string, string>;

const read = (file: string) => readFileSync(join(EXAMPLES, file), 'utf8');

/** The parameters of the CfCT manifest's StackSet resource (`parameter_key`, `parameter_value`). */
function cfctParameters(text: string): Parameters {
  const manifest = parse(text) as {
    resources: {
      deploy_method: string;
      parameters: { parameter_key: string; parameter_value: string }[];
    }[];
  };
  const [resource] = manifest.resources;
  expect(resource?.deploy_method).toBe('stack_set');
  return Object.fromEntries(
    (resource?.parameters ?? []).map((p) => [p.parameter_key, p.parameter_value]),
  );
}

/** The parameters of LZA's customizations StackSet (`name`, `value`). */
function lzaParameters(text: string): Parameters {
  const config = parse(text) as {
    customizations: {
      cloudFormationStackSets: {
        capabilities: string[];
        parameters: { name: string; value: string }[];
      }[];
    };
  };
  const [stackSet] = config.customizations.cloudFormationStackSets;
  expect(stackSet?.capabilities).toContain('CAPABILITY_NAMED_IAM');
  return Object.fromEntries((stackSet?.parameters ?? []).map((p) => [p.name, p.value]));
}

/** The `parameters = { Name = "value" ... }` map of the Terraform StackSet. */
function terraformParameters(text: string): Parameters {
  const block =
    /resource "aws_cloudformation_stack_set"[\s\S]*?\n {2}parameters = \{\n([\s\S]*?)\n {2}\}/.exec(
      text,
    );
  expect(block).not.toBeNull();
  const lines = (block?.[1] ?? '').split('\n').filter((line) => line.trim() !== '');
  return Object.fromEntries(
    lines.map((line) => {
      const match = /^\s*([A-Za-z0-9]+)\s*=\s*"([^"]*)"\s*$/.exec(line);
      if (match === null) throw new Error(`Not a parameter line: ${line}`);
      return [match[1], match[2]];
    }),
  );
}

/** What is wrong with the parameters an example sets, given the template's declarations. */
function parameterProblems(declarations: Record<string, Declaration>, set: Parameters): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(set)) {
    const declaration = declarations[name];
    if (declaration === undefined) {
      problems.push(`${name} is not a parameter of the member template`);
      continue;
    }
    if (declaration.AllowedValues !== undefined && !declaration.AllowedValues.includes(value))
      problems.push(`${name}=${value} is not one of ${declaration.AllowedValues.join(', ')}`);
    if (
      declaration.AllowedPattern !== undefined &&
      !new RegExp(declaration.AllowedPattern).test(value)
    )
      problems.push(`${name}=${value} does not match ${declaration.AllowedPattern}`);
    if (declaration.Type === 'Number') {
      const number = Number(value);
      if (
        !Number.isFinite(number) ||
        number < (declaration.MinValue ?? -Infinity) ||
        number > (declaration.MaxValue ?? Infinity)
      )
        problems.push(
          `${name}=${value} is not a number from ${declaration.MinValue} to ${declaration.MaxValue}`,
        );
    }
  }
  for (const [name, declaration] of Object.entries(declarations)) {
    if (declaration.Default === undefined && !(name in set))
      problems.push(`${name} has no default and is not set`);
  }
  return problems;
}

let declarations: Record<string, Declaration>;

beforeAll(() => {
  const template = memberTemplate(cdkJsonContext(), { validate: false });
  declarations = template.Parameters as Record<string, Declaration>;
}, 120_000);

describe('the landing-zone examples', () => {
  it.each([
    ['CfCT', 'cfct/manifest.yaml', cfctParameters],
    ['LZA', 'lza/customizations-config.yaml', lzaParameters],
    ['Terraform', 'terraform/main.tf', terraformParameters],
  ])(
    '%s (%s) sets only member template parameters, with values they accept, and every required one',
    (_tool, file, parameters) => {
      const set = parameters(read(file));
      expect(Object.keys(set).length).toBeGreaterThan(3);
      expect(parameterProblems(declarations, set)).toEqual([]);
    },
  );

  it('deploy with the named IAM capability the member template needs (it names its roles)', () => {
    expect(read('terraform/main.tf')).toMatch(/capabilities\s*=\s*\["CAPABILITY_NAMED_IAM"\]/);
    expect(read('terraform/main.tf')).toMatch(/auto_deployment \{\n\s*enabled\s*=\s*true/);
  });
});

describe('the check of an example’s parameters', () => {
  const declarations: Record<string, Declaration> = {
    RuleName: { Type: 'String', Default: 'r', AllowedPattern: '^[a-z]+$' },
    Attempts: { Type: 'Number', Default: '5', MinValue: 1, MaxValue: 25 },
    Mode: { Type: 'String', Default: 'a', AllowedValues: ['a', 'b'] },
    Required: { Type: 'String' },
  };

  it('finds a name the template does not have, a refused value and a required parameter left out', () => {
    expect(
      parameterProblems(declarations, { Rulename: 'x', RuleName: 'X1', Attempts: '30', Mode: 'c' }),
    ).toEqual([
      'Rulename is not a parameter of the member template',
      'RuleName=X1 does not match ^[a-z]+$',
      'Attempts=30 is not a number from 1 to 25',
      'Mode=c is not one of a, b',
      'Required has no default and is not set',
    ]);
  });

  it('accepts parameters the template declares, with accepted values', () => {
    expect(parameterProblems(declarations, { Required: 'yes', Attempts: '3', Mode: 'b' })).toEqual(
      [],
    );
  });
});
