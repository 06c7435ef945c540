/**
 * The compartments of one homeserver and the shared platform compartment, and the labels
 * every object carries so policies, quotas and reviewers can tell compartments apart.
 */

/** In deployment order: each compartment after what it reaches; the gateway, which exposes them, last. */
export const HOMESERVER_COMPARTMENTS = ['directory', 'identity', 'homeserver', 'media', 'client', 'calls', 'gateway'] as const;
export type HomeserverCompartment = (typeof HOMESERVER_COMPARTMENTS)[number];

/** What decides whether a homeserver has a compartment: an in-cluster directory, a web client, calls. */
export interface CompartmentChoices {
  readonly directory: { readonly mode: 'in-cluster' | 'external' };
  readonly client?: object;
  readonly calls?: object;
}

/** The compartments one homeserver actually has, in deployment order. */
export function homeserverCompartments(homeserver: CompartmentChoices): HomeserverCompartment[] {
  return HOMESERVER_COMPARTMENTS.filter((compartment) => {
    if (compartment === 'directory') return homeserver.directory.mode === 'in-cluster';
    if (compartment === 'client') return homeserver.client !== undefined;
    if (compartment === 'calls') return homeserver.calls !== undefined;
    return true;
  });
}
export type CompartmentKind = HomeserverCompartment | 'platform';

/**
 * The shared platform, one namespace each: the secret store, secret delivery, the internal
 * CA (with trust distribution), the namespace where secret values are generated, and the
 * PostgreSQL operator with its backup plugin.
 */
export const PLATFORM_COMPONENTS = ['openbao', 'external-secrets', 'cert-manager', 'secret-generation', 'postgres-operator'] as const;
export type PlatformComponent = (typeof PLATFORM_COMPONENTS)[number];

export const LABEL_COMPARTMENT = 'matrix.sovereign/compartment';
export const LABEL_HOMESERVER = 'matrix.sovereign/homeserver';
export const LABEL_WORKLOAD = 'matrix.sovereign/workload';
export const LABEL_PLATFORM_COMPONENT = 'matrix.sovereign/platform-component';
/** Selects the namespaces of one deployment (e.g. where the internal CA bundle is distributed). */
export const LABEL_DEPLOYMENT = 'matrix.sovereign/deployment';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Set by the API server on every namespace (Kubernetes >= 1.21); cannot be spoofed by tenants. */
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';

export const PART_OF = 'matrix-sovereign';
export const MANAGED_BY = 'cdktf';

export function homeserverNamespace(homeserverName: string, compartment: HomeserverCompartment): string {
  return `${homeserverName}-${compartment}`;
}

export function platformNamespace(deploymentName: string, component: PlatformComponent): string {
  return `${deploymentName}-${component}`;
}

/** Whose compartment it is: a homeserver's, or a component of the shared platform. */
export type CompartmentOwner = { readonly homeserverName: string } | { readonly platformComponent: PlatformComponent };

export function compartmentLabels(compartment: CompartmentKind, deploymentName: string, owner: CompartmentOwner): Record<string, string> {
  return {
    [LABEL_PART_OF]: PART_OF,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_DEPLOYMENT]: deploymentName,
    [LABEL_COMPARTMENT]: compartment,
    ...('homeserverName' in owner ? { [LABEL_HOMESERVER]: owner.homeserverName } : { [LABEL_PLATFORM_COMPONENT]: owner.platformComponent }),
  };
}

/** What each compartment is for, shown in reports and resource descriptions. */
export const COMPARTMENT_PURPOSE: Readonly<Record<CompartmentKind, string>> = {
  gateway: 'reverse proxy and TLS termination; the only external ingress',
  homeserver: 'Synapse main process and workers, PostgreSQL, Redis',
  media: 'Synapse media-repository worker and its encrypted media volume',
  directory: 'LDAP directory, reachable over LDAPS from the identity provider only',
  identity: 'identity provider (Keycloak): login with a second factor, users federated read-only from the directory',
  calls: "MatrixRTC calls: the LiveKit SFU (media on its own load balancer) and the authorisation service for the homeserver's users",
  client: 'web client (Element Web): static files and a config locked to its homeserver, behind the gateway on its own name',
  platform: 'secret store, secret delivery, internal certificate authority and the PostgreSQL operator',
};
