/**
 * The words a message takes for who reads it. The functions' messages are
 * read in the AWS Config console and the Automation execution: they name
 * the function's role and the SSM document's parameters (`KmsKeyId`). The
 * command line's are read by the person who ran it: they name that
 * person's credentials and the flags (`--kms-key-id`). Each message is
 * written once, as a function of a {@link Wording}, and each reader gets it
 * in its own words.
 */
export interface Wording {
  /**
   * Whose permissions a call needs, given the function's own words for it
   * (`"the rule's role"`): those words in a function, "these credentials"
   * on the command line.
   */
  caller(role: string): string;
  /** A remediation input, by its field (`kmsKeyId`): `KmsKeyId`, or `--kms-key-id`. */
  input(field: string): string;
  /** How to not give an input: "leave KmsKeyId empty", or "leave out --kms-key-id". */
  omit(field: string): string;
}

/** A message written for every reader: it takes the reader's {@link Wording}. */
export type Worded = (wording: Wording) => string;

/**
 * The functions' words: their own role, and each input by its SSM document
 * parameter, the field's name with a capital (`trailName` is `TrailName`).
 */
export const FUNCTION_WORDING: Wording = {
  caller: (role) => role,
  input: documentParameter,
  omit: (field) => `leave ${documentParameter(field)} empty`,
};

/** The SSM document parameter of an input field: `kmsKeyId` → `KmsKeyId`. */
export function documentParameter(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

/** A message as a function gives it: worded messages in {@link FUNCTION_WORDING}. */
export function functionMessage(message: string | Worded): string {
  return typeof message === 'string' ? message : message(FUNCTION_WORDING);
}

/** An error that can say its message in another reader's words. */
export interface WordedError extends Error {
  readonly worded?: Worded;
}

/**
 * The message of `error` in `wording`: its own words when it was written
 * for every reader, else its message as it is.
 */
export function messageIn(error: WordedError, wording: Wording): string {
  return error.worded === undefined ? error.message : error.worded(wording);
}
