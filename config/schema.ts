/**
 * The deployment config: one typed schema, strict (unknown keys are errors), with the
 * syntax rules of each field. Cross-field rules (duplicates, allowlists, peers) live in
 * `cross-checks.ts` so each rule is stated once.
 */
import { z } from 'zod';
import { backupSchema, DEPLOYMENT_PROFILES, homeserverPostgresSchema, POSTGRES_BOUNDS } from './backup-schema';
import { ALERT_MAXIMA, MEDIA_EGRESS_MAX_TEXT } from './bounds';
import { callsSchema } from './calls-schema';
import { checked } from './checked';
import { clientSchema } from './client-schema';
import { DAY_MS, parseDuration, parseSize } from './durations';
import { parseImageReference } from './image-reference';
import { OBJECT_STORE_GRAMMAR } from './object-store-grammar';
import {
  cidrProblem,
  distinguishedNameProblem,
  dnsNameProblem,
  emailSenderProblem,
  invisibleCharacterProblem,
  labelKeyProblem,
  normalizeDistinguishedName,
  reservedNameProblem,
  serverNameProblem,
  slugProblem,
} from './validators';
import { WORKER_BOUNDS, workersSchema } from './workers-schema';

const slug = (max: number) => checked((value) => slugProblem(value, max));
/**
 * A deployment or homeserver name: it prefixes namespaces, certificates and state, so it must
 * not produce a reserved namespace; how long it may be follows from the names derived from it
 * (checked in model/config-checks.ts against the real derivations).
 */
const prefixName = checked((value) => slugProblem(value, 63) ?? reservedNameProblem(value));
const cidr = checked(cidrProblem);
const dnsName = checked(dnsNameProblem);
const imageReference = checked((value) => {
  const parsed = parseImageReference(value);
  return typeof parsed === 'string' ? parsed : null;
});
const registryHost = checked((value) =>
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/.test(value)
    ? null
    : 'must be a registry host such as ghcr.io or registry.example.org:5000',
);
const labelMap = z.record(
  checked(labelKeyProblem),
  checked((value) => (/^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/.test(value) ? null : 'must be a Kubernetes label value')),
);

const kubernetesSchema = z
  .object({
    /** kubeconfig used by `cdktf deploy`; absent = the provider's in-cluster/KUBECONFIG discovery. */
    configPath: z
      .string()
      .regex(/^[A-Za-z0-9._~/+@-]{1,1024}$/, 'must be a file path of letters, digits and . _ ~ / + @ - (no spaces, quotes or shell syntax)')
      .optional(),
    /** A kubeconfig context name (e.g. an EKS ARN or kind-local). */
    context: z
      .string()
      .regex(
        /^[A-Za-z0-9._:@/+-]{1,253}$/,
        'must be a context name of letters, digits and . _ : @ / + - (no spaces, quotes or shell syntax)',
      )
      .optional(),
    /** Pinned Pod Security Standards version, e.g. v1.33 (never "latest": a cluster upgrade must not change the rules silently). */
    podSecurityVersion: z.string().regex(/^v1\.[0-9]{1,2}$/, 'must be a pinned version such as v1.33, not "latest"'),
    podCidrs: z.array(cidr).min(1),
    serviceCidrs: z.array(cidr).min(1),
    nodeCidrs: z.array(cidr).default([]),
    /** Cloud metadata endpoints; always excluded from any egress to the outside. */
    metadataCidrs: z.array(cidr).min(1).default(['169.254.169.254/32', 'fd00:ec2::254/128']),
    dns: z
      .object({
        /** The cluster DNS namespace (e.g. kube-system): never default nor a namespace of this deployment (every compartment queries it). */
        namespace: slug(63),
        podLabels: labelMap.refine((labels) => Object.keys(labels).length > 0, 'must select the DNS pods by at least one label'),
      })
      .strict(),
    /**
     * The API server as pods see it after Service translation (the endpoints of
     * `kubernetes.default`): platform operators call it, and it calls their webhooks.
     */
    apiServer: z
      .object({
        /** Endpoint addresses: at most an IPv4 /16 or IPv6 /32 each, at most 64 (config/bounds.ts). */
        cidrs: z.array(cidr).min(1),
        port: z.number().int().min(1).max(65535),
      })
      .strict(),
  })
  .strict();

const localStateSchema = z
  .object({
    /** Relative to the project root; kept outside cdktf.out, which is rewritten on every synth. */
    directory: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a relative directory path without ".." tricks')
      .refine((value) => !value.split('/').includes('..'), 'must not leave the project directory')
      .default('state'),
  })
  .strict();

const stateSchema = z.discriminatedUnion('backend', [
  z.object({ backend: z.literal('local'), local: localStateSchema.default({}) }).strict(),
  z
    .object({
      backend: z.literal('pg'),
      /** The connection string is a secret: it is read by the engine from PG_CONN_STR, never written here. */
      /** `<schemaPrefix>_<stack>` must fit PostgreSQL's 63-byte identifiers for every stack. */
      pg: z
        .object({
          schemaPrefix: z
            .string()
            .regex(
              /^[a-z][a-z0-9_]{0,39}$/,
              'must be a PostgreSQL identifier: a-z, 0-9 and "_", starting with a letter, at most 40 characters',
            ),
        })
        .strict(),
    })
    .strict(),
]);

const imagesSchema = z
  .object({
    allowedRegistries: z.array(registryHost).min(1),
    /** Air-gapped sites: pull everything through this mirror (`<mirror>/<original registry>/<repo>@digest`); its host must be in allowedRegistries. */
    mirrorPrefix: z
      .string()
      .regex(/^[a-z0-9.-]+(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/, 'must be a registry host with an optional path, e.g. mirror.example.org/proxy')
      .optional(),
    synapse: imageReference,
    haproxy: imageReference,
    postgres: imageReference,
    redis: imageReference,
    openldap: imageReference,
    /** Platform operators (secret store, secret delivery, certificates, trust distribution). */
    openbao: imageReference,
    externalSecrets: imageReference,
    certManagerController: imageReference,
    certManagerWebhook: imageReference,
    certManagerCainjector: imageReference,
    trustManager: imageReference,
    /** The PostgreSQL operator (CloudNativePG), its barman-cloud backup plugin and the sidecar the plugin adds to each PostgreSQL pod. */
    cloudnativePg: imageReference,
    barmanCloudPlugin: imageReference,
    barmanCloudSidecar: imageReference,
    /** The upload step of the store backup jobs (directory, secret store, media volume): rclone's official image. */
    storeBackup: imageReference,
    /** The identity provider of the identity compartment (Keycloak's official image). */
    keycloak: imageReference,
    /** The web client of the client compartment (Element Web; its nginx serves the bundle). */
    elementWeb: imageReference,
    /** The calls compartment: the LiveKit SFU and the MatrixRTC authorisation service (lk-jwt-service). */
    livekit: imageReference,
    lkJwtService: imageReference,
  })
  .strict();

const storageSchema = z
  .object({
    /** Only classes that encrypt at rest and retain volumes belong here (STO-01/STO-02). */
    allowedStorageClasses: z.array(slug(63)).min(1),
    storageClassName: slug(63),
  })
  .strict();

const federationSchema = z
  .object({
    enabled: z.boolean(),
    /** Server names this homeserver federates with; default: the other fleet members. */
    peers: z.array(checked(serverNameProblem)).optional(),
    /**
     * Where the federation sender may connect; default: anywhere except metadata and cluster
     * ranges. An explicit list names the peers' networks: at most an IPv4 /16 or IPv6 /32 each.
     */
    egressCidrs: z.array(cidr).min(1).optional(),
  })
  .strict();

const gatewaySchema = z
  .object({
    exposure: z.enum(['LoadBalancer', 'NodePort']),
    /** Client source ranges admitted at the gateway (the only external ingress): 0.0.0.0/0 and ::/0 for a public homeserver, else networks of at most an IPv4 /8 or IPv6 /16. */
    ingressCidrs: z.array(cidr).min(1),
    /** Per client address, over a sliding 10 s window; logins have their own, stricter bound. */
    rateLimit: z
      .object({ requestsPer10s: z.number().int().min(10).max(10_000), loginRequestsPer10s: z.number().int().min(1).max(100) })
      .strict()
      .default({ requestsPer10s: 300, loginRequestsPer10s: 5 }),
    /** HAProxy pods (1 to 32; production refuses fewer than 2: the only entry point must survive losing one). */
    replicas: z.number().int().min(1).max(WORKER_BOUNDS.maxPoolReplicas).default(2),
    /**
     * cert-manager issuer of the public certificate (e.g. an ACME or sovereign PKI issuer the
     * site runs); absent = the internal CA, for clients that trust it.
     */
    certificateIssuer: z
      .object({ kind: z.enum(['ClusterIssuer', 'Issuer']), name: slug(63) })
      .strict()
      .optional(),
  })
  .strict();

const duration = (label: string, maxDays: number) =>
  z.string().superRefine((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${label} must be a duration such as 30m, 12h or 7d` });
    else if (ms > maxDays * DAY_MS)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${label} must be finite and at most ${maxDays}d` });
  });
const size = (maxBytes: number, maxText: string) =>
  z.string().superRefine((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a size such as 512K, 50M or 2G' });
    else if (bytes > maxBytes) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be at most ${maxText}` });
  });

/**
 * An LDAP distinguished name of plain `type=value` parts (RFC 4514 with nothing to escape, none
 * accepted), e.g. cn=matrix-users,ou=groups,dc=example,dc=org; attribute types are written
 * lowercase after validation. It reaches slapd's cn=config (olcSuffix, olcAccess), LDIF, the
 * directory's init script, the identity provider's realm file and its LDAP filter (escaped there too).
 */
const distinguishedName = checked(distinguishedNameProblem).transform(normalizeDistinguishedName);
/** The bind account is created from its DN: its naming attribute decides the object class (cn: applicationProcess, uid: account). */
const bindDistinguishedName = checked(
  (value) =>
    distinguishedNameProblem(value) ??
    (/^(cn|uid)=/i.test(value)
      ? null
      : 'must start with cn= or uid= (the bind account is created as an applicationProcess or account entry)'),
).transform(normalizeDistinguishedName);

/** An LDAP server outside the cluster: TLS name to verify and the addresses the identity provider may reach on 636. */
const externalDirectorySchema = z
  .object({
    host: checked(dnsNameProblem),
    /** At most an IPv4 /16 or IPv6 /32 each, at most 64. */
    cidrs: z.array(cidr).min(1),
  })
  .strict();

const directorySchema = z
  .object({
    /** in-cluster: OpenLDAP in the directory compartment; external: an existing directory, no server here. */
    mode: z.enum(['in-cluster', 'external']).default('in-cluster'),
    external: externalDirectorySchema.optional(),
    /** Server-side bounds on every search (entries, seconds): scraping the directory in bulk is refused. */
    sizeLimit: z.number().int().min(1).max(1000).default(50),
    timeLimitSeconds: z.number().int().min(1).max(60).default(10),
    baseDn: distinguishedName,
    /** Where user entries are searched. */
    usersDn: distinguishedName,
    /** Membership in this group is what admits a user to the homeserver. */
    admissionGroup: distinguishedName,
    /** The read-only account the identity provider binds with (its password is a mounted secret). */
    bindDn: bindDistinguishedName,
  })
  .strict();

/** Outgoing mail; the password never appears here (it is templated into a Secret in-cluster). */
const smtpSchema = z
  .object({
    host: checked(dnsNameProblem),
    port: z.union([z.literal(465), z.literal(587)], { errorMap: () => ({ message: 'must be 465 (implicit TLS) or 587 (STARTTLS)' }) }),
    username: z.string().regex(/^[A-Za-z0-9._@+-]{1,128}$/, 'must be a plain account name'),
    /** `Display Name <local@domain>`: it reaches YAML, an External Secrets template and Synapse's `%` formatting, so none of their syntax fits in it. */
    notifFrom: checked(emailSenderProblem),
  })
  .strict();

/** Sovereign-cloud object storage for media; credentials come only from the secret store. */
const s3Schema = z
  .object({
    endpoint: z.string().regex(OBJECT_STORE_GRAMMAR.endpoint.pattern, OBJECT_STORE_GRAMMAR.endpoint.message),
    bucket: z.string().regex(OBJECT_STORE_GRAMMAR.bucket.pattern, OBJECT_STORE_GRAMMAR.bucket.message),
    region: z.string().regex(OBJECT_STORE_GRAMMAR.region.pattern, OBJECT_STORE_GRAMMAR.region.message).optional(),
    /** Addresses of the endpoint, for the media worker's egress policy (port 443 only): at most an IPv4 /16 or IPv6 /32 each, at most 64. */
    cidrs: z.array(cidr).min(1),
    /**
     * How the bucket protects media against overwrite and deletion, set up by the site on the
     * bucket (no backup job copies media kept in S3): every version kept, each version locked
     * (object lock, compliance or governance) for at least backup.stores.media.retention.
     */
    protection: z
      .object({
        versioning: z.literal('enabled', {
          errorMap: () => ({ message: 'must be enabled: an overwritten or deleted object is then kept' }),
        }),
        objectLockDays: z.number().int().min(1).max(POSTGRES_BOUNDS.maxRetentionDays),
      })
      .strict(),
  })
  .strict();

const mediaSchema = z
  .object({
    storageGi: z.number().int().min(1).max(10_000).default(50),
    s3: s3Schema.optional(),
  })
  .strict();

const synapseSchema = z
  .object({
    smtp: smtpSchema.optional(),
    maxUploadSize: size(2 * 1024 ** 3, '2G').default('50M'),
    mediaUploadLimits: z
      .array(z.object({ timePeriod: duration('timePeriod', 31), maxSize: size(1024 ** 4, '1024G') }).strict())
      .min(1)
      .default([
        { timePeriod: '1h', maxSize: '500M' },
        { timePeriod: '1d', maxSize: '2G' },
      ]),
    mediaRetention: z
      .object({ localMediaLifetime: duration('localMediaLifetime', 3650), remoteMediaLifetime: duration('remoteMediaLifetime', 365) })
      .strict()
      .default({ localMediaLifetime: '365d', remoteMediaLifetime: '14d' }),
    tokens: z
      .object({
        sessionLifetime: duration('sessionLifetime', 90),
        refreshTokenLifetime: duration('refreshTokenLifetime', 90),
        refreshableAccessTokenLifetime: duration('refreshableAccessTokenLifetime', 1),
        nonrefreshableAccessTokenLifetime: duration('nonrefreshableAccessTokenLifetime', 7),
      })
      .strict()
      .default({
        sessionLifetime: '30d',
        refreshTokenLifetime: '7d',
        refreshableAccessTokenLifetime: '5m',
        nonrefreshableAccessTokenLifetime: '1d',
      }),
  })
  .strict();

/** A duration between `min` and `max` minutes, both stated in the message. */
const minutes = (label: string, min: number, max: number, text: string) =>
  z.string().superRefine((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${label} must be a duration such as 5m or 1h` });
    else if (ms < min * 60_000 || ms > max * 60_000) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${label} must be ${text}` });
  });

/**
 * The identity provider's realm (Keycloak, identity compartment): every login needs a second
 * factor. The lists and lifetimes can be tightened, never switched off: no factor list is
 * empty, no lifetime is unbounded, brute-force lockout always applies.
 */
const identitySchema = z
  .object({
    /** Second factors the realm accepts; the first is the one every user enrols at first login. */
    secondFactors: z
      .array(z.enum(['totp', 'webauthn']))
      .min(1, 'must name at least one second factor: multi-factor authentication cannot be switched off')
      .refine((factors) => new Set(factors).size === factors.length, 'must not name a factor twice')
      .default(['totp']),
    /** Lifetime of the realm's access tokens (Synapse uses them once, at login). */
    accessTokenLifetime: minutes('accessTokenLifetime', 1, 15, 'between 1m and 15m').default('5m'),
    /** A login session at the identity provider ends after this much inactivity... */
    sessionIdleTimeout: minutes('sessionIdleTimeout', 5, 8 * 60, 'between 5m and 8h').default('30m'),
    /** ...and at the latest after this long (a new login with both factors then). */
    sessionMaxLifetime: minutes('sessionMaxLifetime', 15, 24 * 60, 'between 15m and 24h').default('10h'),
    /** Wrong passwords or codes in a row before the account is locked (brute-force detection). */
    lockoutFailures: z.number().int().min(3).max(10).default(5),
    /** How long a locked account stays locked; each further lockout adds as much again, up to 24h. */
    lockoutDuration: minutes('lockoutDuration', 5, 24 * 60, 'between 5m and 24h').default('15m'),
  })
  .strict();

/** A Helm chart repository: HTTPS index or OCI registry, never plain HTTP. */
const chartRepository = z
  .string()
  .regex(
    /^(https|oci):\/\/[a-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9._~-]+)*\/?$/,
    'must be an https:// or oci:// chart repository URL without credentials',
  );
/** One exact chart release: no ranges, no "latest", so a plan only changes with a reviewed diff. */
const chartPin = z
  .object({
    repository: chartRepository,
    version: z.string().regex(/^v?[0-9]+\.[0-9]+\.[0-9]+$/, 'must be an exact chart version such as 1.2.3 or v1.2.3 (no ranges)'),
  })
  .strict();

const platformSchema = z
  .object({
    charts: z
      .object({
        allowedRepositories: z.array(chartRepository).min(1),
        openbao: chartPin,
        externalSecrets: chartPin,
        certManager: chartPin,
        trustManager: chartPin,
        cloudnativePg: chartPin,
        barmanCloud: chartPin,
      })
      .strict(),
    secrets: z
      .object({
        /** How often External Secrets re-reads each value from OpenBao (rotation reaches the files within this interval). */
        refreshInterval: z.string().superRefine((value, ctx) => {
          const ms = parseDuration(value);
          if (ms === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a duration such as 15m or 1h' });
          else if (ms < 60_000 || ms > DAY_MS) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be between 1m and 1d' });
        }),
      })
      .strict()
      .default({ refreshInterval: '1h' }),
    certificates: z
      .object({
        /** Internal root CA; its key is kept on renewal so existing leaves stay valid. */
        caLifetime: duration('caLifetime', 7300).default('3650d'),
        /** Every leaf certificate (LDAPS, PostgreSQL, Synapse listeners, OpenBao). */
        lifetime: duration('lifetime', 397).default('90d'),
        renewBefore: duration('renewBefore', 180).default('30d'),
      })
      .strict()
      .default({}),
    openbao: z
      .object({
        storageGi: z.number().int().min(1).max(1000).default(10),
      })
      .strict()
      .default({}),
  })
  .strict();

const nonEmptyLabels = (what: string) =>
  labelMap.refine((labels) => Object.keys(labels).length > 0, `must select ${what} by at least one label`);
const perMinute = (max: number) => z.number().int().min(1).max(max);

/**
 * Exfiltration and abuse alert thresholds (LOG-02), per homeserver. The defaults are low on
 * purpose: an alert an operator has to raise is cheaper than a breach noticed from traffic.
 */
const alertThresholdsSchema = z
  .object({
    /** Bytes served by the media backend through the gateway within one hour (all clients together); at most 50G (config/bounds.ts). */
    mediaEgressPerHour: size(ALERT_MAXIMA.mediaEgressBytesPerHour, MEDIA_EGRESS_MAX_TEXT).default('2G'),
    /** User-directory searches per minute, homeserver-wide, sustained over 10 minutes; at most 600. */
    userDirectorySearchesPerMinute: perMinute(ALERT_MAXIMA.userDirectorySearchesPerMinute).default(30),
    /** Profile lookups (GET /profile/...) per minute, homeserver-wide, sustained over 10 minutes; at most 3000. */
    profileLookupsPerMinute: perMinute(ALERT_MAXIMA.profileLookupsPerMinute).default(120),
    /** Login attempts refused (HTTP 4xx: 401/403 from Synapse, 429 from the gateway or Synapse) per minute, sustained over 5 minutes; at most 300. */
    rejectedLoginsPerMinute: perMinute(ALERT_MAXIMA.rejectedLoginsPerMinute).default(10),
  })
  .strict();

/**
 * The site's Prometheus (with the Prometheus Operator) that scrapes the metrics listeners and
 * evaluates the alert rules. Its namespace is not managed here: no policy is written there.
 */
const monitoringSchema = z
  .object({
    /** Never default, kube-system, kube-public, kube-node-lease, the DNS namespace or one of this deployment's. */
    namespace: slug(63),
    /** Selects the Prometheus pods: the only source admitted to the metrics ports. */
    prometheusPodLabels: nonEmptyLabels('the Prometheus pods'),
    /** Labels the site's Prometheus Operator selects PodMonitors and PrometheusRules by (e.g. release: kube-prometheus-stack). */
    resourceLabels: labelMap,
    alerts: alertThresholdsSchema.default({}),
  })
  .strict();

const homeserverSchema = z
  .object({
    /** At most 37 characters (media-repository.<name>-media.svc is a certificate common name). */
    name: prefixName,
    /** Its host is the gateway certificate's common name (at most 64 characters); `:443` and `:8448` count as no port for duplicates. */
    serverName: checked(serverNameProblem),
    /**
     * Plain domains; the renderer anchors and escapes them. Patterns, wildcards and
     * uppercase are refused because a loose pattern is how a domain rule gets bypassed.
     */
    allowedEmailDomains: z.array(dnsName).min(1),
    federation: federationSchema,
    gateway: gatewaySchema,
    directory: directorySchema,
    media: mediaSchema.default({}),
    synapse: synapseSchema.default({}),
    /** Login through the identity compartment's provider, a second factor required. */
    identity: identitySchema.default({}),
    /** The homeserver database as a CloudNativePG cluster (instances default from deployment.profile). */
    postgres: homeserverPostgresSchema.default({}),
    /** Synapse worker pools and event persisters (counts default from deployment.profile). */
    workers: workersSchema.default({}),
    /** Element Web in the client compartment, on its own name; absent: no web client. */
    client: clientSchema.optional(),
    /** MatrixRTC calls (LiveKit SFU and its authorisation service) in the calls compartment; absent: no calls. */
    calls: callsSchema.optional(),
  })
  .strict();

/**
 * Why a config string must be refused for the engine, if it must: Terraform reads `${` and `%{`
 * in every string of its JSON as an interpolation or a directive (the stacks escape them, this
 * refuses them at the source), and cdktf turns its own token markers into references to other
 * stacks without a word.
 */
export function terraformSyntaxProblem(text: string): string | null {
  if (text.includes('TfToken['))
    return 'must not contain a cdktf token marker (TfToken[): cdktf would turn it into a reference to another stack';
  if (text.includes('${') || text.includes('%{')) return 'must not contain Terraform template syntax (${ or %{)';
  return null;
}

/** Every string of a parsed YAML document, mapping keys included, with its path. */
function forEachString(
  value: unknown,
  path: (string | number)[],
  visit: (text: string, path: (string | number)[], role: 'value' | 'key') => void,
): void {
  if (typeof value === 'string') visit(value, path, 'value');
  else if (Array.isArray(value)) value.forEach((item, index) => forEachString(item, [...path, index], visit));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      visit(key, [...path, key], 'key');
      forEachString(child, [...path, key], visit);
    }
  }
}

const documentSchema = z
  .object({
    /** At most 44 characters (openbao.<name>-openbao.svc is a certificate common name). */
    deployment: z
      .object({
        name: prefixName,
        /** production: replicated database (at least 2 instances); small: a single-node site may run 1. */
        profile: z.enum(DEPLOYMENT_PROFILES).default('production'),
      })
      .strict(),
    kubernetes: kubernetesSchema,
    state: stateSchema,
    images: imagesSchema,
    storage: storageSchema,
    platform: platformSchema,
    monitoring: monitoringSchema,
    homeservers: z.array(homeserverSchema).min(1),
    /** Where and how every backup goes; required: a deployment without backups is not offered. */
    backup: backupSchema,
  })
  .strict();

/**
 * The document, after one walk over every string of it (any field, known or not) for what no
 * engine may receive: Terraform syntax, cdktf token markers, control and invisible characters.
 */
export const deploymentConfigSchema = z.preprocess((raw, ctx) => {
  forEachString(raw, [], (text, path, role) => {
    const problem = terraformSyntaxProblem(text) ?? invisibleCharacterProblem(text);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: role === 'key' ? `mapping key ${problem}` : problem });
  });
  return raw;
}, documentSchema);

/** The config exactly as written (after defaults). */
export type DeploymentConfigInput = z.infer<typeof deploymentConfigSchema>;
export type HomeserverInput = z.infer<typeof homeserverSchema>;
export type DirectorySettings = z.infer<typeof directorySchema>;
export type SynapseSettings = z.infer<typeof synapseSchema>;
export type IdentitySettings = z.infer<typeof identitySchema>;
export type MediaSettings = z.infer<typeof mediaSchema>;
export type PlatformSettings = z.infer<typeof platformSchema>;
export type ChartPin = z.infer<typeof chartPin>;
export type MonitoringInput = z.infer<typeof monitoringSchema>;
