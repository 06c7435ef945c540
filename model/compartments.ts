/**
 * The compartments of one homeserver and the shared platform compartment, and the labels
 * every object carries so policies, quotas and reviewers can tell compartments apart.
 */

export const HOMESERVER_COMPARTMENTS = ['directory', 'homeserver', 'media', 'gateway'] as const;
export type HomeserverCompartment = (typeof HOMESERVER_COMPARTMENTS)[number];
export type CompartmentKind = HomeserverCompartment | 'platform';

export const LABEL_COMPARTMENT = 'matrix.sovereign/compartment';
export const LABEL_HOMESERVER = 'matrix.sovereign/homeserver';
export const LABEL_WORKLOAD = 'matrix.sovereign/workload';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Set by the API server on every namespace (Kubernetes >= 1.21); cannot be spoofed by tenants. */
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';

export const PART_OF = 'matrix-sovereign';
export const MANAGED_BY = 'cdktf';

export function homeserverNamespace(homeserverName: string, compartment: HomeserverCompartment): string {
  return `${homeserverName}-${compartment}`;
}

export function platformNamespace(deploymentName: string): string {
  return `${deploymentName}-platform`;
}

export function compartmentLabels(compartment: CompartmentKind, homeserverName?: string): Record<string, string> {
  return {
    [LABEL_PART_OF]: PART_OF,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_COMPARTMENT]: compartment,
    ...(homeserverName ? { [LABEL_HOMESERVER]: homeserverName } : {}),
  };
}

/** What each compartment is for, shown in reports and resource descriptions. */
export const COMPARTMENT_PURPOSE: Readonly<Record<CompartmentKind, string>> = {
  gateway: 'reverse proxy and TLS termination; the only external ingress',
  homeserver: 'Synapse main process and workers, PostgreSQL, Redis',
  media: 'Synapse media-repository worker and its encrypted media volume',
  directory: 'LDAP directory, reachable over LDAPS from Synapse only',
  platform: 'secret store, secret delivery and internal certificate authority',
};
