import { z } from 'zod';

/** The environment variable through which `npm run integ` hands the CLI's verdict to the integ app. */
export const EXPECTED_COMPLIANCE_VARIABLE = 'CLOUDTRAIL_RULE_EXPECTED_COMPLIANCE';

/**
 * What the snapshot holds instead of a verdict: a synth for the snapshot
 * (no account to ask) has no verdict, and a deployment without one fails
 * its assertion with this text instead of passing on a guess.
 */
export const VERDICT_NOT_GIVEN = `(no verdict: run "npm run integ", which sets ${EXPECTED_COMPLIANCE_VARIABLE} from the CLI)`;

const verdictSchema = z.enum(['COMPLIANT', 'NON_COMPLIANT']);
export type Verdict = z.infer<typeof verdictSchema>;

export class InvalidExpectedComplianceError extends Error {
  override readonly name = 'InvalidExpectedComplianceError';
}

/**
 * The verdict the rule must report, from the environment: COMPLIANT or
 * NON_COMPLIANT, or VERDICT_NOT_GIVEN when the variable is unset or empty.
 *
 * @example expectedCompliance({ CLOUDTRAIL_RULE_EXPECTED_COMPLIANCE: 'COMPLIANT' }) // => 'COMPLIANT'
 */
export function expectedCompliance(env: Record<string, string | undefined>): string {
  const given = env[EXPECTED_COMPLIANCE_VARIABLE];
  if (given === undefined || given === '') return VERDICT_NOT_GIVEN;
  const parsed = verdictSchema.safeParse(given);
  if (!parsed.success) {
    throw new InvalidExpectedComplianceError(
      `${EXPECTED_COMPLIANCE_VARIABLE} is "${given}": set it to COMPLIANT or NON_COMPLIANT (npm run integ sets it from "cloudtrail-rule evaluate --json"), or leave it unset to synthesize the snapshot.`,
    );
  }
  return parsed.data;
}
