import type { CfnResource, Stack } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EMPTY_DEFAULT_FINDINGS } from '../../stack/member-template';
import {
  GUARD_OPTION_CONTROLS,
  GUARD_PARAMETER_CONTROLS,
  guardFindingId,
} from '../../stack/validation';

/*
 * cdk-nag's AwsSolutions checks as every stack of the app must pass them:
 * no finding left unacknowledged, and every acknowledgement one the
 * project allows, with a reason.
 */

/** Registers the shared cdk-nag specification, for a stack built in `beforeAll`. */
export function describeNagClean(load: () => Stack): void {
  describe('cdk-nag AwsSolutions', () => {
    it('reports no finding that is not acknowledged, error or warning', () => {
      const report = new AwsSolutionsChecks().validateScope(load());
      expect(
        report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`),
      ).toEqual([]);
      expect(report.success).toBe(true);
    });

    it('acknowledges exactly the wildcard findings the IAM5 rule reports on each role, each with a reason', () => {
      const roles = load()
        .node.findAll()
        .filter((c) => c instanceof iam.Role);
      expect(roles.length).toBeGreaterThan(0);
      for (const roleConstruct of roles) {
        const cfnRole = roleConstruct.node.defaultChild as CfnResource;
        const findings = rules.iam.IAMNoWildcardPermissions(cfnRole);
        const expected = Array.isArray(findings)
          ? findings.map((f) => `AwsSolutions-IAM5[${f}]`).sort()
          : [];
        const acknowledged = acknowledgementsOf(roleConstruct);
        expect(Object.keys(acknowledged).sort()).toEqual(expected);
        for (const reason of Object.values(acknowledged)) expect(reason.length).toBeGreaterThan(80);
      }
    });

    it('acknowledges nothing but IAM5 wildcard findings, the Control Tower findings of unset options, and (in the member template) the empty parameter defaults and the values parameters give', () => {
      const ids = load()
        .node.findAll()
        .flatMap((c) => Object.keys(acknowledgementsOf(c)));
      const optionFindings = [
        ...Object.values(GUARD_OPTION_CONTROLS),
        ...Object.values(GUARD_PARAMETER_CONTROLS),
      ].map((c) => guardFindingId(c.rule));
      expect(
        ids.filter((id) => id.startsWith('AwsSolutions-IAM5[Resource::')).length,
      ).toBeGreaterThan(0);
      expect(
        ids.filter(
          (id) =>
            !id.startsWith('AwsSolutions-IAM5[Resource::') &&
            !optionFindings.includes(id) &&
            !(EMPTY_DEFAULT_FINDINGS as readonly string[]).includes(id),
        ),
      ).toEqual([]);
    });
  });
}

/** The rule IDs acknowledged on a construct itself, with their reasons. */
function acknowledgementsOf(construct: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of construct.node.metadata) {
    if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
    for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
      found[id.replace(/^annotation::/i, '')] = reason;
    }
  }
  return found;
}
