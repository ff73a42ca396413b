import type { DeployedTemplate } from './cfn-evaluator';

/*
 * A deployed template (cfn-evaluator.ts) read by what its resources are
 * called once deployed, not by logical IDs.
 */

type Resource = DeployedTemplate['resources'][string];

export interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** A statement's actions as a list. */
export const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Lookups by what resources are called once deployed, not by logical IDs. */
export class DeployedResources {
  constructor(readonly deployed: DeployedTemplate) {}

  /** The logical ID of the one resource of a type whose properties match. */
  id(type: string, where: (properties: Record<string, unknown>) => boolean = () => true): string {
    const ids = Object.entries(this.deployed.resources)
      .filter(([, r]) => r.Type === type && where(r.Properties))
      .map(([id]) => id);
    expect(ids).toHaveLength(1);
    return ids[0] ?? '';
  }

  resource(id: string): Resource {
    const found = this.deployed.resources[id];
    if (found === undefined) throw new Error(`No resource ${id}`);
    return found;
  }

  function(name: string): Resource {
    return this.resource(this.id('AWS::Lambda::Function', (p) => p.FunctionName === name));
  }

  roleId(name: string): string {
    return this.id('AWS::IAM::Role', (p) => p.RoleName === name);
  }

  statements(roleName: string): Statement[] {
    const policies = this.resource(this.roleId(roleName)).Properties.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    expect(policies).toHaveLength(1);
    return policies[0]?.PolicyDocument.Statement ?? [];
  }

  /** The one separate policy (`AWS::IAM::Policy`) attached to the role of that name. */
  policyOf(roleName: string): Resource {
    const role = this.roleId(roleName);
    return this.resource(
      this.id('AWS::IAM::Policy', (p) =>
        ((p.Roles ?? []) as { Ref?: string }[]).some((r) => r.Ref === role),
      ),
    );
  }

  only(type: string): Resource {
    return this.resource(this.id(type));
  }
}

/** The template without the CDK bootstrap's version parameter and rule (they read SSM at deploy time). */
export function withoutBootstrapCheck(json: Record<string, unknown>): Record<string, unknown> {
  const { BootstrapVersion: _, ...parameters } = (json.Parameters ?? {}) as Record<string, unknown>;
  const { CheckBootstrapVersion: __, ...rules } = (json.Rules ?? {}) as Record<string, unknown>;
  return { ...json, Parameters: parameters, Rules: rules };
}
