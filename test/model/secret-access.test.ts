import { HOMESERVER_COMPARTMENTS, homeserverNamespace, type HomeserverCompartment } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import {
  compartmentAccess,
  consumingCompartments,
  deploymentPolicyName,
  deploymentStoreRoleName,
  GENERATOR_POLICY,
  operatorPolicyName,
  RAFT_SNAPSHOT_POLICY,
  roleDocument,
  secretPath,
  SECRET_MOUNT,
  STORE_BACKUP_ROLE,
  type OpenBaoPolicy,
} from '../../model/secret-access';
import type { SecretDeclaration } from '../../model/secrets';
import { renderOpenBaoPolicy } from '../../render/openbao/policy';
import { homeserverSecretDeclarations, openBaoAccess } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const access = openBaoAccess(fleet);

function readersOf(path: string, declarations: readonly SecretDeclaration[], homeserverName: string): HomeserverCompartment[] {
  return compartmentAccess(homeserverName, declarations, HOMESERVER_COMPARTMENTS)
    .filter((entry) => entry.readablePaths.includes(path))
    .map((entry) => entry.compartment);
}

/** Every (path, capability) a policy grants, as "capability path". */
function grants(policy: OpenBaoPolicy): string[] {
  return policy.rules.flatMap((rule) => rule.capabilities.map((capability) => `${capability} ${rule.path}`));
}

function policy(name: string): OpenBaoPolicy {
  const found = access.policies.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
}

describe('secret access derived from the declarations', () => {
  it.each(fleet.homeservers.map((homeserver) => [homeserver.name, homeserver] as const))(
    '%s: every secret is readable by exactly its consumers',
    (_name, homeserver) => {
      const declarations = homeserverSecretDeclarations(homeserver);
      for (const declaration of declarations) {
        expect(readersOf(secretPath(homeserver.name, declaration.name), declarations, homeserver.name).sort()).toEqual(
          [...declaration.consumers].sort(),
        );
      }
    },
  );

  it('shares the LDAP bind password between the directory and the identity provider only', () => {
    const homeserver = fleet.homeservers[0]!;
    expect(readersOf(secretPath(homeserver.name, 'ldap-bind'), homeserverSecretDeclarations(homeserver), homeserver.name).sort()).toEqual([
      'directory',
      'identity',
    ]);
  });

  it("shares the OIDC client secret and Keycloak's database password between the identity provider and the homeserver only", () => {
    const homeserver = fleet.homeservers[0]!;
    for (const name of ['oidc-client', 'keycloak-database'])
      expect(readersOf(secretPath(homeserver.name, name), homeserverSecretDeclarations(homeserver), homeserver.name).sort()).toEqual([
        'homeserver',
        'identity',
      ]);
  });

  it('gives the gateway no OpenBao access at all (its only secret is a certificate issued in its namespace)', () => {
    for (const homeserver of fleet.homeservers) {
      expect(consumingCompartments(homeserverSecretDeclarations(homeserver))).not.toContain('gateway');
      expect(access.roles.map((role) => role.namespace)).not.toContain(homeserverNamespace(homeserver.name, 'gateway'));
    }
  });

  it("keeps homeservers apart: no policy of one grants anything under another's prefix", () => {
    for (const homeserver of fleet.homeservers) {
      const own = access.policies.filter((candidate) => candidate.name.startsWith(`matrix-${homeserver.name}-`));
      expect(own.length).toBeGreaterThan(0);
      for (const candidate of own)
        for (const rule of candidate.rules) expect(rule.path).toMatch(new RegExp(`^${SECRET_MOUNT}/(data|metadata)/${homeserver.name}/`));
    }
  });

  it('grants compartments read on exact data paths only (no globs, no metadata, no write)', () => {
    for (const candidate of access.policies.filter((entry) => entry.name.endsWith('-read'))) {
      for (const grant of grants(candidate)) expect(grant).toMatch(new RegExp(`^read ${SECRET_MOUNT}/data/[a-z0-9-]+/[a-z0-9-]+$`));
      expect(renderOpenBaoPolicy(candidate)).not.toMatch(/[*+]"/);
    }
  });

  it('lets the generator write the generated paths only, and operators the provided paths only', () => {
    const generated = fleet.homeservers.flatMap((homeserver) =>
      homeserverSecretDeclarations(homeserver)
        .filter((d) => d.source.kind === 'generated')
        .map((d) => secretPath(homeserver.name, d.name)),
    );
    const generatorPaths = new Set(policy(GENERATOR_POLICY).rules.map((rule) => rule.path.replace(/^matrix\/(data|metadata)\//, '')));
    expect([...generatorPaths].sort()).toEqual([...generated].sort());
    for (const homeserver of fleet.homeservers) {
      const provided = homeserverSecretDeclarations(homeserver)
        .filter((d) => d.source.kind === 'provided')
        .map((d) => secretPath(homeserver.name, d.name));
      const operator = access.policies.find((candidate) => candidate.name === operatorPolicyName(homeserver.name));
      const operatorPaths = new Set((operator?.rules ?? []).map((rule) => rule.path.replace(/^matrix\/(data|metadata)\//, '')));
      expect([...operatorPaths].sort()).toEqual([...provided].sort());
      for (const path of operatorPaths) expect(generated).not.toContain(path);
    }
  });

  it('binds each role to one service account in one namespace, the OpenBao audience and short-lived tokens', () => {
    const accounts = access.roles.map((role) => `${role.namespace}/${role.serviceAccount}`);
    expect(new Set(accounts).size).toBe(accounts.length);
    // Stores: one per compartment namespace; operators: accounts in the OpenBao namespace only.
    const openbao = `${fleet.deploymentName}-openbao`;
    for (const role of access.roles) if (role.name.endsWith('-operator')) expect(role.namespace).toBe(openbao);
    for (const role of access.roles) {
      const document = roleDocument(role);
      expect(document).toMatchObject({
        bound_service_account_names: [role.serviceAccount],
        bound_service_account_namespaces: [role.namespace],
        audience: 'openbao',
        token_ttl: '10m',
        token_max_ttl: '15m',
      });
      expect(JSON.stringify(document)).not.toContain('*');
    }
  });
});

describe("the deployment's own access: the secret store's backup", () => {
  const namespace = 'fleet-openbao';
  const policy = (name: string) => access.policies.find((candidate) => candidate.name === name);
  const role = (name: string) => access.roles.find((candidate) => candidate.name === name);

  it('lets the backup job take a raft snapshot and nothing else: no secret, no list', () => {
    expect(grants(policy(RAFT_SNAPSHOT_POLICY)!)).toEqual(['read sys/storage/raft/snapshot']);
    expect(role(STORE_BACKUP_ROLE)).toEqual({
      name: STORE_BACKUP_ROLE,
      serviceAccount: 'secret-store-backup',
      namespace,
      policies: [RAFT_SNAPSHOT_POLICY],
    });
    // Managed names: the configurator writes and prunes only `matrix-` policies and roles.
    expect(STORE_BACKUP_ROLE).toBe('matrix-store-backup');
    expect(RAFT_SNAPSHOT_POLICY).toBe('matrix-raft-snapshot');
  });

  it("reads the deployment's own backup keys in OpenBao's namespace only, written by its operators only", () => {
    const paths = ['fleet/postgres-backup-s3', 'fleet/store-backup-encryption'];
    expect(grants(policy(deploymentPolicyName('fleet'))!)).toEqual(paths.map((path) => `read ${SECRET_MOUNT}/data/${path}`));
    expect(role(deploymentStoreRoleName('fleet'))).toMatchObject({ serviceAccount: 'secret-reader', namespace });
    expect(grants(policy(operatorPolicyName('fleet'))!).every((grant) => paths.some((path) => grant.endsWith(path)))).toBe(true);
    // No homeserver reads them, and no deployment role reads a homeserver's path.
    for (const candidate of access.policies.filter((entry) => entry.name.endsWith('-read') && entry.name !== deploymentPolicyName('fleet')))
      expect(grants(candidate).some((grant) => grant.includes('/fleet/'))).toBe(false);
  });
});
