import { resolve } from 'node:path';
import { build } from 'esbuild';

/** The rule's Lambda entry point. */
export const RULE_ENTRY = resolve(__dirname, '..', 'rule', 'handler.ts');

/**
 * Bundles the rule the way it ships to Lambda: one minified CommonJS file for
 * Node.js 20 with every dependency inside (the AWS SDK included), so the
 * end-to-end tests and the benchmark exercise exactly what is deployed.
 */
export async function bundleRule(outfile: string): Promise<void> {
  await build({
    entryPoints: [RULE_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'silent',
  });
}
