/** Directory, media and gateway reachability: exactly the flows of the flow matrix (docs/design.md). */
import type { HomeserverSettings } from '../../config/deployment-config';
import { flowMatrix, type Flow } from '../../model/flows';
import { loadDeploymentConfig } from '../../model/load-config';
import { workloadsOf } from '../../workloads/catalogue';

const config = loadDeploymentConfig();
const homeserver = config.homeservers[0]!;

function describeFlow(flow: Flow): string {
  const end = (e: Flow['from']) =>
    e.kind === 'workload'
      ? `${e.compartment}/${e.workload}`
      : e.kind === 'pods'
        ? `${e.namespace}/${e.name}`
        : `outside(${e.cidrs.join(',')})`;
  return `${end(flow.from)} -> ${end(flow.to)}:${flow.port}`;
}

const into = (compartment: string, flows: Flow[]) =>
  flows
    .filter((f) => f.to.kind === 'workload' && f.to.compartment === compartment)
    .map(describeFlow)
    .sort();
const outOf = (compartment: string, flows: Flow[]) =>
  flows
    .filter((f) => f.from.kind === 'workload' && f.from.compartment === compartment)
    .map(describeFlow)
    .sort();

describe('directory compartment', () => {
  const flows = flowMatrix(config, homeserver);
  it('is reached only by the identity provider, on LDAPS', () => {
    expect(into('directory', flows)).toEqual(['identity/keycloak -> directory/openldap:1636']);
  });
  it('reaches nothing but the backup store, from its backup job (DNS from the baseline)', () => {
    expect(outOf('directory', flows)).toEqual(['directory/directory-backup -> outside(198.51.100.30/32):443']);
  });
  it('in external mode: no directory workloads, and the identity provider reaches only the declared directory on 636', () => {
    const external: HomeserverSettings = {
      ...homeserver,
      directory: { ...homeserver.directory, mode: 'external', external: { host: 'ldap.agency.example.org', cidrs: ['198.51.100.10/32'] } },
    };
    const externalFlows = flowMatrix(config, external);
    expect(workloadsOf(config, external).filter((w) => w.compartment === 'directory')).toEqual([]);
    expect(into('directory', externalFlows)).toEqual([]);
    expect(externalFlows.filter((f) => f.to.kind === 'outside' && f.to.description.includes('directory')).map(describeFlow)).toEqual([
      'identity/keycloak -> outside(198.51.100.10/32):636',
    ]);
  });
});

describe('identity compartment', () => {
  const flows = flowMatrix(config, homeserver);
  it("is reached only by the gateway (login pages) and Synapse (the OIDC back channel), on Keycloak's HTTPS port", () => {
    expect(into('identity', flows)).toEqual(['gateway/haproxy -> identity/keycloak:8443', 'homeserver/synapse -> identity/keycloak:8443']);
  });
  it('reaches only the directory over LDAPS and its own database in the homeserver cluster', () => {
    expect(outOf('identity', flows)).toEqual([
      'identity/keycloak -> directory/openldap:1636',
      'identity/keycloak -> homeserver/postgres:5432',
    ]);
  });
});

describe('media compartment', () => {
  const flows = flowMatrix(config, homeserver);
  it('is reached only from the gateway (media routes), the homeserver (replication) and the site Prometheus (metrics)', () => {
    expect(into('media', flows)).toEqual([
      'gateway/haproxy -> media/media-repository:8008',
      'homeserver/synapse -> media/media-repository:9093',
      'monitoring/prometheus -> media/media-repository:9000',
    ]);
  });
  it('reaches only the homeserver database, Redis and replication, and its backup job the backup store', () => {
    expect(outOf('media', flows)).toEqual([
      'media/media-backup -> outside(198.51.100.30/32):443',
      'media/media-repository -> homeserver/postgres:5432',
      'media/media-repository -> homeserver/redis:6379',
      'media/media-repository -> homeserver/synapse:9093',
    ]);
  });
  it('with S3: adds HTTPS egress to the declared object storage only', () => {
    const withS3: HomeserverSettings = {
      ...homeserver,
      media: {
        storageGi: 50,
        s3: {
          endpoint: 'https://s3.sovereign.example',
          bucket: 'agency-media',
          cidrs: ['198.51.100.20/32'],
          protection: { versioning: 'enabled', objectLockDays: 30 },
        },
      },
    };
    expect(
      flowMatrix(config, withS3)
        .filter((f) => f.to.kind === 'outside' && f.from.kind === 'workload' && f.from.compartment === 'media')
        .map(describeFlow),
    ).toEqual(['media/media-repository -> outside(198.51.100.20/32):443']); // no media-backup job: the bucket protects itself
  });
});

describe('gateway compartment', () => {
  const flows = flowMatrix(config, homeserver);
  it('is the only compartment reached from outside over HTTP; call media reaches the SFU on its three media ports', () => {
    expect(flows.filter((f) => f.from.kind === 'outside').map(describeFlow)).toEqual([
      'outside(0.0.0.0/0) -> gateway/haproxy:8443',
      'outside(0.0.0.0/0) -> calls/livekit:7882',
      'outside(0.0.0.0/0) -> calls/livekit:7881',
      'outside(0.0.0.0/0) -> calls/livekit:3478',
    ]);
  });
  it("reaches only the Synapse client listeners (main and pools), the media worker, the identity provider's login pages and the web client", () => {
    expect(outOf('gateway', flows)).toEqual([
      'gateway/haproxy -> calls/livekit:8443',
      'gateway/haproxy -> calls/rtc-auth:8443',
      'gateway/haproxy -> client/element-web:8443',
      'gateway/haproxy -> homeserver/client-readers:8008',
      'gateway/haproxy -> homeserver/synapse:8008',
      'gateway/haproxy -> homeserver/sync-workers:8008',
      'gateway/haproxy -> identity/keycloak:8443',
      'gateway/haproxy -> media/media-repository:8008',
    ]);
  });
});

describe('calls compartment', () => {
  it('is reached by the gateway (TLS fronts) and by participants on the media ports; it reaches the gateway and its own published address', () => {
    const flows = flowMatrix(config, homeserver);
    expect(outOf('calls', flows)).toEqual(['calls/livekit -> outside(203.0.113.20/32):7882', 'calls/rtc-auth -> gateway/haproxy:8443']);
    expect(
      flows
        .filter((f) => f.to.kind === 'workload' && f.to.compartment === 'calls')
        .map((f) => `${describeFlow(f)}/${f.protocol} ${f.transport.kind}`)
        .sort(),
    ).toEqual([
      'gateway/haproxy -> calls/livekit:8443/TCP tls',
      'gateway/haproxy -> calls/rtc-auth:8443/TCP tls',
      'outside(0.0.0.0/0) -> calls/livekit:3478/UDP webrtc',
      'outside(0.0.0.0/0) -> calls/livekit:7881/TCP webrtc',
      'outside(0.0.0.0/0) -> calls/livekit:7882/UDP webrtc',
    ]);
  });
});

describe('client compartment', () => {
  it('is reached by the gateway alone and reaches nothing (static files)', () => {
    const flows = flowMatrix(config, homeserver);
    expect(flows.filter((f) => f.to.kind === 'workload' && f.to.compartment === 'client').map(describeFlow)).toEqual([
      'gateway/haproxy -> client/element-web:8443',
    ]);
    expect(outOf('client', flows)).toEqual([]);
  });

  it('does not exist without a client in the config', () => {
    const { client: _omitted, ...withoutClient } = homeserver;
    const flows = flowMatrix(config, withoutClient);
    expect(flows.filter((f) => [f.from, f.to].some((end) => end.kind === 'workload' && end.compartment === 'client'))).toEqual([]);
  });
});

describe('metrics listeners', () => {
  const flows = flowMatrix(config, homeserver);
  const intoMetrics = flows
    .filter((f) => f.portName === 'metrics')
    .map(describeFlow)
    .sort();
  it('are reached only by the site Prometheus: the gateway exporter, every Synapse process, the database instances', () => {
    expect(intoMetrics).toEqual([
      'monitoring/prometheus -> gateway/haproxy:8404',
      'monitoring/prometheus -> homeserver/client-readers:9000',
      'monitoring/prometheus -> homeserver/event-persister-1:9000',
      'monitoring/prometheus -> homeserver/postgres:9187',
      'monitoring/prometheus -> homeserver/synapse:9000',
      'monitoring/prometheus -> homeserver/sync-workers:9000',
      'monitoring/prometheus -> media/media-repository:9000',
    ]);
  });
  it('let Prometheus into the media compartment on the metrics port and nothing else (NET-05)', () => {
    expect(into('media', flows).filter((flow) => flow.startsWith('monitoring/'))).toEqual([
      'monitoring/prometheus -> media/media-repository:9000',
    ]);
  });
});
