import 'aws-sdk-client-mock-jest';

// Keep test output readable: the structured logs are asserted where they matter.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

// The AWS SDK warns, once per process that makes a client under Node.js 20,
// that its releases after January 2027 need Node.js 22; the README says which
// Node.js versions the project supports, as the command line does for itself.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The member template is the same for the same context wherever a test builds it (directly, or
// through the rollout stack), and each build bundles both functions and synthesizes a stack with
// its validators: it is built once per distinct context and check in a run, and every later call
// gets a copy (test/support/run-cache.ts). A build that throws is not kept.
// CLOUDTRAIL1_NO_RUN_CACHE=1 builds every one afresh, to compare.
if (process.env.CLOUDTRAIL1_NO_RUN_CACHE !== '1') {
  jest.mock('../stack/member-template', () => {
    const actual = jest.requireActual<typeof import('../stack/member-template')>(
      '../stack/member-template',
    );
    const { runCached } =
      jest.requireActual<typeof import('./support/run-cache')>('./support/run-cache');
    return {
      ...actual,
      memberTemplate: (context: Record<string, unknown>, settings: { validate?: boolean } = {}) =>
        runCached(['memberTemplate', context, settings.validate ?? true], () =>
          actual.memberTemplate(context, settings),
        ),
    };
  });
}

// Control Tower's rules give the same report for the same templates, and many test files
// synthesize the same template (the default stack above all): cfn-guard reads each distinct
// set of templates once a run, and every later synth of the same text gets a copy of that
// report, with its own paths (test/support/guard-report.ts).
// CLOUDTRAIL1_NO_RUN_CACHE=1 runs cfn-guard on every synth, to compare.
if (process.env.CLOUDTRAIL1_NO_RUN_CACHE !== '1') {
  jest.mock('../stack/validators', () => {
    const actual = jest.requireActual<typeof import('../stack/validators')>('../stack/validators');
    const { runCached } =
      jest.requireActual<typeof import('./support/run-cache')>('./support/run-cache');
    const { sameReport } =
      jest.requireActual<typeof import('./support/guard-report')>('./support/guard-report');
    const validate = actual.ControlTowerValidator.prototype.validate;
    actual.ControlTowerValidator.prototype.validate = function (context) {
      return sameReport(
        context.templatePaths,
        (key, build) => runCached(key, build),
        () => validate.call(this, context),
      );
    };
    return actual;
  });
}
