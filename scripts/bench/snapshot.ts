/**
 * Builds the benchmark's V8 startup snapshot of the main job: esbuild bundles
 * scripts/bench/snapshot-entry.ts with every package into one script (a snapshot is built from a
 * single script, without `require` of anything but Node's builtins), written next to the
 * compiled entry in dist/ (so the project root it records while building is this project's),
 * then `node --build-snapshot` writes the blob into the scratch directory. Measured, not
 * adopted (docs/benchmarks.md).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type { SnapshotBuild } from './analysis';

export interface BuiltSnapshot extends SnapshotBuild {
  readonly blob?: string;
}

export function buildSnapshot(root: string, scratch: string): BuiltSnapshot {
  const bundle = path.join(root, 'dist', 'scripts', 'bench', 'snapshot-bundle.js');
  const blob = path.join(scratch, 'app-snapshot.blob');
  try {
    const started = process.hrtime.bigint();
    buildSync({
      entryPoints: [path.join(root, 'scripts', 'bench', 'snapshot-entry.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      outfile: bundle,
      absWorkingDir: root,
      logLevel: 'silent',
    });
    const bundled = process.hrtime.bigint();
    const run = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', bundle], { cwd: root, encoding: 'utf8' });
    const built = process.hrtime.bigint();
    const timings = { bundleSeconds: Number(bundled - started) / 1e9, snapshotSeconds: Number(built - bundled) / 1e9 };
    if (run.status !== 0 || !fs.existsSync(blob))
      return {
        ...timings,
        error: `node --build-snapshot failed (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`,
      };
    return { ...timings, bundleBytes: fs.statSync(bundle).size, blobBytes: fs.statSync(blob).size, blob };
  } catch (error) {
    return { error: error instanceof Error ? (error.message.split('\n')[0] ?? 'unknown error') : String(error) };
  }
}
