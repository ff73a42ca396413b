import { readFileSync } from 'node:fs';
import type { PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';

/*
 * A validator's report is about the templates' text, but names each
 * template by the path it was synthesized to. Kept for later synths of the
 * same text, each path is written as its place among the templates, and
 * given back as the later synth's path at that place.
 */

const PLACE = '<template #';

/** A report whose template paths are replaced by `rename`'s. */
function renamed(
  report: PolicyValidationPluginReportBeta1,
  rename: (path: string) => string,
): PolicyValidationPluginReportBeta1 {
  return {
    ...report,
    violations: report.violations.map((violation) => ({
      ...violation,
      violatingResources: violation.violatingResources.map((resource) => ({
        ...resource,
        templatePath: rename(resource.templatePath),
      })),
    })),
  };
}

/**
 * The report `validate` gives for these templates, through `cache` (keyed
 * by the templates' text, in order): built once for the same text, and
 * given back with these templates' paths.
 */
export function sameReport(
  templatePaths: readonly string[],
  cache: (
    key: unknown,
    build: () => PolicyValidationPluginReportBeta1,
  ) => PolicyValidationPluginReportBeta1,
  validate: () => PolicyValidationPluginReportBeta1,
): PolicyValidationPluginReportBeta1 {
  const key = ['ControlTowerValidator', templatePaths.map((path) => readFileSync(path, 'utf8'))];
  const placed = cache(key, () =>
    renamed(validate(), (path) => {
      const place = templatePaths.indexOf(path);
      if (place === -1) throw new Error(`the report names ${path}, which was not validated`);
      return `${PLACE}${place}>`;
    }),
  );
  return renamed(placed, (path) => {
    const place = path.startsWith(PLACE) ? Number(path.slice(PLACE.length, -1)) : -1;
    const original = templatePaths[place];
    if (original === undefined) throw new Error(`a kept report names ${path}`);
    return original;
  });
}
