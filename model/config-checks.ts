/**
 * The checks of a parsed config that need what the model derives from it: whether every
 * derived name fits its limit, whether a namespace the site names is one of ours, whether a
 * site label would overwrite one of ours, and whether a federation peer is the homeserver
 * itself. config/ checks everything else; model/load-config.ts runs both in one pass.
 */
import type { ConfigIssue } from '../config/cross-checks';
import type { DeploymentConfigInput } from '../config/schema';
import {
  HOMESERVER_COMPARTMENTS,
  homeserverNamespace,
  LABEL_MANAGED_BY,
  LABEL_PART_OF,
  PLATFORM_COMPONENTS,
  platformNamespace,
} from './compartments';
import { hostOf } from './dns-names';
import {
  deploymentDerivedNames,
  homeserverDerivedNames,
  longestFitting,
  overlongName,
  serverNameDerivedNames,
  stateSchemaDerivedNames,
  type DerivedName,
} from './name-limits';

/** The derived name of `field` that does not fit, as one issue saying how long the field may be. */
function nameLengthIssue(path: string, derived: readonly DerivedName[], longest?: number): ConfigIssue[] {
  const overlong = overlongName(derived);
  if (!overlong) return [];
  const bound = longest === undefined ? '' : `must be at most ${longest} characters: `;
  return [
    {
      path,
      message: `${bound}the ${overlong.what} "${overlong.name}" would be ${overlong.name.length} characters (at most ${overlong.limit})`,
    },
  ];
}

/** Every derived name fits: namespaces, certificate common names, the state schemas of the pg backend. */
function nameLengthChecks(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [
    ...nameLengthIssue('deployment.name', deploymentDerivedNames(config.deployment.name), longestFitting(deploymentDerivedNames)),
  ];
  config.homeservers.forEach((homeserver, index) => {
    issues.push(
      ...nameLengthIssue(`homeservers[${index}].name`, homeserverDerivedNames(homeserver.name), longestFitting(homeserverDerivedNames)),
    );
    issues.push(...nameLengthIssue(`homeservers[${index}].serverName`, serverNameDerivedNames(homeserver.serverName)));
  });
  if (config.state.backend === 'pg') {
    const schemas = stateSchemaDerivedNames(
      config.state.pg.schemaPrefix,
      config.deployment.name,
      config.homeservers.map((homeserver) => homeserver.name),
    );
    issues.push(
      ...nameLengthIssue('state.pg.schemaPrefix', schemas).map((issue) => ({
        ...issue,
        message: `${issue.message}: PostgreSQL would cut it and two stacks could share one state; shorten the prefix or the names`,
      })),
    );
  }
  return issues;
}

/** Every namespace this deployment creates. */
function ownNamespaces(config: DeploymentConfigInput): Set<string> {
  return new Set([
    ...config.homeservers.flatMap((homeserver) =>
      HOMESERVER_COMPARTMENTS.map((compartment) => homeserverNamespace(homeserver.name, compartment)),
    ),
    ...PLATFORM_COMPONENTS.map((component) => platformNamespace(config.deployment.name, component)),
  ]);
}

/** Our own label keys: a site label with one of these keys would relabel our objects. */
const OWN_LABEL_PREFIX = 'matrix.sovereign/';
const OWN_LABEL_KEYS = [LABEL_PART_OF, LABEL_MANAGED_BY];

/**
 * Namespaces named by the site (its Prometheus, its cluster DNS) are trusted as peers: they must
 * not be one of this deployment's own compartments. The site's Prometheus selector labels must
 * not override ours.
 */
function siteChecks(config: DeploymentConfigInput): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ours = ownNamespaces(config);
  const { monitoring, kubernetes } = config;
  if (ours.has(monitoring.namespace)) {
    issues.push({
      path: 'monitoring.namespace',
      message: `"${monitoring.namespace}" is a namespace of this deployment: name the namespace the site's Prometheus runs in`,
    });
  }
  for (const key of Object.keys(monitoring.resourceLabels)) {
    if (key.startsWith(OWN_LABEL_PREFIX) || OWN_LABEL_KEYS.includes(key)) {
      issues.push({
        path: `monitoring.resourceLabels.${key}`,
        message: 'is a label this project sets on its own objects; use the label your Prometheus Operator selects by (e.g. release)',
      });
    }
  }
  if (ours.has(kubernetes.dns.namespace)) {
    issues.push({
      path: 'kubernetes.dns.namespace',
      message: `"${kubernetes.dns.namespace}" is a namespace of this deployment: every compartment would be allowed to reach it; name the namespace of the cluster DNS (e.g. kube-system)`,
    });
  }
  return issues;
}

/** A peer on the homeserver's own public host (whatever the port) is the homeserver itself. */
function selfPeerChecks(config: DeploymentConfigInput): ConfigIssue[] {
  return config.homeservers.flatMap((homeserver, index) => {
    if (!homeserver.federation.enabled) return [];
    return (homeserver.federation.peers ?? []).flatMap((peer, peerIndex) =>
      hostOf(peer) === hostOf(homeserver.serverName)
        ? [{ path: `homeservers[${index}].federation.peers[${peerIndex}]`, message: 'must not be the homeserver itself' }]
        : [],
    );
  });
}

export function modelConfigChecks(config: DeploymentConfigInput): ConfigIssue[] {
  return [...siteChecks(config), ...nameLengthChecks(config), ...selfPeerChecks(config)];
}
