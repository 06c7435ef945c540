/**
 * Who may do what in OpenBao, derived from the secret declarations (model/secrets.ts): one
 * read-only policy per consuming compartment of a homeserver, naming each readable path
 * exactly (no globs), so a secret shared by two compartments is readable by exactly those
 * two; one write policy for the in-cluster generator, on the generated paths only; one per
 * homeserver for operators, on the provided paths only; and the Kubernetes auth role that
 * binds each SecretStore's service account (one namespace, one audience) to its policy.
 */
import { homeserverNamespace, HOMESERVER_COMPARTMENTS, type HomeserverCompartment } from './compartments';
import { MANAGED_PREFIX, OPENBAO_AUDIENCE, platformNames, SECRET_MOUNT } from './platform';
import type { HomeserverSecrets, SecretDeclaration } from './secrets';

export { SECRET_MOUNT };

/** The service account every SecretStore authenticates as (one per namespace, no token mounted anywhere). */
export const SECRET_READER_ACCOUNT = 'secret-reader';
export const SECRET_WRITER_ACCOUNT = 'secret-writer';
/** Tokens issued to External Secrets live minutes, not days. */
export const STORE_TOKEN_TTL = '10m';
export const STORE_TOKEN_MAX_TTL = '15m';

export type Capability = 'create' | 'read' | 'update' | 'delete' | 'list';

export interface PolicyRule {
  /** Full API path under the mount, e.g. `matrix/data/agency/ldap-bind`. */
  readonly path: string;
  readonly capabilities: readonly Capability[];
}

export interface OpenBaoPolicy {
  readonly name: string;
  readonly description: string;
  readonly rules: readonly PolicyRule[];
}

export interface KubernetesAuthRole {
  readonly name: string;
  readonly serviceAccount: string;
  readonly namespace: string;
  readonly policies: readonly string[];
}

export function secretPath(homeserverName: string, secretName: string): string {
  return `${homeserverName}/${secretName}`;
}

export function policyName(homeserverName: string, compartment: HomeserverCompartment): string {
  return `${MANAGED_PREFIX}${homeserverName}-${compartment}-read`;
}

export function storeRoleName(homeserverName: string, compartment: HomeserverCompartment): string {
  return `${MANAGED_PREFIX}${homeserverName}-${compartment}`;
}

export const GENERATOR_POLICY = `${MANAGED_PREFIX}secret-generation-write`;
export const GENERATOR_ROLE = `${MANAGED_PREFIX}secret-generation`;

export function operatorPolicyName(homeserverName: string): string {
  return `${MANAGED_PREFIX}${homeserverName}-operator-write`;
}

/**
 * Operators write provided values through this role: a service account in the OpenBao
 * namespace, for which only cluster administrators can mint a short token
 * (`kubectl create token ... --audience openbao`). No human ever holds a root token.
 */
export function operatorRoleName(homeserverName: string): string {
  return `${MANAGED_PREFIX}${homeserverName}-operator`;
}

export function operatorAccountName(homeserverName: string): string {
  return `${homeserverName}-secret-operator`;
}

export interface CompartmentAccess {
  readonly compartment: HomeserverCompartment;
  readonly policyName: string;
  /** Paths relative to the mount, sorted. */
  readonly readablePaths: readonly string[];
}

export function compartmentAccess(
  homeserverName: string,
  declarations: readonly SecretDeclaration[],
  compartments: readonly HomeserverCompartment[],
): CompartmentAccess[] {
  return compartments.map((compartment) => ({
    compartment,
    policyName: policyName(homeserverName, compartment),
    readablePaths: declarations
      .filter((declaration) => declaration.consumers.includes(compartment))
      .map((declaration) => secretPath(homeserverName, declaration.name))
      .sort(),
  }));
}

const dataPath = (path: string) => `${SECRET_MOUNT}/data/${path}`;
const metadataPath = (path: string) => `${SECRET_MOUNT}/metadata/${path}`;

/** Read-only on exact data paths: External Secrets reads values, never metadata, lists or versions. */
export function readerPolicy(access: CompartmentAccess): OpenBaoPolicy {
  return {
    name: access.policyName,
    description: `the ${access.compartment} compartment reads its own secrets`,
    rules: access.readablePaths.map((path) => ({ path: dataPath(path), capabilities: ['read'] })),
  };
}

/** Compartments of a homeserver that consume at least one of its OpenBao-held secrets (each gets a SecretStore). */
export function consumingCompartments(declarations: readonly SecretDeclaration[]): HomeserverCompartment[] {
  return HOMESERVER_COMPARTMENTS.filter((compartment) => declarations.some((declaration) => declaration.consumers.includes(compartment)));
}

/** Writing once needs read (does it exist?), create and update on data and metadata (External Secrets marks what it manages). */
const WRITE_ONCE: readonly Capability[] = ['create', 'read', 'update'];

function writePolicy(name: string, description: string, paths: readonly string[]): OpenBaoPolicy {
  return {
    name,
    description,
    rules: [...paths].sort().flatMap((path) => [
      { path: dataPath(path), capabilities: WRITE_ONCE },
      { path: metadataPath(path), capabilities: WRITE_ONCE },
    ]),
  };
}

/** The deployment's own secrets (the secret store's backup keys) live at `<deployment>/<secret>`; deployment and homeserver names never collide. */
export function deploymentPolicyName(deploymentName: string): string {
  return `${MANAGED_PREFIX}${deploymentName}-openbao-read`;
}

/** The role of the SecretStore in OpenBao's own namespace, which delivers the deployment's secrets there. */
export function deploymentStoreRoleName(deploymentName: string): string {
  return `${MANAGED_PREFIX}${deploymentName}-openbao`;
}

/** The secret store's backup job: its role, its one policy (a raft snapshot, read), and the service account it logs in as. */
export const STORE_BACKUP_ROLE = `${MANAGED_PREFIX}store-backup`;
export const RAFT_SNAPSHOT_POLICY = `${MANAGED_PREFIX}raft-snapshot`;
export const RAFT_SNAPSHOT_PATH = 'sys/storage/raft/snapshot';

/** What the deployment itself (not a homeserver) keeps in OpenBao, and who takes its snapshots. */
export interface DeploymentSecrets {
  readonly deploymentName: string;
  /** Provided values read in OpenBao's namespace (the backup job's keys). */
  readonly declarations: readonly SecretDeclaration[];
  /** The service account of the secret store's backup job, in OpenBao's namespace. */
  readonly snapshotAccount: string;
}

/** The complete, declared state of OpenBao's policies and Kubernetes auth roles for a deployment. */
export interface OpenBaoAccess {
  readonly policies: readonly OpenBaoPolicy[];
  readonly roles: readonly KubernetesAuthRole[];
}

/**
 * The deployment's own access: its SecretStore in OpenBao's namespace reads the deployment's
 * secrets, operators write them, and the backup job takes raft snapshots and nothing else (it
 * reads no secret, lists nothing).
 */
function deploymentAccess(own: DeploymentSecrets): OpenBaoAccess {
  const { deploymentName } = own;
  const namespace = platformNames(deploymentName).namespaces.openbao;
  const paths = own.declarations.map((declaration) => secretPath(deploymentName, declaration.name)).sort();
  const policies: OpenBaoPolicy[] = [
    {
      name: RAFT_SNAPSHOT_POLICY,
      description: 'the secret store backup job takes a raft snapshot, and nothing else',
      rules: [{ path: RAFT_SNAPSHOT_PATH, capabilities: ['read'] }],
    },
  ];
  const roles: KubernetesAuthRole[] = [
    { name: STORE_BACKUP_ROLE, serviceAccount: own.snapshotAccount, namespace, policies: [RAFT_SNAPSHOT_POLICY] },
  ];
  if (paths.length > 0) {
    policies.push(
      {
        name: deploymentPolicyName(deploymentName),
        description: `OpenBao's namespace reads the deployment's own secrets`,
        rules: paths.map((path) => ({ path: dataPath(path), capabilities: ['read'] })),
      },
      writePolicy(operatorPolicyName(deploymentName), `operators of ${deploymentName} write the deployment's provided values`, paths),
    );
    roles.push(
      {
        name: deploymentStoreRoleName(deploymentName),
        serviceAccount: SECRET_READER_ACCOUNT,
        namespace,
        policies: [deploymentPolicyName(deploymentName)],
      },
      {
        name: operatorRoleName(deploymentName),
        serviceAccount: operatorAccountName(deploymentName),
        namespace,
        policies: [operatorPolicyName(deploymentName)],
      },
    );
  }
  return { policies, roles };
}

/** OpenBao's policies and roles for a deployment whose homeservers declare `homeservers` (in config order), and its own secrets. */
export function deriveOpenBaoAccess(
  deploymentName: string,
  homeservers: readonly HomeserverSecrets[],
  own?: DeploymentSecrets,
): OpenBaoAccess {
  const policies: OpenBaoPolicy[] = [];
  const roles: KubernetesAuthRole[] = [];
  const generatedPaths: string[] = [];
  for (const { homeserverName, declarations } of homeservers) {
    for (const access of compartmentAccess(homeserverName, declarations, consumingCompartments(declarations))) {
      policies.push(readerPolicy(access));
      roles.push({
        name: storeRoleName(homeserverName, access.compartment),
        serviceAccount: SECRET_READER_ACCOUNT,
        namespace: homeserverNamespace(homeserverName, access.compartment),
        policies: [access.policyName],
      });
    }
    generatedPaths.push(
      ...declarations
        .filter((declaration) => declaration.source.kind === 'generated')
        .map((declaration) => secretPath(homeserverName, declaration.name)),
    );
    const providedPaths = declarations
      .filter((declaration) => declaration.source.kind === 'provided')
      .map((declaration) => secretPath(homeserverName, declaration.name));
    if (providedPaths.length > 0) {
      policies.push(
        writePolicy(
          operatorPolicyName(homeserverName),
          `operators of ${homeserverName} write the values issued outside the cluster`,
          providedPaths,
        ),
      );
      roles.push({
        name: operatorRoleName(homeserverName),
        serviceAccount: operatorAccountName(homeserverName),
        namespace: platformNames(deploymentName).namespaces.openbao,
        policies: [operatorPolicyName(homeserverName)],
      });
    }
  }
  policies.push(writePolicy(GENERATOR_POLICY, 'the in-cluster generator writes each generated value once', generatedPaths));
  roles.push({
    name: GENERATOR_ROLE,
    serviceAccount: SECRET_WRITER_ACCOUNT,
    namespace: platformNames(deploymentName).namespaces['secret-generation'],
    policies: [GENERATOR_POLICY],
  });
  if (own) {
    const deployment = deploymentAccess(own);
    policies.push(...deployment.policies);
    roles.push(...deployment.roles);
  }
  return { policies, roles };
}

/** A Kubernetes auth role as OpenBao's API takes it, every field explicit. */
export function roleDocument(role: KubernetesAuthRole): Record<string, unknown> {
  return {
    bound_service_account_names: [role.serviceAccount],
    bound_service_account_namespaces: [role.namespace],
    audience: OPENBAO_AUDIENCE,
    alias_name_source: 'serviceaccount_uid',
    token_policies: [...role.policies],
    token_ttl: STORE_TOKEN_TTL,
    token_max_ttl: STORE_TOKEN_MAX_TTL,
    token_type: 'service',
    token_num_uses: 0,
    token_period: 0,
    token_explicit_max_ttl: STORE_TOKEN_MAX_TTL,
  };
}
