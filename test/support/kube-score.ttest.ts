/**
 * The workload scanner without the engine tier: the pinned kube-score build, its JSON read into
 * findings, objects unable to exempt themselves, the YAML stream it reads. The judging of findings
 * against the exception table is in kube-score.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findingsOf } from '../engine/support/scanner-findings';
import { yamlStream } from '../engine/support/workload-scan';
import { ensureKubeScore, KUBE_SCORE_VERSION, kubeScore, verifyKubeScore } from './kube-score';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-score-'));
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

/** A Deployment hardened as ours are, but for what `edit` removes; in namespace `n` (a YAML 1.1 boolean if unquoted). */
function deployment(name: string, edit: (container: Record<string, unknown>) => void = () => undefined) {
  const container: Record<string, unknown> = {
    name: 'app',
    image: 'registry.example/app:1.0@sha256:' + '0'.repeat(64),
    imagePullPolicy: 'Always',
    securityContext: {
      runAsUser: 10001,
      runAsGroup: 10001,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    },
    resources: {
      requests: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '64Mi' },
    },
  };
  edit(container);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'n', annotations: { 'kube-score/ignore': 'container-resources,pod-networkpolicy' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [container] },
      },
    },
  };
}

const policy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny', namespace: 'n' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};

describe('kube-score, built from its Go module', () => {
  it('is the pinned release, and a binary from any other module is refused', () => {
    const binary = ensureKubeScore();
    expect(() => verifyKubeScore(binary)).not.toThrow();
    expect(binary).toContain(`kube-score-${KUBE_SCORE_VERSION}`);
    const gofmt = path.join(spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).stdout.trim(), 'bin', 'gofmt');
    expect(() => verifyKubeScore(gofmt)).toThrow(/is not kube-score/);
  });

  it('finds what a workload lacks, and the object cannot silence it with an annotation', () => {
    const file = path.join(directory, 'objects.yaml');
    const unlimited = deployment('unlimited', (container) => void delete container.resources);
    fs.writeFileSync(file, yamlStream([deployment('hardened'), unlimited, policy]));
    const findings = findingsOf(kubeScore([file], { kubernetesVersion: 'v1.37', optionalChecks: ['container-seccomp-profile'] }));
    expect(findings.filter((finding) => finding.grade === 'critical').map(({ check, object }) => `${check} ${object}`)).toEqual([
      'container-ephemeral-storage-request-and-limit Deployment n/unlimited',
      'container-resources Deployment n/unlimited',
    ]);
    expect(findings.find((finding) => finding.check === 'container-resources')?.summaries).toContain('app: CPU limit is not set');
  });
});
