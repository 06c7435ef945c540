/**
 * Engine proof, the federated fleet (config/examples/fleet.yaml: three homeservers, one with
 * an S3 media store, one with SMTP, a mirrored registry) on the `pg` state backend against a
 * real PostgreSQL: every stack applied by OpenTofu (independent stacks side by side), one
 * schema per stack, re-planned empty; then a fourth homeserver added with the user's own
 * command (`cdktf deploy '*'`), which must touch exactly what the synthesized definitions
 * changed; then retired as docs/operations.md says.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { homeserverCompartments, homeserverNamespace } from '../../model/compartments';
import { loadDeploymentConfig } from '../../model/load-config';
import { platformNames } from '../../model/platform';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { requireRoot } from '../support/sandbox';
import { cdktfDeploy } from './support/cdktf-cli';
import { definitionChanges, DeploymentUnderTest } from './support/deployment-under-test';
import { EngineReport } from './support/engine-report';
import { ensureOperatorBinaries } from './support/engine-tools';
import { startWorld, type EngineWorld } from './support/engine-world';
import { constantSecretFiles, isolationObjectsAsSynthesized, secretsBeyondTerraform } from './support/evidence';
import { eventually } from './support/kube-client';
import { keptNamespaces, provideOperatorValues, retireKeptNamespaces, sealKeyBackup } from './support/operator-tasks';
import { API, listIn, notReady, podsReady } from './support/platform-checks';
import { CLUSTER_NAME, clusters } from './support/postgres-operator-checks';
import { createSiteIssuer } from './support/site';
import { startStateDatabase, type StateDatabase } from './support/state-database';
import { tierConfig } from './support/tier-config';

const DEPLOYMENT = 'fleet';
const SCHEMA_PREFIX = 'engine_fleet';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-fleet-'));
const report = new EngineReport('fleet-deployment');
let world: EngineWorld;
let database: StateDatabase;
let deployment: DeploymentUnderTest;

const names = platformNames(DEPLOYMENT);
const NEW_HOMESERVER = {
  name: 'council',
  serverName: 'matrix.council.example.org',
  allowedEmailDomains: ['council.example.org'],
  federation: { enabled: true },
  directory: {
    baseDn: 'dc=council,dc=example,dc=org',
    usersDn: 'ou=people,dc=council,dc=example,dc=org',
    admissionGroup: 'cn=matrix-users,ou=groups,dc=council,dc=example,dc=org',
    bindDn: 'cn=synapse-reader,ou=services,dc=council,dc=example,dc=org',
  },
  gateway: { exposure: 'NodePort', ingressCidrs: ['203.0.113.0/24'] },
};

function writeConfig(edit?: (config: Record<string, unknown>) => void): string {
  const file = path.join(root, 'fleet.yaml');
  fs.writeFileSync(
    file,
    tierConfig(FLEET_CONFIG_FILE, {
      kubeconfig: world.cluster.kubeconfig,
      chartRepository: world.chartRepository,
      charts: world.charts,
      state: { backend: 'pg', schemaPrefix: SCHEMA_PREFIX },
      edit,
    }),
  );
  return file;
}

function namespacesOf(configFile: string): string[] {
  const config = loadDeploymentConfig(configFile);
  return [
    ...Object.values(names.namespaces),
    ...config.homeservers.flatMap((homeserver) =>
      homeserverCompartments(homeserver).map((compartment) => homeserverNamespace(homeserver.name, compartment)),
    ),
  ];
}

beforeAll(async () => {
  requireRoot();
  world = await startWorld(path.join(root, 'world'), {
    deploymentNames: [DEPLOYMENT],
    storageClass: 'encrypted-retain',
    volumesPerAccessMode: 16,
  });
  database = await startStateDatabase(world.cluster.tier);
  // The engine reads the connection string from the environment; it is never in the config or the JSON.
  world.tofu.env.PG_CONN_STR = database.connectionString;
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
  if (database) fs.rmSync(database.directory, { recursive: true, force: true });
  if (process.env.ENGINE_KEEP) console.warn(`engine proof files kept in ${root}`);
  else fs.rmSync(root, { recursive: true, force: true });
}, 10 * 60_000);

it('synthesizes the 19 stacks of the fleet', () => {
  expect(deployment.stacks).toHaveLength(19);
});

it('initializes and validates every stack on the pg backend', async () => {
  await report.time('init + validate (all stacks)', () =>
    deployment.forEachStack(
      async (stack) => {
        await deployment.init(stack);
        expect((await deployment.validate(stack)).diagnostics).toEqual([]);
      },
      { parallelism: 3 },
    ),
  );
});

it('applies every stack, independent homeservers side by side', async () => {
  const wall = await report.time('apply (all stacks)', () =>
    deployment.forEachStack(
      async (stack) => {
        await deployment.apply(stack);
        if (stack === `${DEPLOYMENT}-platform`) await createSiteIssuer(world.cluster);
      },
      { parallelism: 3 },
    ),
  );
  report.fact('whole deploy wall time, 19 stacks, 3 at a time (s)', (wall / 1000).toFixed(1));
});

it('keeps one state per stack, each in its own PostgreSQL schema', async () => {
  const schemas = (
    await database.query(`select schema_name from information_schema.schemata where schema_name like '${SCHEMA_PREFIX}%' order by 1`)
  ).map(([name]) => name ?? '');
  expect(schemas).toHaveLength(deployment.stacks.length);
  expect(new Set(schemas).size).toBe(schemas.length);
  for (const schema of schemas) expect(await database.query(`select count(*) from "${schema}".states`)).toEqual([['1']]);
});

it('the operators issued, distributed, generated and delivered everything', async () => {
  const kube = world.cluster.kube;
  const namespaces = namespacesOf(deployment.configFile);
  const provided = await provideOperatorValues(world, ensureOperatorBinaries().bao, loadDeploymentConfig(deployment.configFile));
  report.fact('operator-provided values written', provided);
  for (const external of await listIn(kube, namespaces, API.externalSecrets)) {
    await kube.mergePatch(`${API.externalSecrets(external.metadata.namespace ?? '')}/${external.metadata.name}`, {
      metadata: { annotations: { 'force-sync': String(Date.now()) } },
    });
  }
  await eventually(
    'every Certificate, PushSecret and ExternalSecret ready',
    240_000,
    async () => {
      const pending = notReady([
        ...(await listIn(kube, namespaces, API.certificates)),
        ...(await listIn(kube, namespaces, API.pushSecrets)),
        ...(await listIn(kube, namespaces, API.externalSecrets)),
      ]);
      return pending.length === 0 ? true : undefined;
    },
    2_000,
  );
  const pods = await podsReady(kube, namespaces, 180_000);
  report.fact('pods admitted and ready (or completed)', pods.length);
});

it('has every isolation object as synthesized, and no Secret value in any stack or state', async () => {
  const checks = await isolationObjectsAsSynthesized(world.cluster.kube, deployment);
  expect(checks.filter((check) => check.problems.length > 0)).toEqual([]);
  const stateTexts: string[] = [];
  for (const [schema] of await database.query(
    `select schema_name from information_schema.schemata where schema_name like '${SCHEMA_PREFIX}%'`,
  )) {
    for (const [data] of await database.query(`select data from "${schema}".states`)) stateTexts.push(data ?? '');
  }
  const texts = deployment.synthesizedTexts();
  const constants = constantSecretFiles(loadDeploymentConfig(deployment.configFile));
  const findings = await secretsBeyondTerraform(
    world.cluster.kube,
    namespacesOf(deployment.configFile),
    [...texts, ...stateTexts],
    constants,
  );
  expect(findings.seenByTerraform).toEqual([]);
  expect(findings.writtenByTerraform).toEqual([]);
  expect(findings.leakedIntoReleases).toEqual([]);
  report.fact('Secret values checked against states and stacks', findings.valuesChecked);
});

it('re-plans every stack with no changes', async () => {
  expect(await report.time('re-plan (all stacks)', () => deployment.planAll(3))).toEqual({});
});

it('adds a homeserver with `cdktf deploy`: the plans touch exactly what the synthesized definitions changed, then every stack re-plans empty', async () => {
  const before = deployment.definitions();
  const configFile = writeConfig((config) => {
    (config.homeservers as unknown[]).push(NEW_HOMESERVER);
  });
  deployment.synth();
  const expected = definitionChanges(before, deployment.definitions());
  expect([...expected.keys()].filter((stack) => stack.startsWith(`${NEW_HOMESERVER.name}-`)).sort()).toEqual([
    'council-directory',
    'council-gateway',
    'council-homeserver',
    'council-identity',
    'council-media',
  ]);
  const planned = new Map<string, string[]>();
  const replaced: string[] = [];
  await deployment.forEachStack(
    async (stack) => {
      await deployment.init(stack);
      const plan = await deployment.plan(stack);
      if (plan.changes.length > 0) planned.set(stack, plan.changes.map((change) => change.address).sort());
      replaced.push(...plan.changes.filter((change) => change.actions.includes('delete')).map((change) => change.address));
    },
    { parallelism: 3, only: deployment.stacks.filter((stack) => !stack.startsWith(`${NEW_HOMESERVER.name}-`)) },
  );
  const existingExpected = new Map([...expected].filter(([stack]) => !stack.startsWith(`${NEW_HOMESERVER.name}-`)));
  expect(Object.fromEntries(planned)).toEqual(Object.fromEntries(existingExpected));
  // A Job's pod template is immutable: the configurator is the one object replaced to re-run with the new declarations.
  expect(replaced.filter((address) => !address.startsWith('kubernetes_job_v1.openbao-configurator'))).toEqual([]);
  report.fact('stacks changed by adding a homeserver', [...expected.keys()].join(', '));

  const deploy = await report.time('cdktf deploy (add a homeserver)', () =>
    cdktfDeploy(world, { configFile, outdir: deployment.outdir, env: { PG_CONN_STR: database.connectionString }, parallelism: 3 }),
  );
  // The CLI synthesized the output again: every stack directory is new.
  deployment.forgetInitialization();
  fs.writeFileSync(path.join(world.cluster.tier.directory, 'logs', 'cdktf-deploy.log'), `${deploy.stdout}\n${deploy.stderr}`);
  if (deploy.status !== 0)
    throw new Error(`cdktf deploy exited ${deploy.status}:\n${deploy.stderr.slice(-6000) || deploy.stdout.slice(-6000)}`);
  await provideOperatorValues(world, ensureOperatorBinaries().bao, {
    ...loadDeploymentConfig(configFile),
    homeservers: loadDeploymentConfig(configFile).homeservers.filter((homeserver) => homeserver.name === NEW_HOMESERVER.name),
  });
  expect(await deployment.planAll(3)).toEqual({});
});

it('retires the fleet as docs/operations.md says: the seal key survives until the deliberate last step', async () => {
  const kube = world.cluster.kube;
  const backup = await sealKeyBackup(world, DEPLOYMENT);
  const released = await deployment.releaseProtected();
  expect(released.length).toBe(deployment.stacks.reduce((count, stack) => count + deployment.protectedAddresses(stack).length, 0));
  const wall = await report.time('destroy (all stacks, reverse order)', () =>
    deployment.forEachStack(
      async (stack) => {
        await deployment.destroy(stack);
      },
      { reverse: true, parallelism: 3 },
    ),
  );
  report.fact('whole destroy wall time (s)', (wall / 1000).toFixed(1));
  expect(await sealKeyBackup(world, DEPLOYMENT)).toBe(backup);
  const config = loadDeploymentConfig(deployment.configFile);
  const kept = keptNamespaces(config);
  // Each homeserver's database survived the destroys (BAK-05); deleting it is the deliberate last step.
  for (const homeserver of config.homeservers)
    expect(await kube.get(`${clusters(homeserverNamespace(homeserver.name, 'homeserver'))}/${CLUSTER_NAME}`)).toBeDefined();
  for (const namespace of namespacesOf(deployment.configFile).filter((candidate) => !kept.includes(candidate))) {
    await eventually(
      `namespace ${namespace} deleted`,
      180_000,
      async () => ((await kube.get(`/api/v1/namespaces/${namespace}`)) ? undefined : true),
      2_000,
    );
  }
  await retireKeptNamespaces(world, config);
  for (const [schema] of await database.query(
    `select schema_name from information_schema.schemata where schema_name like '${SCHEMA_PREFIX}%'`,
  )) {
    const [[data] = []] = await database.query(`select data from "${schema}".states`);
    expect({ schema, resources: (JSON.parse(data ?? '{}') as { resources?: unknown[] }).resources }).toEqual({ schema, resources: [] });
  }
});
