import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { assertLocalEsbuild, assetBundling, inlineBundle, PROJECT_ROOT } from './bundle';
import { type FunctionSettings, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from './definitions';

/**
 * Where a function's code comes from, both bundled from `stack/bundle.ts`'s
 * one set of esbuild settings by the local esbuild, never in Docker.
 * {@link FunctionCode.asset}: a CDK asset, for `cdk deploy` into a
 * bootstrapped account, with a source map and the AWS SDK inside.
 * {@link FunctionCode.inline}: the bundle inline in the template, for a
 * template deployed where there is no asset bucket (StackSets), with the
 * runtime's AWS SDK.
 */
export abstract class FunctionCode {
  /** Code as a CDK asset. */
  static asset(): FunctionCode {
    return new AssetCode();
  }

  /** Code inline in the template. */
  static inline(): FunctionCode {
    return new InlineCode();
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
      environment: {
        ...settings.environment,
        // Stack traces in the logs point at the TypeScript sources.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: assetBundling(),
    });
  }
}

class InlineCode extends FunctionCode {
  createFunction(
    scope: Construct,
    id: string,
    settings: FunctionSettings,
    role: iam.IRole,
    logGroup: logs.ILogGroup,
  ): lambda.Function {
    return new lambda.Function(scope, id, {
      ...commonProps(settings, role, logGroup),
      code: lambda.Code.fromInline(inlineBundle(settings.entry)),
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
