import { Testing } from 'cdktf';
import { loadDeploymentConfig } from '../../model/load-config';
import { HardenedWorkload, type HardenedWorkloadProps } from '../../constructs/hardened-workload';
import { homeserverWorkloads, mediaWorkloads } from '../../workloads/homeserver-workloads';
import type { WorkloadSpec } from '../../model/workload-spec';

const config = loadDeploymentConfig();
const homeserver = config.homeservers[0]!;
const [synapse, postgres] = homeserverWorkloads(config, homeserver);
const [media] = mediaWorkloads(config, homeserver);

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synth(spec: WorkloadSpec, extra: Partial<HardenedWorkloadProps> = {}): Resources {
  const json = Testing.synthScope((scope) => {
    new HardenedWorkload(scope, spec.name, {
      namespace: 'agency-homeserver',
      compartmentLabels: { 'matrix.sovereign/compartment': spec.compartment },
      spec,
      allowedRegistries: config.images.pullRegistries,
      storageClassName: 'encrypted-retain',
      ...extra,
    });
  });
  return (JSON.parse(json) as { resource: Resources }).resource;
}

function first(resources: Resources, type: string): Record<string, any> {
  const found = Object.values(resources[type] ?? {})[0];
  if (!found) throw new Error(`no ${type}`);
  return found;
}

describe('HardenedWorkload (Deployment)', () => {
  const resources = synth(synapse!);
  const deployment = first(resources, 'kubernetes_deployment_v1');
  const pod = deployment.spec.template.spec;
  const container = pod.container[0];

  it('writes every pod-level hardening field explicitly', () => {
    expect(pod).toMatchObject({
      automount_service_account_token: false,
      enable_service_links: false,
      host_network: false,
      host_pid: false,
      host_ipc: false,
      share_process_namespace: false,
      security_context: {
        run_as_non_root: true,
        run_as_user: '991',
        run_as_group: '991',
        fs_group: '991',
        seccomp_profile: { type: 'RuntimeDefault' },
      },
    });
  });

  it('writes every container-level hardening field explicitly', () => {
    expect(container.security_context).toEqual({
      run_as_non_root: true,
      run_as_user: '991',
      run_as_group: '991',
      allow_privilege_escalation: false,
      privileged: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(container.image).toMatch(/^ghcr\.io\/element-hq\/synapse:v[0-9.]+@sha256:[0-9a-f]{64}$/);
    expect(container.env_from).toBeUndefined();
  });

  it('backs writable paths with size-limited emptyDirs; config and secrets are read-only', () => {
    const emptyDirs = pod.volume.filter((volume: { empty_dir?: unknown }) => volume.empty_dir);
    expect(emptyDirs).toEqual([
      { name: 'tmp', empty_dir: { medium: '', size_limit: '256Mi' } },
      { name: 'runtime-secrets', empty_dir: { medium: 'Memory', size_limit: '1Mi' } },
    ]);
    const writable = container.volume_mount.filter((mount: { read_only: boolean }) => !mount.read_only).map((mount: { name: string }) => mount.name);
    expect(writable).toEqual(['tmp', 'runtime-secrets']);
  });

  it('mounts its rendered config from a ConfigMap and rolls pods when it changes', () => {
    expect(pod.volume).toContainEqual({ name: 'config', config_map: { name: 'synapse-config', default_mode: '0444', optional: false } });
    const configMap = first(resources, 'kubernetes_config_map_v1');
    expect(Object.keys(configMap.data).sort()).toEqual(['homeserver.yaml', 'log.yaml']);
    expect(deployment.spec.template.metadata.annotations['matrix.sovereign/config-checksum']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('copies the libpq passfile to a 0600 memory file before Synapse starts, with the same hardening', () => {
    const [init] = pod.init_container;
    expect(init.command).toEqual(['install', '-m', '0600', '/secrets/database/pgpass', '/run/secrets/pgpass']);
    expect(init.security_context).toEqual(container.security_context);
    expect(init.image).toBe(container.image);
  });

  it('starts Synapse refusing inline secrets', () => {
    expect(container.command).toEqual(['python', '-m', 'synapse.app.homeserver', '--config-path', '/config/homeserver.yaml', '--no-secrets-in-config']);
    expect(container.env).toBeUndefined();
  });

  it('runs under its own service account, which does not automount a token', () => {
    const account = first(resources, 'kubernetes_service_account_v1');
    expect(account).toMatchObject({ metadata: { name: 'synapse', namespace: 'agency-homeserver' }, automount_service_account_token: false });
    expect(pod.service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\..*\.metadata\[0\]\.name\}$/);
  });

  it('exposes only ports with a service port, as ClusterIP', () => {
    const service = first(resources, 'kubernetes_service_v1');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.port.map((port: { name: string }) => port.name)).toEqual(['http', 'replication']);
    expect(service.spec.external_traffic_policy).toBeUndefined();
  });
});

describe('HardenedWorkload (StatefulSet and volumes)', () => {
  it('gives a StatefulSet a ReadWriteOncePod claim on the configured class, retained on delete and scale-down', () => {
    const set = first(synth(postgres!), 'kubernetes_stateful_set_v1');
    expect(set.spec.volume_claim_template).toEqual([
      expect.objectContaining({
        spec: { access_modes: ['ReadWriteOncePod'], storage_class_name: 'encrypted-retain', resources: { requests: { storage: '20Gi' } } },
      }),
    ]);
    expect(set.spec.persistent_volume_claim_retention_policy).toEqual([{ when_deleted: 'Retain', when_scaled: 'Retain' }]);
    expect(set.spec.template.spec.container[0].volume_mount).toContainEqual({ name: 'data', mount_path: '/var/lib/postgresql/data', read_only: false });
  });

  it('gives a Deployment with storage its own claim and a Recreate strategy', () => {
    const resources = synth(media!);
    expect(first(resources, 'kubernetes_persistent_volume_claim_v1')).toMatchObject({
      metadata: { name: 'media-repository-media' },
      spec: { access_modes: ['ReadWriteOncePod'], storage_class_name: 'encrypted-retain' },
    });
    const deployment = first(resources, 'kubernetes_deployment_v1');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.spec.volume).toContainEqual({ name: 'media', persistent_volume_claim: { claim_name: 'media-repository-media', read_only: false } });
  });

  it('mounts secrets only as read-only files with mode 0400', () => {
    const pod = first(synth({ ...synapse!, secretMounts: [{ volumeName: 'signing-key', secretName: 'synapse-signing-key', mountPath: '/secrets/signing' }] }), 'kubernetes_deployment_v1').spec.template.spec;
    expect(pod.volume).toContainEqual({ name: 'signing-key', secret: { secret_name: 'synapse-signing-key', default_mode: '0400', optional: false } });
    expect(pod.container[0].volume_mount).toContainEqual({ name: 'signing-key', mount_path: '/secrets/signing', read_only: true });
  });

  it('exposes the gateway with a source-range-limited LoadBalancer that keeps client addresses', () => {
    const service = first(synth(synapse!, { exposure: { type: 'LoadBalancer', sourceRanges: ['203.0.113.0/24'] } }), 'kubernetes_service_v1');
    expect(service.spec).toMatchObject({ type: 'LoadBalancer', external_traffic_policy: 'Local', load_balancer_source_ranges: ['203.0.113.0/24'] });
  });
});

describe('HardenedWorkload refuses images the policies would reject', () => {
  it.each([
    ['a tag-only image', 'ghcr.io/element-hq/synapse:v1.159.0', /must be pinned by digest/],
    ['an image from a registry not allowlisted', `registry.evil.example/evil/synapse@sha256:${'a'.repeat(64)}`, /registry "registry.evil.example" is not allowlisted/],
  ])('%s', (_name, image, message) => {
    expect(() => synth({ ...synapse!, image })).toThrow(message);
  });
});
