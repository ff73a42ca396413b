import { buildApp } from './build-app';
import { StackError } from './errors';

/*
 * cdk.json → `npx tsx stack/app.ts`. Everything is in build-app.ts, so tests
 * build the same app. A bad option is the user's to fix, not a defect: its
 * message alone goes to stderr and the process exits non-zero, so `cdk
 * synth` and `cdk deploy` show that one line (and the CDK CLI's own line
 * saying that the app failed) instead of a stack trace. Any other error is
 * a defect and keeps its stack.
 */
try {
  buildApp();
} catch (error) {
  if (!(error instanceof StackError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
