/**
 * The hardened CronJob of the store backups: every hardening and scheduling field written, per
 * container the same restricted context, keys only as files, another workload's claim only
 * read-only and only next to that workload; and the construct refusing what would break that.
 */
import { HardenedCronJob } from '../../constructs/hardened-cron-job';
import { loadDeploymentConfig } from '../../model/load-config';
import type { ScheduledJobSpec } from '../../model/scheduled-job';
import { secretStoreBackupJob, storeBackupJobsIn } from '../../workloads/store-backups';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { onlyResource, synthResources, type Resources } from './synth-scope';

const config = loadDeploymentConfig();
const homeserver = config.homeservers[0]!;
const [directoryJob] = storeBackupJobsIn(config, homeserver, 'directory');
const [mediaJob] = storeBackupJobsIn(config, homeserver, 'media');
const secretStoreJob = secretStoreBackupJob(config);

function synth(spec: ScheduledJobSpec, registries: readonly string[] = config.images.pullRegistries): Resources {
  return synthResources(
    (scope) =>
      new HardenedCronJob(scope, spec.name, {
        namespace: 'agency-directory',
        compartmentLabels: { 'matrix.sovereign/compartment': spec.compartment },
        spec,
        allowedRegistries: registries,
      }),
  );
}

describe.each([
  ['directory', directoryJob!, ['export'], 'openldap'],
  ['media volume', mediaJob!, [], 'media-repository'],
  ['secret store', secretStoreJob, ['snapshot'], undefined],
])('the %s backup CronJob', (_name, spec, initNames, colocatedWith) => {
  const resources = synth(spec);
  const cronJob = onlyResource(resources, 'kubernetes_cron_job_v1');
  const job = cronJob.spec.job_template.spec;
  const pod = job.template.spec;
  const containers = [...pod.init_container, ...pod.container];

  it('runs on its schedule in UTC, never twice at once, with bounded starts, runs, retries and history', () => {
    expect(cronJob.spec).toMatchObject({
      schedule: spec.schedule,
      timezone: 'Etc/UTC',
      suspend: false,
      concurrency_policy: 'Forbid',
      starting_deadline_seconds: 3600,
      successful_jobs_history_limit: 3,
      failed_jobs_history_limit: 3,
    });
    expect(job).toMatchObject({ backoff_limit: 2, active_deadline_seconds: 7200, completions: 1, parallelism: 1 });
    expect(pod.restart_policy).toBe('Never');
  });

  it('says what it keeps, where and how long', () => {
    expect(cronJob.metadata.annotations).toMatchObject({
      'matrix.sovereign/backup-store': expect.stringMatching(/^(directory|secret-store|media)$/),
      'matrix.sovereign/backup-retention-days': '30',
      'matrix.sovereign/backup-prefix': expect.stringMatching(/^matrix\/(agency\/(directory|media)|openbao)$/),
    });
    expect(job.template.metadata.labels['matrix.sovereign/workload']).toBe(spec.name);
  });

  it('writes the restricted pod and container context explicitly, with limits and ephemeral storage', () => {
    expect(pod).toMatchObject({
      automount_service_account_token: false,
      enable_service_links: false,
      host_network: false,
      host_pid: false,
      host_ipc: false,
      security_context: { run_as_non_root: true, run_as_user: String(spec.uid), seccomp_profile: { type: 'RuntimeDefault' } },
    });
    expect(containers.map((container: { name: string }) => container.name)).toEqual([...initNames, 'upload']);
    for (const container of containers) {
      expect(container.security_context).toEqual({
        run_as_non_root: true,
        run_as_user: String(spec.uid),
        run_as_group: String(spec.gid),
        allow_privilege_escalation: false,
        privileged: false,
        read_only_root_filesystem: true,
        capabilities: { drop: ['ALL'] },
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    expect(onlyResource(resources, 'kubernetes_service_account_v1').automount_service_account_token).toBe(false);
  });

  it('takes no secret from its environment: keys are read-only files', () => {
    for (const container of containers) {
      for (const variable of container.env) expect(variable.value_from).toBeUndefined();
      expect(JSON.stringify(container.env)).not.toMatch(/SECRET_ACCESS_KEY|PASSWORD/);
    }
    const secretVolumes = pod.volume.filter((volume: { secret?: unknown }) => volume.secret !== undefined);
    expect(secretVolumes.map((volume: { secret: { secret_name: string } }) => volume.secret.secret_name).sort()).toEqual([
      'postgres-backup-s3',
      'store-backup-encryption',
    ]);
    for (const volume of secretVolumes) expect(volume.secret.default_mode).toBe('0400');
  });

  it('encrypts on the client (crypt remote over the store) and asks the store to encrypt too', () => {
    const env = Object.fromEntries(
      pod.container[0].env.map((variable: { name: string; value: string }) => [variable.name, variable.value]),
    );
    expect(env).toMatchObject({
      RCLONE_CONFIG_VAULT_TYPE: 'crypt',
      RCLONE_CONFIG_VAULT_REMOTE: `store:${config.backup.objectStore.bucket}/${cronJob.metadata.annotations['matrix.sovereign/backup-prefix']}`,
      RCLONE_CONFIG_STORE_SERVER_SIDE_ENCRYPTION: 'AES256',
      RCLONE_CONFIG_STORE_ENDPOINT: 'https://backup.agency.example.org',
    });
  });

  it(colocatedWith ? 'reads its store on the node of the workload that owns it, the upload step read-only' : 'reads no claim', () => {
    const claims = pod.volume.filter((volume: { persistent_volume_claim?: unknown }) => volume.persistent_volume_claim !== undefined);
    if (!colocatedWith) {
      expect(claims).toEqual([]);
      expect(pod.affinity).toBeUndefined();
      return;
    }
    expect(claims).toHaveLength(1);
    // slapcat refuses a read-only directory: the directory's export step alone mounts it writable.
    expect(claims[0].persistent_volume_claim.read_only).toBe(initNames.length === 0);
    for (const container of pod.container)
      for (const mount of container.volume_mount.filter((m: { name: string }) => m.name === claims[0].name))
        expect(mount.read_only).toBe(true);
    expect(pod.affinity.pod_affinity.required_during_scheduling_ignored_during_execution).toEqual([
      { label_selector: [{ match_labels: { 'matrix.sovereign/workload': colocatedWith } }], topology_key: 'kubernetes.io/hostname' },
    ]);
  });
});

describe('the secret store backup job', () => {
  const pod = onlyResource(synth(secretStoreJob), 'kubernetes_cron_job_v1').spec.job_template.spec.template.spec;
  it('logs in with a projected, audience-bound token of ten minutes, not the API token', () => {
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.volume).toContainEqual({
      name: 'openbao-token',
      projected: [
        { default_mode: '0400', sources: [{ service_account_token: { audience: 'openbao', expiration_seconds: 600, path: 'token' } }] },
      ],
    });
  });
});

describe('jobs per compartment', () => {
  it('backs up the in-cluster directory and the media volume, not media kept in S3', () => {
    const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
    const region = fleet.homeservers.find((candidate) => candidate.name === 'region')!;
    expect(storeBackupJobsIn(fleet, region, 'media')).toEqual([]);
    expect(storeBackupJobsIn(fleet, region, 'directory').map((job) => job.name)).toEqual(['directory-backup']);
    expect(storeBackupJobsIn(config, homeserver, 'homeserver')).toEqual([]);
    const external = { ...homeserver, directory: { ...homeserver.directory, mode: 'external' as const } };
    expect(storeBackupJobsIn(config, external, 'directory')).toEqual([]);
  });
});

describe('refuses', () => {
  it.each<[string, ScheduledJobSpec, RegExp]>([
    [
      'a claim mounted writable',
      {
        ...mediaJob!,
        container: { ...mediaJob!.container, mounts: mediaJob!.container.mounts.map((mount) => ({ ...mount, readOnly: false })) },
      },
      /mounts the (claim|secret) volume "(data|keys)" writable/,
    ],
    ['a claim without a node to run next to', { ...mediaJob!, colocateWith: undefined }, /names no pods to run next to/],
    [
      'a mount of an undeclared volume',
      { ...mediaJob!, volumes: mediaJob!.volumes.filter((volume) => volume.name !== 'keys') },
      /undeclared volume "keys"/,
    ],
  ])('%s', (_name, spec, message) => {
    expect(() => synth(spec)).toThrow(message);
  });

  it('an image from a registry not allowlisted', () => {
    expect(() => synth(mediaJob!, ['ghcr.io'])).toThrow(/not allowlisted/);
  });
});
