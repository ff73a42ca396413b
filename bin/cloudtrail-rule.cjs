#!/usr/bin/env node
// The cloudtrail-rule command: runs the command line compiled to JavaScript
// by "npm run build" (which npm runs as "prepare" after "npm ci" or "npm install").

// The rule's structured logger reads its settings once, when its module loads:
// set them before anything is required. --verbose shows every log (the trail
// state read at DEBUG, the verdict at INFO); otherwise the logs are quiet.
process.env.POWERTOOLS_LOG_LEVEL ??= process.argv.includes('--verbose') ? 'DEBUG' : 'SILENT';

// stdout carries the result only (a table, or JSON with --json); logs go to
// stderr. Powertools writes through the global console in its dev mode, and
// this process's console writes to stderr: the command line itself writes
// its results to process.stdout directly, never through console.
process.env.POWERTOOLS_DEV = 'true';
const { Console } = require('node:console');
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

// The AWS SDK warns, on every run under Node.js 20, that its releases after
// January 2027 need Node.js 22. The package.json `engines` field and the
// README say which Node.js versions this command supports; the warning is
// not news to a user of it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const compiled = require('node:path').join(__dirname, '..', 'dist', 'cli', 'main.js');
let cli;
try {
  cli = require(compiled);
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND') throw error;
  process.stderr.write(
    error.message.includes(compiled)
      ? `cloudtrail-rule: the command line is not built (no ${compiled}): run "npm run build" in the project.\n`
      : `cloudtrail-rule: a package the command line needs is not installed (${error.message.split('\n')[0]}): run "npm ci" in the project.\n`,
  );
  process.exit(2);
}
cli.runProcess();
