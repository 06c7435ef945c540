/**
 * The chart repository the engine proof installs from: the operators' chart sources packaged
 * by the real helm, indexed with relative URLs, and rendered with this project's values (for
 * config/default.yaml; the chart versions are the packaged ones) into the CRDs the stacks'
 * custom resources need, and none of the cluster-wide External Secrets kinds the values
 * switch off.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { DeploymentConfig } from '../../config/deployment-config';
import type { PlatformComponent } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import { platformNames, RELEASES } from '../../model/platform';
import { barmanCloudValues } from '../../render/charts/barman-cloud-values';
import { certManagerValues } from '../../render/charts/cert-manager-values';
import { renderValues, type HelmValues } from '../../render/charts/chart-values';
import { cloudnativePgValues } from '../../render/charts/cloudnative-pg-values';
import { externalSecretsValues } from '../../render/charts/external-secrets-values';
import { openbaoValues } from '../../render/charts/openbao-values';
import { trustManagerValues } from '../../render/charts/trust-manager-values';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { helmTemplateChart, parseKubeObjects, type KubeObject } from '../support/kube-tools';
import { certManagerCrdFiles } from './support/tools/cert-manager';
import { CHART_PACKAGES, chartPackageFile, ensureChartPackages, PACKAGED_CHARTS, type PackagedChart } from './support/tools/charts';

const config = loadDeploymentConfig(DEFAULT_CONFIG_FILE);
let repository: string;

beforeAll(() => {
  repository = ensureChartPackages();
});

interface ChartCase {
  readonly release: string;
  readonly component: PlatformComponent;
  readonly values: (config: DeploymentConfig) => HelmValues;
}

const CASES: Record<PackagedChart, ChartCase> = {
  'cert-manager': { release: RELEASES.certManager, component: 'cert-manager', values: certManagerValues },
  'trust-manager': { release: RELEASES.trustManager, component: 'cert-manager', values: trustManagerValues },
  'external-secrets': { release: RELEASES.externalSecrets, component: 'external-secrets', values: externalSecretsValues },
  openbao: { release: RELEASES.openbao, component: 'openbao', values: openbaoValues },
  'cloudnative-pg': { release: RELEASES.cloudnativePg, component: 'postgres-operator', values: cloudnativePgValues },
  'plugin-barman-cloud': { release: RELEASES.barmanCloud, component: 'postgres-operator', values: barmanCloudValues },
};

function render(chart: PackagedChart, values: readonly string[] = [renderValues(chart, CASES[chart].values(config))]): KubeObject[] {
  const namespace = platformNames(config.deploymentName).namespaces[CASES[chart].component];
  return helmTemplateChart(chartPackageFile(repository, chart), {
    releaseName: CASES[chart].release,
    namespace,
    values,
    kubeVersion: '1.37.2',
  });
}

interface CrdObject extends KubeObject {
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
}

const crds = (objects: readonly KubeObject[]) =>
  objects.filter((object): object is CrdObject => object.kind === 'CustomResourceDefinition');
const kinds = (objects: readonly KubeObject[]) =>
  crds(objects)
    .map((crd) => `${crd.spec.group} ${crd.spec.names.kind}`)
    .sort();

it('holds one package per pinned chart and an index with relative URLs', () => {
  expect(fs.readdirSync(repository).sort()).toEqual(
    [...PACKAGED_CHARTS.map((chart) => path.basename(chartPackageFile(repository, chart))), 'index.yaml'].sort(),
  );
  const index = YAML.parse(fs.readFileSync(path.join(repository, 'index.yaml'), 'utf8')) as {
    entries: Record<string, { version: string; appVersion: string; urls: string[] }[]>;
  };
  expect(Object.keys(index.entries).sort()).toEqual([...PACKAGED_CHARTS].sort());
  for (const chart of PACKAGED_CHARTS) {
    expect(index.entries[chart]).toEqual([
      expect.objectContaining({
        version: CHART_PACKAGES[chart].version,
        appVersion: CHART_PACKAGES[chart].appVersion,
        urls: [path.basename(chartPackageFile(repository, chart))],
      }),
    ]);
  }
});

it('cert-manager renders its CRDs, the same as the plain CRDs of its v1.21.1 module', () => {
  const rendered = crds(render('cert-manager'));
  expect(kinds(rendered)).toEqual([
    'acme.cert-manager.io Challenge',
    'acme.cert-manager.io Order',
    'cert-manager.io Certificate',
    'cert-manager.io CertificateRequest',
    'cert-manager.io ClusterIssuer',
    'cert-manager.io Issuer',
  ]);
  const plain = certManagerCrdFiles().flatMap((file) => parseKubeObjects(fs.readFileSync(file, 'utf8'), file)) as CrdObject[];
  for (const crd of rendered)
    expect({ name: crd.metadata.name, spec: crd.spec }).toEqual({
      name: crd.metadata.name,
      spec: plain.find((candidate) => candidate.metadata.name === crd.metadata.name)?.spec,
    });
  // crds.keep: helm leaves them in place on uninstall.
  for (const crd of rendered) expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
});

it('trust-manager renders the Bundle CRD', () => {
  expect(kinds(render('trust-manager'))).toEqual(['trust.cert-manager.io Bundle']);
});

describe('external-secrets (CRD templates generated from the 2.9.0 operator source)', () => {
  const clusterWide = [
    'external-secrets.io ClusterExternalSecret',
    'external-secrets.io ClusterPushSecret',
    'external-secrets.io ClusterSecretStore',
    'generators.external-secrets.io ClusterGenerator',
  ];

  it('renders the namespaced kinds the stacks use, and none of the cluster-wide kinds the values switch off', () => {
    const rendered = kinds(render('external-secrets'));
    expect(rendered).toEqual(
      expect.arrayContaining([
        'external-secrets.io ExternalSecret',
        'external-secrets.io SecretStore',
        'external-secrets.io PushSecret',
        'generators.external-secrets.io Password',
      ]),
    );
    for (const kind of clusterWide) expect(rendered).not.toContain(kind);
  });

  it('renders the cluster-wide kinds with the chart defaults (the switches, not missing CRDs, leave them out)', () => {
    expect(kinds(render('external-secrets', []))).toEqual(expect.arrayContaining(clusterWide));
  });

  it('serves v1 and leaves the deprecated v1beta1 unserved unless crds.unsafeServeV1Beta1', () => {
    const store = () => crds(render('external-secrets')).find((crd) => crd.spec.names.kind === 'SecretStore');
    expect(store()?.spec.versions.map(({ name, served }) => `${name} ${served}`)).toEqual(['v1 true', 'v1beta1 false']);
    const served = crds(
      render('external-secrets', [renderValues('external-secrets', externalSecretsValues(config)), 'crds:\n  unsafeServeV1Beta1: true\n']),
    ).find((crd) => crd.spec.names.kind === 'SecretStore');
    expect(served?.spec.versions.map(({ name, served: isServed }) => `${name} ${isServed}`)).toEqual(['v1 true', 'v1beta1 true']);
  });

  it('installs no CRD with installCRDs: false', () => {
    expect(
      crds(render('external-secrets', [renderValues('external-secrets', externalSecretsValues(config)), 'installCRDs: false\n'])),
    ).toEqual([]);
  });
});

it('openbao renders its server (no CRDs)', () => {
  const rendered = render('openbao');
  expect(crds(rendered)).toEqual([]);
  expect(rendered.filter((object) => object.kind === 'StatefulSet').map((object) => object.metadata.name)).toEqual([RELEASES.openbao]);
});

// Deleting a CRD deletes every object of it: a Cluster, and through its owner references the volumes of its database.
it.each([
  ['cloudnative-pg', ['postgresql.cnpg.io Backup', 'postgresql.cnpg.io Cluster', 'postgresql.cnpg.io ScheduledBackup']],
  ['plugin-barman-cloud', ['barmancloud.cnpg.io ObjectStore']],
] as const)('%s renders its CRDs, each kept on uninstall', (chart, expected) => {
  const rendered = crds(render(chart));
  expect(kinds(rendered)).toEqual(expect.arrayContaining([...expected]));
  for (const crd of rendered) expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
});
