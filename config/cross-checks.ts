/**
 * Rules that span several fields: duplicates, allowlists and their breadth, federation peers,
 * where the site's namespaces may be. Each issue names the exact field path so an operator can
 * fix it without guessing. The rules that need names derived from the config (its namespaces,
 * certificate names, state schemas) are the model's (model/config-checks.ts).
 */
import { parseRetentionDays, POSTGRES_BOUNDS } from './backup-schema';
import { CLIENT_MIN_PREFIX, MAX_SERVICE_RANGES, SERVICE_MIN_PREFIX, type PrefixBound } from './bounds';
import { CALL_PORT_BOUNDS } from './calls-schema';
import { parseDuration, parseSize } from './durations';
import { parseImageReference, registryOf } from './image-reference';
import { ALWAYS_BLOCKED_RANGES } from './reserved-ranges';
import type { DeploymentConfigInput } from './schema';
import { cidrContains, isAnyAddress, parseCidr, SHARED_NAMESPACE, SYSTEM_NAMESPACES } from './validators';
import { WORKER_BOUNDS, workerProblems } from './workers-schema';

export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The rendered config relies on options up to rc_user_directory (1.145) and exclude_remote_users (1.130). */
export const MINIMUM_SYNAPSE = '1.146.0';
const MINIMUM_SYNAPSE_MINOR = 146;

export const IMAGE_KEYS = [
  'synapse',
  'haproxy',
  'postgres',
  'redis',
  'openldap',
  'openbao',
  'externalSecrets',
  'certManagerController',
  'certManagerWebhook',
  'certManagerCainjector',
  'trustManager',
  'cloudnativePg',
  'barmanCloudPlugin',
  'barmanCloudSidecar',
  'storeBackup',
  'keycloak',
  'elementWeb',
  'livekit',
  'lkJwtService',
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

export const CHART_KEYS = ['openbao', 'externalSecrets', 'certManager', 'trustManager', 'cloudnativePg', 'barmanCloud'] as const;
export type ChartKey = (typeof CHART_KEYS)[number];

/** Reports every value that appears more than once, at the path of the later occurrence. */
function duplicates(values: readonly string[], pathOf: (index: number) => string, what: string): ConfigIssue[] {
  const firstSeen = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  values.forEach((value, index) => {
    const first = firstSeen.get(value);
    if (first === undefined) firstSeen.set(value, index);
    else issues.push({ path: pathOf(index), message: `duplicate ${what} "${value}" (already at ${pathOf(first)})` });
  });
  return issues;
}

/**
 * One spelling per server: `matrix.example.org`, `:443` (the gateway's port) and `:8448` (Matrix's
 * default federation port) reach the same homeserver, so they count as duplicates.
 */
export function normalizedServerName(serverName: string): string {
  return serverName.replace(/:(443|8448)$/, '');
}

/** Why a range is too wide for an allowlist with this bound, if it is. */
function breadthProblem(range: string, bound: PrefixBound, what: string): string | null {
  const parsed = parseCidr(range);
  if (typeof parsed === 'string' || parsed.prefix === 0 || parsed.prefix >= bound[parsed.family]) return null;
  return `/${parsed.prefix} is wider than ${what} may be: at most /${bound[parsed.family]} for IPv${parsed.family}`;
}

/** Each entry of an outside-service allowlist names at most one organisation's block, and the list stays short. */
function serviceRangeIssues(field: string, ranges: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (ranges.length > MAX_SERVICE_RANGES)
    issues.push({
      path: field,
      message: `has ${ranges.length} entries: at most ${MAX_SERVICE_RANGES} (the addresses of named services, not a map of the internet)`,
    });
  ranges.forEach((range, index) => {
    const problem = breadthProblem(range, SERVICE_MIN_PREFIX, 'an allowlist of named services');
    if (problem) issues.push({ path: `${field}[${index}]`, message: problem });
  });
  return issues;
}

/**
 * Namespaces named by the site (its Prometheus, its cluster DNS) are trusted as peers: they must
 * not be the shared `default` namespace, where anyone may run pods with the expected labels.
 */
function namespacePlacementChecks(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { monitoring, kubernetes } = config;
  if (monitoring.namespace === SHARED_NAMESPACE) {
    issues.push({
      path: 'monitoring.namespace',
      message: `must not be "${SHARED_NAMESPACE}": any pod there carrying the Prometheus labels could scrape the metrics; name the namespace the site's Prometheus runs in`,
    });
  }
  if ((SYSTEM_NAMESPACES as readonly string[]).includes(monitoring.namespace)) {
    issues.push({
      path: 'monitoring.namespace',
      message: `must not be ${monitoring.namespace} (a namespace of Kubernetes itself, where system pods could carry the Prometheus labels): run Prometheus in a namespace of its own`,
    });
  }
  if (monitoring.namespace === kubernetes.dns.namespace)
    issues.push({
      path: 'monitoring.namespace',
      message: 'must differ from kubernetes.dns.namespace: the cluster DNS namespace is not where metrics readers belong',
    });
  if (kubernetes.dns.namespace === SHARED_NAMESPACE) {
    issues.push({
      path: 'kubernetes.dns.namespace',
      message: `must not be "${SHARED_NAMESPACE}": every compartment may send DNS queries to pods with the DNS labels there, and anyone may run such a pod`,
    });
  }
  return issues;
}

/** Chart pins come from allowlisted repositories; certificates renew well before they expire. */
function platformChecks(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { charts, certificates } = config.platform;
  issues.push(...duplicates(charts.allowedRepositories, (i) => `platform.charts.allowedRepositories[${i}]`, 'chart repository'));
  for (const key of CHART_KEYS) {
    if (!charts.allowedRepositories.includes(charts[key].repository)) {
      issues.push({
        path: `platform.charts.${key}.repository`,
        message: `"${charts[key].repository}" is not in platform.charts.allowedRepositories`,
      });
    }
  }
  const lifetime = parseDuration(certificates.lifetime) ?? 0;
  const renewBefore = parseDuration(certificates.renewBefore) ?? 0;
  if (renewBefore >= lifetime)
    issues.push({ path: 'platform.certificates.renewBefore', message: 'must be shorter than platform.certificates.lifetime' });
  if ((parseDuration(certificates.caLifetime) ?? 0) < 2 * lifetime) {
    issues.push({
      path: 'platform.certificates.caLifetime',
      message: 'must be at least twice platform.certificates.lifetime (leaves must never outlive their CA)',
    });
  }
  config.kubernetes.apiServer.cidrs.forEach((range, index) => {
    if (isAnyAddress(range))
      issues.push({ path: `kubernetes.apiServer.cidrs[${index}]`, message: 'must name the API server endpoints, not every address' });
  });
  return issues;
}

/** An outside service's address allowlist: narrow, at most 64 entries, never every address, never inside the cluster. */
function outsideServiceIssues(field: string, ranges: readonly string[], kubernetes: DeploymentConfigInput['kubernetes']): ConfigIssue[] {
  const issues = serviceRangeIssues(field, ranges);
  const reserved = [...kubernetes.podCidrs, ...kubernetes.serviceCidrs, ...kubernetes.nodeCidrs, ...kubernetes.metadataCidrs];
  ranges.forEach((range, rangeIndex) => {
    const parsed = parseCidr(range);
    if (typeof parsed === 'string') return;
    if (parsed.prefix === 0) issues.push({ path: `${field}[${rangeIndex}]`, message: 'must name the server, not every address' });
    const insideCluster = reserved.some((cluster) => {
      const parsedCluster = parseCidr(cluster);
      return typeof parsedCluster !== 'string' && (cidrContains(parsedCluster, parsed) || cidrContains(parsed, parsedCluster));
    });
    if (insideCluster)
      issues.push({
        path: `${field}[${rangeIndex}]`,
        message: 'overlaps a pod/service/node/metadata range: it must be outside the cluster',
      });
  });
  return issues;
}

/** The backup store's key and ranges, and the database size the profile demands. */
function backupChecks(config: DeploymentConfigInput): ConfigIssue[] {
  const { objectStore } = config.backup;
  const issues = outsideServiceIssues('backup.objectStore.cidrs', objectStore.cidrs, config.kubernetes);
  if (objectStore.encryption === 'aws:kms' && objectStore.kmsKeyId === undefined)
    issues.push({
      path: 'backup.objectStore.kmsKeyId',
      message: 'is required when encryption is aws:kms (the key the store encrypts with)',
    });
  if (objectStore.encryption !== 'aws:kms' && objectStore.kmsKeyId !== undefined)
    issues.push({ path: 'backup.objectStore.kmsKeyId', message: 'must be absent unless encryption is aws:kms' });
  config.homeservers.forEach((homeserver, index) => {
    const { recovery, archive } = homeserver.postgres;
    if (recovery && recovery.sourceArchive === archive)
      issues.push({
        path: `homeservers[${index}].postgres.archive`,
        message: `must differ from recovery.sourceArchive (${archive}): a restored cluster never writes into the archive it restores from`,
      });
  });
  // A version deleted before the media retention ends would be a media backup shorter than declared.
  const mediaRetention = parseRetentionDays(config.backup.stores.media.retention);
  config.homeservers.forEach((homeserver, index) => {
    const protection = homeserver.media.s3?.protection;
    if (protection && mediaRetention !== null && protection.objectLockDays < mediaRetention)
      issues.push({
        path: `homeservers[${index}].media.s3.protection.objectLockDays`,
        message: `must be at least backup.stores.media.retention (${mediaRetention} days): each version stays locked as long as media backups are kept`,
      });
  });
  config.homeservers.forEach((homeserver, index) => {
    for (const problem of workerProblems(homeserver.workers, config.deployment.profile, homeserver.federation.enabled))
      issues.push({ path: `homeservers[${index}].workers.${problem.field}`, message: problem.message });
    if (config.deployment.profile === 'production' && homeserver.gateway.replicas < WORKER_BOUNDS.productionMinPoolReplicas)
      issues.push({
        path: `homeservers[${index}].gateway.replicas`,
        message: `must be at least ${WORKER_BOUNDS.productionMinPoolReplicas} in production: the only entry point must survive losing a pod (set deployment.profile: small for a single-node site)`,
      });
  });
  if (config.deployment.profile === 'production') {
    config.homeservers.forEach((homeserver, index) => {
      const instances = homeserver.postgres.instances;
      if (instances !== undefined && instances < POSTGRES_BOUNDS.productionMinInstances)
        issues.push({
          path: `homeservers[${index}].postgres.instances`,
          message: `must be at least ${POSTGRES_BOUNDS.productionMinInstances} in production (a synchronous standby; set deployment.profile: small for a single-node site)`,
        });
    });
  }
  return issues;
}

export function crossCheck(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { homeservers, images, storage, kubernetes } = config;

  issues.push(
    ...duplicates(
      homeservers.map((h) => h.name),
      (i) => `homeservers[${i}].name`,
      'homeserver name',
    ),
  );
  issues.push(
    ...duplicates(
      homeservers.map((h) => normalizedServerName(h.serverName)),
      (i) => `homeservers[${i}].serverName`,
      'server name',
    ),
  );
  issues.push(...publicNameIssues(homeservers));
  issues.push(...duplicates(images.allowedRegistries, (i) => `images.allowedRegistries[${i}]`, 'registry'));
  issues.push(...duplicates(storage.allowedStorageClasses, (i) => `storage.allowedStorageClasses[${i}]`, 'storage class'));

  const namespaceNames = new Set(homeservers.map((h) => h.name));
  if (namespaceNames.has(config.deployment.name)) {
    issues.push({ path: 'deployment.name', message: `must differ from every homeserver name (namespaces would collide)` });
  }

  for (const key of IMAGE_KEYS) {
    const parsed = parseImageReference(images[key]);
    if (typeof parsed !== 'string' && !images.allowedRegistries.includes(parsed.registry)) {
      issues.push({
        path: `images.${key}`,
        message: `registry "${parsed.registry}" is not in images.allowedRegistries (${images.allowedRegistries.join(', ')})`,
      });
    }
  }

  const synapse = parseImageReference(images.synapse);
  if (typeof synapse !== 'string') {
    const version = /^v?1\.([0-9]+)\.[0-9]+/.exec(synapse.tag ?? '');
    if (!version) {
      issues.push({
        path: 'images.synapse',
        message: `needs a version tag (e.g. :v${MINIMUM_SYNAPSE}) next to the digest, so the minimum version can be checked`,
      });
    } else if (Number(version[1]) < MINIMUM_SYNAPSE_MINOR) {
      issues.push({
        path: 'images.synapse',
        message: `Synapse ${synapse.tag} is older than the minimum v${MINIMUM_SYNAPSE} the rendered configuration needs`,
      });
    }
  }

  if (images.mirrorPrefix !== undefined && !images.allowedRegistries.includes(registryOf(images.mirrorPrefix))) {
    issues.push({
      path: 'images.mirrorPrefix',
      message: `registry "${registryOf(images.mirrorPrefix)}" is not in images.allowedRegistries: every image is pulled from the mirror, so the mirror must be allowlisted`,
    });
  }

  issues.push(...platformChecks(config));
  issues.push(...namespacePlacementChecks(config));
  issues.push(...backupChecks(config));
  issues.push(...serviceRangeIssues('kubernetes.apiServer.cidrs', kubernetes.apiServer.cidrs));

  if (!storage.allowedStorageClasses.includes(storage.storageClassName)) {
    issues.push({ path: 'storage.storageClassName', message: `"${storage.storageClassName}" is not in storage.allowedStorageClasses` });
  }

  const clusterRanges = [...kubernetes.podCidrs, ...kubernetes.serviceCidrs, ...kubernetes.nodeCidrs];
  for (const [field, ranges] of [
    ['podCidrs', kubernetes.podCidrs],
    ['serviceCidrs', kubernetes.serviceCidrs],
    ['nodeCidrs', kubernetes.nodeCidrs],
  ] as const) {
    ranges.forEach((range, index) => {
      if (isAnyAddress(range)) issues.push({ path: `kubernetes.${field}[${index}]`, message: 'must not be an any-address range' });
    });
  }

  homeservers.forEach((homeserver, index) => {
    const base = `homeservers[${index}]`;
    const { federation } = homeserver;
    const ownPort = /:([0-9]+)$/.exec(homeserver.serverName)?.[1];
    if (ownPort !== undefined && ownPort !== '443') {
      issues.push({
        path: `${base}.serverName`,
        message: `port ${ownPort} is not served: the gateway serves HTTPS on 443 only and announces it in /.well-known/matrix/server; omit the port`,
      });
    }
    const { directory } = homeserver;
    if (directory.mode === 'external' && !directory.external) {
      issues.push({
        path: `${base}.directory.external`,
        message: 'is required when directory.mode is external (host and cidrs of the LDAPS server)',
      });
    }
    if (directory.mode === 'in-cluster' && directory.external) {
      issues.push({ path: `${base}.directory.external`, message: 'must be absent when directory.mode is in-cluster' });
    }
    const outsideRanges: [string, readonly string[]][] = [
      [`${base}.directory.external.cidrs`, directory.external?.cidrs ?? []],
      [`${base}.media.s3.cidrs`, homeserver.media.s3?.cidrs ?? []],
    ];
    homeserver.gateway.ingressCidrs.forEach((range, rangeIndex) => {
      const problem = breadthProblem(
        range,
        CLIENT_MIN_PREFIX,
        'a list of client networks (give 0.0.0.0/0 or ::/0 for a public homeserver)',
      );
      if (problem) issues.push({ path: `${base}.gateway.ingressCidrs[${rangeIndex}]`, message: problem });
    });
    homeserver.calls?.media.ingressCidrs.forEach((range, rangeIndex) => {
      const problem = breadthProblem(range, CLIENT_MIN_PREFIX, 'a list of client networks (give 0.0.0.0/0 or ::/0 for public calls)');
      if (problem) issues.push({ path: `${base}.calls.media.ingressCidrs[${rangeIndex}]`, message: problem });
    });
    issues.push(...callPortIssues(homeserver, base));
    for (const [field, ranges] of outsideRanges) issues.push(...outsideServiceIssues(field, ranges, kubernetes));
    for (const field of ['usersDn', 'admissionGroup', 'bindDn'] as const) {
      if (!directory[field].toLowerCase().endsWith(`,${directory.baseDn.toLowerCase()}`)) {
        issues.push({ path: `${base}.directory.${field}`, message: `must be inside directory.baseDn (${directory.baseDn})` });
      }
    }
    const tokens = homeserver.synapse.tokens;
    if ((parseDuration(tokens.refreshTokenLifetime) ?? 0) > (parseDuration(tokens.sessionLifetime) ?? 0)) {
      issues.push({ path: `${base}.synapse.tokens.refreshTokenLifetime`, message: 'must not exceed sessionLifetime' });
    }
    const maxUpload = parseSize(homeserver.synapse.maxUploadSize) ?? 0;
    homeserver.synapse.mediaUploadLimits.forEach((limit, limitIndex) => {
      if ((parseSize(limit.maxSize) ?? 0) < maxUpload) {
        issues.push({
          path: `${base}.synapse.mediaUploadLimits[${limitIndex}].maxSize`,
          message: 'must be at least maxUploadSize (otherwise one upload exceeds the window)',
        });
      }
    });
    issues.push(...duplicates(homeserver.allowedEmailDomains, (i) => `${base}.allowedEmailDomains[${i}]`, 'email domain'));
    const peers = federation.peers ?? [];
    issues.push(...duplicates(peers.map(normalizedServerName), (i) => `${base}.federation.peers[${i}]`, 'peer'));
    if (!federation.enabled) {
      if (federation.peers?.length)
        issues.push({ path: `${base}.federation.peers`, message: 'must be empty when federation.enabled is false' });
      if (federation.egressCidrs)
        issues.push({ path: `${base}.federation.egressCidrs`, message: 'must be absent when federation.enabled is false' });
      return;
    }
    const effectivePeers = federation.peers ?? homeservers.filter((other) => other !== homeserver).map((other) => other.serverName);
    if (effectivePeers.length === 0) {
      issues.push({
        path: `${base}.federation.peers`,
        message: 'federation is enabled but there is no peer: list peers, add fleet members, or set federation.enabled: false',
      });
    }
    // Omitting egressCidrs is "anywhere but the carve-outs"; an explicit list names the peers' networks.
    issues.push(...serviceRangeIssues(`${base}.federation.egressCidrs`, federation.egressCidrs ?? []));
    (federation.egressCidrs ?? []).forEach((range, rangeIndex) => {
      const parsed = parseCidr(range);
      if (typeof parsed === 'string') return;
      // Wider ranges are fine (cluster and metadata ranges are carved out of them in the policy);
      // a range inside the cluster would turn "federation egress" into lateral movement.
      const insideCluster = [...clusterRanges, ...kubernetes.metadataCidrs].some((cluster) => {
        const parsedCluster = parseCidr(cluster);
        return typeof parsedCluster !== 'string' && cidrContains(parsedCluster, parsed);
      });
      const blockedBySynapse = ALWAYS_BLOCKED_RANGES.some((reserved) => {
        const parsedReserved = parseCidr(reserved);
        return typeof parsedReserved !== 'string' && cidrContains(parsedReserved, parsed);
      });
      if (blockedBySynapse) {
        issues.push({
          path: `${base}.federation.egressCidrs[${rangeIndex}]`,
          message: 'lies inside a private or reserved range that Synapse never connects to (ip_range_blacklist)',
        });
      }
      if (insideCluster) {
        issues.push({
          path: `${base}.federation.egressCidrs[${rangeIndex}]`,
          message: 'lies inside a pod/service/node/metadata range: federation egress must leave the cluster',
        });
      }
    });
  });
  return issues;
}

type HomeserverDocument = DeploymentConfigInput['homeservers'][number];

/**
 * Every public name of the fleet (server, client and calls names) is one origin: two
 * parts on one name would share cookies, storage and the gateway's routes.
 */
function publicNameIssues(homeservers: readonly HomeserverDocument[]): ConfigIssue[] {
  const names: { name: string; path: string }[] = homeservers.flatMap((homeserver, index) => [
    { name: normalizedServerName(homeserver.serverName).toLowerCase(), path: `homeservers[${index}].serverName` },
    ...(homeserver.client ? [{ name: homeserver.client.hostname.toLowerCase(), path: `homeservers[${index}].client.hostname` }] : []),
    ...(homeserver.calls ? [{ name: homeserver.calls.hostname.toLowerCase(), path: `homeservers[${index}].calls.hostname` }] : []),
  ]);
  const issues: ConfigIssue[] = [];
  // A homeserver written twice is reported once, as a duplicate server name.
  const repeated = new Set(
    homeservers.flatMap((homeserver, index) =>
      homeservers.findIndex((other) => normalizedServerName(other.serverName) === normalizedServerName(homeserver.serverName)) < index
        ? [`homeservers[${index}]`]
        : [],
    ),
  );
  names.forEach((entry, index) => {
    const first = names.findIndex((other) => other.name === entry.name);
    if (first < index && !entry.path.endsWith('.serverName') && !repeated.has(entry.path.replace(/\.(client|calls)\.hostname$/, '')))
      issues.push({
        path: entry.path,
        message: `"${entry.name}" is already the public name of ${names[first]?.path}: each part needs its own origin`,
      });
  });
  return issues;
}

/** The media ports are published together: each distinct, the relay range ordered, bounded and apart from them. */
function callPortIssues(homeserver: HomeserverDocument, base: string): ConfigIssue[] {
  const media = homeserver.calls?.media;
  if (!media) return [];
  const issues: ConfigIssue[] = [];
  const { first, last } = media.relayPorts;
  if (last < first) issues.push({ path: `${base}.calls.media.relayPorts.last`, message: 'must not be below relayPorts.first' });
  else if (last - first + 1 > CALL_PORT_BOUNDS.maxRelayPorts)
    issues.push({ path: `${base}.calls.media.relayPorts`, message: `must span at most ${CALL_PORT_BOUNDS.maxRelayPorts} ports` });
  const published = [
    ['rtcUdpPort', media.rtcUdpPort],
    ['rtcTcpPort', media.rtcTcpPort],
    ['turnUdpPort', media.turnUdpPort],
  ] as const;
  published.forEach(([field, port], index) => {
    const earlier = published.slice(0, index).find(([, other]) => other === port);
    if (earlier) issues.push({ path: `${base}.calls.media.${field}`, message: `port ${port} is already ${earlier[0]}` });
    if (port >= first && port <= last)
      issues.push({ path: `${base}.calls.media.${field}`, message: `port ${port} is inside relayPorts (${first}-${last})` });
  });
  return issues;
}
