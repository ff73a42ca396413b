import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { prose } from '../support/markdown';

const ROOT = join(__dirname, '../..');
const DOCS = join(ROOT, 'docs');

/** The Markdown files whose links must hold: the README, every page of docs/, the examples' list. */
const MARKDOWN_FILES = [
  join(ROOT, 'README.md'),
  join(ROOT, 'examples', 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(DOCS, name)),
];

/**
 * The anchor GitHub gives a heading: the rendered text in lower case, with
 * every character that is not a letter, a digit, `_`, `-` or a space
 * removed, then each space turned into `-`.
 */
function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a Markdown text's headings; a repeated heading gets `-1`, `-2`, … as on GitHub. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const slug = githubSlug(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** The targets of a Markdown text's inline links, outside code. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`]*`/g, '');
  return [...text.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (match) => match[1] ?? '',
  );
}

/**
 * What is wrong with each relative link of one file: a target that does not
 * exist, lies outside the repository, or names an anchor its file lacks.
 */
function brokenLinks(file: string, markdown: string): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
    const [path = '', anchor] = target.split('#', 2);
    const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const where = `${relative(ROOT, file)}: (${target})`;
    if (relative(ROOT, resolved).startsWith('..')) {
      problems.push(`${where} points outside the repository`);
    } else if (!existsSync(resolved)) {
      problems.push(`${where} names a file that does not exist`);
    } else if (anchor !== undefined) {
      if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
      const headings = resolved === file ? markdown : readFileSync(resolved, 'utf8');
      if (!anchors(headings).has(anchor)) {
        problems.push(`${where} names an anchor with no heading in ${relative(ROOT, resolved)}`);
      }
    }
  }
  return problems;
}

describe('the link checker', () => {
  it('makes anchors the way GitHub does', () => {
    expect(githubSlug("`remediate`: the remediation's plan, and applying it")).toBe(
      'remediate-the-remediations-plan-and-applying-it',
    );
    expect(githubSlug('Cost and API budget: 1,000 accounts')).toBe(
      'cost-and-api-budget-1000-accounts',
    );
    expect(githubSlug("Control Tower's proactive controls")).toBe(
      'control-towers-proactive-controls',
    );
  });

  it('numbers a repeated heading', () => {
    expect([...anchors('# Notes\n\n## Notes\n')]).toEqual(['notes', 'notes-1']);
  });

  it('ignores headings and links inside fenced code', () => {
    const markdown = '# Title\n\n```sh\n# not a heading\n[x](missing.md)\n```\n';
    expect([...anchors(markdown)]).toEqual(['title']);
    expect(linkTargets(markdown)).toEqual([]);
  });

  it('reports a missing file, a missing anchor and a path outside the repository', () => {
    const file = join(ROOT, 'README.md');
    const markdown = '# Title\n\n[a](docs/none.md) [b](#nowhere) [c](#title) [d](../outside.md)\n';
    expect(brokenLinks(file, markdown)).toEqual([
      'README.md: (docs/none.md) names a file that does not exist',
      'README.md: (#nowhere) names an anchor with no heading in README.md',
      'README.md: (../outside.md) points outside the repository',
    ]);
  });
});

describe('the documentation', () => {
  it('keeps README.md to at most 250 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(250);
  });

  it("keeps the README's set-up commands", () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
    for (const command of ['npm ci', 'npm start', 'npm test']) {
      expect({ command, found: lines.some((line) => line.startsWith(command)) }).toEqual({
        command,
        found: true,
      });
    }
  });

  it.each(MARKDOWN_FILES.map((file) => [relative(ROOT, file), file]))(
    '%s has only relative links to existing files and headings',
    (_name, file) => {
      expect(brokenLinks(file, readFileSync(file, 'utf8'))).toEqual([]);
    },
  );

  it('lists every page of docs/ in docs/README.md', () => {
    const index = new Set(
      linkTargets(readFileSync(join(DOCS, 'README.md'), 'utf8')).map(
        (target) => target.split('#')[0],
      ),
    );
    const pages = readdirSync(DOCS).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(pages.filter((page) => !index.has(page))).toEqual([]);
  });

  it('never documents a bare npx of the project’s commands, which could fetch a package of that name from the registry', () => {
    const offenders = MARKDOWN_FILES.filter((file) =>
      /\bnpx\s+(cloudtrail-rule|cdk|integ-runner)\b/.test(readFileSync(file, 'utf8')),
    ).map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('is where code comments point: none names a design file outside the repository', () => {
    const sourceFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
        return /\.(ts|cjs|js)$/.test(entry.name) ? [path] : [];
      });
    const offenders = [
      'bench',
      'bin',
      'cli',
      'integ',
      'remediation',
      'rule',
      'scripts',
      'stack',
      'test',
    ]
      .flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((file) => /[D]ESIGN\s*§|\.\.\/shared\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});
