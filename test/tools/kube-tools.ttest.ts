/**
 * The Kubernetes test tools work and can fail: each check is shown accepting a good object
 * and rejecting bad ones for the named reason, side by side (negative controls included).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import {
  CHART_SOURCES,
  chartDirectory,
  crdFiles,
  crdValidationErrors,
  ensureHelm,
  helmTemplate,
  kubeCheckBinary,
  podSecurityViolations,
  type KubeObject,
} from '../support/kube-tools';

// The first run on a machine builds kube-check and helm from source (minutes); later runs reuse them.
const FIRST_BUILD = 30 * 60_000;
jest.setTimeout(FIRST_BUILD);

beforeAll(() => {
  kubeCheckBinary();
  ensureHelm();
}, FIRST_BUILD);

const RESTRICTED = { level: 'restricted', version: 'v1.33' } as const;

interface Container {
  name: string;
  image: string;
  securityContext: Record<string, unknown>;
}
interface PodSpec {
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes?: unknown[];
}

/** A pod spec that satisfies restricted; each bad case changes one thing. */
function restrictedPodSpec(): PodSpec {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'registry.example.org/app@sha256:' + 'a'.repeat(64),
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
      },
    ],
  };
}

function firstContainer(spec: PodSpec): Container {
  const container = spec.containers[0];
  if (!container) throw new Error('no container');
  return container;
}

const template = (spec: PodSpec) => ({ metadata: { labels: { app: 'app' } }, spec });
const selector = { matchLabels: { app: 'app' } };

/** The same pod spec wrapped in each pod-bearing kind. */
const WORKLOADS: Record<string, (spec: PodSpec) => KubeObject> = {
  Pod: (spec) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'ns' }, spec }),
  Deployment: (spec) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'deployment', namespace: 'ns' },
    spec: { selector, template: template(spec) },
  }),
  StatefulSet: (spec) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'statefulset', namespace: 'ns' },
    spec: { selector, serviceName: 'app', template: template(spec) },
  }),
  DaemonSet: (spec) => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'daemonset', namespace: 'ns' },
    spec: { selector, template: template(spec) },
  }),
  ReplicaSet: (spec) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'replicaset', namespace: 'ns' },
    spec: { selector, template: template(spec) },
  }),
  Job: (spec) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'job', namespace: 'ns' },
    spec: { template: template({ ...spec, restartPolicy: 'Never' } as PodSpec) },
  }),
  CronJob: (spec) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cronjob', namespace: 'ns' },
    spec: { schedule: '@daily', jobTemplate: { spec: { template: template({ ...spec, restartPolicy: 'Never' } as PodSpec) } } },
  }),
};

const deployment = (change: (spec: PodSpec) => void = () => undefined): KubeObject => {
  const spec = restrictedPodSpec();
  change(spec);
  const build = WORKLOADS.Deployment;
  if (!build) throw new Error('no Deployment builder');
  return build(spec);
};

describe('podSecurityViolations: Pod Security admission, restricted v1.33', () => {
  it.each(Object.keys(WORKLOADS))('accepts a fully restricted %s and flags the same one privileged', (kind) => {
    const build = WORKLOADS[kind];
    if (!build) throw new Error(kind);
    const privileged = restrictedPodSpec();
    firstContainer(privileged).securityContext.privileged = true;
    const [good, bad] = podSecurityViolations([build(restrictedPodSpec()), build(privileged)], RESTRICTED);
    expect(good).toMatchObject({ kind, allowed: true, violations: [] });
    expect(bad).toMatchObject({ kind, allowed: false });
    expect(bad?.violations).toEqual([expect.stringMatching(/^privileged: privileged: container "app"/)]);
  });

  it('ignores objects without a pod template', () => {
    const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } };
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: {} };
    expect(podSecurityViolations([service, configMap, deployment()], RESTRICTED).map((result) => result.kind)).toEqual(['Deployment']);
  });

  // Each bad case breaks exactly one control, so exactly one check must name it.
  it.each<[string, string, (spec: PodSpec) => void]>([
    ['a privileged container', 'privileged', (spec) => void (firstContainer(spec).securityContext.privileged = true)],
    ['a hostPath volume', 'restrictedVolumes', (spec) => void (spec.volumes = [{ name: 'host', hostPath: { path: '/' } }])],
    ['no seccomp profile', 'seccompProfile_restricted', (spec) => void delete spec.securityContext.seccompProfile],
    [
      'an Unconfined seccomp profile on a container',
      'seccompProfile_restricted',
      (spec) => void (firstContainer(spec).securityContext.seccompProfile = { type: 'Unconfined' }),
    ],
    ['runAsNonRoot not set', 'runAsNonRoot', (spec) => void delete spec.securityContext.runAsNonRoot],
    ['runAsUser 0 (root)', 'runAsUser', (spec) => void (firstContainer(spec).securityContext.runAsUser = 0)],
    [
      'privilege escalation allowed',
      'allowPrivilegeEscalation',
      (spec) => void (firstContainer(spec).securityContext.allowPrivilegeEscalation = true),
    ],
    ['capabilities not dropped', 'capabilities_restricted', (spec) => void delete firstContainer(spec).securityContext.capabilities],
    ['host networking', 'hostNamespaces', (spec) => void Object.assign(spec, { hostNetwork: true })],
  ])('flags %s as %s', (_case, check, change) => {
    const [result] = podSecurityViolations([deployment(change)], RESTRICTED);
    expect(result?.allowed).toBe(false);
    expect(result?.violations).toHaveLength(1);
    expect(result?.violations[0]).toMatch(new RegExp(`^${check}: `));
  });

  it('applies the level asked for: hostPath is a baseline check of its own, and root is fine at baseline', () => {
    const hostPath = deployment((spec) => void (spec.volumes = [{ name: 'host', hostPath: { path: '/' } }]));
    const root = deployment((spec) => void (firstContainer(spec).securityContext.runAsUser = 0));
    const [hostPathResult, rootResult] = podSecurityViolations([hostPath, root], { level: 'baseline', version: 'v1.33' });
    expect(hostPathResult?.violations).toEqual([expect.stringMatching(/^hostPathVolumes: hostPath volumes: /)]);
    expect(rootResult).toMatchObject({ allowed: true, violations: [] });
  });

  it('reports a misspelt field instead of silently ignoring it, as strict field validation would', () => {
    const typo = deployment((spec) => {
      delete spec.securityContext.runAsNonRoot;
      spec.securityContext.runAsNonroot = true;
    });
    const [result] = podSecurityViolations([typo], RESTRICTED);
    expect(result?.violations).toEqual([
      expect.stringContaining('decode: unknown field "spec.template.spec.securityContext.runAsNonroot"'),
      expect.stringMatching(/^runAsNonRoot: /),
    ]);
  });
});

const ISSUER_REF = { name: 'internal-ca', kind: 'Issuer', group: 'cert-manager.io' };
const certificate = (spec: Record<string, unknown> = {}, apiVersion = 'cert-manager.io/v1', kind = 'Certificate'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'synapse-tls', namespace: 'matrix-homeserver', labels: { app: 'synapse' } },
  spec: {
    secretName: 'synapse-tls',
    dnsNames: ['matrix.example.org'],
    duration: '2160h',
    renewBefore: '360h',
    issuerRef: ISSUER_REF,
    ...spec,
  },
});
const externalSecret = (spec: Record<string, unknown> = {}, apiVersion = 'external-secrets.io/v1'): KubeObject => ({
  apiVersion,
  kind: 'ExternalSecret',
  metadata: { name: 'ldap-bind', namespace: 'matrix-directory' },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
    target: { name: 'ldap-bind', creationPolicy: 'Owner' },
    data: [{ secretKey: 'password', remoteRef: { key: 'matrix/ldap', property: 'bind-password' } }],
    ...spec,
  },
});
const venafiIssuer = (venafi: Record<string, unknown>): KubeObject => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Issuer',
  metadata: { name: 'venafi', namespace: 'ns' },
  spec: { venafi },
});

describe('crdValidationErrors: cert-manager v1.21.2 and external-secrets v1.3.2 CRDs', () => {
  const crds = () => [...crdFiles('cert-manager'), ...crdFiles('external-secrets')];

  it.each<[string, KubeObject]>([
    ['a cert-manager Certificate', certificate()],
    ['an ESO ExternalSecret', externalSecret()],
    [
      'fields under x-kubernetes-preserve-unknown-fields (ACME webhook config)',
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: { name: 'acme', namespace: 'ns' },
        spec: {
          acme: {
            server: 'https://acme.example.org/directory',
            privateKeySecretRef: { name: 'acme-key' },
            solvers: [{ dns01: { webhook: { groupName: 'acme.example.org', solverName: 'x', config: { anything: { goes: [1, 2] } } } } }],
          },
        },
      },
    ],
    [
      'a Venafi issuer with exactly one backend (the CEL rule holds)',
      venafiIssuer({ zone: 'z', cloud: { apiTokenSecretRef: { name: 'token' } } }),
    ],
  ])('accepts %s', (_case, object) => {
    expect(crdValidationErrors([object], crds())).toEqual([expect.objectContaining({ name: object.metadata.name, errors: [] })]);
  });

  it.each<[string, KubeObject, RegExp]>([
    ['an unknown field (typo) in spec', certificate({ dnsName: ['matrix.example.org'] }), /^unknown field "spec\.dnsName"$/],
    [
      'an unknown field deep in an ExternalSecret',
      externalSecret({ target: { name: 'ldap-bind', creationPolicey: 'Owner' } }),
      /^unknown field "spec\.target\.creationPolicey"$/,
    ],
    [
      'an unknown metadata field',
      { ...certificate(), metadata: { name: 'x', namespace: 'ns', label: { a: 'b' } } },
      /^unknown field "metadata\.label"$/,
    ],
    ['a wrong type', certificate({ dnsNames: 'matrix.example.org' }), /^spec\.dnsNames: .*must be of type array/],
    [
      'a value outside an enum',
      externalSecret({ target: { name: 'ldap-bind', creationPolicy: 'Sometimes' } }),
      /^spec\.target\.creationPolicy: Unsupported value: "Sometimes"/,
    ],
    ['a missing required field', certificate({ secretName: undefined }), /^spec\.secretName: Required value$/],
    [
      'an invalid object name',
      { ...certificate(), metadata: { name: 'Not_A_Name', namespace: 'ns' } },
      /^metadata\.name: Invalid value: "Not_A_Name"/,
    ],
    [
      'an unknown kind',
      certificate({}, 'cert-manager.io/v1', 'Certifikate'),
      /^kind: no CustomResourceDefinition for kind "Certifikate" in group "cert-manager.io"/,
    ],
    [
      'a version the CRD does not define',
      certificate({}, 'cert-manager.io/v1alpha2'),
      /^apiVersion: "cert-manager.io\/v1alpha2" is not served \(served: cert-manager.io\/v1\)$/,
    ],
    [
      'a version the CRD defines but no longer serves',
      externalSecret({}, 'external-secrets.io/v1beta1'),
      /^apiVersion: "external-secrets.io\/v1beta1" is not served \(served: external-secrets.io\/v1\)$/,
    ],
    [
      'a CEL rule violation (x-kubernetes-validations: no Venafi backend)',
      venafiIssuer({ zone: 'z' }),
      /^spec\.venafi: Invalid value: exactly one of tpp, cloud, or ngts must be configured$/,
    ],
    [
      'a CEL rule violation (two Venafi backends)',
      venafiIssuer({ zone: 'z', cloud: { apiTokenSecretRef: { name: 't' } }, tpp: { url: 'https://tpp', credentialsRef: { name: 'c' } } }),
      /^spec\.venafi: Invalid value: exactly one of/,
    ],
  ])('flags %s', (_case, object, expected) => {
    const [result] = crdValidationErrors([JSON.parse(JSON.stringify(object)) as KubeObject], crds());
    expect(result?.errors).toEqual([expect.stringMatching(expected)]);
  });

  it('needs the CRD among the files it is given: a built-in kind is an error, not a pass', () => {
    const [result] = crdValidationErrors([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }], crdFiles('cert-manager'));
    expect(result?.errors).toEqual([expect.stringMatching(/^kind: no CustomResourceDefinition for kind "ConfigMap"/)]);
  });

  it('reads CRDs from a directory, skipping non-CRD documents in it', () => {
    const directory = path.dirname(crdFiles('external-secrets')[0] ?? '');
    expect(fs.readdirSync(directory)).toContain('kustomization.yaml');
    expect(crdValidationErrors([externalSecret()], [directory])[0]?.errors).toEqual([]);
  });
});

describe('helmTemplate: third-party charts from their Go modules', () => {
  const render = () =>
    helmTemplate('cert-manager', { releaseName: 'cert-manager', namespace: 'cert-manager', values: ['crds:\n  enabled: false\n'] });

  it('renders cert-manager v1.21.2 with its release version, images defaulting to it', () => {
    const objects = render();
    const chart = YAML.parse(fs.readFileSync(path.join(chartDirectory('cert-manager'), 'Chart.yaml'), 'utf8')) as {
      version?: string;
      appVersion?: string;
    };
    expect(chart).toMatchObject({ version: CHART_SOURCES['cert-manager'].version, appVersion: 'v1.21.2' });
    const deployments = objects
      .filter((object) => object.kind === 'Deployment')
      .map((object) => object.metadata.name)
      .sort();
    expect(deployments).toEqual(['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook']);
    expect(objects.some((object) => object.kind === 'CustomResourceDefinition')).toBe(false);
    expect(JSON.stringify(objects)).toContain('quay.io/jetstack/cert-manager-controller:v1.21.2');
  });

  it('renders pods that pass Pod Security restricted v1.33 with default values', () => {
    const results = podSecurityViolations(render(), RESTRICTED);
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.filter((result) => !result.allowed)).toEqual([]);
  });

  it('renders pods that fail restricted once the chart is told to weaken them (negative control)', () => {
    const weakened = helmTemplate('cert-manager', {
      releaseName: 'cert-manager',
      namespace: 'cert-manager',
      values: ['crds:\n  enabled: false\n', 'securityContext:\n  runAsNonRoot: false\n  seccompProfile: null\n'],
    });
    const controller = podSecurityViolations(weakened, RESTRICTED).find((result) => result.name === 'cert-manager');
    expect(controller?.allowed).toBe(false);
    expect(controller?.violations.map((violation) => violation.split(':')[0])).toEqual(
      expect.arrayContaining(['runAsNonRoot', 'seccompProfile_restricted']),
    );
  });

  it('includes the templated CRDs when asked, and they define what deploy/crds defines', () => {
    const objects = helmTemplate('cert-manager', {
      releaseName: 'cert-manager',
      namespace: 'cert-manager',
      values: ['crds:\n  enabled: true\n'],
    });
    const templated = objects
      .filter((object) => object.kind === 'CustomResourceDefinition')
      .map((object) => object.metadata.name)
      .sort();
    const plain = crdFiles('cert-manager')
      .map((file) => (YAML.parse(fs.readFileSync(file, 'utf8')) as { metadata: { name: string } }).metadata.name)
      .sort();
    expect(templated).toEqual(plain);
  });

  it.each<[keyof typeof CHART_SOURCES, string]>([
    ['trust-manager', 'trust-manager'],
    ['external-secrets', 'external-secrets'],
  ])('renders %s offline, its Deployment %s included', (chart, deploymentName) => {
    const objects = helmTemplate(chart, { releaseName: chart, namespace: chart, values: [] });
    expect(objects.filter((object) => object.kind === 'Deployment').map((object) => object.metadata.name)).toContain(deploymentName);
  });

  it('refuses to enable a subchart that cannot be fetched offline', () => {
    expect(() =>
      helmTemplate('external-secrets', { releaseName: 'eso', namespace: 'eso', values: ['bitwarden-sdk-server:\n  enabled: true\n'] }),
    ).toThrow(/not available offline/);
  });
});
