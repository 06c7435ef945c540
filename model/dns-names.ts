/**
 * The DNS names the deployment derives, each built in one place: a certificate names exactly
 * what its clients dial and verify, so the two must come from the same function.
 */
import { homeserverNamespace, type HomeserverCompartment } from './compartments';

/** The in-cluster DNS name of a Service. */
export function serviceDnsName(service: string, namespace: string): string {
  return `${service}.${namespace}.svc`;
}

/** The in-cluster DNS name of a homeserver's Service (what its certificate names and its clients verify). */
export function homeserverServiceName(homeserverName: string, compartment: HomeserverCompartment, service: string): string {
  return serviceDnsName(service, homeserverNamespace(homeserverName, compartment));
}

/** A StatefulSet pod's own DNS name, through the headless Service that governs it. */
export function podDnsName(pod: string, headlessService: string, namespace: string): string {
  return `${pod}.${serviceDnsName(headlessService, namespace)}`;
}

/** The host part of a server name (`host[:port]`): the public name of the gateway and its certificate. */
export function hostOf(serverName: string): string {
  return serverName.split(':')[0] ?? serverName;
}
