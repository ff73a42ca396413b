import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  type Artifacts,
  buildArtifacts,
  figureFiles,
  figures,
  rewrite,
  SPAN,
  spanNames,
} from '../../scripts/doc-figures';
import { cdkJsonContext } from '../../stack/build-app';
import { memberTemplate } from '../../stack/member-template';
import { prose } from '../support/markdown';

/*
 * Every size, count and limit the docs state is a marked span that
 * `npm run docs:figures` writes from what the code builds; these tests fail
 * when one differs from the artifact it describes, and when a size is
 * written outside a span.
 */

const ROOT = `${__dirname}/../..`;
const docs = figureFiles().map((file) => ({
  file: relative(ROOT, file),
  text: readFileSync(file, 'utf8'),
}));

let values: Record<string, string>;

beforeAll(async () => {
  // The member template as the other tests build it (once per run, test/setup.ts).
  const artifacts: Artifacts = await buildArtifacts(
    memberTemplate(cdkJsonContext(), { validate: false }),
  );
  values = figures(artifacts);
}, 180_000);

/** The text outside fenced code blocks, figure spans and "quotations" (the titles of tests). */
function handWritten(markdown: string): string {
  return prose(markdown)
    .split('\n')
    .map((line) => line.replace(SPAN, '').replace(/"[^"]*"/g, ''))
    .join('\n');
}

describe('the figures in the docs', () => {
  it('are each what the code builds or declares, as npm run docs:figures writes them', () => {
    const mismatches = docs.flatMap(({ file, text }) => rewrite(text, values, file).mismatches);

    expect(mismatches).toEqual([]);
  });

  it('are all used: every figure the script measures appears in a span', () => {
    const used = new Set(docs.flatMap(({ text }) => spanNames(text)));

    expect(Object.keys(values).filter((name) => !used.has(name))).toEqual([]);
  });

  it('can fail: a span that differs from its figure, or names none, is found and only the known one rewritten', () => {
    const text = [
      'The policy may have <!-- figure:scp-limit -->5,121<!-- /figure --> characters.',
      'It is <!-- figure:no-such-figure -->12 KiB<!-- /figure -->.',
    ].join('\n');

    const result = rewrite(text, values, 'page.md');

    expect(result.mismatches).toEqual([
      { file: 'page.md', line: 1, name: 'scp-limit', written: '5,121', expected: '5,120' },
      { file: 'page.md', line: 2, name: 'no-such-figure', written: '12 KiB', expected: undefined },
    ]);
    expect(result.text).toBe(
      [
        'The policy may have <!-- figure:scp-limit -->5,120<!-- /figure --> characters.',
        'It is <!-- figure:no-such-figure -->12 KiB<!-- /figure -->.',
      ].join('\n'),
    );
  });

  // KB/KiB/MiB/GiB/bytes are the units of the templates, bundles and files the project builds;
  // MB is left to memory sizes and AWS's own quotas.
  it('state no size in KB, KiB, MiB, GiB or bytes outside a span', () => {
    const sizes = docs.flatMap(({ file, text }) =>
      [...handWritten(text).matchAll(/\b\d[\d,.]*\s?(?:KB|KiB|MiB|GiB|bytes)\b/g)].map(
        (match) => `${file}: ${match[0]}`,
      ),
    );

    expect(sizes).toEqual([]);
  });
});
