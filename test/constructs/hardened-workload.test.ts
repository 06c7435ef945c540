import type { Construct } from 'constructs';
import { HardenedDeployment } from '../../constructs/hardened-deployment';
import { HardenedJob } from '../../constructs/hardened-job';
import type { AnyWorkloadSpec } from '../../constructs/hardened-pod-template';
import { HardenedStatefulSet } from '../../constructs/hardened-stateful-set';
import type { HardenedWorkload } from '../../constructs/hardened-workload';
import { longRunningWorkload } from '../../constructs/long-running-workloads';
import { loadDeploymentConfig } from '../../model/load-config';
import { OPENLDAP_PATHS } from '../../render/openldap';
import { directoryWorkloads } from '../../workloads/catalogue';
import { homeserverWorkloads, mediaWorkloads } from '../../workloads/homeserver-workloads';
import { configuratorWorkload } from '../../workloads/platform-workloads';
import { onlyResource, resourcesOf, synthResources, type Resources } from './synth-scope';

const config = loadDeploymentConfig();
const homeserver = config.homeservers[0]!;
const [synapse] = homeserverWorkloads(config, homeserver);
/** The StatefulSet of the catalogue: the directory server. */
const [openldap] = directoryWorkloads(config, homeserver);
const [media] = mediaWorkloads(config, homeserver);
const configurator = configuratorWorkload(config);

const site = { namespace: 'agency-homeserver', allowedRegistries: config.images.pullRegistries, storageClassName: 'encrypted-retain' };

type Controller = (scope: Construct, spec: AnyWorkloadSpec) => HardenedWorkload;
const deployment: Controller = (scope, spec) =>
  new HardenedDeployment(scope, spec.name, { ...site, compartmentLabels: { 'matrix.sovereign/compartment': spec.compartment }, spec });
const statefulSet: Controller = (scope, spec) =>
  new HardenedStatefulSet(scope, spec.name, { ...site, compartmentLabels: { 'matrix.sovereign/compartment': spec.compartment }, spec });
const job: Controller = (scope, spec) =>
  new HardenedJob(scope, spec.name, { ...site, compartmentLabels: { 'matrix.sovereign/compartment': spec.compartment }, spec });

function synth(controller: Controller, spec: AnyWorkloadSpec): Resources {
  return synthResources((scope) => controller(scope, spec));
}

/** Every controller runs the one hardened pod template: its defaults must be in each output. */
describe.each([
  ['HardenedDeployment', deployment, synapse!, 'kubernetes_deployment_v1', 'Always'],
  ['HardenedStatefulSet', statefulSet, openldap!, 'kubernetes_stateful_set_v1', 'Always'],
  ['HardenedJob', job, configurator, 'kubernetes_job_v1', 'Never'],
])('%s runs the shared hardened pod', (_name, controller, spec, type, restartPolicy) => {
  const resources = synth(controller, spec);
  const pod = onlyResource(resources, type).spec.template.spec;
  const uid = String(spec.uid);
  const gid = String(spec.gid);

  it('writes every pod-level hardening field explicitly', () => {
    expect(pod).toMatchObject({
      automount_service_account_token: false,
      enable_service_links: false,
      host_network: false,
      host_pid: false,
      host_ipc: false,
      share_process_namespace: false,
      restart_policy: restartPolicy,
      termination_grace_period_seconds: 30,
      security_context: {
        run_as_non_root: true,
        run_as_user: uid,
        run_as_group: gid,
        fs_group: gid,
        fs_group_change_policy: 'OnRootMismatch',
        seccomp_profile: { type: 'RuntimeDefault' },
      },
    });
  });

  it('hardens every container, init containers included, with requests and limits', () => {
    for (const container of [...(pod.init_container ?? []), ...pod.container]) {
      expect(container.security_context).toEqual({
        run_as_non_root: true,
        run_as_user: uid,
        run_as_group: gid,
        allow_privilege_escalation: false,
        privileged: false,
        read_only_root_filesystem: true,
        capabilities: { drop: ['ALL'] },
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      expect(container.resources.limits['ephemeral-storage']).toBe(pod.container[0].resources.limits['ephemeral-storage']);
      expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(container.image_pull_policy).toBe('IfNotPresent');
      expect(container.env_from).toBeUndefined();
    }
  });

  it('runs under its own service account, which does not automount a token', () => {
    expect(onlyResource(resources, 'kubernetes_service_account_v1')).toMatchObject({
      metadata: { name: spec.name },
      automount_service_account_token: false,
    });
    expect(pod.service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\..*\.metadata\[0\]\.name\}$/);
  });

  it('mounts config and secrets read-only; only writable paths and storage are writable', () => {
    const writable = new Set([...spec.writablePaths.map((path) => path.name), ...(spec.storage ? [spec.storage.name] : [])]);
    for (const mount of pod.container[0].volume_mount)
      expect([mount.name, mount.read_only]).toEqual([mount.name, !writable.has(mount.name)]);
  });

  it('is not reachable until exposed (a StatefulSet has only its headless governing Service)', () => {
    const services = resourcesOf(resources, 'kubernetes_service_v1');
    if (type === 'kubernetes_stateful_set_v1') expect(services.map((service): unknown => service.spec.cluster_ip)).toEqual(['None']);
    else expect(services).toEqual([]);
  });
});

describe('HardenedDeployment', () => {
  const resources = synth(deployment, synapse!);
  const workload = onlyResource(resources, 'kubernetes_deployment_v1');
  const pod = workload.spec.template.spec;
  const container = pod.container[0];

  it('sizes the pod and backs writable paths with size-limited emptyDirs', () => {
    // Local disk: the 256Mi disk-backed tmp and 64Mi for logs; the memory-backed directory counts against memory.
    expect(container.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '320Mi' },
      limits: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '320Mi' },
    });
    expect(pod.volume.filter((volume: { empty_dir?: unknown }) => volume.empty_dir)).toEqual([
      { name: 'tmp', empty_dir: { medium: '', size_limit: '256Mi' } },
      { name: 'runtime-secrets', empty_dir: { medium: 'Memory', size_limit: '1Mi' } },
    ]);
  });

  it('mounts its rendered config from a ConfigMap and rolls pods when it changes', () => {
    expect(pod.volume).toContainEqual({ name: 'config', config_map: { name: 'synapse-config', default_mode: '0444', optional: false } });
    expect(Object.keys(onlyResource(resources, 'kubernetes_config_map_v1').data).sort()).toEqual(['homeserver.yaml', 'log.yaml']);
    expect(workload.spec.template.metadata.annotations['matrix.sovereign/config-checksum']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('copies the libpq passfile to a 0600 memory file before Synapse starts, with the same hardening', () => {
    const [init] = pod.init_container;
    expect(init.command).toEqual(['install', '-m', '0600', '/secrets/database/pgpass', '/run/secrets/pgpass']);
    expect(init.security_context).toEqual(container.security_context);
    expect(init.image).toBe(container.image);
  });

  it('starts Synapse refusing inline secrets', () => {
    expect(container.command).toEqual([
      'python',
      '-m',
      'synapse.app.homeserver',
      '--config-path',
      '/config/homeserver.yaml',
      '--no-secrets-in-config',
    ]);
    // The one variable: its outbound HTTPS (the identity provider's back channel) trusts the internal CA.
    expect(container.env).toEqual([{ name: 'SSL_CERT_FILE', value: '/trust/ca.crt' }]);
  });

  it('rolls one pod at a time without losing capacity (a pool, not a singleton)', () => {
    const pool = onlyResource(synth(deployment, { ...synapse!, singletonReason: undefined, replicas: 2 }), 'kubernetes_deployment_v1');
    expect(pool.spec.strategy).toEqual({ type: 'RollingUpdate', rolling_update: { max_surge: '1', max_unavailable: '0' } });
    expect(resourcesOf(resources, 'kubernetes_persistent_volume_claim_v1')).toEqual([]);
  });

  it('mounts secrets only as read-only files with mode 0400', () => {
    const withSecret = {
      ...synapse!,
      secretMounts: [{ volumeName: 'signing-key', secretName: 'synapse-signing-key', mountPath: '/secrets/signing' }],
    };
    const secretPod = onlyResource(synth(deployment, withSecret), 'kubernetes_deployment_v1').spec.template.spec;
    expect(secretPod.volume).toContainEqual({
      name: 'signing-key',
      secret: { secret_name: 'synapse-signing-key', default_mode: '0400', optional: false },
    });
    expect(secretPod.container[0].volume_mount).toContainEqual({ name: 'signing-key', mount_path: '/secrets/signing', read_only: true });
  });
});

describe('storage: one claim spec, owned by a Deployment or stamped by a StatefulSet', () => {
  // Both volumes are read by their store's backup job on the owner's node: one node, not one pod.
  const claimSpec = { access_modes: ['ReadWriteOnce'], storage_class_name: 'encrypted-retain' };

  it('keeps a volume no backup job reads to a single pod (ReadWriteOncePod)', () => {
    const unread = { ...media!, storage: { name: 'media', mountPath: '/media', sizeGi: 1 } };
    expect(onlyResource(synth(deployment, unread), 'kubernetes_persistent_volume_claim_v1').spec.access_modes).toEqual([
      'ReadWriteOncePod',
    ]);
  });

  it('gives a StatefulSet a claim template on the configured class, retained on delete and scale-down', () => {
    const set = onlyResource(synth(statefulSet, openldap!), 'kubernetes_stateful_set_v1');
    expect(set.spec.volume_claim_template).toEqual([
      expect.objectContaining({ spec: { ...claimSpec, resources: { requests: { storage: '5Gi' } } } }),
    ]);
    expect(set.spec.persistent_volume_claim_retention_policy).toEqual([{ when_deleted: 'Retain', when_scaled: 'Retain' }]);
    expect(set.spec.template.spec.container[0].volume_mount).toContainEqual({
      name: 'data',
      mount_path: OPENLDAP_PATHS.dataDirectory,
      read_only: false,
    });
  });

  it('gives a Deployment with storage its own claim, mounted by name, and a Recreate strategy', () => {
    const resources = synth(deployment, media!);
    expect(onlyResource(resources, 'kubernetes_persistent_volume_claim_v1')).toMatchObject({
      metadata: { name: 'media-repository-media' },
      spec: claimSpec,
      wait_until_bound: false,
    });
    const workload = onlyResource(resources, 'kubernetes_deployment_v1');
    expect(workload.spec.strategy).toEqual({ type: 'Recreate' });
    expect(workload.spec.template.spec.volume).toContainEqual({
      name: 'media',
      persistent_volume_claim: { claim_name: 'media-repository-media', read_only: false },
    });
  });

  it('recreates a singleton: two copies of one Synapse instance must never run at once', () => {
    const singleton = onlyResource(synth(deployment, { ...synapse!, singletonReason: 'one main process' }), 'kubernetes_deployment_v1');
    expect(singleton.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('writes the same claim spec either way', () => {
    const owned = onlyResource(synth(deployment, media!), 'kubernetes_persistent_volume_claim_v1').spec;
    const stamped = onlyResource(synth(statefulSet, { ...media!, kind: 'StatefulSet' }), 'kubernetes_stateful_set_v1').spec
      .volume_claim_template[0].spec;
    expect(stamped).toEqual(owned);
  });
});

describe('HardenedJob', () => {
  const resources = synth(job, configurator);
  const run = onlyResource(resources, 'kubernetes_job_v1');

  it('is named by its content, so a changed spec is a new Job', () => {
    expect(run.metadata.name).toMatch(/^openbao-configurator-[0-9a-f]{10}$/);
    const changed = onlyResource(
      synth(job, { ...configurator, configFiles: [{ volumeName: 'desired', mountPath: '/desired', files: { 'x.sh': 'changed' } }] }),
      'kubernetes_job_v1',
    );
    expect(changed.metadata.name).not.toBe(run.metadata.name);
  });

  it('runs once, bounded in time, and the deploy waits for it', () => {
    expect(run.spec).toMatchObject({
      backoff_limit: 3,
      active_deadline_seconds: 600,
      completions: 1,
      parallelism: 1,
      completion_mode: 'NonIndexed',
    });
    expect(run.wait_for_completion).toBe(true);
  });

  it('reads OpenBao with a short-lived, audience-bound token file', () => {
    expect(run.spec.template.spec.volume).toContainEqual(
      expect.objectContaining({ name: 'openbao-token', projected: [expect.objectContaining({ default_mode: '0400' })] }),
    );
  });
});

describe('the controller resource is the escape hatch', () => {
  it.each([
    ['HardenedDeployment', deployment, synapse!, 'kubernetes_deployment_v1'],
    ['HardenedStatefulSet', statefulSet, openldap!, 'kubernetes_stateful_set_v1'],
    ['HardenedJob', job, configurator, 'kubernetes_job_v1'],
  ])('%s exposes its typed resource for fields it does not set', (_name, controller, spec, type) => {
    const resources = synthResources((scope) => controller(scope, spec).resource.addOverride('metadata.annotations.reviewed', 'yes'));
    expect(onlyResource(resources, type).metadata.annotations.reviewed).toBe('yes');
  });
});

describe('refusals at construction time', () => {
  it.each([
    [
      'a tag-only image',
      () => synth(deployment, { ...synapse!, image: 'ghcr.io/element-hq/synapse:v1.159.0' }),
      /must be pinned by digest/,
    ],
    [
      'an image from a registry not allowlisted',
      () => synth(deployment, { ...synapse!, image: `registry.evil.example/evil/synapse@sha256:${'a'.repeat(64)}` }),
      /registry "registry.evil.example" is not allowlisted/,
    ],
    ['a spec of another kind', () => synth(deployment, openldap!), /"openldap" is a StatefulSet, not a Deployment/],
    [
      'a long-running workload without a readiness probe',
      () => synth(statefulSet, { ...openldap!, probe: undefined }),
      /a StatefulSet needs a readiness probe/,
    ],
    [
      'a Job with storage',
      () => synth(job, { ...configurator, storage: { name: 'data', mountPath: '/data', sizeGi: 1 } }),
      /a Job keeps no persistent storage/,
    ],
    [
      'storage without a storage class',
      () =>
        synthResources(
          (scope) => new HardenedDeployment(scope, 'media', { ...site, storageClassName: undefined, compartmentLabels: {}, spec: media! }),
        ),
      /has storage but no storage class/,
    ],
    [
      'a Job as a long-running workload',
      () => synthResources((scope) => longRunningWorkload(scope, { ...site, compartmentLabels: {}, spec: configurator })),
      /is a Job: it runs to completion/,
    ],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('longRunningWorkload', () => {
  it.each([
    ['synapse (a Deployment)', synapse!, HardenedDeployment],
    ['openldap (a StatefulSet)', openldap!, HardenedStatefulSet],
  ])('runs %s with the construct of its kind, under its own name', (_name, spec, construct) => {
    synthResources((scope) => {
      const workload = longRunningWorkload(scope, { ...site, compartmentLabels: {}, spec });
      expect(workload).toBeInstanceOf(construct);
      expect(workload.node.id).toBe(spec.name);
    });
  });
});
