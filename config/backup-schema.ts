/**
 * Backups and the homeserver database's shape: the object store every backup goes to, the
 * PostgreSQL backup schedule and retention, and each homeserver's PostgreSQL cluster (its
 * size, and an optional restore from the object store). Every string has a grammar that
 * leaves no room for the syntax of the engines it reaches (YAML, Go templates, the operator's
 * cron parser, Terraform).
 */
import { z } from 'zod';
import { cronScheduleProblem } from './cron';
import { OBJECT_STORE_GRAMMAR } from './object-store-grammar';
import { cidrProblem, slugProblem } from './validators';

const cidr = z.string().superRefine((value, ctx) => {
  const message = cidrProblem(value);
  if (message) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
});

/** Bounds of the PostgreSQL settings, stated once (schema, cross-checks, rules and docs read them). */
export const POSTGRES_BOUNDS = {
  /** One primary and up to eight standbys: beyond that, synchronous replication only adds latency. */
  maxInstances: 9,
  /** A production site keeps a synchronous standby: losing one node must not lose committed data. */
  productionMinInstances: 2,
  defaultInstances: { production: 3, small: 1 },
  defaultStorageGi: 20,
  maxStorageGi: 10_000,
  /** Days of backups kept (base backups and the WAL they need): ten years at most, one day at least. */
  maxRetentionDays: 3650,
} as const;

export const DEPLOYMENT_PROFILES = ['production', 'small'] as const;
export type DeploymentProfile = (typeof DEPLOYMENT_PROFILES)[number];

/** `<n>d` with n from 1 to the bound; returns the number of days, or null. */
export function parseRetentionDays(text: string): number | null {
  const match = /^([1-9][0-9]{0,3})d$/.exec(text);
  if (!match) return null;
  const days = Number(match[1]);
  return days <= POSTGRES_BOUNDS.maxRetentionDays ? days : null;
}

/** RFC 3339 with seconds and an explicit zone: 2026-03-01T08:30:00Z or 2026-03-01T09:30:00+01:00. */
export function timestampProblem(text: string): string | null {
  const shape = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})$/.exec(text);
  if (!shape || Number.isNaN(Date.parse(text))) return 'must be an RFC 3339 time with seconds and a zone, e.g. 2026-03-01T08:30:00Z';
  const [month, day, hour, minute, second] = shape.slice(2, 7).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return 'must be a valid date and time';
  return null;
}

const refined = (problem: (value: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  });

/** The S3-compatible object store every backup goes to (an on-premises store for a sovereign site). */
const objectStoreSchema = z
  .object({
    endpoint: z.string().regex(OBJECT_STORE_GRAMMAR.endpoint.pattern, OBJECT_STORE_GRAMMAR.endpoint.message),
    bucket: z.string().regex(OBJECT_STORE_GRAMMAR.bucket.pattern, OBJECT_STORE_GRAMMAR.bucket.message),
    region: z.string().regex(OBJECT_STORE_GRAMMAR.region.pattern, OBJECT_STORE_GRAMMAR.region.message).optional(),
    /** Addresses of the endpoint, for the backup egress policy (port 443 only): at most an IPv4 /16 or IPv6 /32 each, at most 64. */
    cidrs: z.array(cidr).min(1),
    /** Server-side encryption the store applies to every object: its own keys (AES256) or a KMS key it holds (aws:kms). */
    encryption: z.enum(['AES256', 'aws:kms']).default('AES256'),
    /** The KMS key's id, alias or ARN (required with aws:kms, refused otherwise): a name, never key material. */
    kmsKeyId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9:/_.-]{0,255}$/, 'must be a KMS key id, alias or ARN of letters, digits and : / _ . -')
      .optional(),
  })
  .strict();

/** How long copies are kept: <n>d, 1d to 3650d. */
const retention = refined((value) =>
  parseRetentionDays(value) === null ? `must be a number of days such as 30d, from 1d to ${POSTGRES_BOUNDS.maxRetentionDays}d` : null,
);

const postgresBackupSchema = z
  .object({
    /** When the base backup runs: six cron fields with seconds, in the operator's time zone (UTC). */
    schedule: refined(cronScheduleProblem).default('0 0 2 * * *'),
    /** How long base backups and their WAL are kept: <n>d, 1d to 3650d. */
    retention: retention.default('30d'),
  })
  .strict();

/** The other stores' backup jobs run at these times (UTC) unless the config says otherwise: after PostgreSQL's, spread out. */
export const STORE_BACKUP_DEFAULTS = {
  directory: { schedule: '30 2 * * *', retention: '30d' },
  secretStore: { schedule: '45 2 * * *', retention: '30d' },
  media: { schedule: '15 3 * * *', retention: '30d' },
} as const;

/** One store's backup job: when it runs (five cron fields, a Kubernetes CronJob in UTC) and how long its copies are kept. */
const storeBackupSchema = (defaults: { schedule: string; retention: string }) =>
  z
    .object({
      schedule: refined((value) => cronScheduleProblem(value, 'minutes')).default(defaults.schedule),
      retention: retention.default(defaults.retention),
    })
    .strict()
    .default({});

/** The stores other than PostgreSQL: the directory (in-cluster only), OpenBao, and the media volume (not with media.s3). */
const storesSchema = z
  .object({
    directory: storeBackupSchema(STORE_BACKUP_DEFAULTS.directory),
    secretStore: storeBackupSchema(STORE_BACKUP_DEFAULTS.secretStore),
    media: storeBackupSchema(STORE_BACKUP_DEFAULTS.media),
  })
  .strict();

export const backupSchema = z
  .object({
    objectStore: objectStoreSchema,
    postgres: postgresBackupSchema.default({}),
    stores: storesSchema.default({}),
  })
  .strict();

/** The name a cluster's backups carry in the object store (a folder under the homeserver's prefix). */
const archiveName = refined((value) => slugProblem(value, 63));

/** A new cluster restored from the object store's backups (to the latest point, or to targetTime). */
const recoverySchema = z
  .object({
    from: z.enum(['objectStore']),
    /** The archive restored from: the backups of the cluster that was lost (default postgres, the first archive). */
    sourceArchive: archiveName.default('postgres'),
    /** Point in time to stop at; absent = replay to the last archived WAL. */
    targetTime: refined(timestampProblem).optional(),
  })
  .strict();

export const homeserverPostgresSchema = z
  .object({
    /** 1 to 9; default 3 in production, 1 for a small site; production refuses fewer than 2. */
    instances: z.number().int().min(1).max(POSTGRES_BOUNDS.maxInstances).optional(),
    storageGi: z.number().int().min(1).max(POSTGRES_BOUNDS.maxStorageGi).default(POSTGRES_BOUNDS.defaultStorageGi),
    /** The archive this cluster writes its WAL and base backups to; a restored cluster needs a new one (never its source). */
    archive: archiveName.default('postgres'),
    recovery: recoverySchema.optional(),
  })
  .strict();

export type BackupInput = z.infer<typeof backupSchema>;
export type HomeserverPostgresInput = z.infer<typeof homeserverPostgresSchema>;
