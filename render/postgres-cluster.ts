/**
 * The homeserver database as a CloudNativePG `Cluster`: instances from the config, a
 * synchronous standby whenever there is one, TLS only with the internal CA's certificates,
 * SCRAM, the pg_hba intent, C collation, no superuser access, the workload's labels on every
 * pod, WAL archived continuously through the barman-cloud plugin. A restore is the same
 * Cluster bootstrapped from the object store instead of initdb.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { CERTIFICATE_SECRETS } from '../model/certificates';
import { homeserverNamespace, LABEL_WORKLOAD } from '../model/compartments';
import { KEYCLOAK_DATABASE, KEYCLOAK_DATABASE_ROLE } from '../model/identity';
import { BARMAN_CLOUD_PLUGIN, POSTGRES_CLUSTER_NAME, POSTGRES_OBJECT_STORE_NAME, POSTGRES_RESOURCES } from '../model/postgres';
import { cpu, mebibytes } from '../model/quantities';
import { PLATFORM_CONTAINER_EPHEMERAL_STORAGE } from '../model/quotas';
import { SECRET_NAMES } from '../model/secrets';
import { API_VERSIONS, type KubernetesObject, type ManifestValue } from './manifests/kubernetes-object';
import { pgHbaRules, POSTGRES_DATABASE, POSTGRES_INITDB, POSTGRES_ROLE, postgresParameters } from './postgres';

/** The operand image's postgres user and group. */
export const POSTGRES_UID = 26;
/** The external cluster a restore reads from: the lost cluster's archive in the object store. */
const RECOVERY_SOURCE = 'origin';

/** With a standby, every commit waits for one of them (any) to have it: a lost primary loses no committed transaction. */
export function synchronousReplication(instances: number): Record<string, ManifestValue> | undefined {
  if (instances < 2) return undefined;
  return { method: 'any', number: 1, dataDurability: 'required' };
}

/** The barman-cloud parameters naming the ObjectStore and, unless it is the cluster's name, the archive. */
function archiveParameters(archive: string): Record<string, string> {
  return { barmanObjectName: POSTGRES_OBJECT_STORE_NAME, ...(archive === POSTGRES_CLUSTER_NAME ? {} : { serverName: archive }) };
}

/** initdb for a new database, or recovery from the object store (latest point, or targetTime). */
function bootstrap(homeserver: HomeserverSettings): Record<string, ManifestValue> {
  const owner = { database: POSTGRES_DATABASE, owner: POSTGRES_ROLE, secret: { name: SECRET_NAMES.database } };
  const { recovery } = homeserver.postgres;
  if (!recovery) return { initdb: { ...owner, ...POSTGRES_INITDB, dataChecksums: true } };
  return {
    recovery: {
      ...owner,
      source: RECOVERY_SOURCE,
      ...(recovery.targetTime ? { recoveryTarget: { targetTime: recovery.targetTime } } : {}),
    },
  };
}

const SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export function postgresCluster(
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  labels: Readonly<Record<string, string>>,
): KubernetesObject {
  const { instances, storageGi, archive, recovery } = homeserver.postgres;
  const synchronous = synchronousReplication(instances);
  return {
    apiVersion: API_VERSIONS.cloudnativePg,
    kind: 'Cluster',
    metadata: { name: POSTGRES_CLUSTER_NAME, namespace: homeserverNamespace(homeserver.name, 'homeserver'), labels },
    spec: {
      description: 'PostgreSQL database of the homeserver (TLS only, C collation)',
      instances,
      imageName: config.images.effective.postgres,
      imagePullPolicy: 'IfNotPresent',
      postgresUID: POSTGRES_UID,
      postgresGID: POSTGRES_UID,
      podSecurityContext: {
        runAsNonRoot: true,
        runAsUser: POSTGRES_UID,
        runAsGroup: POSTGRES_UID,
        fsGroup: POSTGRES_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      securityContext: SECURITY_CONTEXT,
      inheritedMetadata: { labels: { ...labels, [LABEL_WORKLOAD]: POSTGRES_CLUSTER_NAME } },
      enableSuperuserAccess: false,
      enablePDB: true,
      primaryUpdateStrategy: 'unsupervised',
      postgresql: {
        parameters: postgresParameters(),
        pg_hba: pgHbaRules(),
        ...(synchronous ? { synchronous } : {}),
      },
      // Issued by the internal CA (cert-manager); each Secret carries the CA certificate as ca.crt.
      certificates: {
        serverTLSSecret: CERTIFICATE_SECRETS.postgres,
        serverCASecret: CERTIFICATE_SECRETS.postgres,
        replicationTLSSecret: CERTIFICATE_SECRETS.postgresReplication,
        clientCASecret: CERTIFICATE_SECRETS.postgresReplication,
      },
      bootstrap: bootstrap(homeserver),
      // The identity provider's role: login only, no other privilege; the operator keeps its password equal to the Secret.
      managed: {
        roles: [
          {
            name: KEYCLOAK_DATABASE_ROLE,
            ensure: 'present',
            comment: 'identity provider (Keycloak), owner of the keycloak database only',
            login: true,
            superuser: false,
            createdb: false,
            createrole: false,
            // PostgreSQL 15+: the owner creates tables in `public` through pg_database_owner, which takes INHERIT.
            inherit: true,
            replication: false,
            bypassrls: false,
            connectionLimit: 20,
            passwordSecret: { name: SECRET_NAMES.keycloakDatabase },
          },
        ],
      },
      ...(recovery
        ? {
            externalClusters: [
              {
                name: RECOVERY_SOURCE,
                plugin: { name: BARMAN_CLOUD_PLUGIN, parameters: archiveParameters(recovery.sourceArchive) },
              },
            ],
          }
        : {}),
      storage: { storageClass: config.storage.storageClassName, size: `${storageGi}Gi` },
      // The operator copies these into the instance pods and their Jobs; the data is on the claim, local disk holds logs.
      resources: {
        requests: {
          cpu: cpu(POSTGRES_RESOURCES.cpuRequestMilli),
          memory: mebibytes(POSTGRES_RESOURCES.memoryRequestMi),
          'ephemeral-storage': mebibytes(PLATFORM_CONTAINER_EPHEMERAL_STORAGE.requestMi),
        },
        limits: {
          cpu: cpu(POSTGRES_RESOURCES.cpuLimitMilli),
          memory: mebibytes(POSTGRES_RESOURCES.memoryLimitMi),
          'ephemeral-storage': mebibytes(PLATFORM_CONTAINER_EPHEMERAL_STORAGE.limitMi),
        },
      },
      plugins: [{ name: BARMAN_CLOUD_PLUGIN, isWALArchiver: true, parameters: archiveParameters(archive) }],
    },
  };
}

/**
 * The identity provider's database in the same cluster, owned by its role. Kept when the object
 * is deleted (`retain`): removing the identity provider never drops its users' enrolled factors.
 */
export function keycloakDatabase(homeserver: HomeserverSettings, labels: Readonly<Record<string, string>>): KubernetesObject {
  return {
    apiVersion: API_VERSIONS.cloudnativePg,
    kind: 'Database',
    metadata: { name: KEYCLOAK_DATABASE, namespace: homeserverNamespace(homeserver.name, 'homeserver'), labels },
    spec: {
      name: KEYCLOAK_DATABASE,
      owner: KEYCLOAK_DATABASE_ROLE,
      cluster: { name: POSTGRES_CLUSTER_NAME },
      ensure: 'present',
      databaseReclaimPolicy: 'retain',
      encoding: 'UTF8',
    },
  };
}
