/**
 * How a workload is reached, said once: its one Service lists only the ports the spec gives a
 * service port. Inside the cluster it is a ClusterIP Service, reached by the peers the flow
 * matrix allows (the compartment's network policies); the public entry point is the one
 * Service reachable from outside the cluster, from its source ranges only.
 */
import type { ServiceV1Config, ServiceV1Metadata } from '@cdktf/provider-kubernetes/lib/service-v1';
import { podPorts, type WorkloadPort } from '../model/workload-spec';
import type { AnyWorkloadSpec } from './hardened-pod-template';

export type Exposure =
  | { readonly reachableFrom: 'cluster' }
  | {
      readonly reachableFrom: 'outside';
      /** How the cloud or the nodes publish it. */
      readonly through: 'LoadBalancer' | 'NodePort';
      /** Client ranges the load balancer admits (a NodePort is limited by the network policy alone). */
      readonly sourceRanges: readonly string[];
    };

/** Reached only by in-cluster peers the flow matrix allows. */
export const IN_CLUSTER: Exposure = { reachableFrom: 'cluster' };

/** The ports other workloads may reach; the rest (e.g. metrics) are reached pod to pod or not at all. */
export function servicePorts(spec: AnyWorkloadSpec): WorkloadPort[] {
  return podPorts(spec).filter((port) => port.servicePort !== undefined);
}

/** The ports the workload's media load balancer publishes (the SFU's), by the names the spec lists. */
export function mediaEntryPorts(spec: AnyWorkloadSpec): WorkloadPort[] {
  const names = spec.mediaEntryPoint ?? [];
  return spec.ports.filter((port) => names.includes(port.name));
}

export function serviceConfig(
  metadata: ServiceV1Metadata,
  selector: Readonly<Record<string, string>>,
  ports: readonly WorkloadPort[],
  exposure: Exposure,
): ServiceV1Config {
  return {
    metadata,
    spec: {
      type: exposure.reachableFrom === 'cluster' ? 'ClusterIP' : exposure.through,
      selector: { ...selector },
      port: ports.map((port) => ({
        name: port.name,
        port: port.servicePort ?? port.containerPort,
        targetPort: port.name,
        protocol: port.protocol,
      })),
      publishNotReadyAddresses: false,
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ...(exposure.reachableFrom === 'cluster'
        ? {}
        : {
            // Local keeps the client source address, which rate limits and audit logs depend on.
            externalTrafficPolicy: 'Local',
            loadBalancerSourceRanges: exposure.through === 'LoadBalancer' ? [...exposure.sourceRanges] : [],
          }),
    },
    // The cloud publishes the address asynchronously; the stack does not wait for it.
    waitForLoadBalancer: false,
  };
}
