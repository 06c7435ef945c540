/**
 * The workload scanner's plumbing, without the engine tier: the pinned kube-score build, its
 * JSON read into findings, objects unable to exempt themselves, the YAML stream it reads, and
 * the judging of findings against the exception table (new and stale entries both fail).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';
import {
  countsByCheck,
  findingsOf,
  judgeFindings,
  parseExceptions,
  readExceptions,
  verdictMessage,
  type ScannerException,
  type ScannerFinding,
} from '../engine/support/scanner-findings';
import { EXCEPTIONS_FILE, yamlStream } from '../engine/support/workload-scan';
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

describe('the exception table', () => {
  const finding = (check: string, object: string, grade: ScannerFinding['grade'] = 'critical'): ScannerFinding => ({
    check,
    object,
    grade,
    summaries: ['c: something'],
  });
  const exception = (check: string, object: string): ScannerException => ({ check, object, reason: 'a concrete reason, long enough' });

  it.each<[string, ScannerFinding[], ScannerException[], { unjustified: string[]; stale: string[]; justified: number }]>([
    ['nothing found, nothing listed', [], [], { unjustified: [], stale: [], justified: 0 }],
    [
      'a critical finding listed',
      [finding('a', 'Deployment n/x')],
      [exception('a', 'Deployment n/x')],
      { unjustified: [], stale: [], justified: 1 },
    ],
    ['a new critical finding', [finding('a', 'Deployment n/x')], [], { unjustified: ['a Deployment n/x'], stale: [], justified: 0 }],
    ['a warning needs no entry', [finding('a', 'Deployment n/x', 'warning')], [], { unjustified: [], stale: [], justified: 0 }],
    [
      'an entry for a finding now fixed is stale',
      [],
      [exception('a', 'Deployment n/x')],
      { unjustified: [], stale: ['a Deployment n/x'], justified: 0 },
    ],
    [
      'an entry for a finding now only a warning is stale',
      [finding('a', 'Deployment n/x', 'warning')],
      [exception('a', 'Deployment n/x')],
      { unjustified: [], stale: ['a Deployment n/x'], justified: 0 },
    ],
    [
      'the same object, another check',
      [finding('b', 'Deployment n/x')],
      [exception('a', 'Deployment n/x')],
      { unjustified: ['b Deployment n/x'], stale: ['a Deployment n/x'], justified: 0 },
    ],
    [
      'a name prefix covers generated names, and only those',
      [finding('a', 'Job n/configure-1a2b'), finding('a', 'Job n/other')],
      [exception('a', 'Job n/configure-*')],
      { unjustified: ['a Job n/other'], stale: [], justified: 1 },
    ],
  ])('%s', (_name, findings, exceptions, expected) => {
    const verdict = judgeFindings(findings, exceptions);
    expect({
      unjustified: verdict.unjustified.map((item) => `${item.check} ${item.object}`),
      stale: verdict.stale.map((item) => `${item.check} ${item.object}`),
      justified: verdict.accepted.length,
    }).toEqual(expected);
    expect(verdictMessage(verdict, 'table.yaml') === '').toBe(expected.unjustified.length === 0 && expected.stale.length === 0);
  });

  it('prints new findings as entries to paste, and stale ones to remove', () => {
    const message = verdictMessage(judgeFindings([finding('a', 'Deployment n/x')], [exception('b', 'Service n/y')]), 'table.yaml');
    expect(message).toContain('a on Deployment n/x: c: something');
    expect(message).toContain('  - check: a\n    objects:\n      - Deployment n/x\n    reason: TODO');
    expect(message).toContain('stale exceptions (no such critical finding any more; remove them from table.yaml):\n  b on Service n/y');
  });

  it('reads a known defect with the change it awaits, and counts it apart from the justified', () => {
    const exceptions = parseExceptions(
      [
        '- { check: a, objects: [Deployment n/x, Job n/y-*], reason: "a concrete reason, long enough" }',
        '- { check: b, objects: [Deployment n/x], reason: "a concrete reason, long enough", awaiting: "the change that fixes it" }',
      ].join('\n'),
    );
    expect(exceptions.map((entry) => [entry.check, entry.object, entry.awaiting])).toEqual([
      ['a', 'Deployment n/x', undefined],
      ['a', 'Job n/y-*', undefined],
      ['b', 'Deployment n/x', 'the change that fixes it'],
    ]);
    const verdict = judgeFindings([finding('a', 'Deployment n/x'), finding('a', 'Job n/y-1'), finding('b', 'Deployment n/x')], exceptions);
    expect(countsByCheck(verdict)).toEqual([
      { check: 'a', critical: 2, justified: 2, awaiting: 0, warning: 0 },
      { check: 'b', critical: 1, justified: 0, awaiting: 1, warning: 0 },
    ]);
  });

  it.each([
    ['an unknown key', '- { check: a, objects: [Deployment n/x], reason: "a concrete reason, long enough", owner: me }', /unrecognized/i],
    ['no reason', '- { check: a, objects: [Deployment n/x] }', /reason/],
    ['a reason too short to say why', '- { check: a, objects: [Deployment n/x], reason: singleton }', /say why/],
    [
      'an object without its namespace',
      '- { check: a, objects: [Deployment x], reason: "a concrete reason, long enough" }',
      /Kind namespace\/name/,
    ],
    [
      'a pair listed twice',
      '- { check: a, objects: [Deployment n/x], reason: "a concrete reason, long enough" }\n- { check: a, objects: [Deployment n/x], reason: "another reason, long enough" }',
      /listed twice/,
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseExceptions(text)).toThrow(message);
  });

  it("the repository's table reads, every entry with its reason", () => {
    const exceptions = readExceptions(path.join(projectRoot(), EXCEPTIONS_FILE));
    for (const entry of exceptions) expect(entry.reason.length).toBeGreaterThanOrEqual(20);
  });
});
