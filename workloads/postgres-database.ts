/**
 * The homeserver database as the homeserver compartment holds it: the CloudNativePG Cluster,
 * its barman-cloud ObjectStore and its ScheduledBackup, and what the operator's pods and
 * Services count against the compartment's quota.
 */
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { postgresQuotaInput, POSTGRES_SERVICES } from '../model/postgres';
import type { QuotaInput } from '../model/quotas';
import type { KubernetesObject } from '../render/manifests/kubernetes-object';
import { postgresObjectStore, postgresScheduledBackup } from '../render/postgres-backup';
import { keycloakDatabase, postgresCluster } from '../render/postgres-cluster';

export interface HomeserverDatabase {
  readonly objectStore: KubernetesObject;
  readonly cluster: KubernetesObject;
  readonly scheduledBackup: KubernetesObject;
  /** The identity provider's database (its role is one of the cluster's managed roles). */
  readonly identityDatabase: KubernetesObject;
}

/** What the database adds to the homeserver compartment's quota: its pods and volumes, and the operator's three Services. */
export function databaseQuota(homeserver: HomeserverSettings): { readonly input: QuotaInput; readonly services: number } {
  return { input: postgresQuotaInput(homeserver), services: Object.keys(POSTGRES_SERVICES).length };
}

export function homeserverDatabase(
  config: DeploymentConfig,
  homeserver: HomeserverSettings,
  labels: Readonly<Record<string, string>>,
): HomeserverDatabase {
  return {
    objectStore: postgresObjectStore(config, homeserver, labels),
    cluster: postgresCluster(config, homeserver, labels),
    scheduledBackup: postgresScheduledBackup(config, homeserver, labels),
    identityDatabase: keycloakDatabase(homeserver, labels),
  };
}
