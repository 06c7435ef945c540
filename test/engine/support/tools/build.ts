/**
 * What every engine build shares: where its binary lands in the tool cache, the cache key
 * (sources + build flags + Go version), a scratch directory for unpacked sources, and a log
 * of how long each cold build took, waiting for the Go build slot not counted (stderr and
 * `engine/build-times.log` in the tool cache).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedArtifact, withScratchDirectory } from '../../../support/cache-lock';
import { goBuildSlotWaitMs, goVersion, keepBuild, toolCacheRoot } from '../../../support/go-build';
import { toolCache } from '../../../support/tool-cache';

/** Bump when the way engine binaries are built changes (not their sources), so cached builds are redone. */
const BUILD_RECIPE = 1;

/** A 16-hex-digit key over the given parts, the Go toolchain's version and the build recipe. */
export function buildKey(parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256').update(`recipe ${BUILD_RECIPE}\0${goVersion()}\0`);
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The sha256 of files (relative names included), for keys over sources kept in the repo. */
export function filesDigest(directory: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort())
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(directory, file)))
      .update('\0');
  return hash.digest('hex');
}

/** Runs `work` in a scratch directory under the tool cache (unpacked sources, copied modules), removed afterwards. */
export function inScratch<T>(label: string, work: (directory: string) => T): T {
  return withScratchDirectory(toolCache('engine', 'scratch'), label, work);
}

function recordBuildTime(name: string, milliseconds: number, waitedMs: number): void {
  const waited = waitedMs >= 1000 ? `, after ${(waitedMs / 1000).toFixed(0)} s waiting for the Go build slot` : '';
  const line = `${new Date().toISOString()} ${name} built in ${((milliseconds - waitedMs) / 1000).toFixed(0)} s (${goVersion()}${waited})`;
  process.stderr.write(`engine build: ${line}\n`);
  fs.mkdirSync(toolCache('engine'), { recursive: true });
  fs.appendFileSync(toolCache('engine', 'build-times.log'), `${line}\n`);
}

/**
 * The cached binary `<name>-<key>` in the Go tools' bin directory, built by `build(output)`
 * under the cache lock when missing (timed), marked as used.
 */
export function cachedEngineBinary(name: string, key: string, build: (output: string) => void): string {
  const binary = path.join(toolCacheRoot(), 'bin', `${name}-${key}`);
  cachedArtifact(binary, (staging) => {
    const started = Date.now();
    const waitedBefore = goBuildSlotWaitMs();
    build(staging);
    recordBuildTime(name, Date.now() - started, goBuildSlotWaitMs() - waitedBefore);
  });
  keepBuild(binary, name);
  return binary;
}
