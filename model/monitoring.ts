/**
 * What the site's Prometheus scrapes in one homeserver's compartments, as plain data. The
 * flow matrix admits the Prometheus pods to exactly these ports, and the PodMonitors are
 * rendered from the same list, so what is scraped and what is reachable cannot drift apart.
 */
import type { HomeserverSettings } from '../config/deployment-config';
import type { HomeserverCompartment } from './compartments';
import { POSTGRES_METRICS_PORT } from './postgres';
import { synapseProcesses } from './synapse-processes';
import { FEDERATION_SENDER, GATEWAY_METRICS_PORT, MEDIA_WORKER, SYNAPSE_PORTS, type WorkloadPort } from './workload-spec';

export interface ScrapeTarget {
  readonly compartment: HomeserverCompartment;
  readonly workload: string;
  /** The container port named `metrics`. */
  readonly port: WorkloadPort;
  /** HTTP path of the exposition (plain HTTP: the port is reachable from Prometheus only). */
  readonly path: string;
  /** Why it is scraped: which alerts read it. */
  readonly reason: string;
}

/** Synapse's `type: metrics` listener answers on any path; /_synapse/metrics is also its path on an HTTP listener. */
export const SYNAPSE_METRICS_PATH = '/_synapse/metrics';
/** The CloudNativePG instance manager's exporter. */
export const POSTGRES_METRICS_PATH = '/metrics';
/** The only path the gateway's metrics frontend serves (everything else: 404). */
export const HAPROXY_METRICS_PATH = '/metrics';

/**
 * The scrape targets of a homeserver: every process with a metrics listener, so a stopped one
 * shows up as a monitoring gap. Into the media compartment, Prometheus may reach the metrics
 * port and nothing else (NET-05).
 */
export function scrapeTargets(homeserver: HomeserverSettings): ScrapeTarget[] {
  const targets: ScrapeTarget[] = [
    {
      compartment: 'gateway',
      workload: 'haproxy',
      port: GATEWAY_METRICS_PORT,
      path: HAPROXY_METRICS_PATH,
      reason:
        'the site Prometheus scrapes the gateway exporter: media bytes served and refused logins (exfiltration and credential-stuffing alerts)',
    },
    {
      compartment: 'homeserver',
      workload: 'synapse',
      port: SYNAPSE_PORTS.metrics,
      path: SYNAPSE_METRICS_PATH,
      reason: 'the site Prometheus scrapes Synapse main: user-directory and profile request rates (directory-scraping alerts)',
    },
  ];
  targets.push({
    compartment: 'homeserver',
    workload: 'postgres',
    port: POSTGRES_METRICS_PORT,
    path: POSTGRES_METRICS_PATH,
    reason:
      'the site Prometheus scrapes each PostgreSQL instance: backup age, WAL archiving failures and replication lag (data-safety alerts)',
  });
  targets.push({
    compartment: 'media',
    workload: MEDIA_WORKER,
    port: SYNAPSE_PORTS.metrics,
    path: SYNAPSE_METRICS_PATH,
    reason:
      'the site Prometheus scrapes the media worker, so a stopped worker shows up as a monitoring gap and media requests can be traced',
  });
  for (const process of synapseProcesses(homeserver)) {
    if (process.role !== 'pool' && process.role !== 'event-persister') continue;
    targets.push({
      compartment: 'homeserver',
      workload: process.name,
      port: SYNAPSE_PORTS.metrics,
      path: SYNAPSE_METRICS_PATH,
      reason: `the site Prometheus scrapes ${process.name}, so a stopped worker shows up as a monitoring gap and its load can be sized`,
    });
  }
  if (homeserver.federation.enabled) {
    targets.push({
      compartment: 'homeserver',
      workload: FEDERATION_SENDER,
      port: SYNAPSE_PORTS.metrics,
      path: SYNAPSE_METRICS_PATH,
      reason: 'the site Prometheus scrapes the federation sender, so a stopped sender shows up as a monitoring gap',
    });
  }
  return targets;
}

/** The Prometheus pods as a flow endpoint name (the namespace is the site's). */
export const PROMETHEUS_ENDPOINT_NAME = 'prometheus';
