import { CfnCondition, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * One value per rule frequency, chosen in the template by the frequency a
 * parameter gives: one `Fn::If` per frequency, on conditions of the stack
 * (`RuleRuns<Frequency>`, declared once and shared by every choice). A
 * mapping cannot do it: CloudFormation refuses mapping keys with a `_`, and
 * every frequency (`One_Hour`, ...) has one.
 *
 * @example frequencyChoice(stack, frequencyParameter.valueAsString, { One_Hour: 2, Three_Hours: 6 })
 */
export function frequencyChoice<T extends string | number>(
  scope: Construct,
  frequency: string,
  values: Readonly<Record<string, T>>,
): unknown {
  const entries = Object.entries(values);
  const [last, ...others] = [...entries].reverse();
  if (last === undefined) throw new Error('frequencyChoice needs at least one value');
  let value: unknown = last[1];
  for (const [name, chosen] of others) {
    value = Fn.conditionIf(frequencyCondition(scope, frequency, name).logicalId, chosen, value);
  }
  return value;
}

/** The stack's condition that the frequency is `name`, declared on first use. */
function frequencyCondition(scope: Construct, frequency: string, name: string): CfnCondition {
  const stack = Stack.of(scope);
  const id = `RuleRuns${name.replace('_', '')}`;
  const found = stack.node.tryFindChild(id);
  if (found instanceof CfnCondition) return found;
  return new CfnCondition(stack, id, { expression: Fn.conditionEquals(frequency, name) });
}

/** {@link frequencyChoice} as a string token. */
export const frequencyChoiceString = (
  scope: Construct,
  frequency: string,
  values: Readonly<Record<string, string>>,
): string => Token.asString(frequencyChoice(scope, frequency, values));
