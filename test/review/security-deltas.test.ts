/**
 * One fixture base/head pair per delta kind: the base is the real default deployment, the head
 * the same with one change; each test checks the review reports that change where a reviewer
 * looks for it (and nothing unrelated), and that it would not report it without the change.
 */
import type { FactChange } from '../../review/facts';
import { renderReview } from '../../review/render-review';
import { blocks, type JsonObject } from '../../tfjson/terraform-json';
import { add, blockAt, find, remove, REVIEW_DATE, reviewAgainstDefault, stackNamed } from './review-fixtures';

const GATEWAY = 'Deployment agency-gateway/haproxy';
const SYNAPSE = 'Deployment agency-homeserver/synapse';

function podSpec(body: JsonObject): JsonObject {
  return blockAt(body, 'spec', 'template', 'spec');
}

function firstContainer(body: JsonObject): JsonObject {
  const container = blocks(podSpec(body).container)[0];
  if (!container) throw new Error('no container');
  return container;
}

function networkPolicy(stackName: string, policyName: string, head: Parameters<Parameters<typeof reviewAgainstDefault>[0]>[0]) {
  const stack = stackNamed(head, stackName);
  const policy = Object.values(stack.json.resource?.kubernetes_network_policy_v1 ?? {}).find(
    (body) => blockAt(body, 'metadata').name === policyName,
  );
  if (!policy) throw new Error(`no policy ${policyName}`);
  return policy;
}

const settingOf = (changes: readonly FactChange[]) =>
  changes.map((change) => `${change.subject} | ${change.setting} | ${change.before ?? '-'} -> ${change.after ?? '-'}`);

describe('no change', () => {
  const review = reviewAgainstDefault(() => undefined);
  it('reports no delta and no resource change when base and head synthesize the same', () => {
    expect(review.base.hash).toBe(review.head.hash);
    expect(review.reachability.delta).toEqual({ opened: [], closed: [] });
    for (const changes of [
      review.reachability.outsideRanges,
      review.exposure,
      review.privileges,
      review.secretReferences,
      review.artifacts,
      review.synapseSettings,
    ])
      expect(changes).toEqual([]);
    expect(review.policy.newFindings).toEqual([]);
    expect(review.stacks.every((stack) => stack.status === 'unchanged')).toBe(true);
  });
});

describe('network reachability', () => {
  it('reports a flow opened when a compartment gains an ingress and its peer an egress rule', () => {
    const review = reviewAgainstDefault((head) => {
      // The directory admits the gateway on 1636, and the gateway may send there: both sides are needed.
      const directoryIngress = networkPolicy('agency-directory', 'default-deny-all', head);
      (blockAt(directoryIngress, 'spec').ingress as JsonObject[]).push({
        from: [
          { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'agency-gateway' } }, pod_selector: { match_labels: {} } },
        ],
        ports: [{ port: '1636', protocol: 'TCP' }],
      });
      const gatewayEgress = networkPolicy('agency-gateway', 'default-deny-all', head);
      (blockAt(gatewayEgress, 'spec').egress as JsonObject[]).push({
        to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'agency-directory' } } }],
        ports: [{ port: '1636', protocol: 'TCP' }],
      });
    });
    expect(review.reachability.delta.opened).toEqual([{ from: 'agency-gateway', to: 'agency-directory', port: '1636/TCP' }]);
    expect(review.reachability.delta.closed).toEqual([]);
  });

  it('reports a flow closed when the egress policy that allowed it is removed', () => {
    const review = reviewAgainstDefault((head) => {
      const stack = stackNamed(head, 'agency-gateway');
      const policies = stack.json.resource?.kubernetes_network_policy_v1 ?? {};
      for (const [name, body] of Object.entries(policies))
        if (blockAt(body, 'metadata').name === 'egress-haproxy-to-media-repository-http') delete policies[name];
    });
    expect(review.reachability.delta.closed).toEqual([{ from: 'agency-gateway', to: 'agency-media', port: '8008/TCP' }]);
    expect(review.reachability.delta.opened).toEqual([]);
  });
});

describe('network reachability: address ranges', () => {
  it('reports an ipBlock change on a flow from outside even though the zones and port stay', () => {
    const review = reviewAgainstDefault((head) => {
      const policy = networkPolicy('agency-gateway', 'ingress-outside-to-haproxy-https', head);
      const peer = blocks((blocks(blockAt(policy, 'spec').ingress)[0] as JsonObject).from)[0] as JsonObject;
      blockAt(peer, 'ip_block').cidr = '198.51.100.0/24';
    });
    expect(review.reachability.delta).toEqual({ opened: [], closed: [] });
    expect(settingOf(review.reachability.outsideRanges)).toEqual(['outside → agency-gateway | 8443/TCP | 0.0.0.0/0 -> 198.51.100.0/24']);
  });
});

describe('exposure', () => {
  it('reports a Service type and source-range change', () => {
    const review = reviewAgainstDefault((head) => {
      const spec = blockAt(find(head, 'Service agency-homeserver/synapse').body, 'spec');
      spec.type = 'NodePort';
    });
    expect(settingOf(review.exposure)).toEqual(['Service agency-homeserver/synapse | type | ClusterIP -> NodePort']);
  });

  it('reports a gateway route added (and the new rule order), not every following line', () => {
    const review = reviewAgainstDefault((head) => {
      const data = find(head, 'ConfigMap agency-gateway/haproxy-config').body.data as JsonObject;
      data['haproxy.cfg'] = String(data['haproxy.cfg']).replace(
        '  use_backend synapse if openid_userinfo || oidc_callback || client_api\n',
        '  use_backend synapse if { path_beg /_synapse/admin }\n  use_backend synapse if openid_userinfo || oidc_callback || client_api\n',
      );
    });
    expect(review.exposure.map((change) => [change.subject, change.setting, change.before === undefined ? 'added' : 'changed'])).toEqual([
      ['gateway ConfigMap agency-gateway/haproxy-config haproxy.cfg', 'frontend public: rule order', 'changed'],
      [
        'gateway ConfigMap agency-gateway/haproxy-config haproxy.cfg',
        'frontend public: use_backend synapse if { path_beg /_synapse/admin }',
        'added',
      ],
    ]);
    expect(review.exposure[0]?.after).toMatch(/use_backend synapse if \| use_backend synapse if \| use_backend identity if$/);
    // The admin API is refused at the gateway by policy: the change is also a new finding.
    expect(new Set(review.policy.newFindings.map((finding) => finding.ruleId))).toEqual(new Set(['NET-08']));
  });

  it('reports a host port', () => {
    const review = reviewAgainstDefault((head) => {
      const port = blocks(firstContainer(find(head, GATEWAY).body).port)[0] as JsonObject;
      port.host_port = 443;
    });
    expect(settingOf(review.exposure)).toEqual(['Deployment agency-gateway/haproxy | container "haproxy" hostPort 443 | - -> -> 8443/TCP']);
  });
});

describe('privileges', () => {
  it('reports a container made privileged and a capability added, and the findings they cause', () => {
    const review = reviewAgainstDefault((head) => {
      const context = blockAt(firstContainer(find(head, SYNAPSE).body), 'security_context');
      context.privileged = true;
      blockAt(context, 'capabilities').add = ['NET_ADMIN'];
    });
    expect(settingOf(review.privileges)).toEqual([
      'Deployment agency-homeserver/synapse | container "synapse" security_context.capabilities.add | - -> ["NET_ADMIN"]',
      'Deployment agency-homeserver/synapse | container "synapse" security_context.privileged | false -> true',
    ]);
    expect(new Set(review.policy.newFindings.map((finding) => finding.ruleId))).toEqual(new Set(['POD-04', 'POD-06']));
  });

  it('reports service-account token automounting turned on', () => {
    const review = reviewAgainstDefault((head) => {
      podSpec(find(head, SYNAPSE).body).automount_service_account_token = true;
    });
    expect(settingOf(review.privileges)).toEqual([
      'Deployment agency-homeserver/synapse | automount_service_account_token | false -> true',
    ]);
  });

  it('reports an RBAC grant added', () => {
    const review = reviewAgainstDefault((head) => {
      add(stackNamed(head, 'agency-homeserver'), 'kubernetes_manifest', 'reader_role', {
        manifest: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'secret-peek', namespace: 'agency-homeserver' },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'get'] }],
        },
      });
    });
    expect(settingOf(review.privileges)).toEqual(['Role agency-homeserver/secret-peek | may core/secrets | - -> get, list']);
  });

  it("reports a compartment given read access to another compartment's OpenBao path", () => {
    const review = reviewAgainstDefault((head) => {
      const data = find(head, 'ConfigMap matrix-openbao/openbao-configurator-desired').body.data as JsonObject;
      data['policy.matrix-agency-media-read.hcl'] =
        `${String(data['policy.matrix-agency-media-read.hcl'])}path "matrix/data/agency/ldap-bind" {\n  capabilities = ["read"]\n}\n`;
    });
    expect(settingOf(review.privileges)).toEqual([
      'OpenBao policy matrix-agency-media-read | path "matrix/data/agency/ldap-bind" | - -> read',
    ]);
  });
});

describe('secret references', () => {
  it('reports a secret newly read as an environment variable, by name only', () => {
    const review = reviewAgainstDefault((head) => {
      firstContainer(find(head, GATEWAY).body).env = [
        { name: 'LDAP_PASSWORD', value_from: { secret_key_ref: { name: 'ldap-bind', key: 'password' } } },
      ];
    });
    expect(settingOf(review.secretReferences)).toEqual([
      'Deployment agency-gateway/haproxy | container "haproxy" env LDAP_PASSWORD | - -> secret ldap-bind key password',
    ]);
    expect(review.policy.newFindings.map((finding) => finding.ruleId)).toContain('SEC-05');
  });

  it('reports a secret volume removed and an OpenBao path changed', () => {
    const review = reviewAgainstDefault((head) => {
      const spec = podSpec(find(head, GATEWAY).body);
      spec.volume = blocks(spec.volume).filter((volume) => volume.name !== 'tls');
      const item = blocks(blockAt(find(head, 'ExternalSecret agency-identity/ldap-bind').body, 'manifest', 'spec').data)[0] as JsonObject;
      blockAt(item, 'remoteRef').key = 'agency/ldap-admin';
    });
    expect(settingOf(review.secretReferences)).toEqual([
      'Deployment agency-gateway/haproxy | volume tls | secret gateway-tls -> -',
      'ExternalSecret agency-identity/ldap-bind | key password | from agency/ldap-bind#password -> from agency/ldap-admin#password',
    ]);
  });
});

describe('images, charts and providers', () => {
  it('reports an image digest, a chart version and a provider version change', () => {
    const review = reviewAgainstDefault((head) => {
      const container = firstContainer(find(head, GATEWAY).body);
      container.image = String(container.image).replace(/@sha256:[0-9a-f]{64}/, `@sha256:${'0'.repeat(64)}`);
      find(head, 'HelmRelease matrix-cert-manager/trust-manager').body.version = 'v0.23.0';
      const providers = stackNamed(head, 'agency-gateway').json.terraform?.required_providers as JsonObject;
      (providers.kubernetes as JsonObject).version = '2.39.0';
    });
    const changes = settingOf(review.artifacts);
    expect(changes).toHaveLength(3);
    expect(changes[0]).toMatch(/^Deployment agency-gateway\/haproxy \| container "haproxy" image \| .*@sha256:3b80.* -> .*@sha256:0{64}$/);
    expect(changes[1]).toMatch(
      /^HelmRelease matrix-cert-manager\/trust-manager \| chart \| .* trust-manager v0\.22\.1 -> .* trust-manager v0\.23\.0$/,
    );
    expect(changes[2]).toBe(
      'stack agency-gateway | provider kubernetes | registry.opentofu.org/hashicorp/kubernetes 2.38.0 -> registry.opentofu.org/hashicorp/kubernetes 2.39.0',
    );
  });
});

describe('Synapse settings', () => {
  it('reports a setting turned on in the rendered homeserver.yaml, and the finding it causes', () => {
    const review = reviewAgainstDefault((head) => {
      const data = find(head, 'ConfigMap agency-homeserver/synapse-config').body.data as JsonObject;
      data['homeserver.yaml'] = String(data['homeserver.yaml']).replace(/^enable_registration: false$/m, 'enable_registration: true');
    });
    expect(settingOf(review.synapseSettings)).toEqual([
      'ConfigMap agency-homeserver/synapse-config homeserver.yaml | enable_registration | false -> true',
    ]);
    expect(review.policy.newFindings.map((finding) => finding.ruleId)).toEqual(['APP-01']);
    expect(review.policy.fixedFindings).toEqual([]);
  });
});

describe('policy suppressions and findings', () => {
  const suppress = (expires: string) => (head: Parameters<Parameters<typeof reviewAgainstDefault>[0]>[0]) => {
    const body = find(head, SYNAPSE).body;
    const comment = body['//'] as JsonObject;
    comment.suppressions = [{ ruleId: 'RES-01', reason: 'load test window agreed with the SOC', owner: 'team:platform', expires }];
  };

  it('reports a new valid suppression', () => {
    const review = reviewAgainstDefault(suppress('2027-06-30'));
    expect(review.policy.addedSuppressions.map((record) => [record.ruleId, record.owner, record.problems])).toEqual([
      ['RES-01', 'team:platform', []],
    ]);
    expect(review.policy.invalidSuppressions).toEqual([]);
    expect(review.policy.expiringSuppressions).toEqual([]);
  });

  it('reports an expired suppression as suppressing nothing (and GOV-01 as a new finding)', () => {
    const review = reviewAgainstDefault(suppress('2026-11-01'));
    expect(review.policy.invalidSuppressions.map((record) => record.problems)).toEqual([['expired on 2026-11-01']]);
    expect(review.policy.newFindings.map((finding) => finding.ruleId)).toEqual(['GOV-01']);
  });

  it('reports a suppression that expires within 30 days of the review', () => {
    const soon = new Date(REVIEW_DATE.getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
    const review = reviewAgainstDefault(suppress(soon));
    expect(review.policy.expiringSuppressions.map((record) => record.expires)).toEqual([soon]);
  });
});

describe('resource changes', () => {
  it('lists added, changed and removed resources by address, and a namespace rename as a possible replacement', () => {
    const review = reviewAgainstDefault((head) => {
      remove(find(head, 'PodMonitor agency-gateway/gateway-metrics'));
      blockAt(find(head, 'Namespace agency-directory').body, 'metadata').name = 'agency-ldap';
      add(stackNamed(head, 'agency-media'), 'kubernetes_config_map_v1', 'extra', {
        metadata: { name: 'extra', namespace: 'agency-media' },
        data: { a: 'b' },
      });
    });
    const changes = review.stacks.flatMap((stack) =>
      stack.changes.map((change) => [stack.stack, change.action, change.label, change.replacedBy]),
    );
    expect(changes).toEqual(
      expect.arrayContaining([
        ['agency-gateway', 'remove', 'PodMonitor agency-gateway/gateway-metrics', []],
        ['agency-directory', 'change', 'Namespace agency-ldap', ['metadata.name']],
        ['agency-media', 'add', 'ConfigMap agency-media/extra', []],
      ]),
    );
    expect(review.stacks.find((stack) => stack.stack === 'agency-homeserver')?.status).toBe('unchanged');
  });

  it('flags a PVC storage-class change as a replacement, and a protected resource removed from the configuration as no longer protected', () => {
    const review = reviewAgainstDefault((head) => {
      blockAt(find(head, 'PersistentVolumeClaim agency-media/media-repository-media').body, 'spec').storage_class_name = 'other';
      remove(find(head, 'ExternalSecret matrix-openbao/openbao-seal-key'));
    });
    const all = review.stacks.flatMap((stack) => stack.changes);
    expect(all.find((change) => change.label.startsWith('PersistentVolumeClaim'))?.replacedBy).toEqual(['spec.storage_class_name']);
    const seal = all.find((change) => change.label === 'ExternalSecret matrix-openbao/openbao-seal-key');
    // Terraform checks prevent_destroy in the configuration it applies: a removed block takes it along.
    expect([seal?.action, seal?.destroyGuard]).toEqual(['remove', 'lifted']);
    expect(renderReview(review).full).toMatch(/was protected by prevent_destroy, which goes with it: the engine will destroy it/);
  });

  it('warns that the engine will refuse to replace the protected OpenBao namespace, and flags a dropped prevent_destroy', () => {
    const review = reviewAgainstDefault((head) => {
      blockAt(find(head, 'Namespace matrix-openbao').body, 'metadata').name = 'matrix-vault';
      const seal = find(head, 'ExternalSecret matrix-openbao/openbao-seal-key').body;
      delete seal.lifecycle;
    });
    const all = review.stacks.flatMap((stack) => stack.changes);
    const namespace = all.find((change) => change.label === 'Namespace matrix-openbao' || change.label === 'Namespace matrix-vault');
    expect([namespace?.action, namespace?.replacedBy, namespace?.destroyGuard]).toEqual(['change', ['metadata.name'], 'refuses']);
    const seal = all.find((change) => change.label === 'ExternalSecret matrix-openbao/openbao-seal-key');
    expect([seal?.action, seal?.replacedBy, seal?.destroyGuard]).toEqual(['change', [], 'lifted']);
    const text = renderReview(review).full;
    expect(text).toMatch(/prevent_destroy: the engine will refuse/);
    expect(text).toMatch(/prevent_destroy removed: nothing stops a destroy any more/);
  });
});
