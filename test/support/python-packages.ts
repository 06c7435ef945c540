/**
 * Pure-Python packages from PyPI installed once into the tool cache (`pip --target`), for
 * tests that need a real third-party parser (e.g. junitparser for JUnit XML).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Returns the directory to put on PYTHONPATH. */
export function pythonPackages(requirement: string): string {
  const cacheRoot = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const directory = path.join(cacheRoot, 'matrix-sovereign-iac', 'python-packages', requirement.replace(/[^A-Za-z0-9.=_-]/g, '_'));
  if (!fs.existsSync(path.join(directory, '.ready'))) {
    fs.rmSync(directory, { recursive: true, force: true });
    const result = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', directory, requirement], { encoding: 'utf8', timeout: 10 * 60_000 });
    if (result.status !== 0) throw new Error(`pip install ${requirement} failed: ${result.stderr}`);
    fs.writeFileSync(path.join(directory, '.ready'), '');
  }
  return directory;
}

export function runPythonWith<T>(requirement: string, script: string, input: unknown): T {
  const result = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', env: { ...process.env, PYTHONPATH: pythonPackages(requirement) } });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
