import { loadDeploymentConfig } from '../../config/load-config';
import { HOMESERVER_COMPARTMENTS, type HomeserverCompartment } from '../../model/compartments';
import { homeserverSecretDeclarations } from '../../model/homeserver-workloads';
import { compartmentAccess, renderOpenBaoPolicy, secretPath } from '../../model/secret-access';
import type { SecretDeclaration } from '../../model/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);

function readersOf(path: string, declarations: readonly SecretDeclaration[], homeserverName: string): HomeserverCompartment[] {
  return compartmentAccess(homeserverName, declarations, HOMESERVER_COMPARTMENTS)
    .filter((access) => access.readablePaths.includes(path))
    .map((access) => access.compartment);
}

describe('secret access derived from the declarations', () => {
  it.each(fleet.homeservers.map((homeserver) => [homeserver.name, homeserver] as const))('%s: every secret is readable by exactly its consumers', (_name, homeserver) => {
    const declarations = homeserverSecretDeclarations(homeserver);
    for (const declaration of declarations) {
      expect(readersOf(secretPath(homeserver.name, declaration.name), declarations, homeserver.name).sort()).toEqual([...declaration.consumers].sort());
    }
  });

  it('shares the LDAP bind password between the directory and the homeserver only', () => {
    const homeserver = fleet.homeservers[0]!;
    expect(readersOf(secretPath(homeserver.name, 'ldap-bind'), homeserverSecretDeclarations(homeserver), homeserver.name).sort()).toEqual(['directory', 'homeserver']);
  });

  it('gives the gateway nothing but its TLS certificate', () => {
    const homeserver = fleet.homeservers[0]!;
    const [gateway] = compartmentAccess(homeserver.name, homeserverSecretDeclarations(homeserver), ['gateway']);
    expect(gateway?.readablePaths).toEqual([`${homeserver.name}/gateway-tls`]);
  });

  it('keeps homeservers apart: no path of one is readable through another\'s policies', () => {
    const [first, second] = fleet.homeservers;
    const secondPaths = compartmentAccess(second!.name, homeserverSecretDeclarations(second!), HOMESERVER_COMPARTMENTS).flatMap((access) => access.readablePaths);
    expect(secondPaths.filter((path) => path.startsWith(`${first!.name}/`))).toEqual([]);
  });

  it('renders read-only policies on exact paths (no globs, no write)', () => {
    const homeserver = fleet.homeservers[0]!;
    for (const access of compartmentAccess(homeserver.name, homeserverSecretDeclarations(homeserver), HOMESERVER_COMPARTMENTS)) {
      const policy = renderOpenBaoPolicy(access);
      expect(policy).not.toMatch(/[*+]"/);
      expect([...policy.matchAll(/capabilities = \[(.*)\]/g)].map((match) => match[1])).toEqual(access.readablePaths.flatMap(() => ['"read"', '"read"']));
    }
  });
});
