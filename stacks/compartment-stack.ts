/**
 * One Terraform stack per compartment of one homeserver: the compartment baseline, its
 * workloads (each exposed as its spec says), and its side of the homeserver's flows.
 */
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { Compartment } from '../constructs/compartment';
import { IN_CLUSTER, mediaEntryPorts, servicePorts, type Exposure } from '../constructs/exposure';
import { HardenedCronJob } from '../constructs/hardened-cron-job';
import type { LongRunningWorkload } from '../constructs/long-running-workload';
import { longRunningWorkload } from '../constructs/long-running-workloads';
import { Manifest } from '../constructs/manifest';
import { SecretDelivery } from '../constructs/secret-delivery';
import { ServiceAccountAccess } from '../constructs/service-account-access';
import { homeserverCertificates } from '../model/certificates';
import { homeserverNamespace, type HomeserverCompartment } from '../model/compartments';
import type { Flow } from '../model/flows';
import { platformNames } from '../model/platform';
import { CLOUDNATIVE_PG_NAMESPACE_RULES, CLOUDNATIVE_PG_SERVICE_ACCOUNT } from '../model/postgres-operator';
import { deriveLimitRange, deriveQuota, workloadQuota, workloadServices } from '../model/quotas';
import { scheduledJobQuota } from '../model/scheduled-job';
import { compartmentStackName as stackNameOf } from '../model/stack-names';
import type { WorkloadSpec } from '../model/workload-spec';
import { leafCertificate } from '../render/manifests/certificates';
import { leafLifetimes, secretRefreshInterval } from '../render/manifests/lifetimes';
import { compartmentMonitoring } from '../render/monitoring/homeserver-monitoring';
import { workloadsIn } from '../workloads/catalogue';
import { databaseQuota, homeserverDatabase } from '../workloads/postgres-database';
import { homeserverSecretDeclarations } from '../workloads/secrets';
import { storeBackupJobsIn } from '../workloads/store-backups';
import { configureEngine } from './engine-settings';
import { TemplateSafeStack } from './template-safe-stack';

export interface CompartmentStackProps {
  readonly config: DeploymentConfig;
  readonly homeserver: HomeserverSettings;
  readonly compartment: HomeserverCompartment;
  /** The homeserver's flow matrix (model/flows.ts); the compartment allows its own side of it. */
  readonly flows: readonly Flow[];
}

export function compartmentStackName(homeserver: HomeserverSettings, compartment: HomeserverCompartment): string {
  return stackNameOf(homeserver.name, compartment);
}

/** The public entry point is reached from the gateway's client ranges; any other Service in-cluster only. */
function exposureOf(spec: WorkloadSpec, gateway: HomeserverSettings['gateway']): Exposure | undefined {
  if (spec.publicEntryPoint) return { reachableFrom: 'outside', through: gateway.exposure, sourceRanges: gateway.ingressCidrs };
  return servicePorts(spec).length > 0 ? IN_CLUSTER : undefined;
}

/** The SFU's media ports are published from the calls' client ranges, by the calls' own load balancer. */
function mediaExposureOf(homeserver: HomeserverSettings): Extract<Exposure, { reachableFrom: 'outside' }> | undefined {
  const media = homeserver.calls?.media;
  return media ? { reachableFrom: 'outside', through: media.exposure, sourceRanges: media.ingressCidrs } : undefined;
}

export class CompartmentStack extends TemplateSafeStack {
  readonly compartment: Compartment;
  readonly workloads: readonly LongRunningWorkload[];
  /** The store backup jobs of this compartment (the directory's, the media volume's). */
  readonly backupJobs: readonly HardenedCronJob[];
  /** The PostgreSQL operator's Role and binding here (homeserver compartment): every object of the cluster comes after them. */
  readonly postgresOperatorAccess: readonly ITerraformDependable[];

  constructor(scope: Construct, props: CompartmentStackProps) {
    const name = compartmentStackName(props.homeserver, props.compartment);
    super(scope, name);
    const { config, homeserver, compartment } = props;
    configureEngine(this, name, config);

    const namespace = homeserverNamespace(homeserver.name, compartment);
    const workloads = workloadsIn(config, homeserver, compartment);
    const exposed = workloads.map((spec) => ({ spec, exposure: exposureOf(spec, homeserver.gateway) }));
    const mediaExposure = mediaExposureOf(homeserver);
    // Each public Service with the number of ports it publishes: every port of it takes a node port.
    const publicEntryPoints = [
      ...exposed.flatMap(({ spec, exposure }) =>
        exposure?.reachableFrom === 'outside' ? [{ exposure, ports: servicePorts(spec).length }] : [],
      ),
      ...(mediaExposure
        ? workloads.flatMap((spec) =>
            spec.mediaEntryPoint?.length ? [{ exposure: mediaExposure, ports: mediaEntryPorts(spec).length }] : [],
          )
        : []),
    ];
    const database = compartment === 'homeserver' ? databaseQuota(homeserver) : undefined;
    const backupJobs = storeBackupJobsIn(config, homeserver, compartment);
    const quotaInputs = [...workloads.map(workloadQuota), ...(database ? [database.input] : []), ...backupJobs.map(scheduledJobQuota)];

    this.compartment = new Compartment(this, 'compartment', {
      kind: compartment,
      namespace,
      deploymentName: config.deploymentName,
      owner: { homeserverName: homeserver.name },
      kubernetes: config.kubernetes,
      quota: deriveQuota(quotaInputs, {
        loadBalancers: publicEntryPoints.filter((entry) => entry.exposure.through === 'LoadBalancer').length,
        // A LoadBalancer Service also allocates a node port, one per port it publishes.
        nodePorts: publicEntryPoints.reduce((total, entry) => total + entry.ports, 0),
        // Each workload's own, a StatefulSet's headless one; a backup job has none.
        services: workloadServices(workloads) + (database?.services ?? 0),
      }),
      limitRange: deriveLimitRange(quotaInputs),
      // Deleting the homeserver namespace deletes the database cluster and its volumes.
      preventDestroy: compartment === 'homeserver',
    });
    this.compartment.allow(props.flows);

    const names = platformNames(config.deploymentName);
    // The operator's watch list names this namespace (model/postgres-operator.ts); it may act here, nowhere else.
    this.postgresOperatorAccess =
      compartment === 'homeserver'
        ? new ServiceAccountAccess(this, 'cloudnative-pg-access', {
            name: CLOUDNATIVE_PG_SERVICE_ACCOUNT,
            namespace: this.compartment.namespaceName,
            labels: this.compartment.labels,
            rules: CLOUDNATIVE_PG_NAMESPACE_RULES,
            serviceAccount: { name: CLOUDNATIVE_PG_SERVICE_ACCOUNT, namespace: names.namespaces['postgres-operator'] },
          }).resources
        : [];
    const lifetimes = leafLifetimes(config);
    const certificates = homeserverCertificates(homeserver)
      .filter((certificate) => certificate.compartment === compartment)
      .map(
        (certificate) =>
          new Manifest(this, `certificate-${certificate.secretName}`, {
            object: leafCertificate(
              {
                name: certificate.secretName,
                namespace,
                dnsNames: certificate.dnsNames,
                issuer: certificate.issuer,
                combinedPem: certificate.combinedPem,
                usages: certificate.usages,
                ...(certificate.commonName ? { commonName: certificate.commonName } : {}),
              },
              names,
              lifetimes,
              this.compartment.labels,
            ),
            dependsOn: this.compartment.baseline,
          }),
      );
    const declarations = homeserverSecretDeclarations(homeserver).filter((declaration) => declaration.consumers.includes(compartment));
    const delivery =
      declarations.length > 0
        ? new SecretDelivery(this, 'secret-delivery', {
            namespace,
            homeserverName: homeserver.name,
            compartment,
            declarations,
            names,
            refreshInterval: secretRefreshInterval(config),
            labels: this.compartment.labels,
            dependsOn: this.compartment.baseline,
          })
        : undefined;

    // Pods start inside their policies, with their certificates and secrets on the way.
    const dependsOn = [
      ...this.compartment.baseline,
      ...certificates.map((certificate) => certificate.resource),
      ...(delivery ? delivery.secrets.map((secret) => secret.resource) : []),
    ];
    this.workloads = exposed.map(({ spec, exposure }) => {
      const workload = longRunningWorkload(this, {
        namespace: this.compartment.namespaceName,
        compartmentLabels: this.compartment.labels,
        spec,
        allowedRegistries: config.images.pullRegistries,
        storageClassName: config.storage.storageClassName,
        dependsOn,
      });
      if (exposure) workload.expose(exposure);
      if (spec.mediaEntryPoint?.length && mediaExposure) workload.exposeMedia(mediaExposure);
      return workload;
    });

    if (compartment === 'homeserver') this.database(config, homeserver, dependsOn);

    // Each store's backup job, after the secrets it reads and the workload whose volume it reads.
    this.backupJobs = backupJobs.map(
      (spec) =>
        new HardenedCronJob(this, spec.name, {
          namespace: this.compartment.namespaceName,
          compartmentLabels: this.compartment.labels,
          spec,
          allowedRegistries: config.images.pullRegistries,
          dependsOn: [...dependsOn, ...this.workloads.map((workload) => workload.resource)],
        }),
    );

    // Scraping and exfiltration alerts for the site's Prometheus Operator (its CRDs must exist before this stack is planned).
    compartmentMonitoring(config, homeserver, compartment, this.compartment.labels).forEach(
      (object) =>
        new Manifest(this, `monitoring-${object.kind.toLowerCase()}-${object.metadata.name}`, {
          object,
          dependsOn: this.compartment.baseline,
        }),
    );
  }

  /**
   * The CloudNativePG cluster, started inside its policies with its certificates and secrets, its
   * ObjectStore first (the WAL archiver it names) and the ScheduledBackup after it. An ordinary
   * destroy refuses to delete the Cluster: the operator would delete its volumes with it.
   */
  private database(config: DeploymentConfig, homeserver: HomeserverSettings, dependsOn: readonly ITerraformDependable[]): void {
    const objects = homeserverDatabase(config, homeserver, this.compartment.labels);
    const objectStore = new Manifest(this, 'postgres-object-store', { object: objects.objectStore, dependsOn });
    const cluster = new Manifest(this, 'postgres-cluster', {
      object: objects.cluster,
      // The operator acts here only through its Role: a Cluster created before it would wait for the next resync.
      dependsOn: [...dependsOn, objectStore.resource, ...this.postgresOperatorAccess],
      preventDestroy: true,
      // The operator's webhook writes its full PostgreSQL configuration into the parameters map.
      completedByServer: ['spec.postgresql.parameters'],
    });
    new Manifest(this, 'postgres-scheduled-backup', { object: objects.scheduledBackup, dependsOn: [cluster.resource] });
    new Manifest(this, 'identity-database', { object: objects.identityDatabase, dependsOn: [cluster.resource] });
  }
}
