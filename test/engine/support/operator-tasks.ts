/**
 * The operator tasks of docs/operations.md, done the way an operator does them: a 10-minute token for
 * the homeserver's operator account (audience openbao), a login to OpenBao with it, the
 * provided values written with `bao kv put`, the token revoked. The real `bao` client talks
 * to the real OpenBao over TLS verified against the internal CA (from the trust bundle).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeploymentConfig } from '../../../config/deployment-config';
import { homeserverNamespace } from '../../../model/compartments';
import { MANAGED_PREFIX, OPENBAO_AUDIENCE, OPENBAO_PORT, platformNames, RELEASES, SECRET_MOUNT } from '../../../model/platform';
import { homeserverSecretDeclarations, ownSecrets } from '../../../workloads/secrets';
import { bootstrapLdif } from '../../integration/support/homeserver';
import type { EngineWorld } from './engine-world';
import { eventually, type KubeObject } from './kube-client';
import { API, decode } from './platform-checks';
import type { Pod } from './pod-runner/pod-types';
import type { RunResult } from './tier';

export class OpenBaoOperator {
  private constructor(
    private readonly world: EngineWorld,
    private readonly bao: string,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  static async connect(world: EngineWorld, bao: string, deploymentName: string): Promise<OpenBaoOperator> {
    const names = platformNames(deploymentName);
    const namespace = names.namespaces.openbao;
    const { kube } = world.cluster;
    const pod = await kube.get<Pod>(`/api/v1/namespaces/${namespace}/pods/${RELEASES.openbao}-0`);
    const address = pod?.status?.podIP;
    if (!address) throw new Error(`${namespace}/${RELEASES.openbao}-0 has no address`);
    const bundle = await kube.get<KubeObject & { data?: Record<string, string> }>(API.configMap(namespace, names.trustBundle));
    const caFile = path.join(world.directory, `${deploymentName}-internal-ca.crt`);
    fs.writeFileSync(caFile, bundle?.data?.['ca.crt'] ?? '');
    const home = path.join(world.directory, 'operator-home');
    fs.mkdirSync(home, { recursive: true });
    return new OpenBaoOperator(world, bao, {
      BAO_ADDR: `https://${address}:${OPENBAO_PORT}`,
      BAO_CACERT: caFile,
      BAO_TLS_SERVER_NAME: `${RELEASES.openbao}.${namespace}.svc`,
      HOME: home,
    });
  }

  run(args: readonly string[], token?: string): Promise<RunResult> {
    return this.world.cluster.tier.run(this.bao, args, { env: { ...this.env, ...(token ? { BAO_TOKEN: token } : {}) }, timeoutMs: 60_000 });
  }

  async status(): Promise<{ initialized: boolean; sealed: boolean; type: string }> {
    const result = await this.run(['status', '-format=json']);
    return JSON.parse(result.stdout) as { initialized: boolean; sealed: boolean; type: string };
  }

  /** `kubectl create token <hs>-secret-operator --audience openbao --duration 10m`, then `bao write auth/kubernetes/login`. */
  async login(deploymentName: string, homeserver: string): Promise<string> {
    const namespace = platformNames(deploymentName).namespaces.openbao;
    const request = await this.world.cluster.kube.request<{ status?: { token?: string } }>(
      'POST',
      `/api/v1/namespaces/${namespace}/serviceaccounts/${homeserver}-secret-operator/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: [OPENBAO_AUDIENCE], expirationSeconds: 600 },
      },
    );
    const jwt = request.body.status?.token;
    if (!jwt) throw new Error(`no token for ${homeserver}-secret-operator: HTTP ${request.status}`);
    const login = await this.run([
      'write',
      '-field=token',
      'auth/kubernetes/login',
      `role=${MANAGED_PREFIX}${homeserver}-operator`,
      `jwt=${jwt}`,
    ]);
    if (login.status !== 0) throw new Error(`bao login as ${homeserver}-operator failed: ${login.stderr}`);
    return login.stdout.trim();
  }

  /** `bao kv put -mount=matrix <hs>/<secret> key=@file ...` with the values in files (never on a command line). */
  async putProvided(token: string, homeserver: string, secret: string, values: Readonly<Record<string, string>>): Promise<RunResult> {
    const directory = fs.mkdtempSync(path.join(this.world.directory, 'provided-'));
    try {
      const pairs = Object.entries(values).map(([key, value]) => {
        const file = path.join(directory, key);
        fs.writeFileSync(file, value, { mode: 0o600 });
        return `${key}=@${file}`;
      });
      return await this.run(['kv', 'put', `-mount=${SECRET_MOUNT}`, `${homeserver}/${secret}`, ...pairs], token);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  }

  revoke(token: string): Promise<RunResult> {
    return this.run(['token', 'revoke', '-self'], token);
  }
}

/**
 * Provides every operator-provided value of every homeserver (the directory's bootstrap
 * entries as LDIF, any other value as a fresh random string), each homeserver with its own
 * operator login, and the deployment's own values (the secret store's backup keys) with the
 * deployment's; the caller then asks External Secrets to sync again (the `force-sync` annotation).
 */
export async function provideOperatorValues(world: EngineWorld, bao: string, config: DeploymentConfig): Promise<number> {
  const operator = await OpenBaoOperator.connect(world, bao, config.deploymentName);
  let written = 0;
  for (const homeserver of config.homeservers) {
    const provided = homeserverSecretDeclarations(homeserver).filter((declaration) => declaration.source.kind === 'provided');
    if (provided.length === 0) continue;
    const token = await operator.login(config.deploymentName, homeserver.name);
    for (const declaration of provided) {
      const keys = declaration.source.kind === 'provided' ? Object.keys(declaration.source.values) : [];
      const values = Object.fromEntries(
        keys.map((key) => [key, key === 'ldif' ? bootstrapLdif(homeserver, []) : randomBytes(24).toString('base64url')]),
      );
      const result = await operator.putProvided(token, homeserver.name, declaration.name, values);
      if (result.status !== 0) throw new Error(`bao kv put ${homeserver.name}/${declaration.name}: ${result.stderr}`);
      written += 1;
    }
    await operator.revoke(token);
  }
  // The deployment's own values (the secret store's backup keys), with the deployment's operator login.
  const own = ownSecrets(config);
  const token = await operator.login(config.deploymentName, own.deploymentName);
  for (const declaration of own.declarations) {
    const keys = declaration.source.kind === 'provided' ? Object.keys(declaration.source.values) : [];
    const values = Object.fromEntries(keys.map((key) => [key, randomBytes(24).toString('base64url')]));
    const result = await operator.putProvided(token, own.deploymentName, declaration.name, values);
    if (result.status !== 0) throw new Error(`bao kv put ${own.deploymentName}/${declaration.name}: ${result.stderr}`);
    written += 1;
  }
  await operator.revoke(token);
  return written;
}

/** The seal key as the backup command of docs/operations.md reads it (`kubectl get secret ... | base64 -d`). */
export async function sealKeyBackup(world: EngineWorld, deploymentName: string): Promise<string> {
  const names = platformNames(deploymentName);
  const secret = await world.cluster.kube.get<KubeObject & { data?: Record<string, string> }>(
    API.secret(names.namespaces.openbao, names.openbaoSealSecret),
  );
  if (!secret) throw new Error('the seal key Secret does not exist');
  return decode(secret, 'key');
}

/** What the documented retirement keeps after the stack destroys: the OpenBao namespace (the seal key) and every homeserver namespace (its database). */
export function keptNamespaces(config: DeploymentConfig): string[] {
  return [
    platformNames(config.deploymentName).namespaces.openbao,
    ...config.homeservers.map((homeserver) => homeserverNamespace(homeserver.name, 'homeserver')),
  ];
}

/**
 * The last retirement step of docs/operations.md, by hand once the backups are verified: release
 * the seal key's ExternalSecret from External Secrets' finalizer (the operator is gone), then
 * delete the kept namespaces (the database clusters with their volumes, the seal key), and wait
 * until they are gone.
 */
export async function retireKeptNamespaces(world: EngineWorld, config: DeploymentConfig): Promise<void> {
  const names = platformNames(config.deploymentName);
  const { kube } = world.cluster;
  await kube.mergePatch(`/apis/external-secrets.io/v1/namespaces/${names.namespaces.openbao}/externalsecrets/${names.openbaoSealSecret}`, {
    metadata: { finalizers: null },
  });
  for (const namespace of keptNamespaces(config)) await kube.delete(`/api/v1/namespaces/${namespace}`);
  for (const namespace of keptNamespaces(config))
    await eventually(
      `namespace ${namespace} deleted`,
      180_000,
      async () => ((await kube.get(`/api/v1/namespaces/${namespace}`)) ? undefined : true),
      2_000,
    );
}
