import * as z from 'zod';
import { InvalidEventError } from './errors';
import { parseRuleParameters, type RuleParameters } from './parameters';

/** The trail resource type whose changes trigger the rule. */
export const TRAIL_RESOURCE_TYPE = 'AWS::CloudTrail::Trail';

/** What the rule needs from one AWS Config invocation, parsed and checked. */
export interface RuleInvocation {
  accountId: string;
  resultToken: string;
  testMode: boolean;
  messageType: MessageType;
  /** When the evaluation was triggered; sent as `OrderingTimestamp`. */
  orderingTimestamp: Date;
  /** A scheduled notification for an account that left the rule's scope. */
  leftScope: boolean;
  /** The Config rule being evaluated (`configRuleName`), whose own evaluations the rule reads when it cannot decide. */
  ruleName: string | undefined;
  parameters: RuleParameters;
}

export type MessageType =
  | 'ScheduledNotification'
  | 'ConfigurationItemChangeNotification'
  | 'OversizedConfigurationItemChangeNotification';

const ACCOUNT_ID = z.string().regex(/^\d{12}$/);
const TIMESTAMP = z.iso.datetime({ offset: true });

/** The Lambda event AWS Config sends a custom rule. */
const configEventSchema = z.looseObject({
  invokingEvent: z.string(),
  ruleParameters: z.string().optional(),
  resultToken: z.string().min(1),
  eventLeftScope: z.boolean().optional(),
  accountId: ACCOUNT_ID,
  configRuleName: z.string().min(1).max(128).optional(),
});

const scheduledSchema = z.looseObject({
  messageType: z.literal('ScheduledNotification'),
  notificationCreationTime: TIMESTAMP,
});

/** The resource a change notification is about: in full, or summarized when oversized. */
const changedItemSchema = z.looseObject({
  resourceType: z.string(),
  configurationItemCaptureTime: TIMESTAMP,
});

const changeSchema = z.looseObject({ configurationItem: changedItemSchema });
const oversizedSchema = z.looseObject({ configurationItemSummary: changedItemSchema });

/** Where each change notification keeps its configuration item, and how to read it. */
const CHANGED_ITEM = {
  ConfigurationItemChangeNotification: {
    key: 'configurationItem',
    read: (notification: unknown) => changeSchema.safeParse(notification).data?.configurationItem,
  },
  OversizedConfigurationItemChangeNotification: {
    key: 'configurationItemSummary',
    read: (notification: unknown) =>
      oversizedSchema.safeParse(notification).data?.configurationItemSummary,
  },
} as const;

const FIELD_HELP: Record<string, string> = {
  invokingEvent: 'a JSON string with the notification (messageType and its timestamps)',
  resultToken: 'the non-empty token AWS Config passes to the rule ("TESTMODE" for a test run)',
  accountId: 'the 12-digit ID of the account being evaluated',
  eventLeftScope: 'true or false',
  ruleParameters: 'a JSON string with the rule parameters',
  configRuleName: 'the name of the Config rule being evaluated',
};

/**
 * Parses and checks the event AWS Config invokes the rule with. Everything
 * the rule does not accept raises {@link InvalidEventError} (or
 * `InvalidParameterError` for the parameters) before any AWS call is made.
 */
export function parseInvocation(event: unknown): RuleInvocation {
  const envelope = configEventSchema.safeParse(event);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    const field = String(issue?.path[0] ?? 'event');
    const wanted = FIELD_HELP[field];
    throw new InvalidEventError(
      issue === undefined || issue.path.length === 0
        ? 'The invoking event must be an object from AWS Config with invokingEvent, resultToken and accountId.'
        : `The invoking event's ${field} is missing or invalid: it must be ${wanted ?? 'present'}. ` +
            'Invoke the rule from AWS Config, or copy a real event for a test.',
    );
  }
  const { invokingEvent, ruleParameters, resultToken, eventLeftScope, accountId, configRuleName } =
    envelope.data;

  let notification: unknown;
  try {
    notification = JSON.parse(invokingEvent);
  } catch {
    throw new InvalidEventError(
      'The invoking event\'s invokingEvent is not valid JSON: it must be a JSON string such as {"messageType":"ScheduledNotification","notificationCreationTime":"2026-01-01T00:00:00.000Z"}.',
    );
  }
  const { messageType, orderingTimestamp } = parseNotification(notification);
  const parameters = parseRuleParameters(ruleParameters);

  return {
    accountId,
    resultToken,
    testMode: resultToken === 'TESTMODE',
    messageType,
    orderingTimestamp,
    // A trail leaving scope says nothing about the account: only a scheduled one does.
    leftScope: eventLeftScope === true && messageType === 'ScheduledNotification',
    ruleName: configRuleName,
    parameters,
  };
}

function parseNotification(notification: unknown): {
  messageType: MessageType;
  orderingTimestamp: Date;
} {
  const messageType =
    typeof notification === 'object' && notification !== null && 'messageType' in notification
      ? notification.messageType
      : undefined;

  const reject = (what: string) =>
    new InvalidEventError(`The ${String(messageType)} notification ${what}.`);

  switch (messageType) {
    case 'ScheduledNotification': {
      const parsed = scheduledSchema.safeParse(notification);
      if (!parsed.success) throw reject('has no valid notificationCreationTime (ISO 8601)');
      return { messageType, orderingTimestamp: new Date(parsed.data.notificationCreationTime) };
    }
    case 'ConfigurationItemChangeNotification':
    case 'OversizedConfigurationItemChangeNotification': {
      const { key, read } = CHANGED_ITEM[messageType];
      const item = read(notification);
      if (item === undefined) {
        throw reject(`has no valid ${key} with resourceType and configurationItemCaptureTime`);
      }
      requireTrail(item.resourceType);
      return { messageType, orderingTimestamp: new Date(item.configurationItemCaptureTime) };
    }
    default:
      throw new InvalidEventError(
        `The invokingEvent messageType ${JSON.stringify(messageType) ?? 'is missing and'} is not accepted: ` +
          'the rule evaluates ScheduledNotification, ConfigurationItemChangeNotification and ' +
          `OversizedConfigurationItemChangeNotification (for ${TRAIL_RESOURCE_TYPE}). ` +
          "Check the rule's source details.",
      );
  }
}

function requireTrail(resourceType: string): void {
  if (resourceType !== TRAIL_RESOURCE_TYPE) {
    throw new InvalidEventError(
      `The configuration change is for ${resourceType}, but the rule is triggered only by ${TRAIL_RESOURCE_TYPE}: ` +
        `set the rule's scope to ${TRAIL_RESOURCE_TYPE}.`,
    );
  }
}
