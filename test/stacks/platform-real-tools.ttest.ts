/**
 * The platform checked with the real upstream tools, built from Go modules: every custom
 * resource the stacks synthesize is validated against the CRDs of the pinned operator
 * releases (structural schema, unknown fields, CEL rules, as the API server does), and the
 * third-party charts are rendered by the real helm with the values this project writes,
 * then their pods are judged by Kubernetes' own Pod Security `restricted` checks and
 * compared with the model the network policies and quotas are derived from.
 *
 * Exact releases: cert-manager v1.21.2 and trust-manager v0.22.1. External Secrets: the
 * proxy serves no 2.x, so its chart and CRDs come from 1.3.2 (the same served API
 * versions); the OpenBao chart is not on the proxy at all and is not rendered here. The
 * PodMonitors and PrometheusRules are for the site's Prometheus Operator (CRDs of v0.91.0).
 * The CloudNativePG and barman-cloud charts are not Go modules: they come from the sha256-pinned
 * source archives the engine proof packages (test/engine/support/tools/sources.ts), and are
 * skipped, saying so, where those archives are absent.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DeploymentConfig } from '../../config/deployment-config';
import type { PlatformComponent } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import { PLATFORM_PODS, PLATFORM_SERVICES, platformNames, RELEASES } from '../../model/platform';
import { scanJson } from '../../policies/secrets/secret-scan';
import { barmanCloudValues } from '../../render/charts/barman-cloud-values';
import { certManagerValues } from '../../render/charts/cert-manager-values';
import { renderValues, type HelmValues } from '../../render/charts/chart-values';
import { cloudnativePgValues } from '../../render/charts/cloudnative-pg-values';
import { externalSecretsValues } from '../../render/charts/external-secrets-values';
import { trustManagerValues } from '../../render/charts/trust-manager-values';
import { synthesizeDeployment } from '../../stacks/synthesize-deployment';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import { resources } from '../../tfjson/terraform-json';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { CHART_PACKAGES, preparedChart, type PackagedChart } from '../engine/support/tools/charts';
import { engineSourcesDirectory } from '../engine/support/tools/sources';
import {
  crdFiles,
  crdValidationErrors,
  helmTemplate,
  helmTemplateChart,
  podSecurityViolations,
  prometheusOperatorCrdFiles,
  type ChartName,
  type KubeObject,
} from '../support/kube-tools';
import { postgresOperatorCrdFiles } from '../support/postgres-operator-crds';

// First run on a machine builds helm and kube-check from Go modules (minutes).
jest.setTimeout(30 * 60_000);

function synthesizedManifests(configPath: string): KubeObject[] {
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'platform-tools-')), 'cdktf.out');
  const outcome = synthesizeDeployment({ configPath, outdir });
  if (!outcome.ok) throw new Error(`synthesis failed: ${JSON.stringify(outcome)}`);
  return readSynthesizedStacks(outdir).flatMap((stack) =>
    resources(stack, 'kubernetes_manifest').map((resource) => resource.body.manifest as unknown as KubeObject),
  );
}

const label = (object: KubeObject) => `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;

describe.each([
  ['default deployment', DEFAULT_CONFIG_FILE],
  ['3-homeserver fleet', FLEET_CONFIG_FILE],
])('%s: every custom resource is valid for the pinned operators', (_name, configPath) => {
  const manifests = synthesizedManifests(configPath);

  it('covers every kind the stacks create', () => {
    expect([...new Set(manifests.map((object) => `${object.apiVersion} ${object.kind}`))].sort()).toEqual([
      'barmancloud.cnpg.io/v1 ObjectStore',
      'cert-manager.io/v1 Certificate',
      'cert-manager.io/v1 ClusterIssuer',
      'external-secrets.io/v1 ExternalSecret',
      'external-secrets.io/v1 SecretStore',
      'external-secrets.io/v1alpha1 PushSecret',
      'generators.external-secrets.io/v1alpha1 Password',
      'monitoring.coreos.com/v1 PodMonitor',
      'monitoring.coreos.com/v1 PrometheusRule',
      'postgresql.cnpg.io/v1 Cluster',
      'postgresql.cnpg.io/v1 Database',
      'postgresql.cnpg.io/v1 ScheduledBackup',
      'trust.cert-manager.io/v1alpha1 Bundle',
    ]);
  });

  it("passes schema, unknown-field and CEL validation against the CRDs (the site Prometheus Operator's and the PostgreSQL operator's included)", () => {
    const results = crdValidationErrors(manifests, [...crdFiles(), ...prometheusOperatorCrdFiles(), ...postgresOperatorCrdFiles()]);
    expect(results.filter((result) => result.errors.length > 0)).toEqual([]);
    expect(results).toHaveLength(manifests.length);
  });
});

describe('the PostgreSQL objects are checked for real', () => {
  const manifests = synthesizedManifests(FLEET_CONFIG_FILE);
  const cluster = manifests.find((object) => object.kind === 'Cluster')!;
  const objectStore = manifests.find((object) => object.kind === 'ObjectStore')!;
  const scheduled = manifests.find((object) => object.kind === 'ScheduledBackup')!;
  const spec = (object: KubeObject) => object.spec as Record<string, Record<string, unknown>>;
  it.each<[string, KubeObject, (object: KubeObject) => void]>([
    ['a Cluster with a misspelt field', cluster, (object) => (spec(object).postgresql!.pghba = ['host all all all trust'])],
    [
      'a Cluster with an unknown synchronous method',
      cluster,
      (object) => (spec(object).postgresql!.synchronous = { method: 'all', number: 1 }),
    ],
    [
      'a Cluster with a durability the operator does not know',
      cluster,
      (object) => (spec(object).postgresql!.synchronous = { method: 'any', number: 1, dataDurability: 'strict' }),
    ],
    [
      'an ObjectStore with an unknown encryption',
      objectStore,
      (object) => ((spec(object).configuration!.wal as Record<string, unknown>).encryption = 'none'),
    ],
    [
      'an ObjectStore with a malformed retention',
      objectStore,
      (object) => ((object.spec as Record<string, unknown>).retentionPolicy = '30 days'),
    ],
    ['a ScheduledBackup with an unknown method', scheduled, (object) => ((object.spec as Record<string, unknown>).method = 'pg_dump')],
  ])('refuses %s', (_name, object, mutate) => {
    const broken = structuredClone(object);
    mutate(broken);
    expect(crdValidationErrors([broken], postgresOperatorCrdFiles())[0]?.errors.length).toBeGreaterThan(0);
  });
});

describe('the CRD check is a real check on these objects', () => {
  const [store] = synthesizedManifests(DEFAULT_CONFIG_FILE).filter((object) => object.kind === 'SecretStore');
  it.each([
    [
      'a misspelt field',
      (spec: Record<string, unknown>) => ((spec.provider as Record<string, Record<string, unknown>>).vault!.cabundle = 'x'),
    ],
    [
      'an unknown KV version',
      (spec: Record<string, unknown>) => ((spec.provider as Record<string, Record<string, unknown>>).vault!.version = 'v3'),
    ],
  ])('refuses a SecretStore with %s', (_name, mutate) => {
    const broken = structuredClone(store!);
    mutate(broken.spec as Record<string, unknown>);
    expect(crdValidationErrors([broken], crdFiles())[0]?.errors.length).toBeGreaterThan(0);
  });
});

interface ChartCase {
  /** A chart from its Go module, or one packaged from its source archive. */
  readonly chart: ChartName | Extract<PackagedChart, 'cloudnative-pg' | 'plugin-barman-cloud'>;
  readonly release: string;
  readonly component: PlatformComponent;
  readonly values: (config: DeploymentConfig) => HelmValues;
  /** The pinned images the chart must run (effective references, digest included). */
  readonly images: (config: DeploymentConfig) => string[];
}

const CHARTS: readonly ChartCase[] = [
  {
    chart: 'cert-manager',
    release: RELEASES.certManager,
    component: 'cert-manager',
    values: certManagerValues,
    images: (config) => [
      config.images.effective.certManagerController,
      config.images.effective.certManagerWebhook,
      config.images.effective.certManagerCainjector,
    ],
  },
  {
    chart: 'trust-manager',
    release: RELEASES.trustManager,
    component: 'cert-manager',
    values: trustManagerValues,
    images: (config) => [config.images.effective.trustManager],
  },
  {
    chart: 'external-secrets',
    release: RELEASES.externalSecrets,
    component: 'external-secrets',
    values: externalSecretsValues,
    images: (config) => [config.images.effective.externalSecrets],
  },
  {
    chart: 'cloudnative-pg',
    release: RELEASES.cloudnativePg,
    component: 'postgres-operator',
    values: cloudnativePgValues,
    images: (config) => [config.images.effective.cloudnativePg],
  },
  {
    chart: 'plugin-barman-cloud',
    release: RELEASES.barmanCloud,
    component: 'postgres-operator',
    values: barmanCloudValues,
    images: (config) => [config.images.effective.barmanCloudPlugin],
  },
];

const archived = (chart: ChartCase['chart']): chart is Extract<PackagedChart, 'cloudnative-pg' | 'plugin-barman-cloud'> =>
  chart === 'cloudnative-pg' || chart === 'plugin-barman-cloud';

/** Why a chart cannot be rendered here, if it cannot: its source archive is absent. */
function missingSource(chartCase: ChartCase): string | undefined {
  if (!archived(chartCase.chart)) return undefined;
  const file = path.join(engineSourcesDirectory(), CHART_PACKAGES[chartCase.chart].archive.file);
  return fs.existsSync(file) ? undefined : `${file} is absent (ENGINE_SOURCES)`;
}

function renderChart(chartCase: ChartCase, config: DeploymentConfig, namespace: string): KubeObject[] {
  const options = {
    releaseName: chartCase.release,
    namespace,
    values: [renderValues(chartCase.chart, chartCase.values(config))],
    kubeVersion: '1.33.0',
  };
  return archived(chartCase.chart) ? helmTemplateChart(preparedChart(chartCase.chart), options) : helmTemplate(chartCase.chart, options);
}

interface PodTemplate {
  readonly owner: string;
  readonly labels: Record<string, string>;
  readonly containers: {
    image?: string;
    ports?: { containerPort?: number }[];
    resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  }[];
}

function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return objects.flatMap((object) => {
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind)) return [];
    const template = (
      object.spec as
        | {
            template?: {
              metadata?: { labels?: Record<string, string> };
              spec?: { containers?: PodTemplate['containers']; initContainers?: PodTemplate['containers'] };
            };
          }
        | undefined
    )?.template;
    return [
      {
        owner: label(object),
        labels: template?.metadata?.labels ?? {},
        containers: [...(template?.spec?.containers ?? []), ...(template?.spec?.initContainers ?? [])],
      },
    ];
  });
}

const matches = (selector: Readonly<Record<string, string>>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe.each([
  ['default deployment', loadDeploymentConfig(DEFAULT_CONFIG_FILE)],
  ['fleet (through the registry mirror)', loadDeploymentConfig(FLEET_CONFIG_FILE)],
])('%s: the charts rendered by the real helm with our values', (_name, config) => {
  const available = CHARTS.filter((chartCase) => missingSource(chartCase) === undefined);
  for (const chartCase of CHARTS.filter((candidate) => !available.includes(candidate)))
    it.skip(`${chartCase.chart}: not rendered, ${missingSource(chartCase) ?? ''}`, () => undefined);
  describe.each(available.map((chartCase) => [chartCase.chart, chartCase] as const))('%s', (_chart, chartCase) => {
    const namespace = platformNames(config.deploymentName).namespaces[chartCase.component];
    const rendered = renderChart(chartCase, config, namespace);
    const pods = podTemplates(rendered);
    const modelled = PLATFORM_PODS.filter((pod) => pod.component === chartCase.component && pod.name.startsWith(chartCase.release));

    it('runs only pods that pass Pod Security restricted (v1.33)', () => {
      expect(pods.length).toBeGreaterThan(0);
      expect(podSecurityViolations(rendered, { level: 'restricted', version: 'v1.33' }).filter((result) => !result.allowed)).toEqual([]);
    });

    it('runs exactly the pods the model knows (each network policy selects a real pod, no pod is left unmodelled)', () => {
      for (const pod of modelled)
        expect({ pod: pod.name, selected: pods.filter((template) => matches(pod.podLabels, template.labels)).length }).toEqual({
          pod: pod.name,
          selected: 1,
        });
      for (const template of pods)
        expect({ owner: template.owner, modelled: modelled.some((pod) => matches(pod.podLabels, template.labels)) }).toEqual({
          owner: template.owner,
          modelled: true,
        });
    });

    it('serves admission webhooks on the ports the network policies open to the API server', () => {
      for (const pod of modelled.filter((candidate) => candidate.webhookPort !== undefined)) {
        const ports = pods
          .filter((template) => matches(pod.podLabels, template.labels))
          .flatMap((template) => template.containers.flatMap((container) => container.ports ?? []).map((port) => port.containerPort));
        expect(ports).toContain(pod.webhookPort);
      }
    });

    it('pulls only the pinned images, by digest, with requests and limits (CPU, memory, local disk) on every container', () => {
      const images = pods.flatMap((template) => template.containers.map((container) => container.image));
      for (const image of images) {
        expect(image).toMatch(/@sha256:[0-9a-f]{64}$/);
        // The chart may render tag@digest or repository@digest; the digest and repository must be ours.
        expect(
          chartCase
            .images(config)
            .some((pinned) => pinned.split('@')[1] === image?.split('@')[1] && pinned.split(':')[0] === image?.split(':')[0]),
        ).toBe(true);
      }
      for (const container of pods.flatMap((template) => template.containers)) {
        expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      }
    });

    it('creates no more Services than the compartment quota allows, and no cluster-wide secret kinds', () => {
      const services =
        CHARTS.filter((other) => other.component === chartCase.component).length === 1
          ? PLATFORM_SERVICES[chartCase.component]
          : PLATFORM_SERVICES[chartCase.component] - 1;
      expect(rendered.filter((object) => object.kind === 'Service').length).toBeLessThanOrEqual(services);
      expect(
        rendered.filter(
          (object) =>
            object.kind === 'CustomResourceDefinition' &&
            /^Cluster(SecretStore|ExternalSecret|PushSecret|Generator)$/.test(
              String((object.spec as { names?: { kind?: string } })?.names?.kind),
            ),
        ),
      ).toEqual([]);
    });

    it('renders no secret literal', () => {
      const hits = rendered
        .filter((object) => object.kind !== 'CustomResourceDefinition')
        .flatMap((object) => scanJson(object, label(object)))
        // CloudNativePG's pod template carries the sha256 of its own rendered templates (RBAC, configuration), to roll on change.
        .filter((hit) => !/\.spec\.template\.metadata\.annotations\.checksum\/(rbac|config|monitoring-config)$/.test(hit.location));
      expect(hits).toEqual([]);
    });
  });
});

describe.each([
  ['default deployment', loadDeploymentConfig(DEFAULT_CONFIG_FILE)],
  ['fleet', loadDeploymentConfig(FLEET_CONFIG_FILE)],
])(
  '%s: CloudNativePG as rendered watches only the homeserver compartments and its own namespace, with no RBAC of its chart',
  (_name, config) => {
    const chartCase = CHARTS.find((candidate) => candidate.chart === 'cloudnative-pg')!;
    const missing = missingSource(chartCase);
    const test = missing === undefined ? it : it.skip;
    const rendered = () => renderChart(chartCase, config, platformNames(config.deploymentName).namespaces['postgres-operator']);

    test(`reads WATCH_NAMESPACE from its environment at start: exactly the homeserver namespaces and its own${missing ? ` (${missing})` : ''}`, () => {
      const objects = rendered();
      const deployment = objects.find((object) => object.kind === 'Deployment')!;
      const env = (deployment.spec as { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } }).template.spec
        .containers[0]!.env!;
      const operatorNamespace = platformNames(config.deploymentName).namespaces['postgres-operator'];
      const watched = [...config.homeservers.map((homeserver) => `${homeserver.name}-homeserver`), operatorNamespace].join(',');
      // Exactly once: a second entry would be a duplicate key for server-side apply.
      expect(env.filter((variable) => variable.name === 'WATCH_NAMESPACE')).toEqual([{ name: 'WATCH_NAMESPACE', value: watched }]);
      const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'cnpg-controller-manager-config')!;
      expect((configMap as { data?: Record<string, string> }).data?.WATCH_NAMESPACE).toBe(watched);
    });

    test(`renders no Role, ClusterRole or binding (the stacks write its RBAC)${missing ? ` (${missing})` : ''}`, () => {
      expect(rendered().filter((object) => /^(Cluster)?Role(Binding)?$/.test(object.kind))).toEqual([]);
    });
  },
);
