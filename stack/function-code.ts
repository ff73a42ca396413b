import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { assertLocalEsbuild, assetBundling, inlineBundle, PROJECT_ROOT } from './bundle';
import { type FunctionSettings, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from './definitions';

/**
 * Where the package keeps the functions' bundles, built before it is packed
 * (`npm run build`, scripts/build-lib.ts): beside the compiled library, in
 * `lib/functions`. From the sources (the repository), there is no such
 * folder, and the bundles are built at synth time instead.
 */
export const PREBUILT_FUNCTIONS_DIR = join(__dirname, 'functions');

/** The asset folder of an entry's prebuilt bundle (`index.js` and `index.js.map`), relative to {@link PREBUILT_FUNCTIONS_DIR}. */
export function prebuiltAssetDir(entry: string): string {
  return basename(dirname(entry));
}

/** The file of an entry's prebuilt inline bundle, relative to {@link PREBUILT_FUNCTIONS_DIR}. */
export function prebuiltInlineFile(entry: string): string {
  return join('inline', `${basename(dirname(entry))}.js`);
}

/**
 * Where a function's code comes from, both bundled from `stack/bundle.ts`'s
 * one set of esbuild settings by the local esbuild, never in Docker: at
 * synth time from the sources, or, in the package, before it was packed
 * ({@link PREBUILT_FUNCTIONS_DIR}), so a consumer's synth needs no esbuild.
 * {@link FunctionCode.asset}: a CDK asset, for `cdk deploy` into a
 * bootstrapped account, with a source map and the AWS SDK inside.
 * {@link FunctionCode.inline}: the bundle inline in the template, for a
 * template deployed where there is no asset bucket (StackSets), with the
 * runtime's AWS SDK.
 */
export abstract class FunctionCode {
  /** Code as a CDK asset: prebuilt in the package, else bundled from the sources. */
  static asset(prebuilt: string = PREBUILT_FUNCTIONS_DIR): FunctionCode {
    return existsSync(prebuilt) ? new PrebuiltAssetCode(prebuilt) : new AssetCode();
  }

  /** Code inline in the template: prebuilt in the package, else bundled from the sources. */
  static inline(prebuilt: string = PREBUILT_FUNCTIONS_DIR): FunctionCode {
    return new InlineCode(existsSync(prebuilt) ? prebuilt : undefined);
  }

  /** The function, with its settings, role and log group, and this code. */
  abstract createFunction(
    scope: Construct,
    id: string,
    settings: FunctionSettings,
    role: iam.IRole,
    logGroup: logs.ILogGroup,
  ): lambda.Function;
}

function commonProps(settings: FunctionSettings, role: iam.IRole, logGroup: logs.ILogGroup) {
  return {
    functionName: settings.functionName,
    description: settings.description,
    handler: 'index.handler',
    runtime: runtime(),
    architecture: ARCHITECTURES[LAMBDA_ARCHITECTURE],
    memorySize: settings.memorySize,
    timeout: Duration.seconds(settings.timeoutSeconds),
    role,
    logGroup,
  };
}

class AssetCode extends FunctionCode {
  createFunction(
    scope: Construct,
    id: string,
    settings: FunctionSettings,
    role: iam.IRole,
    logGroup: logs.ILogGroup,
  ): lambda.Function {
    assertLocalEsbuild();
    return new NodejsFunction(scope, id, {
      ...commonProps(settings, role, logGroup),
      entry: join(PROJECT_ROOT, settings.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: assetEnvironment(settings),
      bundling: assetBundling(),
    });
  }
}

function assetEnvironment(settings: FunctionSettings): Record<string, string> {
  return {
    ...settings.environment,
    // Stack traces in the logs point at the TypeScript sources.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/**
 * The asset {@link AssetCode} builds, built before the package was packed:
 * the same files, so the same function (its S3 key is the hash of the
 * files, whose source map names the sources' paths from where they were
 * built).
 */
class PrebuiltAssetCode extends FunctionCode {
  constructor(private readonly dir: string) {
    super();
  }

  createFunction(
    scope: Construct,
    id: string,
    settings: FunctionSettings,
    role: iam.IRole,
    logGroup: logs.ILogGroup,
  ): lambda.Function {
    return new lambda.Function(scope, id, {
      ...commonProps(settings, role, logGroup),
      code: lambda.Code.fromAsset(join(this.dir, prebuiltAssetDir(settings.entry))),
      environment: assetEnvironment(settings),
    });
  }
}

class InlineCode extends FunctionCode {
  constructor(private readonly prebuilt: string | undefined) {
    super();
  }

  createFunction(
    scope: Construct,
    id: string,
    settings: FunctionSettings,
    role: iam.IRole,
    logGroup: logs.ILogGroup,
  ): lambda.Function {
    const code =
      this.prebuilt === undefined
        ? inlineBundle(settings.entry)
        : readFileSync(join(this.prebuilt, prebuiltInlineFile(settings.entry)), 'utf8');
    return new lambda.Function(scope, id, {
      ...commonProps(settings, role, logGroup),
      code: lambda.Code.fromInline(code),
      environment: settings.environment,
    });
  }
}

const ARCHITECTURES = {
  arm64: lambda.Architecture.ARM_64,
  x86_64: lambda.Architecture.X86_64,
} as const;

function runtime(): lambda.Runtime {
  const found = lambda.Runtime.ALL.find((r) => r.name === LAMBDA_RUNTIME);
  if (found === undefined)
    throw new Error(`aws-cdk-lib does not know the runtime ${LAMBDA_RUNTIME}`);
  return found;
}
