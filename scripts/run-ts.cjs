#!/usr/bin/env node
/**
 * Runs one of the project's TypeScript entry points (the app, the audit, the review, ...):
 * esbuild bundles the entry and the project modules it imports (npm packages stay external and
 * load through Node as usual), and the bundle runs as that entry's own module, so `__dirname`,
 * `require.main === module` and `process.argv` are what they would be for the entry itself.
 * The bundle is cached under node_modules/.cache/run-ts/ (RUN_TS_CACHE overrides it), keyed by
 * the entry, Node's major version, esbuild's version and whether source maps are on, and reused
 * while every bundled source has the same content (sha256), so an unchanged app starts without
 * esbuild at all. Measured the fastest way to run the app (docs/benchmarks.md). It does not
 * type-check: `npm run typecheck` (strict tsc) does, first thing in CI.
 * With NODE_OPTIONS=--enable-source-maps the bundle carries an inline source map and stack
 * traces point to the TypeScript sources. The bundle's sha256 is published to the entry as
 * globalThis[Symbol.for('matrix-sovereign-iac.run-ts')].bundleSha256 (the app's output cache
 * keys its entries by the code that produced them).
 *
 * Usage: node scripts/run-ts.cjs <entry.ts> [arguments...]
 */
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const projectRoot = path.resolve(__dirname, '..');
const cacheDirectory = process.env.RUN_TS_CACHE || path.join(projectRoot, 'node_modules', '.cache', 'run-ts');

function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function contentHash(file) {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

/** The cached bundle, if every source it was built from still has the content it had. */
function cachedBundle(record) {
  if (!record || typeof record.inputs !== 'object') return undefined;
  for (const [file, hash] of Object.entries(record.inputs)) if (contentHash(path.join(projectRoot, file)) !== hash) return undefined;
  try {
    return fs.readFileSync(record.bundle, 'utf8');
  } catch {
    return undefined;
  }
}

function build(entry, sourceMaps) {
  const { buildSync } = require('esbuild');
  const { outputFiles, metafile } = buildSync({
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: sourceMaps ? 'inline' : false,
    metafile: true,
    write: false,
    absWorkingDir: projectRoot,
    outfile: entry.replace(/\.ts$/, '.js'),
    logLevel: 'silent',
  });
  const inputs = {};
  for (const file of Object.keys(metafile.inputs)) inputs[file] = contentHash(path.join(projectRoot, file));
  return { text: outputFiles[0].text, inputs };
}

/** Written whole, then renamed: a concurrent run reads a complete file or none. */
function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/** Stores the bundle and its record, and drops the entry's previous bundle (no other entry shares it). */
function store(recordFile, text, inputs, previous) {
  try {
    fs.mkdirSync(cacheDirectory, { recursive: true });
    const bundle = path.join(cacheDirectory, `${sha256(text).slice(0, 16)}.js`);
    writeAtomically(bundle, text);
    writeAtomically(recordFile, JSON.stringify({ bundle, inputs }));
    if (previous && typeof previous.bundle === 'string' && previous.bundle !== bundle) fs.rmSync(previous.bundle, { force: true });
  } catch {
    // A read-only checkout still runs; it only builds every time.
  }
}

function bundleFor(entry) {
  const sourceMaps = process.sourceMapsEnabled === true;
  const esbuildVersion = readJson(path.join(projectRoot, 'node_modules', 'esbuild', 'package.json'))?.version ?? 'unknown';
  const key = sha256(JSON.stringify([path.relative(projectRoot, entry), process.versions.node.split('.')[0], esbuildVersion, sourceMaps]));
  const recordFile = path.join(cacheDirectory, `${key.slice(0, 16)}.json`);
  const record = readJson(recordFile);
  const cached = cachedBundle(record);
  if (cached !== undefined) return cached;
  const { text, inputs } = build(entry, sourceMaps);
  store(recordFile, text, inputs, record);
  return text;
}

const [entryArgument, ...entryArguments] = process.argv.slice(2);
if (entryArgument === undefined || !entryArgument.endsWith('.ts')) {
  process.stderr.write('usage: node scripts/run-ts.cjs <entry.ts> [arguments...]\n');
  process.exit(2);
}
const entry = path.resolve(entryArgument);

let bundle;
try {
  bundle = bundleFor(entry);
} catch (error) {
  // esbuild's own report names the file, line and problem of every error.
  const messages = error && Array.isArray(error.errors) ? error.errors : [];
  const report = messages.map(
    (message) =>
      `${message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : ''}${message.text}`,
  );
  process.stderr.write(`cannot build ${entryArgument}:\n${report.length > 0 ? report.join('\n') : String(error)}\n`);
  process.exit(1);
}

// Which code runs, for the app's output cache (stacks/synthesis-cache.ts keys its entries by it).
globalThis[Symbol.for('matrix-sovereign-iac.run-ts')] = Object.freeze({
  entry: path.relative(projectRoot, entry),
  bundleSha256: sha256(bundle),
});

const main = new Module(entry, null);
main.id = '.';
main.filename = entry;
main.paths = Module._nodeModulePaths(path.dirname(entry));
process.mainModule = main;
process.argv = [process.argv[0], entry, ...entryArguments];
main._compile(bundle, entry);
main.loaded = true;
