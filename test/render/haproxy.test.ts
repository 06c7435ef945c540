/**
 * The gateway: the route table and the rendered haproxy.cfg as text. `haproxy -c` on it and the
 * rendered config running in a real HAProxy are in haproxy.ttest.ts (npm run test:tools).
 */
import { loadDeploymentConfig } from '../../model/load-config';
import { scanText } from '../../policies/secrets/secret-scan';
import { renderHaproxyConfig } from '../../render/gateway/haproxy-config';
import { gatewayRoutes, routeFor } from '../../render/gateway/routes';
import { workloadsIn } from '../../workloads/catalogue';
import { haproxyInput } from './haproxy-input';

jest.setTimeout(60_000);

describe('route table', () => {
  const on = gatewayRoutes(true);
  const off = gatewayRoutes(false);
  it.each([
    ['/_matrix/client/v3/sync', 'synapse', 'synapse'],
    ['/_matrix/client/v3/login', 'synapse', 'synapse'],
    ['/_matrix/client/v1/media/download/example.org/abc', 'media', 'media'],
    ['/_matrix/media/v3/upload', 'media', 'media'],
    ['/_matrix/federation/v1/media/download/abc', 'media', 'refused'],
    ['/_matrix/federation/v1/send/123', 'synapse', 'refused'],
    ['/_matrix/key/v2/server', 'synapse', 'refused'],
    ['/.well-known/matrix/server', 'well-known-server', 'refused'],
    ['/.well-known/matrix/client', 'well-known-client', 'well-known-client'],
    ['/_synapse/admin/v1/users/@a:b', 'refused', 'refused'],
    ['/_synapse/admin/v2/users', 'refused', 'refused'],
    ['/_synapse/client/password_reset', 'refused', 'refused'],
    ['/_synapse/metrics', 'refused', 'refused'],
    ['/metrics', 'refused', 'refused'],
    ['/health', 'refused', 'refused'],
    ['/', 'refused', 'refused'],
    ['/_matrix', 'refused', 'refused'],
    ['/_matrix/clientX/v3/sync', 'refused', 'refused'],
    ['/.well-known/matrix/server/extra', 'refused', 'refused'],
  ])('%s -> %s (federation on) / %s (off)', (route, withFederation, withoutFederation) => {
    expect(routeFor(route, on)).toBe(withFederation);
    expect(routeFor(route, off)).toBe(withoutFederation);
  });

  it('without federation, calls open exactly the OpenID userinfo path and the server well-known, nothing else of federation', () => {
    const calls = gatewayRoutes(false, [], true);
    expect(routeFor('/_matrix/federation/v1/openid/userinfo', calls)).toBe('synapse');
    expect(routeFor('/_matrix/federation/v1/openid/userinfo', off)).toBe('refused');
    expect(routeFor('/.well-known/matrix/server', calls)).toBe('well-known-server');
    for (const refused of ['/_matrix/federation/v1/openid/userinfo/x', '/_matrix/federation/v1/send/1', '/_matrix/key/v2/server'])
      expect(routeFor(refused, calls)).toBe('refused');
  });
});

describe('route table with every worker pool', () => {
  const pools = ['sync', 'client-reader', 'federation-reader'] as const;
  const on = gatewayRoutes(true, pools);
  const off = gatewayRoutes(false, pools);
  it.each([
    ['/_matrix/client/v3/sync', 'sync', 'sync'],
    ['/_matrix/client/r0/sync', 'sync', 'sync'],
    ['/_matrix/client/v3/sync/extra', 'synapse', 'synapse'],
    ['/_matrix/client/v3/events', 'sync', 'sync'],
    ['/_matrix/client/v3/rooms/!abc%3Aexample.org/initialSync', 'sync', 'sync'],
    ['/_matrix/client/v3/rooms/!abc%3Aexample.org/messages', 'client-reader', 'client-reader'],
    ['/_matrix/client/v3/rooms/!abc%3Aexample.org/context/$ev', 'client-reader', 'client-reader'],
    ['/_matrix/client/v3/rooms/!abc%3Aexample.org/state', 'client-reader', 'client-reader'],
    ['/_matrix/client/v1/rooms/!abc%3Aexample.org/relations/$ev/m.thread', 'client-reader', 'client-reader'],
    ['/_matrix/client/v3/keys/query', 'client-reader', 'client-reader'],
    ['/_matrix/client/versions', 'client-reader', 'client-reader'],
    // Writes, logins and the rate-limited reads stay on the main process.
    ['/_matrix/client/v3/rooms/!abc%3Aexample.org/send/m.room.message/t1', 'synapse', 'synapse'],
    ['/_matrix/client/v3/rooms/!abc%3Aexample.org/state/m.room.name/', 'synapse', 'synapse'],
    ['/_matrix/client/v3/rooms/!abc%3Aexample.org/invite', 'synapse', 'synapse'],
    ['/_matrix/client/v3/login', 'synapse', 'synapse'],
    ['/_matrix/client/v3/keys/upload', 'synapse', 'synapse'],
    ['/_matrix/client/v3/user_directory/search', 'synapse', 'synapse'],
    ['/_matrix/client/v3/profile/@a:example.org', 'synapse', 'synapse'],
    // Media keeps its own worker; federation paths exist only with federation on.
    ['/_matrix/client/v1/media/download/example.org/abc', 'media', 'media'],
    ['/_matrix/federation/v1/media/download/abc', 'media', 'refused'],
    ['/_matrix/federation/v1/send/123', 'federation-reader', 'refused'],
    ['/_matrix/federation/v2/send_join/!r/$e', 'federation-reader', 'refused'],
    ['/_matrix/federation/v1/publicRooms', 'federation-reader', 'refused'],
    // A generic worker's federation resource serves no key API (Synapse 1.159): key queries stay on the main process.
    ['/_matrix/key/v2/query', 'synapse', 'refused'],
    ['/_matrix/key/v2/server', 'synapse', 'refused'],
    ['/_matrix/federation/v1/version', 'synapse', 'refused'],
    ['/_synapse/admin/v2/users', 'refused', 'refused'],
  ])('%s -> %s (federation on) / %s (off)', (route, withFederation, withoutFederation) => {
    expect(routeFor(route, on)).toBe(withFederation);
    expect(routeFor(route, off)).toBe(withoutFederation);
  });

  it("sends a missing pool's paths to the main process", () => {
    expect(routeFor('/_matrix/client/v3/sync', gatewayRoutes(false, ['client-reader']))).toBe('synapse');
  });

  it('renders each pool route as one single-quoted, anchored path_reg ACL and sends it to the pool backend', () => {
    const text = renderHaproxyConfig(
      haproxyInput({
        pools: {
          sync: { host: 'sync-workers.agency-homeserver.svc', port: 8008 },
          'client-reader': { host: 'client-readers.agency-homeserver.svc', port: 8008 },
        },
      }),
    );
    for (const route of gatewayRoutes(false, ['sync', 'client-reader']))
      if (route.match.kind === 'pattern') expect(text).toContain(`  acl ${route.name} path_reg '${route.match.pattern}'\n`);
    expect(text).toContain('  use_backend sync if sync || event_stream || room_initial_sync\n');
    expect(text).toMatch(/backend sync\n[^]*retry-on conn-failure empty-response response-timeout\n {2}retries 2\n/);
    expect(text.indexOf('use_backend sync ')).toBeLessThan(text.indexOf('use_backend synapse '));
  });
});
describe('rendered haproxy.cfg', () => {
  const text = renderHaproxyConfig(haproxyInput({ federationEnabled: true }));
  it('allows TLS 1.2+ with forward-secret AEAD suites only', () => {
    expect(text).toContain('ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets');
    const ciphers = /ssl-default-bind-ciphers (\S+)/.exec(text)?.[1]?.split(':') ?? [];
    expect(ciphers.length).toBeGreaterThan(0);
    for (const cipher of ciphers) expect(cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  });
  it('limits request bodies to max_upload_size', () => {
    expect(text).toContain(`http-request deny deny_status 413 if { req.hdr_val(content-length) gt ${50 * 1024 * 1024} }`);
  });
  it('speaks TLS to the backends, verifying the internal CA and the Service name, health checks included', () => {
    for (const host of ['synapse.agency-homeserver.svc', 'media-repository.agency-media.svc']) {
      expect(text).toContain(
        `server ${host.split('.')[0] === 'synapse' ? 'synapse' : 'media'} ${host}:8008 ssl verify required ca-file /trust/ca.crt verifyhost ${host} sni str(${host}) check check-ssl check-sni ${host} `,
      );
    }
    expect(text).toContain('ssl-default-server-options ssl-min-ver TLSv1.2 no-tls-tickets');
  });
  it('drops client-supplied forwarding headers before adding its own', () => {
    expect(text.indexOf('http-request del-header X-Forwarded-For')).toBeGreaterThan(0);
    expect(text.indexOf('http-request del-header X-Forwarded-For')).toBeLessThan(text.indexOf('option forwardfor'));
  });
  it('serves the Prometheus exporter on its own plain-HTTP frontend, /metrics only, on no Service port', () => {
    expect(text).toContain('frontend metrics\n  bind :8404\n');
    expect(text).toContain(
      '  http-request use-service prometheus-exporter if { path /metrics } { method GET HEAD }\n  http-request deny deny_status 404\n',
    );
    const [gateway] = workloadsIn(loadDeploymentConfig(), loadDeploymentConfig().homeservers[0]!, 'gateway');
    expect(gateway?.ports).toContainEqual({ name: 'metrics', containerPort: 8404, protocol: 'TCP' });
    expect(gateway?.ports.find((candidate) => candidate.name === 'metrics')?.servicePort).toBeUndefined();
  });
  it('sends login attempts through their own backend, where the login rate limit refuses them', () => {
    expect(text).toMatch(/use_backend login if login_attempt login_path\n\s+use_backend synapse if /);
    expect(text).toMatch(
      /backend login\n( {2}.*\n)* {2}http-request deny deny_status 429 if \{ sc_gpc0_rate\(0\) gt 5 \}\n {2}server synapse synapse\.agency-homeserver\.svc:8008 ssl verify required /,
    );
  });
  it('never mentions the admin API (it is refused by default): the one /_synapse path is the OIDC callback, matched exactly', () => {
    expect(text.split('\n').filter((line) => line.includes('/_synapse'))).toEqual([
      '  acl oidc_callback path /_synapse/client/oidc/callback',
    ]);
  });
  it('holds no secret', () => {
    expect(scanText(text, 'haproxy.cfg')).toEqual([]);
  });
});
