import 'aws-sdk-client-mock-jest';

// Keep test output readable: the structured logs are asserted where they matter.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

// The AWS SDK warns, once per process that makes a client under Node.js 20,
// that its releases after January 2027 need Node.js 22; the README says which
// Node.js versions the project supports, as the command line does for itself.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
