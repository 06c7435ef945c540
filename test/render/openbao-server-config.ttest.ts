/**
 * OpenBao's rendered server configuration, parsed by HashiCorp's HCL 1 parser (the one
 * OpenBao reads it with): TLS-only listener, Raft storage on the volume, static seal from
 * the generated key file, audit log, no UI, and the self-initialisation requests in order.
 * OpenBao itself is not built by these tests (the Go module proxy does not serve github.com/openbao/openbao),
 * so what OpenBao does with the parsed configuration is not exercised.
 */
import { loadDeploymentConfig } from '../../model/load-config';
import { CONFIGURATOR, MANAGED_PREFIX, RELEASES } from '../../model/platform';
import { scanText } from '../../policies/secrets/secret-scan';
import { openbaoValues } from '../../render/charts/openbao-values';
import { renderOpenBaoPolicy } from '../../render/openbao/policy';
import { CONFIGURATOR_POLICY, configuratorPolicy, OPENBAO_PATHS, renderOpenBaoServerConfig } from '../../render/openbao/server-config';
import { openBaoAccess } from '../../workloads/secrets';
import { FLEET_CONFIG_FILE } from '../config/config-fixtures';
import { parseHcl } from '../support/hcl';

// The first run builds the parser from Go modules.
jest.setTimeout(10 * 60_000);

const config = loadDeploymentConfig();
const text = renderOpenBaoServerConfig({
  namespace: 'matrix-openbao',
  release: RELEASES.openbao,
  configurator: { namespace: 'matrix-openbao', serviceAccount: CONFIGURATOR },
});
type Node = Record<string, unknown>;
/** HCL 1 decodes every block as a list of objects; this walks labels and block names. */
function at(node: unknown, ...keys: string[]): Node {
  let current = node;
  for (const key of keys) {
    const next = (current as Node)[key];
    current = Array.isArray(next) ? next[0] : next;
  }
  return current as Node;
}

describe('OpenBao server configuration, as HCL 1 parses it', () => {
  const parsed = parseHcl(text);

  it('is the configuration the chart is given', () => {
    expect((openbaoValues(config) as { server: { standalone: { config: string } } }).server.standalone.config).toBe(text);
  });

  it('serves TLS only (1.2+), with the certificate cert-manager issues, and no UI', () => {
    expect(parsed.ui).toBe(false);
    expect(at(parsed, 'listener', 'tcp')).toMatchObject({
      tls_disable: false,
      tls_cert_file: `${OPENBAO_PATHS.tls}/tls.crt`,
      tls_key_file: `${OPENBAO_PATHS.tls}/tls.key`,
      tls_min_version: 'tls12',
    });
    expect(at(parsed, 'listener', 'tcp', 'telemetry')).toEqual({ unauthenticated_metrics_access: false });
  });

  it('unseals with the generated key file, stores on its own volume, audits every request to stdout', () => {
    expect(at(parsed, 'seal', 'static')).toEqual({ current_key_id: 'generated-1', current_key: `file://${OPENBAO_PATHS.sealKey}` });
    expect(at(parsed, 'storage', 'raft')).toMatchObject({ path: OPENBAO_PATHS.data });
    expect(at(parsed, 'audit', 'file', 'stdout', 'options')).toMatchObject({ file_path: 'stdout' });
  });

  it('self-initialises in order: KV mount, Kubernetes auth, then only the configurator role', () => {
    const blocks = (parsed.initialize as Node[]).map((entry) => Object.keys(entry)[0]);
    expect(blocks).toEqual(['secret-store', 'kubernetes-auth', 'configurator']);
    const requests = (parsed.initialize as Node[]).flatMap((entry) =>
      Object.values(entry)
        .flatMap((body) => ((body as Node[])[0]?.request as Node[]).map((request) => Object.values(request)[0] as Node[]))
        .map((request) => `${String(request[0]?.operation)} ${String(request[0]?.path)}`),
    );
    expect(requests).toEqual([
      'update sys/mounts/matrix',
      'update sys/auth/kubernetes',
      'update auth/kubernetes/config',
      `update sys/policies/acl/${CONFIGURATOR_POLICY}`,
      `update auth/kubernetes/role/${CONFIGURATOR_POLICY}`,
    ]);
  });

  it('lets the configurator touch only managed policies and roles', () => {
    const policy = configuratorPolicy();
    for (const path of [...policy.matchAll(/path "([^"]+)"/g)].map((match) => match[1])) {
      expect(path).toMatch(new RegExp(`^(sys/policies/acl|auth/kubernetes/role)(/${MANAGED_PREFIX}\\*)?$`));
    }
    expect(parseHcl(policy)).toHaveProperty('path');
  });

  it('holds no secret: no token, no key, no root token option', () => {
    expect(scanText(text, 'openbao.hcl')).toEqual([]);
    expect(text).not.toMatch(/token\s*=|root_token|current_key\s*=\s*"(?!file:\/\/)/);
  });

  it('every policy document the configurator applies parses, with exactly the declared rules', () => {
    const fleet = loadDeploymentConfig(FLEET_CONFIG_FILE);
    for (const policy of openBaoAccess(fleet).policies) {
      const rules = (parseHcl(renderOpenBaoPolicy(policy)).path as Node[]).map((entry) => {
        const [path, body] = Object.entries(entry)[0] ?? [];
        return { path, capabilities: (body as Node[])[0]?.capabilities };
      });
      expect(rules).toEqual(policy.rules.map((rule) => ({ path: rule.path, capabilities: [...rule.capabilities] })));
    }
  });

  it('the parser is a real check: it refuses broken HCL', () => {
    expect(() => parseHcl(`${text}\nlistener "tcp" {\n  address = \n}\n`)).toThrow(/HCL parser/);
  });
});
