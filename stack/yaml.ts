import { stringify } from 'yaml';

/**
 * YAML as CloudFormation, and so AWS Config, reads it. CloudFormation
 * supports YAML 1.1 without aliases: an object used twice is written out
 * twice instead of as an anchor and an alias, and a string that YAML 1.1
 * would read as something else (`yes`, `on`, `0777`, `1:20`) is quoted.
 * Every YAML file this project writes goes through this function.
 *
 * @example cloudFormationYaml({ a: noValue, b: noValue }) // => 'a:\n  Ref: AWS::NoValue\nb:\n  Ref: AWS::NoValue\n'
 */
export function cloudFormationYaml(value: unknown): string {
  return stringify(value, { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0 });
}
