/**
 * The Synapse processes of a homeserver, as plain data: the main process, the worker pools
 * (generic workers behind the gateway, any number of interchangeable pods), the event
 * persisters (named stream writers, one pod each), the federation sender and the media worker.
 * The rendered Synapse config (instance map, stream writers), the workloads, the flows, the
 * certificates and the gateway's backends are all derived from this one list.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import { FEDERATION_SENDER, MEDIA_WORKER } from './workload-spec';

/** What the gateway sends to a pool (render/gateway/routes.ts holds the paths of each). */
export const WORKER_POOLS = ['sync', 'client-reader', 'federation-reader'] as const;
export type WorkerPool = (typeof WORKER_POOLS)[number];

export const POOL_WORKLOADS: Readonly<Record<WorkerPool, string>> = {
  sync: 'sync-workers',
  'client-reader': 'client-readers',
  'federation-reader': 'federation-readers',
};

export const MAIN_PROCESS = 'synapse';
/** Synapse's own instance name for the main process in `instance_map` and `stream_writers`. */
export const MAIN_INSTANCE = 'main';
export const EVENT_PERSISTER_PREFIX = 'event-persister-';

export type SynapseRole = 'main' | 'pool' | 'event-persister' | 'federation-sender' | 'media';

interface ProcessBase {
  /** Workload and Service name; for a named instance also its Synapse instance name (main: `main`). */
  readonly name: string;
  readonly compartment: 'homeserver' | 'media';
  readonly replicas: number;
  /**
   * Its Synapse instance name is fixed and other processes dial it (the instance map), so it
   * runs a TLS replication listener. Pool pods are anonymous: each names itself after its pod.
   */
  readonly instance?: string;
  /** Resources of its TLS HTTP listener behind the gateway; empty: no such listener. */
  readonly httpResources: readonly string[];
}

/** A pool always says which (its routes, its backend); no other process has one. */
export type SynapseProcess =
  | (ProcessBase & { readonly role: 'pool'; readonly pool: WorkerPool })
  | (ProcessBase & { readonly role: Exclude<SynapseRole, 'pool'>; readonly pool?: undefined });

function pool(kind: WorkerPool, replicas: number, httpResources: readonly string[]): SynapseProcess[] {
  if (replicas === 0) return [];
  return [{ name: POOL_WORKLOADS[kind], compartment: 'homeserver', role: 'pool', pool: kind, replicas, httpResources }];
}

export function synapseProcesses(homeserver: HomeserverSettings): SynapseProcess[] {
  const { workers } = homeserver;
  const federation = homeserver.federation.enabled;
  const publicResources = federation ? ['client', 'federation'] : ['client'];
  return [
    { name: MAIN_PROCESS, compartment: 'homeserver', role: 'main', replicas: 1, instance: MAIN_INSTANCE, httpResources: publicResources },
    ...pool('sync', workers.sync, ['client']),
    ...pool('client-reader', workers.clientReaders, ['client']),
    ...pool('federation-reader', workers.federationReaders, ['federation']),
    ...Array.from({ length: workers.eventPersisters }, (_, index): SynapseProcess => {
      const name = `${EVENT_PERSISTER_PREFIX}${index + 1}`;
      return { name, compartment: 'homeserver', role: 'event-persister', replicas: 1, instance: name, httpResources: [] };
    }),
    ...(federation
      ? [{ name: FEDERATION_SENDER, compartment: 'homeserver', role: 'federation-sender', replicas: 1, httpResources: [] } as const]
      : []),
    {
      name: MEDIA_WORKER,
      compartment: 'media',
      role: 'media',
      replicas: 1,
      instance: MEDIA_WORKER,
      // Authenticated media (/_matrix/client/v1/media, /_matrix/federation/v1/media) is served by the client and federation resources.
      httpResources: ['media', ...publicResources],
    },
  ];
}

/** The processes with a fixed instance name and a replication listener: the instance map. */
export function namedInstances(homeserver: HomeserverSettings): SynapseProcess[] {
  return synapseProcesses(homeserver).filter((process) => process.instance !== undefined);
}

/** The instances writing the events stream: the event persisters, or the main process when there are none. */
export function eventWriters(homeserver: HomeserverSettings): string[] {
  const persisters = synapseProcesses(homeserver).filter((process) => process.role === 'event-persister');
  return persisters.length > 0 ? persisters.map((process) => process.name) : [MAIN_INSTANCE];
}
