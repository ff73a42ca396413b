import { type CfnElement, Names, Stack } from 'aws-cdk-lib';
import { Construct, RootConstruct } from 'constructs';

/**
 * A construct that groups resources in code only: the rule's and the
 * remediation's parts. Its ID is no part of its resources' logical IDs, so
 * a template keeps the logical IDs its resources have always had (a new
 * logical ID would make CloudFormation replace the resource: a function,
 * a role, a retained log group) however the code groups them.
 */
export class ResourceGroup extends Construct {}

/**
 * Paths of construct IDs, as constructs below a root of their own: CDK
 * gives a path's logical ID only for a construct ({@link Names.uniqueId},
 * from the path below the root, as a stack's logical IDs are from the path
 * below the stack), so each path asked for is built here once.
 */
const paths = new RootConstruct();

/** The logical ID of a resource at this path below a stack, by CDK's own scheme. */
export function logicalIdOf(components: string[]): string {
  let scope: Construct = paths;
  for (const id of components)
    scope = (scope.node.tryFindChild(id) as Construct) ?? new Construct(scope, id);
  return Names.uniqueId(scope);
}

/** A stack whose logical IDs leave out {@link ResourceGroup}s. */
export class GroupedStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    const below = scopes
      .slice(scopes.indexOf(this) + 1)
      .filter((s) => !(s instanceof ResourceGroup));
    return logicalIdOf(below.map((s) => s.node.id));
  }
}
