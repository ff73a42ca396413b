#!/usr/bin/env node
// The cloudtrail-rule command. The CLI is TypeScript, compiled on load by tsx,
// so it runs the same rule code as the Lambda with no build step.

// The rule's structured logger reads its level once, when its module loads:
// quiet it before anything is required, unless the user asked for the logs.
// --verbose shows them all: the trail state read (DEBUG) and the verdict (INFO).
process.env.POWERTOOLS_LOG_LEVEL ??= process.argv.includes('--verbose') ? 'DEBUG' : 'SILENT';

let tsx;
try {
  tsx = require('tsx/cjs/api');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND') throw error;
  process.stderr.write(
    'cloudtrail-rule: the command line runs through tsx, which is not installed: run "npm install" in the project.\n',
  );
  process.exit(2);
}
tsx.register();
require('../cli/main.ts').runProcess();
