import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/*
 * The direction of the dependencies between the parts, as
 * docs/architecture.md draws it: the rule depends on nothing of ours, the
 * remediation on the rule, the command line on both, the deployment on the
 * rule and the remediation (never on the command line). A test fails when an
 * import points the other way.
 */

const ROOT = resolve(__dirname, '../..');
const PARTS = ['rule', 'remediation', 'cli', 'stack'] as const;
type Part = (typeof PARTS)[number];

/** What each part may import from the project's other parts. */
const ALLOWED: Record<Part, readonly Part[]> = {
  rule: [],
  remediation: ['rule'],
  cli: ['rule', 'remediation'],
  stack: ['rule', 'remediation'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The project parts a file imports (relative imports only; packages are not parts). */
function importedParts(file: string, text: string): string[] {
  const parts = new Set<string>();
  for (const [, path = ''] of text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.[^']*)'/g)) {
    const target = relative(ROOT, resolve(join(file, '..'), path));
    parts.add(target.split('/')[0] ?? target);
  }
  return [...parts];
}

describe('the import checker', () => {
  it('finds the part of each relative import, and ignores packages', () => {
    const file = join(ROOT, 'cli', 'commands', 'evaluate.ts');
    const text = [
      "import { a } from '../../rule/evaluate';",
      "import { b } from '../render';",
      "import { z } from 'zod';",
      "const c = require('../../stack/options');",
    ].join('\n');
    expect(importedParts(file, text).sort()).toEqual(['cli', 'rule', 'stack']);
  });
});

/**
 * The one module of another part a part may import besides {@link ALLOWED}:
 * the command line reads the deployment's physical names from
 * `stack/names.ts`, so that the organization audit expects exactly the
 * names the deployment gives (not a copy of them). That module imports
 * nothing, so the command line still runs without the CDK.
 */
const ALLOWED_MODULES: Record<Part, readonly string[]> = {
  rule: [],
  remediation: [],
  cli: ['stack/names'],
  stack: [],
};

/** The project modules (root-relative, without `.ts`) a file imports. */
function importedModules(file: string, text: string): string[] {
  return [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.[^']*)'/g)].map(([, path = '']) =>
    relative(ROOT, resolve(join(file, '..'), path)).replace(/\.ts$/, ''),
  );
}

describe('stack/names.ts, which the command line imports', () => {
  it('imports nothing at all', () => {
    const text = readFileSync(join(ROOT, 'stack', 'names.ts'), 'utf8');
    expect(text).not.toMatch(/^\s*import\s/m);
    expect(text).not.toMatch(/require\s*\(/);
  });
});

describe.each(PARTS)('%s/', (part) => {
  it(`imports only from ${ALLOWED[part].join(', ') || 'no other part'} of the project`, () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(join(ROOT, part))) {
      const text = readFileSync(file, 'utf8');
      const modules = importedModules(file, text);
      for (const imported of importedParts(file, text)) {
        const excepted = modules
          .filter((module) => module.split('/')[0] === imported)
          .every((module) => ALLOWED_MODULES[part].includes(module));
        if (imported !== part && excepted) continue;
        // Anything else of the project (test/, scripts/, another part) is out of bounds.
        if (imported !== part && !ALLOWED[part].includes(imported as Part)) {
          wrong.push(`${relative(ROOT, file)} imports ${imported}/`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
