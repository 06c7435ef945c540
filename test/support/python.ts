/**
 * Runs real Python (the language Synapse is written in) for checks whose semantics must be
 * Python's own: PyYAML parsing (YAML 1.1) and `re.match`.
 */
import { spawnSync } from 'node:child_process';
import { cachedInPlace } from './cache-lock';
import { toolCache } from './tool-cache';

/**
 * Runs `script` with `input` as JSON on stdin and parses its JSON output. `requirement` names a
 * pure-Python PyPI package (e.g. junitparser==5.0.3) installed once into the tool cache.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape of the script's JSON output
export function runPython<T>(script: string, input: unknown, requirement?: string): T {
  const env = requirement ? { ...process.env, PYTHONPATH: pythonPackages(requirement) } : process.env;
  const result = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Parses YAML exactly as Synapse does (PyYAML safe_load). */
export function pyYamlLoad(text: string): Record<string, unknown> {
  return runPython<Record<string, unknown>>('import json, sys, yaml\nprint(json.dumps(yaml.safe_load(json.load(sys.stdin))))', text);
}

/** Python `re.match(pattern, candidate) is not None` for each candidate, as Synapse's check_3pid_allowed. */
export function pythonReMatches(pattern: string, candidates: readonly string[]): boolean[] {
  return runPython<boolean[]>(
    'import json, re, sys\nd = json.load(sys.stdin)\nprint(json.dumps([re.match(d["p"], c) is not None for c in d["c"]]))',
    { p: pattern, c: candidates },
  );
}

/** Installs a PyPI requirement once (`pip --target` in the tool cache); returns the directory for PYTHONPATH. */
export function pythonPackages(requirement: string): string {
  return cachedInPlace(toolCache('python-packages', requirement.replace(/[^A-Za-z0-9.=_-]/g, '_')), (directory) => {
    const result = spawnSync(
      'python3',
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', directory, requirement],
      { encoding: 'utf8', timeout: 10 * 60_000 },
    );
    if (result.status !== 0) throw new Error(`pip install ${requirement} failed: ${result.stderr}`);
  });
}
