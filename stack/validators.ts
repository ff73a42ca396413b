import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type App,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GUARD_DISABLED_RULES } from './validation';

/*
 * The validators every synth of the project runs, none of them written here:
 * cdk-nag's AwsSolutions checks, and AWS Control Tower's proactive controls
 * through `@cdklabs/cdk-validator-cfnguard`. They are the project's
 * development dependencies: the construct library leaves them to its user,
 * and stack/validation.ts holds what they may leave unreported.
 */

/**
 * Where `@cdklabs/cdk-validator-cfnguard` keeps the Control Tower rule files.
 * (Through `createRequire`, which the library's build leaves alone: this
 * module is not part of the library.)
 */
export const CONTROL_TOWER_RULES_DIR = join(
  dirname(createRequire(__filename).resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

/** One Control Tower rule file, and every resource type its text names. */
export interface GuardRuleFile {
  file: string;
  types: ReadonlySet<string>;
}

const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

/** Every rule file under `dir`, with the resource types each names, in path order. */
export function guardRuleFiles(dir: string = CONTROL_TOWER_RULES_DIR): GuardRuleFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return guardRuleFiles(path);
      if (!entry.name.endsWith('.guard')) return [];
      return [{ file: path, types: new Set(readFileSync(path, 'utf8').match(RESOURCE_TYPE)) }];
    });
}

/** The resource types the templates declare. */
export function templateResourceTypes(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const path of templatePaths) {
    const template = JSON.parse(readFileSync(path, 'utf8')) as {
      Resources?: Record<string, { Type?: unknown }>;
    };
    for (const resource of Object.values(template.Resources ?? {})) {
      if (typeof resource.Type === 'string') types.add(resource.Type);
    }
  }
  return types;
}

/**
 * The rule files that can judge a template declaring these types: those
 * that name at least one of them, and any that names no type at all. A
 * guard rule selects the resources it checks by their type, so a rule that
 * names none of the template's types selects nothing and can find nothing;
 * the tests compare both ways on every template the project writes.
 */
export function rulesFor(
  rules: readonly GuardRuleFile[],
  types: ReadonlySet<string>,
): GuardRuleFile[] {
  return rules.filter(
    (rule) => rule.types.size === 0 || [...rule.types].some((type) => types.has(type)),
  );
}

/** The bundled rule files, read once a process: every synth adds a validator. */
let bundledRules: GuardRuleFile[] | undefined;

/**
 * AWS Control Tower's proactive controls, as `CfnGuardValidator` runs them
 * with stack/validation.ts's rules disabled, given to cfn-guard only where
 * they apply ({@link rulesFor}): cfn-guard's time grows with every rule
 * file it reads, and a synth's templates declare a few of the types the
 * rules cover. Same plugin name, so the same acknowledgement IDs; the same
 * rule IDs reported.
 */
export class ControlTowerValidator implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  private readonly rules: GuardRuleFile[];

  constructor() {
    const disabled = Object.keys(GUARD_DISABLED_RULES);
    const whole = new CfnGuardValidator({
      controlTowerRulesEnabled: true,
      disabledRules: disabled,
    });
    this.name = whole.name;
    this.version = whole.version;
    this.ruleIds = whole.ruleIds;
    bundledRules ??= guardRuleFiles();
    this.rules = bundledRules.filter((rule) => !disabled.includes(parse(rule.file).name));
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const rules = rulesFor(this.rules, templateResourceTypes(context.templatePaths));
    if (rules.length === 0) return { success: true, violations: [] };
    return new CfnGuardValidator({
      controlTowerRulesEnabled: false,
      rules: rules.map((rule) => rule.file),
    }).validate(context);
  }
}

/** Runs both validators on every stack of the app when it is synthesized. */
export function addValidators(app: App): void {
  // Verbose: a cdk-nag finding says why the rule exists, not only what it found.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ControlTowerValidator(),
  );
}
