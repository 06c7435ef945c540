/**
 * Everything one engine-proof scenario runs against, started in order: the tools (built from
 * source once per machine), the cluster, what the site provides, the chart repository, the
 * pod runner for the platform's real pods, and OpenTofu configured for all of it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { platformNames } from '../../../model/platform';
import { prometheusOperatorCrdFiles } from '../../support/kube-tools';
import type { SandboxProcess } from '../../support/sandbox';
import { startCluster, type Cluster } from './control-plane';
import {
  CHART_PACKAGES,
  ensureChartPackages,
  ensureEngineTool,
  ensureOperatorBinaries,
  ensureProviderMirror,
  providerMirror,
} from './engine-tools';
import { eventually } from './kube-client';
import type { NodeCapacity } from './kwok-stages';
import { operatorImages } from './operator-images';
import { certificateAuthority, issue } from './pki';
import { PodRunner } from './pod-runner/runner';
import { prepareSite } from './site';
import type { ChartVersions } from './tier-config';
import { TofuRunner } from './tofu-runner';

/** Where the chart repository listens inside the tier. */
export const CHART_REPOSITORY = { host: '127.0.0.1', port: 8443 } as const;

export interface EngineWorld {
  readonly cluster: Cluster;
  readonly runner: PodRunner;
  readonly tofu: TofuRunner;
  readonly tofuBinary: string;
  readonly chartRepository: string;
  readonly charts: ChartVersions;
  readonly repositoryCa: string;
  readonly chartLog: string;
  readonly repository: SandboxProcess;
  readonly directory: string;
  stop(): Promise<void>;
}

export interface WorldOptions {
  /** The deployment names whose platform pods run for real. */
  readonly deploymentNames: readonly string[];
  readonly storageClass: string;
  readonly volumesPerAccessMode: number;
  /** The simulated node's capacity, for fleets larger than the default node holds. */
  readonly nodeCapacity?: NodeCapacity;
}

/** The platform namespaces whose pods the runner runs: everything but secret generation (no pods). */
export function realNamespaces(deploymentNames: readonly string[]): string[] {
  return deploymentNames.flatMap((name) => {
    const { namespaces } = platformNames(name);
    return [namespaces['cert-manager'], namespaces['external-secrets'], namespaces.openbao, namespaces['postgres-operator']];
  });
}

export async function startWorld(directory: string, options: WorldOptions): Promise<EngineWorld> {
  fs.mkdirSync(directory, { recursive: true });
  const tofuBinary = ensureEngineTool('tofu');
  const mirror = providerMirror(directory, ensureProviderMirror());
  const binaries = ensureOperatorBinaries();
  const charts = ensureChartPackages();
  const namespaces = realNamespaces(options.deploymentNames);

  const cluster = await startCluster(path.join(directory, 'tier'), {
    realNamespaces: namespaces,
    ...(options.nodeCapacity ? { nodeCapacity: options.nodeCapacity } : {}),
  });
  let runner: PodRunner | undefined;
  try {
    await prepareSite(cluster, {
      storageClass: options.storageClass,
      volumesPerAccessMode: options.volumesPerAccessMode,
      crdFiles: prometheusOperatorCrdFiles(),
    });

    const pki = path.join(cluster.tier.directory, 'pki');
    const repositoryCa = certificateAuthority(pki, 'chart-repository-ca');
    const serving = issue(repositoryCa, pki, 'chart-repository', { commonName: 'chart-repository', ipAddresses: [CHART_REPOSITORY.host] });
    const repository = cluster.tier.start('chart-repository', process.execPath, [
      path.join(__dirname, 'chart-repository.cjs'),
      charts,
      serving.certificate,
      serving.key,
      CHART_REPOSITORY.host,
      String(CHART_REPOSITORY.port),
    ]);
    const chartLog = cluster.tier.logFile('chart-repository');
    await eventually('the chart repository', 15_000, async () => {
      cluster.tier.sandbox.assertRunning(repository);
      return fs.existsSync(chartLog) && fs.readFileSync(chartLog, 'utf8').includes('listening on') ? true : undefined;
    });

    runner = new PodRunner(cluster, { namespaces, images: operatorImages(binaries, path.join(directory, 'images')) });
    runner.start();

    // Go programs (the providers) trust exactly the repository CA for HTTPS (the API server's CA comes from the kubeconfig).
    const tofu = new TofuRunner(cluster.tier, tofuBinary, mirror, { SSL_CERT_FILE: repositoryCa.certificate });
    const started = runner;
    return {
      cluster,
      runner: started,
      tofu,
      tofuBinary,
      chartRepository: `https://${CHART_REPOSITORY.host}:${CHART_REPOSITORY.port}`,
      charts: {
        certManager: CHART_PACKAGES['cert-manager'].version,
        trustManager: CHART_PACKAGES['trust-manager'].version,
        externalSecrets: CHART_PACKAGES['external-secrets'].version,
        openbao: CHART_PACKAGES.openbao.version,
        cloudnativePg: CHART_PACKAGES['cloudnative-pg'].version,
        barmanCloud: CHART_PACKAGES['plugin-barman-cloud'].version,
      },
      repositoryCa: repositoryCa.certificate,
      chartLog,
      repository,
      directory,
      stop: async () => {
        await started.stop();
        await cluster.stop();
      },
    };
  } catch (error) {
    await runner?.stop();
    await cluster.stop();
    throw error;
  }
}
