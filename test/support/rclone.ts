/**
 * rclone, the store backups' uploader (the backup jobs run its official image, rclone/rclone
 * 1.75.1): built once per machine from its Go module through the tools module test/tools/rclone
 * (complete go.mod/go.sum, -mod=readonly), so the drills run the rendered upload and restore
 * commands with the same program and version.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import { cachedArtifact } from './cache-lock';
import { goBuild, goVersion, keepBuild, toolCacheRoot } from './go-build';

export const RCLONE_VERSION = 'v1.75.1';
const MODULE_DIRECTORY = path.join(projectRoot(), 'test', 'tools', 'rclone');
const MAIN_PACKAGE = 'github.com/rclone/rclone';

/** The cached binary, built on first use (a few minutes cold, in the machine's Go build slot). */
export function rcloneBinary(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(fs.readFileSync(path.join(MODULE_DIRECTORY, file))).update('\0');
  hash.update(MAIN_PACKAGE).update('\0').update(goVersion());
  const binary = path.join(toolCacheRoot(), 'bin', `rclone-${hash.digest('hex').slice(0, 16)}`);
  cachedArtifact(binary, (staging) => goBuild({ cwd: MODULE_DIRECTORY, mainPackage: MAIN_PACKAGE, output: staging, mode: 'readonly' }));
  keepBuild(binary, 'rclone');
  return binary;
}
