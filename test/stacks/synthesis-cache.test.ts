/**
 * The output cache (stacks/synthesis-cache.ts): a hit republishes exactly the bytes of the run
 * that was stored, whose stacks are those of a fresh synthesis; any change of an input is a miss;
 * a damaged or foreign entry is a miss; only a passing audit is stored.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import { fingerprintDirectory } from '../../scripts/bench/measure';
import { passingVerdict, prune, restoreCached, SynthesisCache, type CacheContext } from '../../stacks/synthesis-cache';
import { checkSynthesisRequest, type CheckedRequest, type SynthesisRequest } from '../../stacks/synthesis-request';
import { buildDeployment } from '../../stacks/synthesize-deployment';

const root = projectRoot();
const defaultConfig = path.join(root, 'config', 'default.yaml');

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cache-'));
}

function checkedRequest(configPath: string, outdir: string): { request: SynthesisRequest; checked: CheckedRequest } {
  const request = { configPath, outdir };
  const checked = checkSynthesisRequest(request);
  if ('ok' in checked) throw new Error(`request refused: ${checked.reason}`);
  return { request, checked };
}

/** A context whose "code" is one module file the test can edit. */
function contextFor(directory: string, day = '2026-01-01'): CacheContext {
  const module = path.join(directory, 'module.js');
  if (!fs.existsSync(module)) fs.writeFileSync(module, 'exports.version = 1;\n');
  return { root, env: {}, day, entryFile: path.join(directory, 'entry.js'), modules: () => [module] };
}

function tree(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(directory, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else files.set(child, fs.readFileSync(path.join(directory, child), 'utf8'));
    }
  };
  walk('');
  return files;
}

describe('the output cache', () => {
  const work = scratch();
  const cacheDir = path.join(work, 'cache');
  const context = contextFor(work);
  let stored: string;

  beforeAll(() => {
    // A fresh, passing synthesis stored on its way to publication.
    const first = path.join(work, 'first', 'cdktf.out');
    fs.mkdirSync(path.dirname(first));
    const { request, checked } = checkedRequest(defaultConfig, first);
    const cache = new SynthesisCache(cacheDir, request, checked, context);
    expect(cache.lookup()).toBeUndefined();
    const outcome = buildDeployment(request, checked, { staged: (staging) => cache.store(staging) });
    expect(outcome.ok).toBe(true);
    stored = first;
  }, 60_000);

  function restore(name: string, configPath = defaultConfig, at: CacheContext = context) {
    const outdir = path.join(work, name, 'cdktf.out');
    fs.mkdirSync(path.dirname(outdir), { recursive: true });
    const { request, checked } = checkedRequest(configPath, outdir);
    return { outdir, outcome: restoreCached(new SynthesisCache(cacheDir, request, checked, at), checked) };
  }

  it('republishes the stored run byte for byte, and its stacks are those of a fresh synthesis', () => {
    const { outdir, outcome } = restore('hit');
    expect(outcome).toMatchObject({ ok: true, cached: true, audit: { errors: 0, rulesEvaluated: expect.any(Number) } });
    expect(tree(outdir)).toEqual(tree(stored));
    const fresh = path.join(work, 'fresh', 'cdktf.out');
    fs.mkdirSync(path.dirname(fresh));
    const { request, checked } = checkedRequest(defaultConfig, fresh);
    expect(buildDeployment(request, checked).ok).toBe(true);
    expect(fingerprintDirectory(path.join(outdir, 'stacks'))).toBe(fingerprintDirectory(path.join(fresh, 'stacks')));
    // Everything else differs only in the audit's timestamp: the evidence says when the audit that judged these bytes ran.
    const withoutTime = (files: Map<string, string>) =>
      [...files].map(([file, text]) => [file, text.replace(/20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?/g, 'T')]);
    expect(withoutTime(tree(outdir))).toEqual(withoutTime(tree(fresh)));
  }, 60_000);

  it('misses when the config changes', () => {
    const edited = path.join(work, 'edited.yaml');
    fs.writeFileSync(edited, `${fs.readFileSync(defaultConfig, 'utf8')}\n# an edit\n`);
    expect(restore('config-edit', edited).outcome).toBeUndefined();
    const renamed = path.join(work, 'other-name.yaml');
    fs.copyFileSync(defaultConfig, renamed);
    expect(restore('config-name', renamed).outcome).toBeUndefined();
  });

  it('misses when a source module, the run-ts bundle, the day or a keyed variable changes', () => {
    expect(restore('bundle', defaultConfig, { ...context, bundle: 'a'.repeat(64) }).outcome).toBeUndefined();
    expect(restore('day', defaultConfig, { ...context, day: '2026-01-02' }).outcome).toBeUndefined();
    expect(restore('env', defaultConfig, { ...context, env: { SYNTH_HCL_OUTPUT: 'true' } }).outcome).toBeUndefined();
    expect(restore('unkeyed-env', defaultConfig, { ...context, env: { MATRIX_DEBUG: '1' } }).outcome).toMatchObject({ ok: true });
    const other = path.join(work, 'not-listed.js');
    fs.writeFileSync(other, '\n');
    expect(restore('unlisted-module', defaultConfig, { ...context, modules: () => [...context.modules(), other] }).outcome).toBeUndefined();
    const [module] = context.modules();
    fs.appendFileSync(module!, '// an edit\n');
    try {
      expect(restore('module-edit').outcome).toBeUndefined();
    } finally {
      fs.writeFileSync(module!, 'exports.version = 1;\n');
    }
    expect(restore('module-back').outcome).toMatchObject({ ok: true });
  });

  it('misses on a damaged, truncated or foreign entry', () => {
    const [entry] = fs.readdirSync(cacheDir).filter((name) => name.endsWith('.json'));
    const file = path.join(cacheDir, entry!);
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, original.slice(0, original.length / 2));
      expect(restore('truncated').outcome).toBeUndefined();
      fs.writeFileSync(file, original.replace('"utf8":"{', '"utf8":"{ '));
      expect(restore('damaged').outcome).toBeUndefined();
      fs.writeFileSync(file, original.replace(/"key":"[0-9a-f]+"/, `"key":"${'0'.repeat(64)}"`));
      expect(restore('foreign').outcome).toBeUndefined();
    } finally {
      fs.writeFileSync(file, original);
    }
    expect(restore('intact').outcome).toMatchObject({ ok: true });
  });

  it('recognizes only a passing audit as a verdict to reuse', () => {
    const report = { stacks: ['a'], errors: [], warnings: [{}], rulesEvaluated: 3 };
    expect(passingVerdict(JSON.stringify(report))).toEqual({ stacks: ['a'], errors: 0, warnings: 1, rulesEvaluated: 3 });
    expect(passingVerdict(JSON.stringify({ ...report, errors: [{ ruleId: 'X' }] }))).toBeUndefined();
    expect(passingVerdict(JSON.stringify({ ...report, errors: undefined }))).toBeUndefined();
  });
});

describe('pruning a cache directory', () => {
  it('removes the oldest entries beyond the number kept, and nothing that is not an entry of its own', () => {
    const directory = scratch();
    const entry = (digit: string) => path.join(directory, `${digit.repeat(32)}.json`);
    ['a', 'b', 'c'].forEach((digit, age) => {
      fs.writeFileSync(entry(digit), '{}');
      const time = new Date(Date.UTC(2026, 0, 1 + age));
      fs.utimesSync(entry(digit), time, time);
    });
    // Not ours: a file of the user's in a directory named by MATRIX_SYNTH_CACHE, a link, a directory.
    fs.writeFileSync(path.join(directory, 'notes.json'), '{}');
    fs.symlinkSync(path.join(directory, 'notes.json'), entry('d'));
    fs.mkdirSync(entry('e'));
    prune(directory, 1);
    expect(fs.readdirSync(directory).sort()).toEqual([
      `${'c'.repeat(32)}.json`,
      `${'d'.repeat(32)}.json`,
      `${'e'.repeat(32)}.json`,
      'notes.json',
    ]);
  });
});

describe('the app command with the output cache', () => {
  it('reuses an unchanged run and synthesizes again after an edit of the config', () => {
    const work = scratch();
    const env = { ...process.env, MATRIX_SYNTH_CACHE: path.join(work, 'cache') };
    const run = (name: string, config: string) => {
      fs.mkdirSync(path.join(work, name));
      const outdir = path.join(work, name, 'cdktf.out');
      const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'run-ts.cjs'), 'main.ts', config], {
        cwd: root,
        encoding: 'utf8',
        env: { ...env, CDKTF_OUTDIR: outdir },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return { stdout: result.stdout, outdir };
    };
    const first = run('first', defaultConfig);
    expect(first.stdout).not.toMatch(/reused/);
    const second = run('second', defaultConfig);
    expect(second.stdout).toMatch(/^synthesized 10 stacks .*reused byte for byte/);
    expect(tree(second.outdir)).toEqual(tree(first.outdir));
    const edited = path.join(work, 'default.yaml');
    fs.writeFileSync(edited, `${fs.readFileSync(defaultConfig, 'utf8')}# an edit\n`);
    expect(run('edited', edited).stdout).not.toMatch(/reused/);
  }, 120_000);
});
