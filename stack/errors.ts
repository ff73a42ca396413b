/** A context option has a value the deployment does not accept. */
export class InvalidOptionError extends Error {
  override readonly name = 'InvalidOptionError';
}
