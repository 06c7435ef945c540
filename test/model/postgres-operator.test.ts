import { loadDeploymentConfig } from '../../model/load-config';
import { platformFlowMatrix, platformNames, platformPod } from '../../model/platform';
import {
  CLOUDNATIVE_PG_CLUSTER_RULES,
  CLOUDNATIVE_PG_NAMESPACE_RULES,
  CLOUDNATIVE_PG_WEBHOOK_CONFIGURATIONS,
  postgresOperatorWatchedNamespaces,
  type AccessRule,
} from '../../model/postgres-operator';
import { barmanCloudValues } from '../../render/charts/barman-cloud-values';
import { cloudnativePgValues } from '../../render/charts/cloudnative-pg-values';
import { imageSettings } from '../../tfjson/helm-values';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';

const grants = (rules: readonly AccessRule[], resource: string, verb: string) =>
  rules.some((rule) => rule.resources.includes(resource) && rule.verbs.includes(verb));

describe.each([
  ['default deployment', DEFAULT_CONFIG_FILE, ['agency-homeserver', 'matrix-postgres-operator']],
  ['fleet', FLEET_CONFIG_FILE, ['ministry-homeserver', 'agency-homeserver', 'region-homeserver', 'fleet-postgres-operator']],
])('%s', (_name, file, namespaces) => {
  const config = loadDeploymentConfig(file);

  it('the operator watches exactly the homeserver compartments and its own namespace (its plugins), from its environment and its configuration map alike', () => {
    expect(postgresOperatorWatchedNamespaces(config)).toEqual(namespaces);
    const values = cloudnativePgValues(config) as {
      additionalEnv: unknown;
      config: { data: unknown; clusterWide: boolean };
      rbac: unknown;
    };
    expect(values.additionalEnv).toEqual([{ name: 'WATCH_NAMESPACE', value: postgresOperatorWatchedNamespaces(config).join(',') }]);
    expect(values.config.data).toEqual({
      WATCH_NAMESPACE: postgresOperatorWatchedNamespaces(config).join(','),
      POSTGRES_IMAGE_NAME: config.images.effective.postgres,
    });
    expect(values.rbac).toEqual({ create: false, aggregateClusterRoles: false });
  });

  it('every image the two charts run or hand out is one the image rules see, pinned by digest', () => {
    const images = [cloudnativePgValues(config), barmanCloudValues(config)].flatMap((values) =>
      imageSettings(values as Parameters<typeof imageSettings>[0]),
    );
    const effective = config.images.effective;
    expect(images.map((image) => `${image.path} ${image.reference}`).sort()).toEqual(
      [`image ${effective.cloudnativePg}`, `image ${effective.barmanCloudPlugin}`, `sidecarImage ${effective.barmanCloudSidecar}`].sort(),
    );
  });

  it('the platform flows: API server to the operator webhook, operator and plugin to the API server, operator to plugin', () => {
    const flows = platformFlowMatrix(config).filter((flow) =>
      [flow.from, flow.to].some(
        (end) => end.kind === 'pods' && end.namespace === platformNames(config.deploymentName).namespaces['postgres-operator'],
      ),
    );
    expect(flows.map((flow) => `${flow.id} ${flow.port}`).sort()).toEqual([
      `barman-cloud-to-outside-apiserver ${config.kubernetes.apiServer.port}`,
      'cloudnative-pg-to-barman-cloud-cnpgi 9090',
      `cloudnative-pg-to-outside-apiserver ${config.kubernetes.apiServer.port}`,
      `outside-to-cloudnative-pg-webhook ${platformPod('cloudnative-pg').webhookPort ?? 0}`,
    ]);
  });
});

describe("the operator's RBAC", () => {
  it.each([
    ['pods/exec', 'create'],
    ['pods/exec', 'get'],
    ['roles', 'escalate'],
    ['roles', 'bind'],
    ['serviceaccounts/token', 'create'],
  ])('never grants %s %s', (resource, verb) => {
    expect(grants(CLOUDNATIVE_PG_NAMESPACE_RULES, resource, verb)).toBe(false);
    expect(grants(CLOUDNATIVE_PG_CLUSTER_RULES, resource, verb)).toBe(false);
  });

  it('grants no namespaced kind cluster-wide, and its webhook configurations only by name', () => {
    expect(CLOUDNATIVE_PG_CLUSTER_RULES.flatMap((rule) => rule.resources).sort()).toEqual([
      'clusterimagecatalogs',
      'mutatingwebhookconfigurations',
      'nodes',
      'validatingwebhookconfigurations',
    ]);
    const webhooks = CLOUDNATIVE_PG_CLUSTER_RULES.find((rule) => rule.resources.includes('mutatingwebhookconfigurations'));
    expect(webhooks).toEqual(expect.objectContaining({ verbs: ['get', 'patch'], resourceNames: CLOUDNATIVE_PG_WEBHOOK_CONFIGURATIONS }));
    for (const rule of CLOUDNATIVE_PG_CLUSTER_RULES.filter((candidate) => candidate !== webhooks))
      expect(rule.verbs).toEqual(['get', 'list', 'watch']);
  });

  it('manages the objects of a cluster in the namespaces it watches', () => {
    for (const resource of ['pods', 'persistentvolumeclaims', 'services', 'secrets', 'jobs', 'clusters', 'roles', 'rolebindings'])
      expect({ resource, create: grants(CLOUDNATIVE_PG_NAMESPACE_RULES, resource, 'create') }).toEqual({ resource, create: true });
  });
});
