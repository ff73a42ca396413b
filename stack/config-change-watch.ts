import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { configChangeAlarmProps, configChangeRuleProps } from './definitions';
import { acknowledgeUnlessSet } from './monitored-function';
import { ResourceGroup } from './resource-group';
import type { DeploymentSettings } from './settings';

export interface ConfigChangeWatchProps {
  settings: DeploymentSettings;
  /** The Config rule it watches. */
  rule: config.CfnConfigRule;
}

/**
 * What makes a change to the Config rule or its remediation configuration
 * seen at once: an EventBridge rule on the Config API calls that make it
 * (as CloudTrail delivers them), and an alarm on its matches that notifies
 * the alarm topic. IAM cannot keep a member administrator from making those
 * calls on this project's rule alone (docs/threat-model.md); the guard
 * rails keep them from removing the watch.
 */
export class ConfigChangeWatch extends ResourceGroup {
  readonly eventRule: events.CfnRule;
  readonly alarm: cloudwatch.CfnAlarm;

  constructor(scope: Construct, id: string, props: ConfigChangeWatchProps) {
    super(scope, id);
    const { settings, rule } = props;
    this.eventRule = new events.CfnRule(
      this,
      'ConfigChangeRule',
      configChangeRuleProps(settings, { arn: rule.attrArn, id: rule.attrConfigRuleId }),
    );
    const topic = settings.functions.alarmTopicArn;
    this.alarm = new cloudwatch.CfnAlarm(
      this,
      'ConfigChangeAlarm',
      configChangeAlarmProps(settings, topic),
    );
    this.alarm.node.addDependency(this.eventRule);
    acknowledgeUnlessSet(this.alarm, 'alarmTopicArn', topic);
  }
}
