/**
 * Every name the deployment derives from a configured name, with the limit the consuming
 * software puts on it: namespaces are DNS labels (63), certificate common names are at most
 * 64 characters (RFC 5280; cert-manager refuses longer ones), PostgreSQL cuts identifiers at 63
 * bytes. The config check measures the real derivations, so a new derived name is bounded as
 * soon as it is listed here.
 */
import { INTERNAL_SERVERS } from './certificates';
import { HOMESERVER_COMPARTMENTS, homeserverNamespace, PLATFORM_COMPONENTS, platformNamespace } from './compartments';
import { homeserverServiceName, hostOf } from './dns-names';
import { internalCaCommonName, openbaoDnsNames, platformNames } from './platform';
import { compartmentStackName, PLATFORM_STACKS, platformStackName, POSTGRES_IDENTIFIER_MAX, stateSchemaName } from './stack-names';

export const DNS_LABEL_MAX = 63;
export const COMMON_NAME_MAX = 64;

export interface DerivedName {
  /** What the name is, for messages: e.g. `namespace`, `common name of the media-tls certificate`. */
  readonly what: string;
  readonly name: string;
  readonly limit: number;
}

export function homeserverDerivedNames(homeserverName: string): DerivedName[] {
  return [
    ...HOMESERVER_COMPARTMENTS.map((compartment) => ({
      what: 'namespace',
      name: homeserverNamespace(homeserverName, compartment),
      limit: DNS_LABEL_MAX,
    })),
    ...INTERNAL_SERVERS.map((server) => ({
      what: `common name of the ${server.secretName} certificate`,
      name: homeserverServiceName(homeserverName, server.compartment, server.service),
      limit: COMMON_NAME_MAX,
    })),
  ];
}

export function deploymentDerivedNames(deploymentName: string): DerivedName[] {
  const names = platformNames(deploymentName);
  const [openbaoCommonName = ''] = openbaoDnsNames(names);
  return [
    ...PLATFORM_COMPONENTS.map((component) => ({
      what: 'namespace',
      name: platformNamespace(deploymentName, component),
      limit: DNS_LABEL_MAX,
    })),
    { what: 'common name of the internal root CA', name: internalCaCommonName(names), limit: COMMON_NAME_MAX },
    { what: 'common name of the OpenBao certificate', name: openbaoCommonName, limit: COMMON_NAME_MAX },
  ];
}

/** The public host is the gateway certificate's common name (a server name may be longer than a certificate allows). */
export function serverNameDerivedNames(serverName: string): DerivedName[] {
  return [{ what: 'common name of the gateway certificate (the host part)', name: hostOf(serverName), limit: COMMON_NAME_MAX }];
}

/** The PostgreSQL schema of every stack's state (pg backend). */
export function stateSchemaDerivedNames(schemaPrefix: string, deploymentName: string, homeserverNames: readonly string[]): DerivedName[] {
  const stacks = [
    ...PLATFORM_STACKS.map((stack) => platformStackName(deploymentName, stack)),
    ...homeserverNames.flatMap((name) => HOMESERVER_COMPARTMENTS.map((compartment) => compartmentStackName(name, compartment))),
  ];
  return stacks.map((stack) => ({
    what: `state schema of stack ${stack}`,
    name: stateSchemaName(schemaPrefix, stack),
    limit: POSTGRES_IDENTIFIER_MAX,
  }));
}

/** The longest name whose derived names all fit (derivations add a fixed number of characters). */
export function longestFitting(derive: (name: string) => readonly DerivedName[]): number {
  return Math.min(...derive('a').map((derived) => derived.limit - (derived.name.length - 1)));
}

export const HOMESERVER_NAME_MAX = longestFitting(homeserverDerivedNames);
export const DEPLOYMENT_NAME_MAX = longestFitting(deploymentDerivedNames);

/** The derived name that is too long, the longest first; undefined when all fit. */
export function overlongName(derived: readonly DerivedName[]): DerivedName | undefined {
  return [...derived]
    .filter((entry) => entry.name.length > entry.limit)
    .sort((a, b) => b.name.length - b.limit - (a.name.length - a.limit))[0];
}
