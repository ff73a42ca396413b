import { Template } from 'aws-cdk-lib/assertions';
import { cdkJsonContext } from '../../../stack/build-app';
import { MISSED_RUN_HOURS } from '../../../stack/definitions';
import { memberTemplate } from '../../../stack/member-template';
import { DEPLOYMENT_OPTION_SCHEMA } from '../../../stack/option-schema';
import { DEFAULT_RULE_NAME } from '../../../stack/options';
import { deploy } from '../../support/cfn-evaluator';
import { synthApp } from '../../support/synth-app';

/*
 * The options that shape the functions' alarms and concurrency, in the
 * single-account stack (literal values) and in the member template
 * (parameters, deployed as CloudFormation resolves them).
 */

const RULE_FUNCTION = `${DEFAULT_RULE_NAME}-rule`;
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:security-alerts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function stackResources(context: Record<string, string>): Resources {
  const { stack } = synthApp(context, { rollout: false });
  return Template.fromStack(stack).toJSON().Resources as Resources;
}

const of = (resources: Resources, type: string) =>
  Object.values(resources).filter((r) => r.Type === type);
const missedRuns = (resources: Resources) =>
  of(resources, 'AWS::CloudWatch::Alarm').find(
    (r) => r.Properties.AlarmName === `${RULE_FUNCTION}-invocations`,
  )?.Properties;

let member: Record<string, unknown>;
beforeAll(() => {
  member = memberTemplate(cdkJsonContext(), { validate: false });
}, 60_000);

describe('the missed-run window', () => {
  it('covers every frequency the rule accepts, as twice its period in hours', () => {
    const frequencies = DEPLOYMENT_OPTION_SCHEMA.maximumExecutionFrequency.values;
    expect(Object.keys(MISSED_RUN_HOURS).sort()).toEqual([...frequencies].sort());
    expect(MISSED_RUN_HOURS).toEqual({
      One_Hour: 2,
      Three_Hours: 6,
      Six_Hours: 12,
      Twelve_Hours: 24,
      TwentyFour_Hours: 48,
    });
  });

  it('follows maximumExecutionFrequency in the stack', () => {
    expect(missedRuns(stackResources({ maximumExecutionFrequency: 'One_Hour' }))).toMatchObject({
      Period: 3600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  }, 60_000);

  it.each([
    ['Three_Hours', 6],
    ['Twelve_Hours', 24],
  ])('follows MaximumExecutionFrequency %s in the member template', (frequency, hours) => {
    const deployed = deploy(member, { MaximumExecutionFrequency: frequency });
    expect(missedRuns(deployed.resources as Resources)).toMatchObject({
      EvaluationPeriods: hours,
      DatapointsToAlarm: hours,
    });
  });
});

describe('reserved concurrency', () => {
  const reserved = (resources: Resources) =>
    of(resources, 'AWS::Lambda::Function').map((f) => f.Properties.ReservedConcurrentExecutions);

  it('is the number given, and absent with 0, in the stack', () => {
    expect(reserved(stackResources({ reservedConcurrency: '5' }))).toEqual([5, 5]);
    // Reserved concurrency 0 would keep a function from ever running: 0 means no reservation.
    expect(reserved(stackResources({ reservedConcurrency: '0' }))).toEqual([undefined, undefined]);
  }, 60_000);

  it('is the number given, and absent with 0, in the member template', () => {
    expect(reserved(deploy(member, { ReservedConcurrency: '7' }).resources as Resources)).toEqual([
      '7',
      '7',
    ]);
    expect(reserved(deploy(member, { ReservedConcurrency: '0' }).resources as Resources)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('refuses more than 20 or a negative number, naming the option', () => {
    expect(() => stackResources({ reservedConcurrency: '21' })).toThrow(/reservedConcurrency/);
    expect(() => stackResources({ reservedConcurrency: '-1' })).toThrow(/reservedConcurrency/);
  });
});

describe('the alarm topic in the member template', () => {
  it('is notified by every alarm, the change watch’s included', () => {
    const deployed = deploy(member, { AlarmTopicArn: TOPIC });
    const alarms = of(deployed.resources as Resources, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [TOPIC], OKActions: [TOPIC] });
    }
  });
});
