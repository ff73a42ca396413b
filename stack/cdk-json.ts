import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * cdk.json's `context` (feature flags, and any options set there), for
 * whatever builds the deployment outside the CDK CLI: the conformance pack
 * script, the tests and the package's member template builder see what
 * `cdk synth` sees. The package ships cdk.json beside its `lib/`, which is
 * where the compiled library finds it.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}
