import type { z } from 'zod';

/**
 * The error every service of the model raises: an AWS error code, its
 * message and the HTTP status. Each way of serving the model gives it the
 * shape its callers see: on HTTP, each protocol's error document (awsJson
 * `__type`, S3 `<Error><Code>`, query `<ErrorResponse>`); behind
 * aws-sdk-client-mock, the SDK's `ServiceException`.
 */

/** An AWS error: `type` is the error code (`TrailNotFoundException`, `NoSuchBucket`). */
export interface AwsError {
  type: string;
  message: string;
  /** HTTP status; 400 unless given. */
  status?: number;
  /** Response headers the error carries (S3's `x-amz-bucket-region` on a redirect). */
  headers?: Record<string, string>;
}

export class AwsFault extends Error {
  constructor(readonly error: AwsError) {
    super(error.message);
  }
}

/** A fault to throw: `throw fault('NoSuchBucket', 'The specified bucket does not exist', 404)`. */
export function fault(type: string, message: string, status?: number): AwsFault {
  return new AwsFault({ type, message, ...(status === undefined ? {} : { status }) });
}

/** Parses a request body with its operation's schema, failing as AWS validation does. */
export function validated<T extends z.ZodType>(
  schema: T,
  body: Record<string, unknown>,
): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fault(
      'ValidationException',
      `1 validation error detected: Value at '${issue?.path.join('.') ?? ''}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
