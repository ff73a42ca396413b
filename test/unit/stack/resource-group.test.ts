import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { GroupedStack, ResourceGroup } from '../../../stack/resource-group';

/*
 * Grouping resources in constructs changes their paths, and CDK derives
 * logical IDs from paths; a changed logical ID replaces the deployed
 * resource. A GroupedStack gives a resource inside ResourceGroups the
 * logical ID it has directly in a stack.
 */

function logicalIds(build: (stack: Stack) => void, grouped: boolean): string[] {
  const app = new App();
  const stack = grouped ? new GroupedStack(app, 'S') : new Stack(app, 'S');
  build(stack);
  return Object.keys(Template.fromStack(stack).toJSON().Resources).sort();
}

const topic = (scope: Construct, id: string) =>
  new CfnResource(scope, id, { type: 'AWS::SNS::Topic' });

describe('logical IDs in a grouped stack', () => {
  it('are those of the same resources placed directly in a stack', () => {
    const flat = logicalIds((stack) => {
      topic(stack, 'Alone');
      new CfnResource(new Construct(stack, 'Nested'), 'Resource', { type: 'AWS::SNS::Topic' });
    }, false);
    const grouped = logicalIds((stack) => {
      const outer = new ResourceGroup(stack, 'Outer');
      topic(new ResourceGroup(outer, 'Inner'), 'Alone');
      // An ordinary construct inside a group keeps its place in the ID.
      new CfnResource(new Construct(new ResourceGroup(outer, 'X'), 'Nested'), 'Resource', {
        type: 'AWS::SNS::Topic',
      });
    }, true);
    expect(flat).toEqual(['Alone', expect.stringMatching(/^Nested[0-9A-F]{8}$/)]);
    expect(grouped).toEqual(flat);
  });

  it('still differ for resources whose IDs differ below the groups', () => {
    const ids = logicalIds((stack) => {
      topic(new ResourceGroup(stack, 'A'), 'One');
      topic(new ResourceGroup(stack, 'B'), 'Two');
    }, true);
    expect(ids).toEqual(['One', 'Two']);
  });

  it('differ from a plain stack’s, which puts the groups in the ID', () => {
    const ids = logicalIds((stack) => {
      topic(new ResourceGroup(stack, 'Group'), 'Topic');
    }, false);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^GroupTopic[0-9A-F]{8}$/);
  });
});
