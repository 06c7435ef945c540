/**
 * The validated, resolved deployment config every construct and stack consumes:
 * defaults applied, federation peers resolved, images rewritten through the mirror.
 */
import type { DeploymentProfile } from './backup-schema';
import type { CallsSettings } from './calls-schema';
import type { ClientSettings } from './client-schema';
import type { ChartKey, ImageKey } from './cross-checks';
import type { ChartPin, DirectorySettings, IdentitySettings, MediaSettings, SynapseSettings } from './schema';
import type { WorkerSettings } from './workers-schema';

export type { CallsSettings, ChartPin, ClientSettings, DirectorySettings, IdentitySettings, MediaSettings, SynapseSettings };

export type StateBackend =
  { readonly backend: 'local'; readonly directory: string } | { readonly backend: 'pg'; readonly schemaPrefix: string };

export interface KubernetesSettings {
  readonly configPath?: string;
  readonly context?: string;
  readonly podSecurityVersion: string;
  readonly podCidrs: readonly string[];
  readonly serviceCidrs: readonly string[];
  readonly nodeCidrs: readonly string[];
  readonly metadataCidrs: readonly string[];
  readonly dns: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
  readonly apiServer: { readonly cidrs: readonly string[]; readonly port: number };
}

export interface ImageSettings {
  readonly allowedRegistries: readonly string[];
  readonly mirrorPrefix?: string;
  /** Registries images are actually pulled from: the mirror's host when set, else the allowlist. */
  readonly pullRegistries: readonly string[];
  /** References as pulled (mirror applied), always digest-pinned. */
  readonly effective: Readonly<Record<ImageKey, string>>;
}

export interface FederationSettings {
  readonly enabled: boolean;
  /** Empty when federation is off. */
  readonly peers: readonly string[];
  /** Destination ranges for the federation sender; cluster and metadata ranges are always excluded. */
  readonly egressCidrs: readonly string[];
}

/** Restore a new cluster from the object store: to the latest point, or to `targetTime` (RFC 3339). */
export interface PostgresRecovery {
  readonly from: 'objectStore';
  /** The archive (the lost cluster's) to restore from. */
  readonly sourceArchive: string;
  readonly targetTime?: string;
}

/** The homeserver database as a CloudNativePG cluster. */
export interface PostgresSettings {
  /** Resolved: the profile's default when the config gives none. */
  readonly instances: number;
  readonly storageGi: number;
  /** The archive name this cluster's backups carry in the object store. */
  readonly archive: string;
  readonly recovery?: PostgresRecovery;
}

/** The object store backups go to, the PostgreSQL backup schedule and the other stores' backup jobs. */
export interface BackupSettings {
  readonly objectStore: {
    readonly endpoint: string;
    readonly bucket: string;
    readonly region?: string;
    readonly cidrs: readonly string[];
    readonly encryption: 'AES256' | 'aws:kms';
    readonly kmsKeyId?: string;
  };
  readonly postgres: {
    /** Six cron fields, seconds first. */
    readonly schedule: string;
    /** `<n>d`. */
    readonly retention: string;
  };
  /** The other stores' backup jobs. */
  readonly stores: {
    readonly directory: StoreBackupSettings;
    readonly secretStore: StoreBackupSettings;
    readonly media: StoreBackupSettings;
  };
}

/** One store's backup job (a Kubernetes CronJob in UTC). */
export interface StoreBackupSettings {
  /** Five cron fields. */
  readonly schedule: string;
  /** `<n>d`. */
  readonly retention: string;
}

export interface HomeserverSettings {
  readonly name: string;
  readonly serverName: string;
  readonly allowedEmailDomains: readonly string[];
  readonly federation: FederationSettings;
  readonly gateway: {
    readonly exposure: 'LoadBalancer' | 'NodePort';
    readonly ingressCidrs: readonly string[];
    readonly rateLimit: { readonly requestsPer10s: number; readonly loginRequestsPer10s: number };
    readonly replicas: number;
    readonly certificateIssuer?: { readonly kind: 'ClusterIssuer' | 'Issuer'; readonly name: string };
  };
  readonly directory: DirectorySettings;
  readonly media: MediaSettings;
  readonly synapse: SynapseSettings;
  readonly identity: IdentitySettings;
  readonly postgres: PostgresSettings;
  readonly workers: WorkerSettings;
  /** The web client compartment; absent: none. */
  readonly client?: ClientSettings;
  /** The calls compartment; absent: none. */
  readonly calls?: CallsSettings;
}

export interface PlatformSettings {
  readonly charts: { readonly allowedRepositories: readonly string[] } & Readonly<Record<ChartKey, ChartPin>>;
  readonly secrets: { readonly refreshInterval: string };
  readonly certificates: { readonly caLifetime: string; readonly lifetime: string; readonly renewBefore: string };
  readonly openbao: { readonly storageGi: number };
}

/** The site's Prometheus and the exfiltration/abuse alert thresholds (LOG-01/LOG-02). */
export interface MonitoringSettings {
  /** Namespace of the site's Prometheus; not managed by this deployment (no policy is written there). */
  readonly namespace: string;
  readonly prometheusPodLabels: Readonly<Record<string, string>>;
  /** Added to every PodMonitor and PrometheusRule so the site's Prometheus Operator selects them. */
  readonly resourceLabels: Readonly<Record<string, string>>;
  readonly alerts: {
    readonly mediaEgressBytesPerHour: number;
    readonly userDirectorySearchesPerMinute: number;
    readonly profileLookupsPerMinute: number;
    readonly rejectedLoginsPerMinute: number;
  };
}

export interface DeploymentConfig {
  readonly deploymentName: string;
  readonly profile: DeploymentProfile;
  readonly kubernetes: KubernetesSettings;
  readonly state: StateBackend;
  readonly images: ImageSettings;
  readonly storage: { readonly allowedStorageClasses: readonly string[]; readonly storageClassName: string };
  readonly platform: PlatformSettings;
  readonly monitoring: MonitoringSettings;
  readonly homeservers: readonly HomeserverSettings[];
  readonly backup: BackupSettings;
}
