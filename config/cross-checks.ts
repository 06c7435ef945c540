/**
 * Rules that span several fields: duplicates, allowlists and federation peers.
 * Each issue names the exact field path so an operator can fix it without guessing.
 */
import { HOMESERVER_COMPARTMENTS, homeserverNamespace, LABEL_MANAGED_BY, LABEL_PART_OF, PLATFORM_COMPONENTS, platformNamespace } from '../model/compartments';
import { parseDuration, parseSize } from './durations';
import { parseImageReference } from './image-reference';
import { ALWAYS_BLOCKED_RANGES } from './reserved-ranges';
import type { DeploymentConfigInput } from './schema';
import { cidrContains, isAnyAddress, parseCidr } from './validators';

export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The rendered config relies on options up to rc_user_directory (1.145) and exclude_remote_users (1.130). */
export const MINIMUM_SYNAPSE = '1.146.0';
const MINIMUM_SYNAPSE_MINOR = 146;

export const IMAGE_KEYS = ['synapse', 'haproxy', 'postgres', 'redis', 'openldap', 'openbao', 'externalSecrets', 'certManagerController', 'certManagerWebhook', 'certManagerCainjector', 'trustManager'] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

export const CHART_KEYS = ['openbao', 'externalSecrets', 'certManager', 'trustManager'] as const;
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

function hostOf(serverName: string): string {
  return serverName.split(':')[0] ?? serverName;
}

/** Chart pins come from allowlisted repositories; certificates renew well before they expire. */
function platformChecks(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { charts, certificates } = config.platform;
  issues.push(...duplicates(charts.allowedRepositories, (i) => `platform.charts.allowedRepositories[${i}]`, 'chart repository'));
  for (const key of CHART_KEYS) {
    if (!charts.allowedRepositories.includes(charts[key].repository)) {
      issues.push({ path: `platform.charts.${key}.repository`, message: `"${charts[key].repository}" is not in platform.charts.allowedRepositories` });
    }
  }
  const lifetime = parseDuration(certificates.lifetime) ?? 0;
  const renewBefore = parseDuration(certificates.renewBefore) ?? 0;
  if (renewBefore >= lifetime) issues.push({ path: 'platform.certificates.renewBefore', message: 'must be shorter than platform.certificates.lifetime' });
  if ((parseDuration(certificates.caLifetime) ?? 0) < 2 * lifetime) {
    issues.push({ path: 'platform.certificates.caLifetime', message: 'must be at least twice platform.certificates.lifetime (leaves must never outlive their CA)' });
  }
  config.kubernetes.apiServer.cidrs.forEach((range, index) => {
    if (isAnyAddress(range)) issues.push({ path: `kubernetes.apiServer.cidrs[${index}]`, message: 'must name the API server endpoints, not every address' });
  });
  return issues;
}

/** Our own label keys: a site label with one of these keys would relabel our objects. */
const OWN_LABEL_PREFIX = 'matrix.sovereign/';
const OWN_LABEL_KEYS = [LABEL_PART_OF, LABEL_MANAGED_BY];

/** The site's Prometheus runs outside this deployment; its selector labels must not override ours. */
function monitoringChecks(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { monitoring } = config;
  const ours = [
    ...config.homeservers.flatMap((homeserver) => HOMESERVER_COMPARTMENTS.map((compartment) => homeserverNamespace(homeserver.name, compartment))),
    ...PLATFORM_COMPONENTS.map((component) => platformNamespace(config.deployment.name, component)),
  ];
  if (ours.includes(monitoring.namespace)) {
    issues.push({ path: 'monitoring.namespace', message: `"${monitoring.namespace}" is a namespace of this deployment: name the namespace the site's Prometheus runs in` });
  }
  for (const key of Object.keys(monitoring.resourceLabels)) {
    if (key.startsWith(OWN_LABEL_PREFIX) || OWN_LABEL_KEYS.includes(key)) {
      issues.push({ path: `monitoring.resourceLabels.${key}`, message: 'is a label this project sets on its own objects; use the label your Prometheus Operator selects by (e.g. release)' });
    }
  }
  return issues;
}

export function crossCheck(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { homeservers, images, storage, kubernetes } = config;

  issues.push(...duplicates(homeservers.map((h) => h.name), (i) => `homeservers[${i}].name`, 'homeserver name'));
  issues.push(...duplicates(homeservers.map((h) => h.serverName), (i) => `homeservers[${i}].serverName`, 'server name'));
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
      issues.push({ path: 'images.synapse', message: `needs a version tag (e.g. :v${MINIMUM_SYNAPSE}) next to the digest, so the minimum version can be checked` });
    } else if (Number(version[1]) < MINIMUM_SYNAPSE_MINOR) {
      issues.push({ path: 'images.synapse', message: `Synapse ${synapse.tag} is older than the minimum v${MINIMUM_SYNAPSE} the rendered configuration needs` });
    }
  }

  issues.push(...platformChecks(config));
  issues.push(...monitoringChecks(config));

  if (!storage.allowedStorageClasses.includes(storage.storageClassName)) {
    issues.push({ path: 'storage.storageClassName', message: `"${storage.storageClassName}" is not in storage.allowedStorageClasses` });
  }

  const clusterRanges = [...kubernetes.podCidrs, ...kubernetes.serviceCidrs, ...kubernetes.nodeCidrs];
  for (const [field, ranges] of [['podCidrs', kubernetes.podCidrs], ['serviceCidrs', kubernetes.serviceCidrs], ['nodeCidrs', kubernetes.nodeCidrs]] as const) {
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
      issues.push({ path: `${base}.directory.external`, message: 'is required when directory.mode is external (host and cidrs of the LDAPS server)' });
    }
    if (directory.mode === 'in-cluster' && directory.external) {
      issues.push({ path: `${base}.directory.external`, message: 'must be absent when directory.mode is in-cluster' });
    }
    const outsideRanges: [string, readonly string[]][] = [
      [`${base}.directory.external.cidrs`, directory.external?.cidrs ?? []],
      [`${base}.media.s3.cidrs`, homeserver.media.s3?.cidrs ?? []],
    ];
    for (const [field, ranges] of outsideRanges) {
      ranges.forEach((range, rangeIndex) => {
        const parsed = parseCidr(range);
        if (typeof parsed === 'string') return;
        if (parsed.prefix === 0) issues.push({ path: `${field}[${rangeIndex}]`, message: 'must name the server, not every address' });
        const insideCluster = [...clusterRanges, ...kubernetes.metadataCidrs].some((cluster) => {
          const parsedCluster = parseCidr(cluster);
          return typeof parsedCluster !== 'string' && (cidrContains(parsedCluster, parsed) || cidrContains(parsed, parsedCluster));
        });
        if (insideCluster) issues.push({ path: `${field}[${rangeIndex}]`, message: 'overlaps a pod/service/node/metadata range: it must be outside the cluster' });
      });
    }
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
        issues.push({ path: `${base}.synapse.mediaUploadLimits[${limitIndex}].maxSize`, message: 'must be at least maxUploadSize (otherwise one upload exceeds the window)' });
      }
    });
    issues.push(...duplicates(homeserver.allowedEmailDomains, (i) => `${base}.allowedEmailDomains[${i}]`, 'email domain'));
    const peers = federation.peers ?? [];
    issues.push(...duplicates(peers, (i) => `${base}.federation.peers[${i}]`, 'peer'));
    if (!federation.enabled) {
      if (federation.peers?.length) issues.push({ path: `${base}.federation.peers`, message: 'must be empty when federation.enabled is false' });
      if (federation.egressCidrs) issues.push({ path: `${base}.federation.egressCidrs`, message: 'must be absent when federation.enabled is false' });
      return;
    }
    peers.forEach((peer, peerIndex) => {
      if (hostOf(peer) === hostOf(homeserver.serverName)) {
        issues.push({ path: `${base}.federation.peers[${peerIndex}]`, message: 'must not be the homeserver itself' });
      }
    });
    const effectivePeers = federation.peers ?? homeservers.filter((other) => other !== homeserver).map((other) => other.serverName);
    if (effectivePeers.length === 0) {
      issues.push({
        path: `${base}.federation.peers`,
        message: 'federation is enabled but there is no peer: list peers, add fleet members, or set federation.enabled: false',
      });
    }
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
        issues.push({ path: `${base}.federation.egressCidrs[${rangeIndex}]`, message: 'lies inside a private or reserved range that Synapse never connects to (ip_range_blacklist)' });
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
