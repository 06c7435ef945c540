/** The gateway renderer's input as the tests of the route table and the rendered text use it. */
import type { HaproxyInput } from '../../render/gateway/haproxy-config';

export function haproxyInput(overrides: Partial<HaproxyInput> = {}): HaproxyInput {
  return {
    serverName: 'matrix.agency.example.org',
    federationEnabled: false,
    maxUploadBytes: 50 * 1024 * 1024,
    rateLimit: { requestsPer10s: 300, loginRequestsPer10s: 5 },
    listenPort: 8443,
    metricsPort: 8404,
    certificateFile: '/tls/tls.pem',
    backendCaFile: '/trust/ca.crt',
    backends: {
      synapse: { host: 'synapse.agency-homeserver.svc', port: 8008 },
      media: { host: 'media-repository.agency-media.svc', port: 8008 },
      identity: { host: 'keycloak.agency-identity.svc', port: 8443 },
    },
    ...overrides,
  };
}
