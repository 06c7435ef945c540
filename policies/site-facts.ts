/**
 * The site facts a few rules judge with (allowlists, cluster ranges, the monitoring namespace,
 * federation peers): derived from a deployment config, and recorded next to every synthesized
 * output (`site-facts.json`) so that a standalone audit of that output judges with the same
 * facts as the synthesis did. The record names the config it came from (file name, sha256) and
 * carries a digest over its content: an edit that does not recompute the digest is detected.
 * The digest is no signature; `--config` remains the authoritative way to give the facts.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseRetentionDays } from '../config/backup-schema';
import type { DeploymentConfig } from '../config/deployment-config';
import {
  HOMESERVER_COMPARTMENTS,
  homeserverNamespace,
  PLATFORM_COMPONENTS,
  platformNamespace,
  type CompartmentKind,
} from '../model/compartments';
import { platformNames } from '../model/platform';

export interface SiteFacts {
  readonly kubernetes: {
    readonly podCidrs: readonly string[];
    readonly serviceCidrs: readonly string[];
    readonly nodeCidrs: readonly string[];
    readonly metadataCidrs: readonly string[];
    /** The API server's endpoints as pods reach them (the database's instance managers call it). */
    readonly apiServerCidrs: readonly string[];
  };
  /** production: the database keeps a synchronous standby; small: a single-node site. */
  readonly profile: 'production' | 'small';
  /** The one object store backups may go to; media kept in S3 instead of a backed-up volume, with the bucket's declared protection. */
  readonly backup: {
    readonly endpoint: string;
    readonly bucket: string;
    readonly cidrs: readonly string[];
    /** Days the media backups are kept (backup.stores.media.retention): the least object lock a media bucket needs. */
    readonly mediaRetentionDays: number;
    readonly mediaBuckets: readonly MediaBucketFact[];
  };
  readonly monitoring: { readonly namespace: string; readonly resourceLabels: Readonly<Record<string, string>> };
  /**
   * Each homeserver: its name (its namespaces are `<name>-<compartment>`), its server name and
   * its declared federation peers ([] when federation is off).
   */
  readonly homeservers: readonly {
    readonly name: string;
    readonly serverName: string;
    readonly federationPeers: readonly string[];
    /** The public name of its calls, when it has calls. */
    readonly callsHostname?: string;
  }[];
  /** Registries images are pulled from (the mirror's host when one is configured). */
  readonly pullRegistries: readonly string[];
  readonly chartRepositories: readonly string[];
  readonly storageClasses: readonly string[];
  /** Where OpenBao's static seal key lives (its namespace and Secret). */
  readonly sealKey: { readonly namespace: string; readonly secret: string };
  /** Every namespace of the deployment (each homeserver's compartments and the platform's), with its compartment label. */
  readonly namespaces: Readonly<Record<string, CompartmentKind>>;
}

/** A homeserver's media bucket (media.s3) and the protection the site declares for it. */
export interface MediaBucketFact {
  /** The media compartment's namespace. */
  readonly namespace: string;
  readonly bucket: string;
  readonly versioning: string;
  readonly objectLockDays: number;
}

export type SiteFactKey = keyof SiteFacts;

/** Where each fact comes from in the deployment config (for "not judged" reports). */
export const SITE_FACT_SOURCES: Readonly<Record<SiteFactKey, string>> = {
  kubernetes: 'kubernetes.{pod,service,node,metadata}Cidrs, kubernetes.apiServer.cidrs',
  profile: 'deployment.profile',
  backup: 'backup.objectStore (endpoint, bucket, cidrs), backup.stores.media.retention, homeservers[].media.s3 (bucket, protection)',
  monitoring: 'monitoring.namespace, monitoring.resourceLabels',
  homeservers: 'homeservers[].name, homeservers[].serverName, homeservers[].federation',
  pullRegistries: 'images.allowedRegistries / images.mirrorPrefix',
  chartRepositories: 'platform.charts.allowedRepositories',
  storageClasses: 'storage.allowedStorageClasses',
  sealKey: 'deployment.name',
  namespaces: 'deployment.name, homeservers[].name',
};

export function siteFactsOf(config: DeploymentConfig): SiteFacts {
  const { kubernetes, monitoring } = config;
  return {
    kubernetes: {
      podCidrs: kubernetes.podCidrs,
      serviceCidrs: kubernetes.serviceCidrs,
      nodeCidrs: kubernetes.nodeCidrs,
      metadataCidrs: kubernetes.metadataCidrs,
      apiServerCidrs: kubernetes.apiServer.cidrs,
    },
    profile: config.profile,
    backup: {
      endpoint: config.backup.objectStore.endpoint.replace(/\/$/, ''),
      bucket: config.backup.objectStore.bucket,
      cidrs: config.backup.objectStore.cidrs,
      mediaRetentionDays: parseRetentionDays(config.backup.stores.media.retention) ?? 0,
      mediaBuckets: config.homeservers.flatMap((homeserver) =>
        homeserver.media.s3
          ? [
              {
                namespace: homeserverNamespace(homeserver.name, 'media'),
                bucket: homeserver.media.s3.bucket,
                versioning: homeserver.media.s3.protection.versioning,
                objectLockDays: homeserver.media.s3.protection.objectLockDays,
              },
            ]
          : [],
      ),
    },
    monitoring: { namespace: monitoring.namespace, resourceLabels: monitoring.resourceLabels },
    homeservers: config.homeservers.map((homeserver) => ({
      name: homeserver.name,
      serverName: homeserver.serverName,
      federationPeers: homeserver.federation.enabled ? homeserver.federation.peers : [],
      ...(homeserver.calls ? { callsHostname: homeserver.calls.hostname } : {}),
    })),
    pullRegistries: config.images.pullRegistries,
    chartRepositories: config.platform.charts.allowedRepositories,
    storageClasses: config.storage.allowedStorageClasses,
    sealKey: {
      namespace: platformNames(config.deploymentName).namespaces.openbao,
      secret: platformNames(config.deploymentName).openbaoSealSecret,
    },
    namespaces: Object.fromEntries([
      ...config.homeservers.flatMap((homeserver) =>
        HOMESERVER_COMPARTMENTS.map((compartment) => [homeserverNamespace(homeserver.name, compartment), compartment] as const),
      ),
      ...PLATFORM_COMPONENTS.map((component) => [platformNamespace(config.deploymentName, component), 'platform'] as const),
    ]),
  };
}

// ---------------------------------------------------------------- the record in the output

export const SITE_FACTS_FILE = 'site-facts.json';
export const SITE_FACTS_FORMAT = 'matrix-sovereign-iac/site-facts/5';

const strings = z.array(z.string().max(4096)).max(10_000);
const factsSchema = z
  .object({
    kubernetes: z
      .object({ podCidrs: strings, serviceCidrs: strings, nodeCidrs: strings, metadataCidrs: strings, apiServerCidrs: strings })
      .strict(),
    profile: z.enum(['production', 'small']),
    backup: z
      .object({
        endpoint: z.string().max(4096),
        bucket: z.string().max(253),
        cidrs: strings,
        mediaRetentionDays: z.number().int().min(0).max(3650),
        mediaBuckets: z
          .array(
            z
              .object({
                namespace: z.string().max(253),
                bucket: z.string().max(253),
                versioning: z.string().max(32),
                objectLockDays: z.number().int().min(0).max(100_000),
              })
              .strict(),
          )
          .max(10_000),
      })
      .strict(),
    monitoring: z.object({ namespace: z.string().max(253), resourceLabels: z.record(z.string().max(4096)) }).strict(),
    homeservers: z
      .array(
        z
          .object({
            name: z.string().max(253),
            serverName: z.string().max(253),
            federationPeers: strings,
            callsHostname: z.string().max(253).optional(),
          })
          .strict(),
      )
      .max(10_000),
    pullRegistries: strings,
    chartRepositories: strings,
    storageClasses: strings,
    sealKey: z.object({ namespace: z.string().max(253), secret: z.string().max(253) }).strict(),
    namespaces: z
      .record(z.string().max(253), z.enum([...HOMESERVER_COMPARTMENTS, 'platform']))
      .refine((record) => Object.keys(record).length <= 10_000, 'too many namespaces'),
  })
  .strict();

const recordSchema = z
  .object({
    format: z.literal(SITE_FACTS_FORMAT),
    config: z.object({ file: z.string().max(4096), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    facts: factsSchema,
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  })
  .strict();

export interface SiteFactsRecord {
  readonly format: typeof SITE_FACTS_FORMAT;
  /** The config the output was synthesized from: its file name and the sha256 of its bytes. */
  readonly config: { readonly file: string; readonly sha256: string };
  readonly facts: SiteFacts;
  readonly digest: string;
}

/** JSON with keys sorted at every level: the same content always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function digestOf(record: Omit<SiteFactsRecord, 'digest'>): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson({ format: record.format, config: record.config, facts: record.facts }))
    .digest('hex')}`;
}

export function siteFactsRecord(facts: SiteFacts, configFile: string, configSha256: string): SiteFactsRecord {
  const unsigned = { format: SITE_FACTS_FORMAT, config: { file: configFile, sha256: configSha256 }, facts } as const;
  return { ...unsigned, digest: digestOf(unsigned) };
}

export function renderSiteFactsRecord(record: SiteFactsRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** The record in parsed JSON, or the reason it cannot be trusted (wrong shape, digest mismatch). */
export function checkSiteFactsRecord(value: unknown): SiteFactsRecord | string {
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `not a site facts record of this version (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'})`;
  }
  const record: SiteFactsRecord = parsed.data;
  if (digestOf(record) !== record.digest) return 'its digest does not match its content (edited after synthesis)';
  return record;
}

/** The top-level facts that differ between two sets (to report a record that does not match --config). */
export function differingFacts(recorded: SiteFacts, expected: SiteFacts): SiteFactKey[] {
  return (Object.keys(SITE_FACT_SOURCES) as SiteFactKey[]).filter((key) => canonicalJson(recorded[key]) !== canonicalJson(expected[key]));
}
