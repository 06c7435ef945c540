/**
 * The CloudNativePG Cluster, ObjectStore and ScheduledBackup as rendered for the default
 * deployment and its variants: what each field says about replication, TLS, authentication,
 * bootstrap, backups and restore. Their validity against the operator's CRDs is proven in
 * test/stacks/platform-real-tools.ttest.ts.
 */
import type { DeploymentConfig, HomeserverSettings } from '../../config/deployment-config';
import { loadDeploymentConfig } from '../../model/load-config';
import { scanJson } from '../../policies/secrets/secret-scan';
import { barmanObjectStoreConfiguration, postgresObjectStore, postgresScheduledBackup } from '../../render/postgres-backup';
import { postgresCluster, synchronousReplication } from '../../render/postgres-cluster';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

const config = loadDeploymentConfig();
const agency = config.homeservers[0]!;
const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const region = fleet.homeservers.find((homeserver) => homeserver.name === 'region')!;
const labels = { 'matrix.sovereign/compartment': 'homeserver' };

type Spec = Record<string, Record<string, unknown>>;
const clusterSpec = (c: DeploymentConfig, homeserver: HomeserverSettings) => postgresCluster(c, homeserver, labels).spec as unknown as Spec;
const withPostgres = (homeserver: HomeserverSettings, postgres: Partial<HomeserverSettings['postgres']>): HomeserverSettings => ({
  ...homeserver,
  postgres: { ...homeserver.postgres, ...postgres },
});

describe('the Cluster', () => {
  const spec = clusterSpec(config, agency);

  it.each([
    [1, undefined],
    [2, { method: 'any', number: 1, dataDurability: 'required' }],
    [3, { method: 'any', number: 1, dataDurability: 'required' }],
  ])('with %i instance(s) waits for a standby on commit only when there is one', (instances, synchronous) => {
    expect(synchronousReplication(instances)).toEqual(synchronous);
    expect(clusterSpec(config, withPostgres(agency, { instances })).postgresql!.synchronous).toEqual(synchronous);
  });

  it('serves TLS with the internal CA certificates only, SCRAM, the pg_hba intent, and no superuser access', () => {
    expect(spec.certificates).toEqual({
      serverTLSSecret: 'postgres-tls',
      serverCASecret: 'postgres-tls',
      replicationTLSSecret: 'postgres-replication-tls',
      clientCASecret: 'postgres-replication-tls',
    });
    expect(spec.postgresql!.parameters).toMatchObject({ password_encryption: 'scram-sha-256', ssl_min_protocol_version: 'TLSv1.3' });
    expect(spec.postgresql!.pg_hba).toEqual([
      'hostssl synapse synapse all scram-sha-256',
      'hostssl keycloak keycloak all scram-sha-256',
      'host all all all reject',
    ]);
    expect((spec as Record<string, unknown>).enableSuperuserAccess).toBe(false);
  });

  it('creates the synapse database with C collation from the delivered basic-auth Secret, never a literal', () => {
    expect(spec.bootstrap).toEqual({
      initdb: {
        database: 'synapse',
        owner: 'synapse',
        secret: { name: 'synapse-database' },
        encoding: 'UTF8',
        localeCollate: 'C',
        localeCType: 'C',
        dataChecksums: true,
      },
    });
    expect(scanJson(postgresCluster(config, agency, labels))).toEqual([]);
  });

  it('labels every pod as the postgres workload, on the configured storage class and size, archiving WAL through the plugin', () => {
    expect(spec.inheritedMetadata).toEqual({ labels: { ...labels, 'matrix.sovereign/workload': 'postgres' } });
    expect(spec.storage).toEqual({ storageClass: 'encrypted-retain', size: '20Gi' });
    expect((spec as Record<string, unknown>).plugins).toEqual([
      { name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'postgres-backup' } },
    ]);
  });

  it('restores from the object store to a point in time, writing its own backups to a new archive', () => {
    const restored = clusterSpec(
      config,
      withPostgres(agency, {
        archive: 'postgres-2',
        recovery: { from: 'objectStore', sourceArchive: 'postgres', targetTime: '2026-03-01T08:30:00Z' },
      }),
    ) as Record<string, unknown>;
    expect(restored.bootstrap).toEqual({
      recovery: {
        database: 'synapse',
        owner: 'synapse',
        secret: { name: 'synapse-database' },
        source: 'origin',
        recoveryTarget: { targetTime: '2026-03-01T08:30:00Z' },
      },
    });
    expect(restored.externalClusters).toEqual([
      { name: 'origin', plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'postgres-backup' } } },
    ]);
    expect(restored.plugins).toEqual([
      {
        name: 'barman-cloud.cloudnative-pg.io',
        isWALArchiver: true,
        parameters: { barmanObjectName: 'postgres-backup', serverName: 'postgres-2' },
      },
    ]);
  });
});

describe('the backups', () => {
  it('go to the declared store, per deployment and homeserver, encrypted by the store and compressed, credentials by reference', () => {
    expect(barmanObjectStoreConfiguration(config, agency)).toEqual({
      destinationPath: 's3://matrix-backups/matrix/agency/postgres',
      endpointURL: 'https://backup.agency.example.org',
      s3Credentials: {
        accessKeyId: { name: 'postgres-backup-s3', key: 'ACCESS_KEY_ID' },
        secretAccessKey: { name: 'postgres-backup-s3', key: 'ACCESS_SECRET_KEY' },
      },
      wal: { compression: 'gzip', encryption: 'AES256' },
      data: { compression: 'gzip', encryption: 'AES256' },
    });
  });

  it('name the KMS key of the store on every upload with aws:kms, and the region in the sidecar environment', () => {
    const configuration = barmanObjectStoreConfiguration(fleet, region);
    const kms = ['--sse-kms-key-id=arn:aws:kms:fr-par-1:111122223333:key/backup-fleet'];
    expect(configuration.wal).toEqual({ compression: 'gzip', encryption: 'aws:kms', archiveAdditionalCommandArgs: kms });
    expect(configuration.data).toEqual({ compression: 'gzip', encryption: 'aws:kms', additionalCommandArgs: kms });
    const store = postgresObjectStore(fleet, region, labels).spec as Record<string, Record<string, unknown>>;
    expect(store.instanceSidecarConfiguration!.env).toEqual([{ name: 'AWS_DEFAULT_REGION', value: 'fr-par-1' }]);
    expect((store as Record<string, unknown>).retentionPolicy).toBe('35d');
  });

  it('are taken on the schedule and once right away, owned by the ScheduledBackup', () => {
    expect(postgresScheduledBackup(config, agency, labels).spec).toEqual({
      cluster: { name: 'postgres' },
      schedule: '0 0 2 * * *',
      immediate: true,
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      backupOwnerReference: 'self',
    });
  });
});
