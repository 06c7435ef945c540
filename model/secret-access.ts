/**
 * Who may read which secret, derived from the declarations (model/secrets.ts): one
 * read-only OpenBao policy per compartment of a homeserver, naming each readable path
 * exactly (no globs), so a secret shared by two compartments is readable by exactly those
 * two. Secret delivery (issue 5) binds each compartment's SecretStore to its policy.
 */
import type { HomeserverCompartment } from './compartments';
import type { SecretDeclaration } from './secrets';

/** KV v2 mount holding every generated value. */
export const SECRET_MOUNT = 'matrix';

export function secretPath(homeserverName: string, secretName: string): string {
  return `${homeserverName}/${secretName}`;
}

export function policyName(homeserverName: string, compartment: HomeserverCompartment): string {
  return `${homeserverName}-${compartment}-read`;
}

export interface CompartmentAccess {
  readonly compartment: HomeserverCompartment;
  readonly policyName: string;
  /** Paths relative to the mount, sorted. */
  readonly readablePaths: readonly string[];
}

export function compartmentAccess(homeserverName: string, declarations: readonly SecretDeclaration[], compartments: readonly HomeserverCompartment[]): CompartmentAccess[] {
  return compartments.map((compartment) => ({
    compartment,
    policyName: policyName(homeserverName, compartment),
    readablePaths: declarations
      .filter((declaration) => declaration.consumers.includes(compartment))
      .map((declaration) => secretPath(homeserverName, declaration.name))
      .sort(),
  }));
}

/** The policy document in OpenBao's HCL: read-only on exact data and metadata paths. */
export function renderOpenBaoPolicy(access: CompartmentAccess): string {
  const rules = access.readablePaths.flatMap((path) => [
    `path "${SECRET_MOUNT}/data/${path}" {\n  capabilities = ["read"]\n}`,
    `path "${SECRET_MOUNT}/metadata/${path}" {\n  capabilities = ["read"]\n}`,
  ]);
  return `# ${access.policyName}: generated from the secret declarations; read-only, exact paths.\n${rules.join('\n')}\n`;
}
