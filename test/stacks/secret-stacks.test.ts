/**
 * The secret-store and secret-generation stacks as synthesized, and the secret inventory
 * written beside the audit: the properties that keep values in-cluster, unreplaced and
 * readable by exactly their consumers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDeploymentConfig } from '../../model/load-config';
import { operatorAccountName, operatorRoleName, secretPath } from '../../model/secret-access';
import { scanText } from '../../policies/secrets/secret-scan';
import { readSynthesizedStacks } from '../../tfjson/read-stacks';
import { isObject, resources, type JsonObject, type SynthesizedStack } from '../../tfjson/terraform-json';
import { openBaoAccess, homeserverSecretDeclarations } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { sharedSynthesis } from '../support/shared-synthesis';

const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
const outdir = sharedSynthesis('fleet');
const stacks = readSynthesizedStacks(outdir);
function stack(name: string): SynthesizedStack {
  const found = stacks.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stack ${name}`);
  return found;
}

/** Every kubernetes_manifest of a stack with its Terraform body. */
function manifestsOf(name: string): { body: JsonObject; object: JsonObject }[] {
  return resources(stack(name), 'kubernetes_manifest').map((resource) => ({
    body: resource.body,
    object: resource.body.manifest as JsonObject,
  }));
}

function named(name: string, kind: string, objectName: string): { body: JsonObject; object: JsonObject } {
  const found = manifestsOf(name).find(
    ({ object }) => object.kind === kind && isObject(object.metadata) && object.metadata.name === objectName,
  );
  if (!found) throw new Error(`${name} has no ${kind} ${objectName}`);
  return found;
}

describe('secret store stack', () => {
  it("generates OpenBao's seal key once, into an immutable Secret that outlives its ExternalSecret, and refuses to destroy it", () => {
    const { body, object } = named('fleet-secret-store', 'ExternalSecret', 'openbao-seal-key');
    expect(object.spec).toMatchObject({
      refreshPolicy: 'CreatedOnce',
      target: { creationPolicy: 'Orphan', deletionPolicy: 'Retain', immutable: true },
    });
    expect(body.lifecycle).toEqual({ prevent_destroy: true });
  });

  it('starts the configurator Job only after OpenBao is ready and the CA bundle it verifies OpenBao with exists', () => {
    const [job] = resources(stack('fleet-secret-store'), 'kubernetes_job_v1');
    const release = resources(stack('fleet-secret-store'), 'helm_release').find((candidate) => candidate.body.name === 'openbao');
    const bundle = resources(stack('fleet-secret-store'), 'kubernetes_manifest').find(
      (candidate) => isObject(candidate.body.manifest) && candidate.body.manifest.kind === 'Bundle',
    );
    expect(job?.body.depends_on).toEqual(expect.arrayContaining([release?.address, bundle?.address]));
    expect(release?.body.wait).toBe(true);
  });

  it("keeps the root CA's key on renewal (leaves stay valid) and gives every leaf a new key", () => {
    expect(named('fleet-secret-store', 'Certificate', 'fleet-internal-ca-root').object.spec).toMatchObject({
      isCA: true,
      privateKey: { rotationPolicy: 'Never' },
      duration: '87600h',
      renewBefore: '17520h',
    });
    expect(named('fleet-secret-store', 'Certificate', 'openbao-tls').object.spec).toMatchObject({
      privateKey: { rotationPolicy: 'Always' },
      duration: '2160h',
      renewBefore: '720h',
    });
  });

  it('creates an operator account in the OpenBao namespace for each homeserver with provided values, with no token mounted', () => {
    const accounts = resources(stack('fleet-secret-store'), 'kubernetes_service_account_v1').map((account) => account.body);
    for (const homeserver of fleet.homeservers) {
      const role = openBaoAccess(fleet).roles.find((candidate) => candidate.name === operatorRoleName(homeserver.name));
      expect(role?.namespace).toBe('fleet-openbao');
      expect(accounts).toContainEqual(
        expect.objectContaining({
          automount_service_account_token: false,
          metadata: expect.objectContaining({ name: operatorAccountName(homeserver.name), namespace: 'fleet-openbao' }),
        }),
      );
    }
  });
});

describe('secret generation stack', () => {
  it('writes with check-and-set, so two values of one secret cannot overwrite each other', () => {
    expect(named('fleet-secret-generation', 'SecretStore', 'openbao').object.spec).toMatchObject({
      provider: { vault: { checkAndSet: { required: true } } },
    });
  });

  it('pushes every generated value, once, to its own path and property', () => {
    const pushes = manifestsOf('fleet-secret-generation')
      .filter(({ object }) => object.kind === 'PushSecret')
      .map(({ object }) => object.spec as JsonObject);
    const expected = fleet.homeservers.flatMap((homeserver) =>
      homeserverSecretDeclarations(homeserver).flatMap((declaration) =>
        declaration.source.kind === 'generated'
          ? Object.keys(declaration.source.values).map((value) => `${secretPath(homeserver.name, declaration.name)}#${value}`)
          : [],
      ),
    );
    expect(
      pushes
        .map((spec) => {
          const match = ((spec.data as JsonObject[])[0]?.match as JsonObject).remoteRef as JsonObject;
          return `${String(match.remoteKey)}#${String(match.property)}`;
        })
        .sort(),
    ).toEqual(expected.sort());
    for (const spec of pushes) expect(spec).toMatchObject({ updatePolicy: 'IfNotExists', deletionPolicy: 'None' });
  });
});

describe('gateway certificate', () => {
  it('comes from the site issuer where the config names one, else from the internal CA', () => {
    expect(named('ministry-gateway', 'Certificate', 'gateway-tls').object.spec).toMatchObject({
      issuerRef: { kind: 'ClusterIssuer', name: 'sovereign-acme' },
      additionalOutputFormats: [{ type: 'CombinedPEM' }],
    });
    expect(named('agency-gateway', 'Certificate', 'gateway-tls').object.spec).toMatchObject({
      issuerRef: { kind: 'ClusterIssuer', name: 'fleet-internal-ca' },
    });
  });
});

describe('secret inventory (audit/secrets.md)', () => {
  const inventory = fs.readFileSync(path.join(outdir, 'audit', 'secrets.md'), 'utf8');

  it('lists every secret with its OpenBao path and exactly the policies that can read it', () => {
    const access = openBaoAccess(fleet);
    for (const homeserver of fleet.homeservers) {
      for (const declaration of homeserverSecretDeclarations(homeserver)) {
        const readers = access.policies
          .filter((policy) =>
            policy.rules.some(
              (rule) => rule.path === `matrix/data/${secretPath(homeserver.name, declaration.name)}` && rule.capabilities.join() === 'read',
            ),
          )
          .map((policy) => `\`${policy.name}\``);
        const row = inventory.split('\n').find((line) => line.startsWith(`| ${homeserver.name} | \`${declaration.name}\` |`));
        expect(row).toContain(`\`matrix/${secretPath(homeserver.name, declaration.name)}\` | ${readers.join(', ')} |`);
        expect(readers).toHaveLength(declaration.consumers.length);
      }
    }
  });

  it('holds no secret', () => {
    expect(scanText(inventory, 'secrets.md')).toEqual([]);
  });
});
