import { functionMessage, type Worded, type WordedError } from './wording';

/**
 * Errors the rule raises on purpose. Each message says what is wrong and
 * what to change, because it is what a person sees in the AWS Config console
 * or the CLI.
 */

/**
 * The base of every error the rule raises on purpose. A caller that shows
 * these messages to a person as they are (the command line) catches this
 * class rather than a list of its subclasses; any other error is a defect,
 * shown with its type.
 */
export abstract class RuleError extends Error implements WordedError {
  /** The message for every reader, when it names a role or an input (see `wording.ts`). */
  readonly worded?: Worded;

  /** `message` in the function's words when it is {@link Worded}. */
  constructor(message: string | Worded, options?: ErrorOptions) {
    super(functionMessage(message), options);
    if (typeof message !== 'string') this.worded = message;
  }
}

/** A rule parameter has a value the rule does not accept. */
export class InvalidParameterError extends RuleError {
  override readonly name = 'InvalidParameterError';
}

/** The invoking event from AWS Config is not one the rule can evaluate. */
export class InvalidEventError extends RuleError {
  override readonly name = 'InvalidEventError';
}

/** The environment the rule runs in lacks a setting it needs (such as `AWS_REGION`). */
export class EnvironmentError extends RuleError {
  override readonly name = 'EnvironmentError';
}

/** A snapshot file is not an account trail state. */
export class InvalidSnapshotError extends RuleError {
  override readonly name = 'InvalidSnapshotError';
}

/**
 * No trail was found to pass, and at least one could not be read, so the
 * account cannot honestly be called COMPLIANT or NON_COMPLIANT.
 */
export class UndecidedVerdictError extends RuleError {
  override readonly name = 'UndecidedVerdictError';
}

/** `PutEvaluations` did not accept every evaluation. */
export class EvaluationNotAcceptedError extends RuleError {
  override readonly name = 'EvaluationNotAcceptedError';
}

/**
 * An AWS call got no answer within its timeout on every attempt. The
 * message names the service, the operation, the Region, the endpoint and
 * the timeout.
 */
export class AwsTimeoutError extends RuleError {
  override readonly name = 'AwsTimeoutError';
}

/**
 * An endpoint answered a call with something that is not an AWS API
 * response (an HTML page from a proxy or a captive portal). The message
 * names the call, the endpoint and the content type, and never quotes the
 * body: it is not AWS's, and could be anything.
 */
export class NotAwsAnswerError extends RuleError {
  override readonly name = 'NotAwsAnswerError';

  constructor(
    /** What answered: the call, the endpoint, the HTTP status and the media type. */
    readonly answer: {
      service: string;
      operation: string;
      endpoint: string;
      status: number;
      contentType: string;
    },
  ) {
    super(
      `${answer.service} ${answer.operation}: ${notAwsAnswer(answer)} A proxy or a captive portal may be in the way.`,
    );
  }
}

/** `http://…/ answered HTTP 200 with content type text/html, which no AWS API answers with: not an AWS endpoint?` */
export function notAwsAnswer(answer: NotAwsAnswerError['answer']): string {
  return `${answer.endpoint} answered HTTP ${answer.status} with content type ${answer.contentType}, which no AWS API answers with: not an AWS endpoint?`;
}
