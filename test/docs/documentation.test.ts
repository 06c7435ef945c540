/**
 * The documentation speaks to users: a README short enough to read (at most 150 lines), links that
 * resolve inside the repository, and no text that points outside it (a design file that is not
 * here, tracker issue numbers, the machine something was built on).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';

const root = projectRoot();
const MARKDOWN = [
  'README.md',
  ...fs
    .readdirSync(path.join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(file: string): Set<string> {
  const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')));
}

/** Relative links `[text](target)` outside code blocks, as [file, target]. */
function relativeLinks(file: string): Array<[string, string]> {
  const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => [file, target]);
}

/** Where a link goes wrong, or undefined when its file (and heading) exist. */
function brokenLink(file: string, target: string): string | undefined {
  const [filePart = '', anchor] = target.split('#');
  const linked = filePart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), filePart));
  if (!fs.existsSync(path.join(root, linked))) return `${file}: ${target} (no such file)`;
  if (anchor !== undefined && linked.endsWith('.md') && !anchorsIn(linked).has(anchor)) return `${file}: ${target} (no such heading)`;
  return undefined;
}

/** Text a user's repository must not carry, tested on the files git tracks. */
const FORBIDDEN = [
  { what: 'a tracker issue number', pattern: /\bissue #?\d+/i },
  { what: 'the original design notes (the design is docs/design.md)', pattern: /\bDESIGN\.md\b/ },
  { what: 'the machine it was built on', pattern: /\bthis (machine|host|sandbox)\b/i },
];

/** This file names the forbidden text to test the patterns. */
const SELF = 'test/docs/documentation.test.ts';

function trackedTextFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0');
  return listed.filter(
    (file) =>
      /\.(ts|cjs|js|mjs|md|ya?ml|sh|json)$/.test(file) &&
      file !== 'package-lock.json' &&
      file !== SELF &&
      fs.existsSync(path.join(root, file)),
  );
}

describe('the documentation', () => {
  it('keeps the README to at most 150 lines', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(150);
  });

  it('links only to files and headings that exist', () => {
    const broken = MARKDOWN.flatMap(relativeLinks)
      .map(([file, target]) => brokenLink(file, target))
      .filter((problem) => problem !== undefined);
    expect(broken).toEqual([]);
  });

  it.each([
    ['a missing file', 'README.md', 'docs/nothing.md'],
    ['a missing heading', 'README.md', 'docs/design.md#no-such-heading'],
  ])('reports %s', (_what, file, target) => {
    expect(brokenLink(file, target)).toBeDefined();
  });

  const files = fs.existsSync(path.join(root, '.git')) ? trackedTextFiles() : [];
  it.each(FORBIDDEN)('never mentions $what', ({ pattern }) => {
    const hits = files.filter((file) => pattern.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(hits).toEqual([]);
  });

  it.each([
    ['see issue 5 for the history', 0],
    ['the layout of DESIGN.md section 4', 1],
    ['this machine cannot reach the registry', 2],
  ] as const)('recognises forbidden text: %s', (text, index) => {
    expect(FORBIDDEN[index]?.pattern.test(text)).toBe(true);
  });
});
