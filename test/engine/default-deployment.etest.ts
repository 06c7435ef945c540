/**
 * Engine proof, the default deployment (config/default.yaml, local state): every stack is
 * initialized, validated, planned and applied by OpenTofu with the providers built from
 * source, against a real API server with simulated nodes (kwok) and the platform's operators
 * running for real (cert-manager, trust-manager, External Secrets, OpenBao; pod-runner/);
 * then re-planned (must be empty), changed (a rate limit) and retired as docs/operations.md says.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOMESERVER_COMPARTMENTS, homeserverNamespace } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import { platformNames, RELEASES } from '../../model/platform';
import { homeserverSecretDeclarations } from '../../workloads/secrets';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { bootstrapLdif } from '../integration/support/homeserver';
import { requireRoot } from '../support/sandbox';
import { definitionChanges, DeploymentUnderTest } from './support/deployment-under-test';
import { EngineReport } from './support/engine-report';
import { ensureOperatorBinaries, KUBERNETES_VERSION } from './support/engine-tools';
import { startWorld, type EngineWorld } from './support/engine-world';
import { constantSecretFiles, isolationObjectsAsSynthesized, secretsBeyondTerraform } from './support/evidence';
import { eventually, type KubeObject } from './support/kube-client';
import { keptNamespaces, OpenBaoOperator, retireKeptNamespaces, sealKeyBackup } from './support/operator-tasks';
import { API, decode, listIn, notReady, podsReady, signedBy } from './support/platform-checks';
import type { Pod } from './support/pod-runner/pod-types';
import { BARMAN_CLOUD_PLUGIN, CLUSTER_NAME, clusters, proveCloudnativePg } from './support/postgres-operator-checks';
import { verdictMessage } from './support/scanner-findings';
import { tierConfig } from './support/tier-config';
import { EXCEPTIONS_FILE, scanWorkloads } from './support/workload-scan';

const DEPLOYMENT = 'matrix';
const HOMESERVER = 'agency';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-default-'));
const report = new EngineReport('default-deployment');
let world: EngineWorld;
let deployment: DeploymentUnderTest;

const names = platformNames(DEPLOYMENT);
const compartmentNamespaces = HOMESERVER_COMPARTMENTS.map((compartment) => homeserverNamespace(HOMESERVER, compartment));
const deploymentNamespaces = [...Object.values(names.namespaces), ...compartmentNamespaces];

function writeConfig(edit?: (config: Record<string, unknown>) => void): string {
  const file = path.join(root, 'default.yaml');
  fs.writeFileSync(
    file,
    tierConfig(DEFAULT_CONFIG_FILE, {
      kubeconfig: world.cluster.kubeconfig,
      chartRepository: world.chartRepository,
      charts: world.charts,
      state: { backend: 'local', directory: 'state' },
      edit,
    }),
  );
  return file;
}

beforeAll(async () => {
  requireRoot();
  world = await startWorld(path.join(root, 'world'), {
    deploymentNames: [DEPLOYMENT],
    storageClass: 'encrypted-retain',
    volumesPerAccessMode: 4,
  });
  deployment = new DeploymentUnderTest(path.join(root, 'deployment'), writeConfig(), world.tofu);
  deployment.synth();
}, 90 * 60_000);

afterAll(async () => {
  if (world) {
    console.log(report.write(world.tofu.timings));
    if (world.runner.errors.length > 0) console.warn(`pod runner: ${world.runner.errors.slice(0, 20).join('\n')}`);
    await world.stop();
    report.keepLogs(world.cluster.tier.directory);
  }
  if (process.env.ENGINE_KEEP) console.warn(`engine proof files kept in ${root}`);
  else fs.rmSync(root, { recursive: true, force: true });
}, 10 * 60_000);

const stackOrder = () => deployment.stacks;

it('synthesizes the 10 stacks of the default deployment, audited clean', () => {
  expect(stackOrder()).toEqual([
    'matrix-platform',
    'matrix-secret-store',
    'matrix-secret-generation',
    'agency-directory',
    'agency-identity',
    'agency-homeserver',
    'agency-media',
    'agency-client',
    'agency-calls',
    'agency-gateway',
  ]);
});

it('tofu init installs only the providers built from source, and tofu validate passes on every stack', async () => {
  for (const stack of stackOrder()) {
    const init = await deployment.init(stack);
    // Not an empty directory: init found the configuration and installed its providers from the mirror.
    expect(init.stdout).toContain('Installed hashicorp/kubernetes v2.38.0');
    const validation = await deployment.validate(stack);
    expect({ stack, diagnostics: validation.diagnostics }).toEqual({ stack, diagnostics: [] });
    expect(validation.valid).toBe(true);
  }
});

it('applies every stack in dependency order, every helm_release installed from the chart repository', async () => {
  const wall = await report.time('apply (all stacks, in order)', () =>
    deployment.forEachStack(async (stack) => {
      const changes = await deployment.apply(stack);
      expect(changes.every((change) => change.actions.includes('create'))).toBe(true);
    }),
  );
  report.fact('whole deploy wall time (s)', (wall / 1000).toFixed(1));
  const fetched = fs.readFileSync(world.chartLog, 'utf8');
  for (const chart of ['cert-manager', 'trust-manager', 'external-secrets', 'openbao'])
    expect(fetched).toMatch(new RegExp(`GET /${chart}-[^ ]+\\.tgz 200`));
});

it("cert-manager issued every Certificate, each of the deployment's from the internal CA", async () => {
  const all = await listIn(world.cluster.kube, deploymentNamespaces, API.certificates);
  expect(notReady(all)).toEqual([]);
  // The charts' own webhook certificates (trust-manager's) come from their own issuers.
  const certificates = all.filter(
    (certificate) => (certificate.spec as { issuerRef?: { name?: string } }).issuerRef?.name === names.internalCaIssuer,
  );
  expect(certificates.length).toBeGreaterThanOrEqual(6);
  const caSecret = await world.cluster.kube.get<KubeObject & { data?: Record<string, string> }>(
    API.secret(names.namespaces['cert-manager'], names.internalCaSecret),
  );
  const caPem = decode(caSecret ?? { metadata: { name: '' } }, 'tls.crt');
  expect(caPem).toContain('BEGIN CERTIFICATE');
  for (const certificate of certificates) {
    const secretName = (certificate.spec as { secretName: string }).secretName;
    const secret = await world.cluster.kube.get<KubeObject & { data?: Record<string, string> }>(
      API.secret(certificate.metadata.namespace ?? '', secretName),
    );
    const leaf = decode(secret ?? { metadata: { name: '' } }, 'tls.crt');
    if (secretName === names.internalCaSecret) continue;
    expect({ certificate: certificate.metadata.name, signedByInternalCa: signedBy(leaf, caPem) }).toEqual({
      certificate: certificate.metadata.name,
      signedByInternalCa: true,
    });
  }
  report.fact('certificates issued', certificates.length);
});

it('the API server calls the real admission webhooks, which refuse invalid objects and say why', async () => {
  const kube = world.cluster.kube;
  const namespace = compartmentNamespaces[3] ?? '';
  const certificate = await kube.request<{ message?: string }>('POST', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'no-names' },
    spec: { secretName: 'no-names', issuerRef: { name: names.internalCaIssuer, kind: 'ClusterIssuer', group: 'cert-manager.io' } },
  });
  expect(certificate.status).toBe(403);
  expect(certificate.body.message).toContain('admission webhook "webhook.cert-manager.io" denied the request');
  expect(certificate.body.message).toContain('at least one of commonName');
  const external = await kube.request<{ message?: string }>(
    'POST',
    `/apis/external-secrets.io/v1/namespaces/${namespace}/externalsecrets`,
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'nothing-to-fetch' },
      spec: { secretStoreRef: { name: 'openbao', kind: 'SecretStore' }, target: { name: 'nothing' } },
    },
  );
  expect(external.status).toBeGreaterThanOrEqual(400);
  expect(external.body.message).toMatch(/admission webhook "validate\.externalsecret\.external-secrets\.io" denied the request/);
});

it('trust-manager wrote the CA certificate (and nothing else) into every namespace of the deployment', async () => {
  for (const namespace of deploymentNamespaces) {
    const bundle = await eventually(`bundle in ${namespace}`, 60_000, () =>
      world.cluster.kube.get<KubeObject & { data?: Record<string, string> }>(API.configMap(namespace, names.trustBundle)),
    );
    expect(Object.keys(bundle.data ?? {})).toEqual(['ca.crt']);
    expect(bundle.data?.['ca.crt']).toContain('BEGIN CERTIFICATE');
    expect(bundle.data?.['ca.crt']).not.toContain('PRIVATE KEY');
  }
});

it('OpenBao initialised itself and is unsealed; the configurator Job ran only once OpenBao was ready, and succeeded', async () => {
  const operator = await OpenBaoOperator.connect(world, ensureOperatorBinaries().bao, DEPLOYMENT);
  expect(await operator.status()).toMatchObject({ initialized: true, sealed: false, type: 'static' });
  const openbaoPod = await world.cluster.kube.get<Pod>(`/api/v1/namespaces/${names.namespaces.openbao}/pods/${RELEASES.openbao}-0`);
  const readySince = Date.parse(openbaoPod?.status?.conditions?.find((condition) => condition.type === 'Ready')?.lastTransitionTime ?? '');
  const jobPods = await world.cluster.kube.list<Pod>(`/api/v1/namespaces/${names.namespaces.openbao}/pods?labelSelector=job-name`);
  expect(jobPods.length).toBeGreaterThan(0);
  for (const pod of jobPods) {
    expect(pod.status?.phase).toBe('Succeeded');
    expect(Date.parse(pod.metadata.creationTimestamp ?? '')).toBeGreaterThanOrEqual(readySince - 1000);
  }
  const configuratorRuns = world.runner.records.filter(
    (record) => record.namespace === names.namespaces.openbao && record.pod.startsWith('openbao-configurator'),
  );
  expect(configuratorRuns.map((run) => run.exitCode)).toEqual([0]);
});

it('External Secrets generated every value into OpenBao and delivered every Secret, operator-provided ones after the documented procedure', async () => {
  const kube = world.cluster.kube;
  const pushSecrets = await listIn(kube, [names.namespaces['secret-generation']], API.pushSecrets);
  expect(pushSecrets.length).toBeGreaterThan(0);
  await eventually('every PushSecret synced', 120_000, async () =>
    notReady(await listIn(kube, [names.namespaces['secret-generation']], API.pushSecrets)).length === 0 ? true : undefined,
  );

  // The operator provides the directory's bootstrap entries, as docs/operations.md says.
  const operator = await OpenBaoOperator.connect(world, ensureOperatorBinaries().bao, DEPLOYMENT);
  const token = await operator.login(DEPLOYMENT, HOMESERVER);
  const homeserver = loadDeploymentConfig(deployment.configFile).homeservers[0];
  if (!homeserver) throw new Error('no homeserver');
  const put = await operator.putProvided(token, HOMESERVER, 'ldap-bootstrap', {
    ldif: bootstrapLdif(homeserver, [{ uid: 'alice', mail: 'alice@agency.example.org', member: true, password: 'not-a-real-password-0' }]),
  });
  expect(put.stderr).toBe('');
  // Every other provided value (the backup store's access keys): fresh random strings, the same way.
  for (const declaration of homeserverSecretDeclarations(homeserver)) {
    if (declaration.source.kind !== 'provided' || declaration.name === 'ldap-bootstrap') continue;
    const values = Object.fromEntries(Object.keys(declaration.source.values).map((key) => [key, randomBytes(24).toString('base64url')]));
    expect((await operator.putProvided(token, HOMESERVER, declaration.name, values)).stderr).toBe('');
  }
  expect((await operator.revoke(token)).status).toBe(0);
  // What the operator's token may not do: read a generated value.
  const token2 = await operator.login(DEPLOYMENT, HOMESERVER);
  const forbidden = await operator.run(['kv', 'get', '-mount=matrix', `${HOMESERVER}/synapse-keys`], token2);
  expect(forbidden.status).not.toBe(0);
  expect(forbidden.stderr).toMatch(/permission denied|403/);
  await operator.revoke(token2);

  for (const external of await listIn(kube, compartmentNamespaces, API.externalSecrets)) {
    await kube.mergePatch(`${API.externalSecrets(external.metadata.namespace ?? '')}/${external.metadata.name}`, {
      metadata: { annotations: { 'force-sync': String(Date.now()) } },
    });
  }
  await eventually(
    'every ExternalSecret synced',
    180_000,
    async () => (notReady(await listIn(kube, compartmentNamespaces, API.externalSecrets)).length === 0 ? true : undefined),
    2_000,
  );
  const externalSecrets = await listIn(kube, compartmentNamespaces, API.externalSecrets);
  for (const external of externalSecrets) {
    const target = (external.spec as { target?: { name?: string } }).target?.name ?? external.metadata.name;
    expect(await kube.get(API.secret(external.metadata.namespace ?? '', target))).toBeDefined();
  }
  report.fact('ExternalSecrets synced', externalSecrets.length);
  report.fact('PushSecrets synced', pushSecrets.length);
});

it('every pod of the deployment is admitted under Pod Security "restricted" and ready; a privileged pod template is refused', async () => {
  const kube = world.cluster.kube;
  for (const namespace of deploymentNamespaces) {
    const labels = (await kube.get(`/api/v1/namespaces/${namespace}`))?.metadata.labels ?? {};
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  }
  const pods = await podsReady(kube, deploymentNamespaces, 180_000);
  report.fact('pods admitted and ready (or completed)', pods.length);
  report.fact(
    'pods run for real by the pod runner',
    new Set(world.runner.records.map((record) => `${record.namespace}/${record.pod}`)).size,
  );
  expect(pods.length).toBeGreaterThanOrEqual(14);

  const namespace = compartmentNamespaces[1] ?? '';
  const planted = await kube.create(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'planted-privileged' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { planted: 'yes' } },
      template: {
        metadata: { labels: { planted: 'yes' } },
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'c',
              image: 'registry.invalid/c:1',
              securityContext: { privileged: true },
              resources: { limits: { cpu: '100m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  });
  const refusal = await eventually('the ReplicaSet reports the refusal', 60_000, async () => {
    const sets = await kube.list<KubeObject & { status?: { conditions?: { type: string; message?: string }[] } }>(
      `/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=planted%3Dyes`,
    );
    return sets.flatMap((set) => set.status?.conditions ?? []).find((condition) => condition.type === 'ReplicaFailure')?.message;
  });
  expect(refusal).toContain('violates PodSecurity "restricted:v1.33"');
  expect(refusal).toContain('privileged');
  expect(await kube.list(`/api/v1/namespaces/${namespace}/pods?labelSelector=planted%3Dyes`)).toEqual([]);
  await kube.delete(`/apis/apps/v1/namespaces/${namespace}/deployments/${planted.metadata.name}`, { propagationPolicy: 'Foreground' });
});

it('namespaces, NetworkPolicies, ResourceQuotas and LimitRanges exist in the cluster exactly as synthesized', async () => {
  const checks = await isolationObjectsAsSynthesized(world.cluster.kube, deployment);
  expect(checks.filter((check) => check.problems.length > 0)).toEqual([]);
  report.fact('isolation objects compared', checks.length);
  expect(checks.filter((check) => check.kind === 'NetworkPolicy').length).toBeGreaterThan(20);
});

it('no Secret holds a value that came from Terraform, and no state holds a Secret value', async () => {
  const texts = deployment.synthesizedTexts();
  const stateDirectory = path.join(deployment.directory, 'state');
  const states = fs.readdirSync(stateDirectory).map((file) => fs.readFileSync(path.join(stateDirectory, file), 'utf8'));
  expect(states.length).toBe(deployment.stacks.length);
  const constants = constantSecretFiles(loadDeploymentConfig(deployment.configFile));
  const findings = await secretsBeyondTerraform(world.cluster.kube, deploymentNamespaces, [...texts, ...states], constants);
  expect(findings.seenByTerraform).toEqual([]);
  expect(findings.writtenByTerraform).toEqual([]);
  expect(findings.leakedIntoReleases).toEqual([]);
  expect(findings.valuesChecked).toBeGreaterThan(20);
  report.fact('Secret values checked against states and stacks', findings.valuesChecked);
});

it("CloudNativePG's webhooks are called by the API server, it reconciles the homeserver's Cluster, and it loaded the barman-cloud plugin", async () => {
  const facts = await report.time('PostgreSQL operator checks', () =>
    proveCloudnativePg(world.cluster.kube, homeserverNamespace(HOMESERVER, 'homeserver'), 'encrypted-retain'),
  );
  report.fact('PostgreSQL Cluster applied by', facts.fromStacks ? 'the homeserver stack' : 'the check itself (the stacks hold none)');
  expect(facts.refusal).toMatch(/^4\d\d .*admission webhook "vcluster\.cnpg\.io" denied the request.*Size not configured/s);
  // The defaulting webhook fills the bootstrap section (initdb) where the Cluster has none.
  expect(facts.defaulted).toEqual(expect.any(String));
  expect(facts.services).toEqual(expect.arrayContaining([`${CLUSTER_NAME}-rw`, `${CLUSTER_NAME}-ro`, `${CLUSTER_NAME}-r`]));
  expect(facts.claims.some((claim) => claim.startsWith(`${CLUSTER_NAME}-1`))).toBe(true);
  expect(facts.jobs.some((job) => job.endsWith('-initdb'))).toBe(true);
  expect(facts.plugins).toContain(BARMAN_CLOUD_PLUGIN);
});

it('an independent scanner (kube-score) finds nothing critical in the applied workloads but those its exception table accepts (justified, or known defects awaiting their fix), and no entry is stale', async () => {
  const scan = await report.time('kube-score scan', () =>
    scanWorkloads(world.cluster.kube, deploymentNamespaces, {
      kubernetesVersion: KUBERNETES_VERSION.split('.').slice(0, 2).join('.'),
      evidenceDirectory: report.evidenceDirectory('kube-score'),
    }),
  );
  console.log(scan.summary);
  report.fact('kube-score', scan.summary);
  for (const count of scan.counts)
    report.fact(
      `kube-score ${count.check}`,
      `${count.critical} critical (${count.justified} justified, ${count.awaiting} awaiting a fix), ${count.warning} warning`,
    );
  expect(scan.objectsByKind).toMatchObject({
    Deployment: expect.any(Number),
    StatefulSet: expect.any(Number),
    NetworkPolicy: expect.any(Number),
  });
  // Printed as it is, so whoever merges a workload change can paste the new entries or delete the stale ones.
  const changes = verdictMessage(scan.verdict, EXCEPTIONS_FILE);
  if (changes !== '') console.error(changes);
  expect(changes).toBe('');
});

it('re-plans every stack with no changes (no perpetual diff)', async () => {
  expect(await report.time('re-plan (all stacks)', () => deployment.planAll(2))).toEqual({});
});

it('a rate-limit change plans exactly the resources whose definition changed (the gateway configuration and its rollout), and applies', async () => {
  const before = deployment.definitions();
  deployment = new DeploymentUnderTest(
    deployment.directory,
    writeConfig((config) => {
      const homeservers = config.homeservers as { gateway: Record<string, unknown> }[];
      const first = homeservers[0];
      if (first) first.gateway.rateLimit = { requestsPer10s: 200, loginRequestsPer10s: 3 };
    }),
    world.tofu,
  );
  deployment.synth();
  const expected = Object.fromEntries(definitionChanges(before, deployment.definitions()));
  expect(Object.keys(expected)).toEqual(['agency-gateway']);
  const planned: Record<string, string[]> = {};
  const actions: string[] = [];
  await deployment.forEachStack(
    async (stack) => {
      const plan = await deployment.plan(stack);
      if (plan.changes.length > 0) planned[stack] = plan.changes.map((change) => change.address).sort();
      actions.push(...plan.changes.map((change) => `${change.address} ${change.actions.join('+')}`));
    },
    { parallelism: 2 },
  );
  expect(planned).toEqual(expected);
  expect(actions.every((line) => / update$/.test(line))).toBe(true);
  await report.time('apply the change', () => world.tofu.applyPlan(deployment.stackDirectory('agency-gateway')));
  expect((await deployment.plan('agency-gateway')).exitCode).toBe(0);
});

it('an ordinary destroy of any stack cannot delete the seal key; the documented retirement removes everything else, in reverse order', async () => {
  const kube = world.cluster.kube;
  // 1. Ordinary destroys are refused where the protected objects live, and change nothing.
  for (const stack of ['matrix-platform', 'matrix-secret-store']) {
    const refused = await deployment.destroy(stack, [1]);
    expect(refused.stderr).toContain('prevent_destroy');
  }
  expect(await kube.get(API.secret(names.namespaces.openbao, names.openbaoSealSecret))).toBeDefined();

  // 2. The retirement procedure: back up the key, forget the protected objects, destroy in reverse order.
  const backup = await sealKeyBackup(world, DEPLOYMENT);
  const released = await deployment.releaseProtected();
  expect(released.length).toBe(deployment.stacks.reduce((count, stack) => count + deployment.protectedAddresses(stack).length, 0));
  expect(backup).toMatch(/^[A-Za-z0-9]{43}$/);
  const wall = await report.time('destroy (all stacks, reverse order)', () =>
    deployment.forEachStack(
      async (stack) => {
        await deployment.destroy(stack);
      },
      { reverse: true },
    ),
  );
  report.fact('whole destroy wall time (s)', (wall / 1000).toFixed(1));

  // 3. What the procedure kept: the OpenBao namespace with the seal key, and the homeserver namespace with its
  //    database cluster (and its volumes); everything else is gone.
  expect(decode((await kube.get(API.secret(names.namespaces.openbao, names.openbaoSealSecret))) ?? { metadata: { name: '' } }, 'key')).toBe(
    backup,
  );
  const config = loadDeploymentConfig(deployment.configFile);
  const kept = keptNamespaces(config);
  expect(await kube.get(`${clusters(homeserverNamespace(HOMESERVER, 'homeserver'))}/${CLUSTER_NAME}`)).toBeDefined();
  for (const namespace of deploymentNamespaces.filter((candidate) => !kept.includes(candidate))) {
    await eventually(
      `namespace ${namespace} deleted`,
      180_000,
      async () => ((await kube.get(`/api/v1/namespaces/${namespace}`)) ? undefined : true),
      2_000,
    );
  }
  // 4. Deleting the kept namespaces is the operator's deliberate last step, by hand (docs/operations.md).
  await retireKeptNamespaces(world, config);
  for (const stack of deployment.stacks) {
    const state = JSON.parse(fs.readFileSync(path.join(deployment.directory, 'state', `${stack}.tfstate`), 'utf8')) as {
      resources: unknown[];
    };
    expect({ stack, resources: state.resources }).toEqual({ stack, resources: [] });
  }
});
