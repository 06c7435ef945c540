/** scripts/run-ts.cjs, the app command's runner: an entry runs as its own module, from a bundle cached by content. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';

const runner = path.join(projectRoot(), 'scripts', 'run-ts.cjs');

let directory: string;
let cache: string;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'run-ts-'));
  cache = path.join(directory, 'cache');
  fs.writeFileSync(path.join(directory, 'greeting.ts'), "export const greeting: string = 'hello';\n");
  fs.writeFileSync(
    path.join(directory, 'entry.ts'),
    [
      "import { greeting } from './greeting';",
      'interface Report { readonly greeting: string; readonly dirname: string; readonly isMain: boolean; readonly args: readonly string[] }',
      'const report: Report = { greeting, dirname: __dirname, isMain: require.main === module, args: process.argv.slice(2) };',
      'process.stdout.write(JSON.stringify(report));',
      'process.exitCode = Number(process.argv[2] ?? 0);',
      '',
    ].join('\n'),
  );
});

afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

function run(args: readonly string[]) {
  return spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', env: { ...process.env, RUN_TS_CACHE: cache } });
}

function cachedBundles(): string[] {
  return fs.existsSync(cache) ? fs.readdirSync(cache).filter((name) => name.endsWith('.js')) : [];
}

it('runs the entry as its own main module: its directory, its arguments, its exit code', () => {
  const result = run([path.join(directory, 'entry.ts'), '3', 'b']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(3);
  expect(JSON.parse(result.stdout)).toEqual({ greeting: 'hello', dirname: directory, isMain: true, args: ['3', 'b'] });
});

it('reuses the cached bundle while the sources are unchanged, and rebuilds when an imported file changes', () => {
  expect(run([path.join(directory, 'entry.ts')]).status).toBe(0);
  const [bundle] = cachedBundles();
  expect(bundle).toBeDefined();
  // Mark the cached bundle: a run that prints the mark ran from the cache, not from a new build.
  const bundlePath = path.join(cache, bundle ?? '');
  const text = fs.readFileSync(bundlePath, 'utf8');
  expect(text).toMatch(/(["'])hello\1/);
  fs.writeFileSync(bundlePath, text.replace(/(["'])hello\1/, "'from the cache'"));
  expect(JSON.parse(run([path.join(directory, 'entry.ts')]).stdout)).toMatchObject({ greeting: 'from the cache' });

  fs.writeFileSync(path.join(directory, 'greeting.ts'), "export const greeting: string = 'changed';\n");
  expect(JSON.parse(run([path.join(directory, 'entry.ts')]).stdout)).toMatchObject({ greeting: 'changed' });
  // The stale bundle is gone: one bundle per entry.
  expect(cachedBundles()).toHaveLength(1);
  expect(cachedBundles()).not.toContain(bundle);
});

it('refuses a missing or non-TypeScript entry with its usage (exit 2)', () => {
  for (const args of [[], [path.join(directory, 'entry.js')]]) {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: node scripts/run-ts.cjs <entry.ts> [arguments...]');
  }
});

it('names the file and line of a build error (exit 1) and runs nothing', () => {
  fs.writeFileSync(path.join(directory, 'greeting.ts'), "export const greeting: string = 'unterminated;\n");
  const result = run([path.join(directory, 'entry.ts')]);
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^cannot build .*entry\.ts:\n.*greeting\.ts:1:\d+: Unterminated string literal/m);
  expect(cachedBundles()).toEqual([]);
});

it('maps stack traces to the TypeScript sources when source maps are on', () => {
  fs.writeFileSync(path.join(directory, 'greeting.ts'), "export const greeting: string = 'x';\nthrow new Error('boom');\n");
  const result = spawnSync(process.execPath, ['--enable-source-maps', runner, path.join(directory, 'entry.ts')], {
    encoding: 'utf8',
    env: { ...process.env, RUN_TS_CACHE: cache },
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`${path.join(directory, 'greeting.ts')}:2`);
});
