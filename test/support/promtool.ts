/**
 * The real promtool (Prometheus' rule checker and rule unit-test runner), built from the Go
 * module proxy and cached beside the other Go tools. v0.316.0 (Prometheus 3.16) is the newest
 * version the proxy serves; it is built with `remove_all_sd` because one service-discovery
 * dependency (hashicorp/nomad/api) is not served by the proxy, and rule checks need no discovery.
 */
import { spawnSync } from 'node:child_process';
import { installGoModuleTool } from './go-build';

export const PROMETHEUS_MODULE_VERSION = 'v0.316.0';

export function ensurePromtool(): string {
  return installGoModuleTool('github.com/prometheus/prometheus/cmd/promtool', PROMETHEUS_MODULE_VERSION, 'promtool', {
    tags: ['remove_all_sd'],
  });
}

export function promtool(args: readonly string[], cwd?: string): { status: number | null; output: string } {
  const result = spawnSync(ensurePromtool(), [...args], { encoding: 'utf8', timeout: 5 * 60_000, ...(cwd ? { cwd } : {}) });
  return { status: result.status, output: `${result.stdout}${result.stderr}${result.error?.message ?? ''}` };
}
