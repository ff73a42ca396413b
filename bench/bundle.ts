import { resolve } from 'node:path';
import { build } from 'esbuild';

/** The rule's Lambda entry point. */
export const RULE_ENTRY = resolve(__dirname, '..', 'rule', 'handler.ts');
/** The remediation's Lambda entry point. */
export const REMEDIATION_ENTRY = resolve(__dirname, '..', 'remediation', 'handler.ts');

/**
 * Bundles the rule the way it ships to Lambda: one minified CommonJS file for
 * Node.js 20 with every dependency inside (the AWS SDK included), so the
 * end-to-end tests and the benchmark exercise exactly what is deployed.
 */
export async function bundleRule(outfile: string, entry = RULE_ENTRY): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'silent',
  });
}
