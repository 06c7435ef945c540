/**
 * One Terraform stack per compartment of one homeserver: the compartment baseline, its
 * workloads, and its side of the homeserver's flows.
 */
import type { Construct } from 'constructs';
import type { DeploymentConfig, HomeserverSettings } from '../config/deployment-config';
import { Compartment } from '../constructs/compartment';
import { HardenedWorkload, type ServiceExposure } from '../constructs/hardened-workload';
import { homeserverNamespace, type HomeserverCompartment } from '../model/compartments';
import type { Flow } from '../model/flows';
import { deriveLimitRange, deriveQuota } from '../model/quotas';
import { workloadsIn } from '../model/workloads';
import { Manifest } from '../constructs/manifest';
import { SecretDelivery } from '../constructs/secret-delivery';
import { homeserverCertificates } from '../model/certificates';
import { homeserverSecretDeclarations } from '../model/homeserver-workloads';
import { platformNames } from '../model/platform';
import { compartmentStackName as stackNameOf } from '../model/stack-names';
import { leafCertificate } from '../render/manifests/certificates';
import { leafLifetimes, secretRefreshInterval } from '../render/manifests/lifetimes';
import { compartmentMonitoring } from '../render/monitoring/homeserver-monitoring';
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

export class CompartmentStack extends TemplateSafeStack {
  readonly compartment: Compartment;
  readonly workloads: readonly HardenedWorkload[];

  constructor(scope: Construct, props: CompartmentStackProps) {
    const name = compartmentStackName(props.homeserver, props.compartment);
    super(scope, name);
    const { config, homeserver, compartment } = props;
    configureEngine(this, name, config);

    const namespace = homeserverNamespace(homeserver.name, compartment);
    const workloads = workloadsIn(config, homeserver, compartment);
    const isGateway = compartment === 'gateway';
    const exposure: ServiceExposure = isGateway
      ? { type: homeserver.gateway.exposure, sourceRanges: homeserver.gateway.ingressCidrs }
      : { type: 'ClusterIP' };

    this.compartment = new Compartment(this, 'compartment', {
      kind: compartment,
      namespace,
      deploymentName: config.deploymentName,
      owner: { homeserverName: homeserver.name },
      kubernetes: config.kubernetes,
      quota: deriveQuota(workloads, {
        loadBalancers: isGateway && exposure.type === 'LoadBalancer' ? 1 : 0,
        // A LoadBalancer Service also allocates a node port.
        nodePorts: isGateway ? 1 : 0,
      }),
      limitRange: deriveLimitRange(workloads),
    });
    this.compartment.allow(props.flows);

    const names = platformNames(config.deploymentName);
    const lifetimes = leafLifetimes(config);
    const certificates = homeserverCertificates(homeserver)
      .filter((certificate) => certificate.compartment === compartment)
      .map(
        (certificate) =>
          new Manifest(this, `certificate-${certificate.secretName}`, {
            object: leafCertificate({ name: certificate.secretName, namespace, dnsNames: certificate.dnsNames, issuer: certificate.issuer, combinedPem: certificate.combinedPem, usages: ['server auth'] }, names, lifetimes, this.compartment.labels),
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

    this.workloads = workloads.map(
      (spec) =>
        new HardenedWorkload(this, spec.name, {
          namespace: this.compartment.namespaceName,
          compartmentLabels: this.compartment.labels,
          spec,
          allowedRegistries: config.images.pullRegistries,
          storageClassName: config.storage.storageClassName,
          ...(spec.publicEntryPoint ? { exposure } : {}),
          // Pods start inside their policies, with their certificates and secrets on the way.
          dependsOn: [...this.compartment.baseline, ...certificates.map((certificate) => certificate.resource), ...(delivery ? delivery.secrets.map((secret) => secret.resource) : [])],
        }),
    );

    // Scraping and exfiltration alerts for the site's Prometheus Operator (its CRDs must exist before this stack is planned).
    compartmentMonitoring(config, homeserver, compartment, this.compartment.labels).forEach(
      (object) => new Manifest(this, `monitoring-${object.kind.toLowerCase()}-${object.metadata.name}`, { object, dependsOn: this.compartment.baseline }),
    );
  }
}
