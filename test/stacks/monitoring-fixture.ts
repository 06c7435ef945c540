/** The monitoring objects of a synthesized deployment, shared by the pure and the real-tool monitoring tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeDeployment } from '../../stacks/synthesize-deployment';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import { resources, type SynthesizedStack } from '../../tfjson/terraform-json';
import type { KubeObject } from '../support/kube-tools';

export function synthesize(configPath: string): SynthesizedStack[] {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-')), 'cdktf.out');
  const outcome = synthesizeDeployment({ configPath, outdir });
  if (!outcome.ok) throw new Error(`synthesis failed: ${JSON.stringify(outcome)}`);
  return readSynthesizedStacks(outdir);
}

/** Every Prometheus Operator object (PodMonitor, PrometheusRule) with the stack that holds it. */
export const monitoringObjects = (stacks: readonly SynthesizedStack[]): { stack: string; object: KubeObject }[] =>
  stacks
    .flatMap((stack) =>
      resources(stack, 'kubernetes_manifest').map((resource) => ({
        stack: stack.name,
        object: resource.body.manifest as unknown as KubeObject,
      })),
    )
    .filter(({ object }) => object.apiVersion === 'monitoring.coreos.com/v1');
