/**
 * The types of the raw-template helpers left in template-parameters.ts
 * (`isSetExpression`, `inputParametersFromTemplate`, `optionalFromTemplate`,
 * `switchFromTemplate`, `isTrueExpression`), which nothing uses any more:
 * the templates are built from CDK tokens (member-settings.ts). This file
 * goes with them.
 */

/** A CloudFormation value: a literal string or an intrinsic function object. */
export type CfnValue = string | { readonly [intrinsic: string]: unknown };

/** A yes/no: a literal, or the name of a template condition. */
export type Switch = boolean | { readonly condition: string };

/** An optional value: absent, present, or present when a condition holds. */
export type OptionalValue =
  | undefined
  | CfnValue
  | { readonly when: string; readonly value: CfnValue };

export const NO_VALUE = { Ref: 'AWS::NoValue' } as const;
