/**
 * The output cache of the app command: a synthesis whose every input is unchanged since an
 * earlier, passing run republishes that run's output (stacks, audit evidence, site facts) byte
 * for byte instead of loading cdktf, the constructs and the policy rules again.
 *
 * An entry is keyed by everything the output is a function of: the config's bytes and file name,
 * the output directory's name (the audit report names paths inside it), the app's code (the
 * run-ts bundle's sha256, or the sha256 of every project module the run loaded), the installed
 * packages (package-lock.json and npm's node_modules/.package-lock.json), the Node.js version,
 * the environment variables cdktf and the app read, and the UTC day (suppressions expire by the
 * day, so an audit verdict is never reused past midnight UTC). Only a run whose audit passed is
 * stored, with the audit evidence that judged exactly these bytes; a hit re-checks that evidence
 * (no errors, the stacks it judged are the stacks republished), re-checks every file's sha256,
 * re-runs the state-location check (it depends on where the output directory is) and publishes
 * through the same staging and swap as a fresh synthesis. Anything unexpected is a miss.
 *
 * Entries are single JSON files under node_modules/.cache/synth-output/ (MATRIX_SYNTH_CACHE names
 * another directory; MATRIX_SYNTH_CACHE=off disables the cache), written whole and renamed into
 * place, so a concurrent run reads a complete entry or none. The newest MAX_ENTRIES are kept.
 * Free of cdktf on purpose: a hit must not load it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createStaging, publish, removeLeftovers, removeStaging } from './output-directory';
import { outputFailure, type CheckedRequest, type ReusedOutcome, type SynthesisFailure, type SynthesisRequest } from './synthesis-request';

/** Bumped whenever the entry format or the meaning of the key changes. */
const FORMAT = 1;
export const MAX_ENTRIES = 16;
/** What run-ts.cjs publishes about the bundle it runs (scripts/run-ts.cjs). */
export const RUN_TS_BUNDLE = Symbol.for('matrix-sovereign-iac.run-ts');
/** Environment variables that cdktf or the app read while synthesizing (the output directory and config path are keyed by content and name). */
const KEYED_ENVIRONMENT = /^(?:CDKTF_|CDK_|SYNTH_|TERRAFORM_|MATRIX_|NODE_OPTIONS$|TZ$)/;
const UNKEYED_ENVIRONMENT = new Set(['CDKTF_OUTDIR', 'MATRIX_DEPLOYMENT_CONFIG', 'MATRIX_SYNTH_CACHE', 'MATRIX_DEBUG']);

export type AuditSummary = ReusedOutcome['audit'];

interface StoredFile {
  readonly path: string;
  readonly sha256: string;
  readonly utf8?: string;
  readonly base64?: string;
}

interface Entry {
  readonly format: number;
  readonly key: string;
  readonly day: string;
  /** Project modules the run loaded (absolute path → sha256); empty under run-ts, whose bundle is in the key. */
  readonly modules: Readonly<Record<string, string>>;
  readonly audit: AuditSummary;
  readonly files: readonly StoredFile[];
}

export interface CacheContext {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  /** Today, UTC, YYYY-MM-DD. */
  readonly day: string;
  /** The run-ts bundle's sha256, when the app runs from one. */
  readonly bundle?: string;
  /** The entry module (dist/main.js, or main.ts under run-ts). */
  readonly entryFile: string;
  /** The project modules loaded so far (absolute paths). */
  readonly modules: () => readonly string[];
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function hashOrMissing(file: string): string {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return 'missing';
  }
}

/** The cache directory, or undefined when the cache is off. */
export function cacheDirectory(root: string, env: NodeJS.ProcessEnv): string | undefined {
  const setting = env.MATRIX_SYNTH_CACHE;
  if (setting === 'off' || setting === '0' || setting === 'false') return undefined;
  return setting !== undefined && setting !== '' ? path.resolve(setting) : path.join(root, 'node_modules', '.cache', 'synth-output');
}

/** The process's own context: run-ts's bundle hash if any, the project modules in require.cache. */
export function processContext(root: string): CacheContext {
  const published = (globalThis as Record<symbol, { readonly bundleSha256?: unknown } | undefined>)[RUN_TS_BUNDLE];
  const bundle = typeof published?.bundleSha256 === 'string' ? published.bundleSha256 : undefined;
  const dependencies = `${path.sep}node_modules${path.sep}`;
  return {
    root,
    env: process.env,
    day: new Date().toISOString().slice(0, 10),
    ...(bundle !== undefined ? { bundle } : {}),
    entryFile: require.main?.filename ?? '',
    modules: () =>
      Object.keys(require.cache).filter(
        (file) => file.startsWith(`${root}${path.sep}`) && !file.includes(dependencies) && path.isAbsolute(file),
      ),
  };
}

/** What any cached output depends on besides its config and code: Node.js, the installed packages, the environment cdktf and the app read, the UTC day. */
export function runInputs(context: CacheContext): Record<string, unknown> {
  const environment = Object.entries(context.env)
    .filter(([name, value]) => value !== undefined && KEYED_ENVIRONMENT.test(name) && !UNKEYED_ENVIRONMENT.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    day: context.day,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    packageLock: hashOrMissing(path.join(context.root, 'package-lock.json')),
    installed: hashOrMissing(path.join(context.root, 'node_modules', '.package-lock.json')),
    environment,
  };
}

/** The entry's key: everything the output depends on that is known before the run loads anything more. */
export function cacheKey(request: SynthesisRequest, checked: CheckedRequest, context: CacheContext): string {
  return sha256(
    JSON.stringify({
      format: FORMAT,
      ...runInputs(context),
      config: checked.loaded.sha256,
      configName: path.basename(request.configPath),
      outdirName: path.basename(checked.outdir),
      rules: request.rules === undefined ? 'all' : request.rules.map((rule) => rule.id),
      code:
        context.bundle !== undefined ? { bundle: context.bundle } : { entry: context.entryFile, sha256: hashOrMissing(context.entryFile) },
    }),
  );
}

function entryFile(directory: string, key: string): string {
  return path.join(directory, `${key.slice(0, 32)}.json`);
}

function listFiles(directory: string, relative = ''): string[] {
  return fs
    .readdirSync(path.join(directory, relative), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) return listFiles(directory, child);
      if (!entry.isFile()) throw new Error(`${child} is neither a file nor a directory`);
      return [child];
    });
}

/** The stacks a tree holds (stacks/<name>/cdk.tf.json), sorted. */
function stacksIn(files: readonly string[]): string[] {
  return files
    .map((file) => /^stacks\/([^/]+)\/cdk\.tf\.json$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** The audit verdict recorded in audit/audit.json (the evidence published with the stacks), if it is a pass. */
export function passingVerdict(auditJson: string): AuditSummary | undefined {
  const report = JSON.parse(auditJson) as Partial<Record<'stacks' | 'errors' | 'warnings' | 'rulesEvaluated', unknown>>;
  const { stacks, errors, warnings, rulesEvaluated } = report;
  if (!Array.isArray(stacks) || !stacks.every((stack) => typeof stack === 'string')) return undefined;
  if (!Array.isArray(errors) || errors.length !== 0 || !Array.isArray(warnings) || typeof rulesEvaluated !== 'number') return undefined;
  return { stacks, rulesEvaluated, errors: 0, warnings: warnings.length };
}

/** Checks an entry against the verdict it carries: it passed, and it judged exactly the stacks it holds. */
function checkedVerdict(files: ReadonlyMap<string, Buffer>): AuditSummary | undefined {
  const auditJson = files.get('audit/audit.json');
  if (auditJson === undefined) return undefined;
  const verdict = passingVerdict(auditJson.toString('utf8'));
  if (!verdict) return undefined;
  const held = stacksIn([...files.keys()]);
  const judged = [...verdict.stacks].sort();
  return held.length === judged.length && held.every((stack, index) => stack === judged[index]) ? verdict : undefined;
}

/** Writes `text` to `file` whole, then renames it into place: a concurrent reader sees a complete file or none. */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** An entry's file name: the first 32 hex digits of its key (anything else in the directory is not ours to remove). */
const ENTRY_NAME = /^[0-9a-f]{32}\.json$/;

/** Keeps the newest `keep` entries of a directory (by modification time; a hit refreshes it); other files are left alone. */
export function prune(directory: string, keep: number): void {
  const entries = fs
    .readdirSync(directory)
    .filter((name) => ENTRY_NAME.test(name))
    .map((name) => {
      const file = path.join(directory, name);
      try {
        const stats = fs.lstatSync(file);
        return stats.isFile() ? { file, time: stats.mtimeMs } : undefined;
      } catch {
        return undefined;
      }
    })
    .filter((entry) => entry !== undefined)
    .sort((a, b) => b.time - a.time);
  for (const { file } of entries.slice(keep)) fs.rmSync(file, { force: true });
}

export class SynthesisCache {
  private readonly key: string;
  private readonly file: string;

  constructor(
    private readonly directory: string,
    request: SynthesisRequest,
    checked: CheckedRequest,
    private readonly context: CacheContext,
  ) {
    this.key = cacheKey(request, checked, context);
    this.file = entryFile(directory, this.key);
  }

  /** The stored output, checked file by file, or undefined (a miss) when anything differs or cannot be read. */
  lookup(): { readonly files: ReadonlyMap<string, Buffer>; readonly audit: AuditSummary } | undefined {
    let entry: Entry;
    try {
      entry = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    if (entry.format !== FORMAT || entry.key !== this.key || entry.day !== this.context.day) return undefined;
    const loaded = new Set(this.context.modules());
    for (const [module, hash] of Object.entries(entry.modules)) {
      // A module this run loaded that the entry does not list is fine only if it is the entry's own (checked by the key).
      loaded.delete(module);
      if (hashOrMissing(module) !== hash) return undefined;
    }
    loaded.delete(this.context.entryFile);
    if (loaded.size > 0) return undefined;
    const files = new Map<string, Buffer>();
    for (const stored of entry.files) {
      const bytes = stored.utf8 !== undefined ? Buffer.from(stored.utf8, 'utf8') : Buffer.from(stored.base64 ?? '', 'base64');
      if (sha256(bytes) !== stored.sha256 || !/^[^/][^\0]*$/.test(stored.path) || stored.path.split('/').includes('..')) return undefined;
      files.set(stored.path, bytes);
    }
    const audit = checkedVerdict(files);
    if (!audit) return undefined;
    try {
      const now = new Date();
      fs.utimesSync(this.file, now, now);
    } catch {
      // Only the pruning order.
    }
    return { files, audit };
  }

  /** Stores a staged output whose audit passed (the caller publishes it right after). Never fails the run. */
  store(staging: string): void {
    try {
      const tree = new Map(listFiles(staging).map((name) => [name, fs.readFileSync(path.join(staging, name))]));
      const audit = checkedVerdict(tree);
      if (!audit) return;
      const files = [...tree].map(([name, bytes]): StoredFile => {
        const text = bytes.toString('utf8');
        const exact = Buffer.from(text, 'utf8').equals(bytes);
        return { path: name, sha256: sha256(bytes), ...(exact ? { utf8: text } : { base64: bytes.toString('base64') }) };
      });
      const modules = Object.fromEntries(
        this.context
          .modules()
          .filter((module) => module !== this.context.entryFile)
          .sort()
          .map((module) => [module, hashOrMissing(module)]),
      );
      const entry: Entry = { format: FORMAT, key: this.key, day: this.context.day, modules, audit, files };
      fs.mkdirSync(this.directory, { recursive: true });
      writeAtomically(this.file, JSON.stringify(entry));
      prune(this.directory, MAX_ENTRIES);
    } catch {
      // A read-only or full cache directory: the run is complete anyway, it only is not reused.
    }
  }
}

/** Writes a looked-up tree into a staging directory (files only; the directories follow from the paths). */
export function writeTree(staging: string, files: ReadonlyMap<string, Buffer>): void {
  for (const [name, bytes] of files) {
    const target = path.join(staging, ...name.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
  }
}

/**
 * Publishes the cached output of an identical earlier run into `checked.outdir` (a request that
 * passed every check of checkSynthesisRequest, where its state would live included), with the
 * same staging and swap as a fresh synthesis; undefined on a miss.
 */
export function restoreCached(cache: SynthesisCache, checked: CheckedRequest): ReusedOutcome | SynthesisFailure | undefined {
  const found = cache.lookup();
  if (!found) return undefined;
  const { outdir } = checked;
  let staging: string | undefined;
  try {
    removeLeftovers(outdir);
    staging = createStaging(outdir);
    writeTree(staging, found.files);
    publish(staging, outdir);
    staging = undefined;
    return { ok: true, cached: true, outdir, audit: found.audit };
  } catch (error) {
    return outputFailure(error, staging ?? outdir);
  } finally {
    if (staging !== undefined) removeStaging(staging);
  }
}
