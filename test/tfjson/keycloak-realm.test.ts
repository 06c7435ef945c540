/** The Keycloak reader (realms in ConfigMaps, Keycloak servers) and the HAProxy path patterns the IDN rules prove routes with. */
import { pathPatterns } from '../../tfjson/haproxy-config';
import { keycloakContainers, keycloakRealms, realmsOfText, runsKeycloakServer } from '../../tfjson/keycloak-realm';
import type { SynthesizedStack, TerraformJson } from '../../tfjson/terraform-json';
import { escapeTemplateText } from '../../tfjson/terraform-template';

const REALM = { realm: 'matrix', clients: [{ clientId: 'synapse', secret: '${MATRIX_SYNAPSE_CLIENT_SECRET}' }] };

function stack(resource: TerraformJson['resource']): SynthesizedStack {
  return { name: 'identity', json: { resource } };
}

describe('realmsOfText', () => {
  it.each([
    ['one realm', JSON.stringify(REALM), 1],
    ['a list of realms', JSON.stringify([REALM, { ...REALM, realm: 'second' }]), 2],
    ['JSON of something else', JSON.stringify({ clients: [] }), 0],
    ['a realm whose name is not a string', JSON.stringify({ realm: 7 }), 0],
    ['YAML', 'realm: matrix\n', 0],
    ['broken JSON', '{"realm": "matrix"', 0],
  ])('%s', (_name, text, count) => {
    expect(realmsOfText(text)).toHaveLength(count);
  });
});

describe('keycloakRealms', () => {
  const namespace = { metadata: { name: 'agency-identity' } };

  it('reads a typed ConfigMap as the pod gets it (escapes undone), with its namespace resolved', () => {
    const realms = keycloakRealms(
      stack({
        kubernetes_namespace_v1: { ns: namespace },
        kubernetes_config_map_v1: {
          realm: {
            metadata: { name: 'keycloak-realm', namespace: '${kubernetes_namespace_v1.ns.metadata[0].name}' },
            data: { 'realm.json': escapeTemplateText(JSON.stringify(REALM, null, 2)), 'keycloak.conf': 'http-enabled=false\n' },
          },
        },
      }),
    );
    expect(realms).toEqual([
      {
        address: 'kubernetes_config_map_v1.realm data "realm.json"',
        file: 'realm.json',
        namespace: 'agency-identity',
        name: 'matrix',
        realm: REALM,
      },
    ]);
  });

  it('reads a ConfigMap manifest, and names each realm of a list by its index', () => {
    const realms = keycloakRealms(
      stack({
        kubernetes_manifest: {
          realms: {
            manifest: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'realms', namespace: 'agency-identity' },
              data: { 'realms.json': JSON.stringify([REALM, { ...REALM, realm: 'second' }]) },
            },
          },
        },
      }),
    );
    expect(realms.map((realm) => [realm.address, realm.name, realm.namespace])).toEqual([
      ['kubernetes_manifest.realms data "realms.json"[0]', 'matrix', 'agency-identity'],
      ['kubernetes_manifest.realms data "realms.json"[1]', 'second', 'agency-identity'],
    ]);
  });
});

describe('Keycloak servers', () => {
  it.each([
    [
      'kc.sh start from a shell script',
      { command: ['/bin/bash', '-c', "set -eu\nexec '/run/keycloak/bin/kc.sh' start --optimized --import-realm"] },
      true,
    ],
    ['kc.sh start-dev', { command: ['/opt/keycloak/bin/kc.sh', 'start-dev'] }, true],
    ['the image entrypoint (no command)', { image: 'quay.io/keycloak/keycloak:26.7.3@sha256:ff42', args: ['start'] }, true],
    [
      'kc.sh build (an init step, no server)',
      { command: ['/bin/bash', '-c', "exec '/run/keycloak/bin/kc.sh' build --db=postgres"] },
      false,
    ],
    [
      'another program on the Keycloak image',
      { image: 'quay.io/keycloak/keycloak:26.7.3', command: ['cp', '-R', '/opt/keycloak/.', '/run/keycloak/'] },
      false,
    ],
  ])('%s', (_name, container, expected) => {
    expect(runsKeycloakServer(container)).toBe(expected);
  });

  it('finds them in the pod specs, init containers included', () => {
    const found = keycloakContainers(
      stack({
        kubernetes_deployment_v1: {
          keycloak: {
            metadata: { name: 'keycloak' },
            spec: {
              template: {
                spec: {
                  init_container: [{ name: 'build', command: ['kc.sh', 'build'] }],
                  container: [{ name: 'keycloak', command: ['kc.sh', 'start'] }],
                },
              },
            },
          },
        },
      }),
    );
    expect(found.map(({ container }) => container.name)).toEqual(['keycloak']);
  });
});

describe('pathPatterns', () => {
  it.each([
    [
      ['path', '/auth/realms/matrix/protocol/openid-connect/auth'],
      [{ kind: 'exact', path: '/auth/realms/matrix/protocol/openid-connect/auth' }],
    ],
    [
      ['path_beg', '/auth/resources/', '/auth/realms/matrix/login-actions/'],
      [
        { kind: 'prefix', path: '/auth/resources/' },
        { kind: 'prefix', path: '/auth/realms/matrix/login-actions/' },
      ],
    ],
    [
      ['path_reg', '^/auth/realms/matrix/protocol/openid-connect/logout$'],
      [{ kind: 'exact', path: '/auth/realms/matrix/protocol/openid-connect/logout' }],
    ],
    [['path_reg', '^/auth/resources/[a-z0-9]+/login/'], [{ kind: 'prefix', path: '/auth/resources/' }]],
    [['path_reg', '^/auth/realms/[^/]+/protocol/'], [{ kind: 'prefix', path: '/auth/realms/' }]],
  ])('%j', (criterion, expected) => {
    expect(pathPatterns(criterion)).toEqual(expected);
  });

  it.each([
    [['path_beg', '-i', '/auth/resources/']],
    [['path_beg', '-f', '/etc/haproxy/paths']],
    [['path_sub', '/login-actions/']],
    [['url_beg', '/auth/resources/']],
    [['path,lower', '/auth/resources/']],
    [['path_reg', 'login-actions']],
    [['path_beg']],
  ])('proves nothing for %j', (criterion) => {
    expect(pathPatterns(criterion)).toBeUndefined();
  });
});
