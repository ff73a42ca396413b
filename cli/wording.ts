import { undecidedReason } from '../rule/annotation';
import type { AccountVerdict } from '../rule/evaluate';
import type { Wording } from '../rule/wording';
import { CHOICE_OPTIONS } from './args';

/**
 * The command line's words for the messages the rule and the remediation
 * share with it: the person's own credentials, not a function's role, and
 * the flags, not the SSM document's parameters.
 */
export const CLI_WORDING: Wording = {
  caller: () => 'these credentials',
  input: flag,
  omit: (field) => `leave out ${flag(field)}`,
};

/** In an organization, each account is read through the role assumed in it. */
export const ORGANIZATION_WORDING: Wording = {
  ...CLI_WORDING,
  caller: () => 'the role assumed in the account',
};

/** The flag of a remediation input (`kmsKeyId` → `--kms-key-id`); any other field as it is. */
function flag(field: string): string {
  const option = (CHOICE_OPTIONS as Record<string, string>)[field];
  return option === undefined ? field : `--${option}`;
}

/** Why an undecided verdict is undecided, in `wording`; the annotation of any other verdict. */
export function verdictReason(verdict: AccountVerdict, wording: Wording = CLI_WORDING): string {
  return verdict.compliance === 'UNDECIDED'
    ? undecidedReason(verdict.unreadable, wording)
    : verdict.annotation;
}
