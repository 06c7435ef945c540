/**
 * The stack cache (stacks/stack-cache.ts): a stack is reused only when its earlier build read
 * nothing that changed, and then the output is the one a fresh synthesis writes, byte for byte;
 * a changed code, day or damaged entry is a miss; a reused stack's kept audit is the audit a fresh
 * synthesis makes; a reused stack the audit now finds fault with sends the run back to building everything.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { DeploymentConfig } from '../../config/deployment-config';
import { projectRoot } from '../../config/project-root';
import { parseDeploymentConfig } from '../../model/load-config';
import { deploymentStackNames } from '../../model/stack-names';
import type { Rule } from '../../policies/rule';
import { ALL_RULES } from '../../policies/rules';
import { StackCache, type StackCacheInputs } from '../../stacks/stack-cache';
import type { CacheContext } from '../../stacks/synthesis-cache';
import { checkSynthesisRequest, describeOutcome } from '../../stacks/synthesis-request';
import { buildDeployment, synthesizeAudited } from '../../stacks/synthesize-deployment';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { sharedSynthesis } from '../support/shared-synthesis';

const root = projectRoot();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-cache-'));
const defaultText = fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8');
const INPUTS: StackCacheInputs = { outdirName: 'cdktf.out', rules: 'all' };

/** A context whose code is one module file the test can edit. */
function contextFor(day = '2026-01-01'): CacheContext {
  const module = path.join(work, 'module.js');
  if (!fs.existsSync(module)) fs.writeFileSync(module, 'exports.version = 1;\n');
  return { root, env: {}, day, entryFile: path.join(work, 'entry.js'), modules: () => [module] };
}

let scratchCount = 0;
const scratch = (name: string): string => fs.mkdtempSync(path.join(work, `${name}-${(scratchCount += 1)}-`));

/** The default config with the YAML value at `at` replaced. */
function editedConfig(at: readonly (string | number)[], value: unknown): DeploymentConfig {
  const document = parseDocument(defaultText);
  document.setIn(at, value);
  return parseDeploymentConfig(document.toString());
}

/** Synthesizes `config` into a new directory; with a cache, returns what it reused and stores what it built. */
function synthesize(config: DeploymentConfig, cache?: StackCache, rules: readonly Rule[] = []) {
  const outdir = scratch('out');
  const { reused, synthesisError, keep } = synthesizeAudited(outdir, config, rules, cache);
  if (synthesisError !== undefined) throw synthesisError as Error;
  return { outdir, reused, store: () => keep(outdir) };
}

function stackFiles(outdir: string): Map<string, string> {
  const files = new Map([['manifest.json', fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')]]);
  for (const stack of fs.readdirSync(path.join(outdir, 'stacks')).sort())
    files.set(stack, fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  return files;
}

/** A rule of the test's that finds nothing. */
function passingRule(id: string): Rule {
  return { id, title: 'a rule of the test', level: 'warning', lesson: 'none', references: {}, fix: 'none', check: () => [] };
}

const defaultConfig = parseDeploymentConfig(defaultText);
const allStacks = deploymentStackNames(defaultConfig);

/** A cache directory holding the entries of one build of the default deployment. */
function primedCache(context = contextFor()): { cache: StackCache; directory: string } {
  const directory = scratch('cache');
  fs.cpSync(primed, directory, { recursive: true });
  return { cache: new StackCache(directory, context, INPUTS), directory };
}

let primed: string;

beforeAll(() => {
  primed = scratch('primed');
  // Audited by every rule, as the app command does: the entries keep those audits.
  const first = synthesize(defaultConfig, new StackCache(primed, contextFor(), INPUTS), ALL_RULES);
  expect(first.reused).toEqual([]);
  first.store();
});

describe('the stack cache', () => {
  it('stores every stack of a passing build, and reuses all of them for the same config: the stacks cdktf writes are unchanged', () => {
    expect(fs.readdirSync(primed)).toHaveLength(allStacks.length);
    const again = synthesize(defaultConfig, primedCache().cache);
    expect(again.reused).toEqual(allStacks);
    expect(stackFiles(again.outdir)).toEqual(stackFiles(sharedSynthesis('default')));
  });

  it('loads no stack class when every stack is reused (their constructs and provider bindings are most of the code)', () => {
    jest.doMock('../../stacks/stack-classes', () => {
      throw new Error('the stack classes were loaded');
    });
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a registry of its own, where loading the stack classes throws
        const isolated = require('../../stacks/synthesize-deployment') as typeof import('../../stacks/synthesize-deployment');
        const { reused, synthesisError } = isolated.synthesizeAudited(scratch('out'), defaultConfig, [], primedCache().cache);
        expect(synthesisError).toBeUndefined();
        expect(reused).toEqual(allStacks);
      });
    } finally {
      jest.dontMock('../../stacks/stack-classes');
    }
  });

  it("takes each reused stack's kept audit: the audit evidence is a fresh synthesis's (but for the time it names)", () => {
    const configPath = path.join(scratch('config'), 'default.yaml');
    fs.writeFileSync(configPath, defaultText);
    const told: string[] = [];
    const evidence = (cache: StackCache): unknown => {
      const outdir = path.join(scratch('run'), 'cdktf.out');
      const request = { configPath, outdir };
      const checked = checkSynthesisRequest(request);
      if ('ok' in checked) throw new Error('refused');
      const outcome = buildDeployment(request, checked, { stacks: cache });
      expect(outcome.ok).toBe(true);
      told.push(describeOutcome(outcome, request));
      const audit = JSON.parse(fs.readFileSync(path.join(outdir, 'audit', 'audit.json'), 'utf8')) as Record<string, unknown>;
      return { ...audit, auditedAt: 'the time of the run' };
    };
    const fresh = JSON.parse(fs.readFileSync(path.join(sharedSynthesis('default'), 'audit', 'audit.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(evidence(primedCache().cache)).toEqual({ ...fresh, auditedAt: 'the time of the run' });
    expect(told[0]).toMatch(/; 0 built, 10 unchanged from the stack cache\)$/);
  });

  it('runs the rules again on a reused stack when its kept audit was made by other rules or with other site facts', () => {
    let judged = 0;
    const counting: Rule = { ...passingRule('TEST-02'), check: () => ((judged += 1), []) };
    const directory = scratch('cache');
    const reusedWith = (rules: readonly Rule[]) => {
      judged = 0;
      expect(synthesize(defaultConfig, new StackCache(directory, contextFor(), INPUTS), rules).reused).toEqual(allStacks);
      return judged;
    };
    synthesize(defaultConfig, new StackCache(directory, contextFor(), INPUTS), [counting]).store();
    expect(reusedWith([counting])).toBe(0);
    expect(reusedWith([counting, passingRule('TEST-03')])).toBe(allStacks.length);
    // As if the site facts had changed under unchanged stacks.
    for (const file of fs.readdirSync(directory)) {
      const entry = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')) as { audit: Record<string, unknown> };
      fs.writeFileSync(path.join(directory, file), JSON.stringify({ ...entry, audit: { ...entry.audit, facts: 'other facts' } }));
    }
    expect(reusedWith([counting])).toBe(allStacks.length);
  });

  // A value and a list grown (every single value of both examples is tried in stack-cache-soundness.ttest.ts): each reuses what did not read the edit, and the output is a fresh synthesis's.
  const edits: readonly { readonly what: string; readonly at: readonly (string | number)[]; readonly value: unknown }[] = [
    { what: "the gateway's replicas", at: ['homeservers', 0, 'gateway', 'replicas'], value: 3 },
    {
      what: 'the allowed email domains (an element added)',
      at: ['homeservers', 0, 'allowedEmailDomains'],
      value: ['agency.example.org', 'staff.agency.example.org'],
    },
  ];

  /** The stacks of a fresh synthesis of each edit, by its description. */
  const freshOf = new Map<string, Map<string, string>>();

  it.each(edits)(
    'after an edit of $what, rebuilds what read it and reuses the rest: the output is a fresh synthesis of the edit',
    ({ what, at, value }) => {
      const config = editedConfig(at, value);
      const cached = synthesize(config, primedCache().cache);
      const fresh = stackFiles(synthesize(config).outdir);
      freshOf.set(what, fresh);
      expect(cached.reused.length).toBeGreaterThan(0);
      expect(cached.reused.length).toBeLessThan(allStacks.length);
      expect(stackFiles(cached.outdir)).toEqual(fresh);
    },
  );

  it('would be caught by that comparison if an entry claimed to have read nothing (the check can fail)', () => {
    const { cache, directory } = primedCache();
    for (const file of fs.readdirSync(directory)) {
      const entry = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(path.join(directory, file), JSON.stringify({ ...entry, observations: [] }));
    }
    const [edit] = edits;
    if (!edit) throw new Error('no edit');
    const cached = synthesize(editedConfig(edit.at, edit.value), cache);
    expect(cached.reused).toEqual(allStacks);
    expect(freshOf.get(edit.what)).toBeDefined();
    expect(stackFiles(cached.outdir)).not.toEqual(freshOf.get(edit.what));
  });

  it('misses when the code, the day or the output directory name differ, and on a damaged or foreign entry', () => {
    const stack = allStacks[0] ?? '';
    expect(primedCache().cache.lookup(stack, defaultConfig)).toBeDefined();
    expect(primedCache(contextFor('2026-01-02')).cache.lookup(stack, defaultConfig)).toBeUndefined();
    const { directory } = primedCache();
    expect(new StackCache(directory, contextFor(), { ...INPUTS, outdirName: 'elsewhere' }).lookup(stack, defaultConfig)).toBeUndefined();
    const damaged = primedCache();
    for (const file of fs.readdirSync(damaged.directory)) fs.writeFileSync(path.join(damaged.directory, file), '{"format":1,');
    expect(damaged.cache.lookup(stack, defaultConfig)).toBeUndefined();
    // An entry whose observations are not the shape a run writes.
    const malformed = primedCache();
    for (const file of fs.readdirSync(malformed.directory)) {
      const entry = JSON.parse(fs.readFileSync(path.join(malformed.directory, file), 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(path.join(malformed.directory, file), JSON.stringify({ ...entry, observations: [['get', 7, 'name', 'x'], null] }));
    }
    expect(malformed.cache.lookup(stack, defaultConfig)).toBeUndefined();
    // Another stack's entry in this stack's place.
    const foreign = primedCache();
    const fileOf = (name: string) => path.join(foreign.directory, `${foreign.cache.keyOf(name).slice(0, 32)}.json`);
    fs.copyFileSync(fileOf(allStacks[1] ?? ''), fileOf(stack));
    expect(foreign.cache.lookup(stack, defaultConfig)).toBeUndefined();
    // The code last: editing the module changes every key.
    const edited = primedCache();
    fs.writeFileSync(path.join(work, 'module.js'), 'exports.version = 2;\n');
    try {
      expect(allStacks.filter((name) => edited.cache.lookup(name, defaultConfig))).toEqual([]);
    } finally {
      fs.writeFileSync(path.join(work, 'module.js'), 'exports.version = 1;\n');
    }
  });

  it('builds everything afresh when the audit finds fault with a reused stack, and the output is a fresh synthesis', () => {
    // The primed entries keep audits made by every rule: with this rule alone the reused stacks are audited again, and it finds fault with one.
    const rule: Rule = {
      ...passingRule('TEST-01'),
      check: (stack) => (stack.name === allStacks[0] ? [{ address: 'terraform', message: 'judged at fault' }] : []),
    };
    const configPath = path.join(scratch('config'), 'default.yaml');
    fs.writeFileSync(configPath, defaultText);
    const outcome = (outdir: string, cache?: StackCache) => {
      const request = { configPath, outdir, rules: [rule] };
      const checked = checkSynthesisRequest(request);
      if ('ok' in checked) throw new Error('refused');
      return buildDeployment(request, checked, cache ? { stacks: cache } : {});
    };
    const cachedDir = path.join(scratch('cached'), 'cdktf.out');
    const freshDir = path.join(scratch('fresh'), 'cdktf.out');
    const cached = outcome(cachedDir, primedCache().cache);
    // Built afresh: nothing of it came from the stack cache.
    expect(cached).toMatchObject({ ok: true });
    expect(cached.ok && cached.reused).toBeUndefined();
    expect(outcome(freshDir).ok).toBe(true);
    expect(stackFiles(cachedDir)).toEqual(stackFiles(freshDir));
  });
});
